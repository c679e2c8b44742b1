"""The claim / lease / retry machinery of an outbox table, shared by the email and the webhook delivery.

An outbox row moves `pending -> sending -> sent | pending (retry) | failed | cancelled`:

* claim: `pending -> sending` by a conditional UPDATE (`WHERE status = 'pending'`, after a
  `SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL) with a fresh claim token; only the worker holding the
  token may finish the row (`mine`). Two workers, a duplicated beat or a retried task never take one row
  twice.
* or in two steps, for a batch: `reserve` gives up to N due rows a token while they stay `pending` (rivals
  that reserve skip them for the lease), then `claim_reserved` moves a few of them to `sending` right
  before they are sent, conditional on that token. The token is what decides: a single `claim_next` may
  still take a reserved row, and the reserver then finds it no longer reserved and skips it.
* lease: a row left in `sending` longer than the lease (its worker was killed) is put back to `pending`
  (or `failed` when out of attempts) by `reclaim`; `renew_lease` right before talking to the outside world
  means only that conversation has to fit in the lease.
* retry: `fail` puts the row back with exponential backoff (optionally with jitter), or fails it after the
  maximum number of attempts.

The settings are read when used (not at import), so tests can override them. Each table brings its own
model and statuses; what a row means and how it is sent stay with its delivery module.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

logger = logging.getLogger(__name__)


class Outcome(StrEnum):
    SENT = "sent"
    CANCELLED = "cancelled"
    RETRY = "retry"
    FAILED = "failed"
    LOST_CLAIM = "lost_claim"


@dataclass(frozen=True)
class Claim:
    pk: int
    token: uuid.UUID
    attempts: int


@dataclass(frozen=True)
class Reservation:
    """Rows reserved by one worker: `pending` with its token (`pks` may hold a few a rival took first)."""

    token: uuid.UUID
    pks: tuple[int, ...]


@dataclass(frozen=True)
class ClaimQueue:
    """One outbox table: its model, its status values, and the names of the settings that tune it."""

    model: type[models.Model]
    label: str  # for the logs: "Outbox", "Webhooks"
    lease_setting: str
    max_attempts_setting: str
    retry_base_setting: str
    retry_max_setting: str
    jitter: float = 0.0  # +- this fraction of the delay, so that failed rows do not all come back at once
    pending: str = "pending"
    sending: str = "sending"
    failed: str = "failed"
    cancelled: str = "cancelled"

    # --- settings ------------------------------------------------------------------------------------
    @property
    def lease_seconds(self) -> int:
        return int(getattr(settings, self.lease_setting))

    @property
    def max_attempts(self) -> int:
        return int(getattr(settings, self.max_attempts_setting))

    def backoff(self, attempts: int) -> dt.timedelta:
        """Exponential: base, 2 x base, 4 x base... capped (attempts counts this one), then jittered."""
        seconds = float(getattr(settings, self.retry_base_setting)) * 2 ** max(attempts - 1, 0)
        seconds = min(seconds, float(getattr(settings, self.retry_max_setting)))
        if self.jitter:
            seconds *= 1 + random.uniform(-self.jitter, self.jitter)  # noqa: S311 (not cryptographic)
        return dt.timedelta(seconds=seconds)

    @property
    def objects(self) -> Any:
        return self.model._default_manager

    # --- claim and lease -----------------------------------------------------------------------------
    def reclaim(self, *, now: dt.datetime | None = None) -> int:
        """Put back rows whose worker died while sending (lease expired); fail those out of attempts."""
        now = now or timezone.now()
        expired = self.objects.filter(
            status=self.sending, claimed_at__lt=now - dt.timedelta(seconds=self.lease_seconds)
        )
        lost = "The worker sending it stopped (lease expired)"
        failed = expired.filter(attempts__gte=self.max_attempts).update(
            status=self.failed, claim_token=None, last_error=f"{lost}; no attempt left.", updated_at=now
        )
        back = expired.update(
            status=self.pending, claim_token=None, claimed_at=None, next_attempt_at=now,
            last_error=f"{lost}; sent again.", updated_at=now,
        )  # fmt: skip
        if failed or back:
            logger.warning(
                "%s: %s row(s) reclaimed after a lost worker, %s failed.", self.label, back, failed
            )
        return int(failed + back)

    def claim_next(self, *, now: dt.datetime | None = None, extra: models.Q | None = None) -> Claim | None:
        """Claim the oldest pending row due now (and matching `extra`), or None. The UPDATE's WHERE decides
        between rivals."""
        for _ in range(10):  # a rival may take the row between the SELECT and the UPDATE on SQLite
            now_ = now or timezone.now()
            token = uuid.uuid4()
            with transaction.atomic():
                if extra is None:
                    due = self.objects.select_for_update(skip_locked=True)
                else:  # lock the outbox row only, not the rows `extra` joins (of=("self",))
                    due = self.objects.select_for_update(skip_locked=True, of=("self",)).filter(extra)
                due = due.filter(status=self.pending, next_attempt_at__lte=now_)
                found = due.order_by("next_attempt_at", "pk").values_list("pk", "attempts").first()
                if found is None:
                    return None
                won = self.objects.filter(pk=found[0], status=self.pending).update(
                    status=self.sending, claim_token=token, claimed_at=now_,
                    attempts=F("attempts") + 1, updated_at=now_,
                )  # fmt: skip
            if won:
                return Claim(found[0], token, found[1] + 1)
        return None

    def _unreserved(self, now: dt.datetime) -> models.Q:
        """Pending rows nobody reserved, or whose reservation is older than the lease (its worker died)."""
        expired = now - dt.timedelta(seconds=self.lease_seconds)
        return (
            models.Q(claim_token__isnull=True)
            | models.Q(claimed_at__isnull=True)
            | models.Q(claimed_at__lt=expired)
        )

    def reserve(self, *, count: int, now: dt.datetime | None = None) -> Reservation:
        """Reserve up to `count` due pending rows, oldest first: one conditional UPDATE (after a
        `SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL) gives them a fresh token and `claimed_at`. They
        stay `pending`, attempts unchanged: if the worker dies, they are free again after the lease."""
        now = now or timezone.now()
        token = uuid.uuid4()
        with transaction.atomic():
            due = self.objects.select_for_update(skip_locked=True).filter(
                self._unreserved(now), status=self.pending, next_attempt_at__lte=now
            )
            pks = tuple(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:count])
            if pks:  # the WHERE again: on SQLite (no row locks) a rival may have reserved some meanwhile
                self.objects.filter(self._unreserved(now), pk__in=pks, status=self.pending).update(
                    claim_token=token, claimed_at=now
                )
        return Reservation(token, pks)

    def claim_reserved(
        self, reservation: Reservation, rows: list[tuple[int, int]], *, now: dt.datetime | None = None
    ) -> list[Claim]:
        """`pending -> sending` for reserved rows `(pk, attempts as reserved)`, right before they are sent
        (their leases start now): one UPDATE. Returns the claims won: not a row cancelled, resent or taken
        by a rival once the reservation expired (only the token's holder changes `attempts`)."""
        now = now or timezone.now()
        pks = [pk for pk, _ in rows]
        held = self.objects.filter(pk__in=pks, claim_token=reservation.token)
        won = held.filter(status=self.pending).update(
            status=self.sending, claimed_at=now, attempts=F("attempts") + 1, updated_at=now
        )
        ours = (
            set(pks)
            if won == len(pks)
            else set(held.filter(status=self.sending).values_list("pk", flat=True))
        )
        return [Claim(pk, reservation.token, attempts + 1) for pk, attempts in rows if pk in ours]

    def renew_leases(self, token: uuid.UUID, pks: list[int]) -> int:
        """`claimed_at = now` for claimed rows still to be sent (a group on a slower server than measured)."""
        if not pks:
            return 0
        return int(self.objects.filter(pk__in=pks, claim_token=token).update(claimed_at=timezone.now()))

    def unclaim(self, token: uuid.UUID, pks: list[int]) -> int:
        """Back to `pending` for claimed rows never attempted (the batch stopped before them): their
        attempt is not counted."""
        if not pks:
            return 0
        return int(
            self.objects.filter(pk__in=pks, claim_token=token, status=self.sending).update(
                status=self.pending, claim_token=None, claimed_at=None, attempts=F("attempts") - 1
            )
        )

    def release(self, reservation: Reservation) -> int:
        """Give back the reserved rows not claimed (the worker stops early): rivals may take them now."""
        return int(
            self.objects.filter(
                pk__in=reservation.pks, claim_token=reservation.token, status=self.pending
            ).update(claim_token=None, claimed_at=None)
        )

    def mine(self, claim: Claim) -> Any:
        """The claimed row, as long as the claim is still ours (a queryset: update it to finish)."""
        return self.objects.filter(pk=claim.pk, claim_token=claim.token, status=self.sending)

    def renew_lease(self, claim: Claim) -> bool:
        """Right before talking to the outside world: still ours? (a rival took it if we were too slow)"""
        return bool(self.mine(claim).update(claimed_at=timezone.now()))

    # --- outcomes ------------------------------------------------------------------------------------
    def finish(self, claim: Claim, status: str, **fields: Any) -> bool:
        """Record a final or intermediate status (sent, cancelled...) if the claim is still ours."""
        return bool(self.mine(claim).update(status=status, claim_token=None, **fields))

    def fail(self, claim: Claim, error: str, **fields: Any) -> Outcome:
        """Retry later with backoff, or fail the row after the maximum number of attempts."""
        now = timezone.now()
        error = error[:2000]
        if claim.attempts >= self.max_attempts:
            self.mine(claim).update(
                status=self.failed, claim_token=None, last_error=error, updated_at=now, **fields
            )
            logger.error(
                "%s row %s failed after %s attempts: %s", self.label, claim.pk, claim.attempts, error
            )
            return Outcome.FAILED
        self.mine(claim).update(
            status=self.pending, claim_token=None, claimed_at=None, last_error=error,
            next_attempt_at=now + self.backoff(claim.attempts), updated_at=now, **fields,
        )  # fmt: skip
        return Outcome.RETRY
