"""The claim / lease / retry machinery of an outbox table, shared by the email and the webhook delivery.

An outbox row moves `pending -> sending -> sent | pending (retry) | failed | cancelled`:

* claim: `pending -> sending` by a conditional UPDATE (`WHERE status = 'pending'`, after a
  `SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL) with a fresh claim token; only the worker holding the
  token may finish the row (`mine`). Two workers, a duplicated beat or a retried task never take one row
  twice.
* or several at once, for a batch: `claim_due` moves up to N due rows to `sending` under one token, in
  the order they were due; the batch finishes each row with that token.
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

    def _claim(self, count: int, now: dt.datetime, extra: models.Q | None) -> tuple[bool, list[Claim]]:
        """(any row was due, the claims won): one `SELECT ... FOR UPDATE SKIP LOCKED` of the oldest due
        pending rows, then one UPDATE that re-checks `pending` (on SQLite, without row locks, a rival may
        have taken some in between)."""
        token = uuid.uuid4()
        with transaction.atomic():
            if extra is None:
                due = self.objects.select_for_update(skip_locked=True)
            else:  # lock the outbox row only, not the rows `extra` joins (of=("self",))
                due = self.objects.select_for_update(skip_locked=True, of=("self",)).filter(extra)
            due = due.filter(status=self.pending, next_attempt_at__lte=now)
            found = list(due.order_by("next_attempt_at", "pk").values_list("pk", "attempts")[:count])
            if not found:
                return False, []
            pks = [pk for pk, _ in found]
            won = self.objects.filter(pk__in=pks, status=self.pending).update(
                status=self.sending, claim_token=token, claimed_at=now,
                attempts=F("attempts") + 1, updated_at=now,
            )  # fmt: skip
        if won < len(found):
            ours = set(self.objects.filter(pk__in=pks, claim_token=token).values_list("pk", flat=True))
            found = [(pk, attempts) for pk, attempts in found if pk in ours]
        return True, [Claim(pk, token, attempts + 1) for pk, attempts in found]

    def claim_next(self, *, now: dt.datetime | None = None, extra: models.Q | None = None) -> Claim | None:
        """Claim the oldest pending row due now (and matching `extra`), or None. The UPDATE's WHERE decides
        between rivals."""
        for _ in range(10):  # a rival may take the row between the SELECT and the UPDATE on SQLite
            due, claims = self._claim(1, now or timezone.now(), extra)
            if not due:
                return None
            if claims:
                return claims[0]
        return None

    def claim_due(self, *, count: int, now: dt.datetime | None = None) -> list[Claim]:
        """Claim up to `count` due pending rows, oldest first, under one token (`pending -> sending`, an
        attempt counted, their lease starting now), in the order they were due. Empty when none is due."""
        return self._claim(count, now or timezone.now(), None)[1]

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
