"""Outbox delivery: claim one row at a time, re-check it, send it, record the outcome.

The guarantee (docs/notifications.md has the long version):

* claim: `pending -> sending` by a conditional UPDATE (`WHERE status = 'pending'`, after a
  `SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL), with a fresh claim token; only the worker holding
  the token may finish the row. Two workers, a duplicated beat or a retried task never send one row twice.
* lease: a row left in `sending` longer than NOTIFICATIONS_CLAIM_LEASE_SECONDS (its worker was killed) is
  put back to `pending`; the lease is renewed right before the SMTP transaction, so only that
  transaction has to fit in it (settings require the lease to exceed 2 x EMAIL_TIMEOUT).
* the one at-least-once window: between the SMTP server's "250" to the end of DATA and the commit of
  the UPDATE to `sent`. A worker killed exactly there sends the email again after the lease, with the
  same Message-ID (the idempotency key), so the receiver can drop the duplicate. Killed anywhere else,
  the email is sent exactly once; it is never lost (the row is committed with its cause, and every exit
  from `sending` is `sent`, back to `pending`, `failed` after N attempts, or `cancelled`).
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import uuid
from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from conventions.services.common import local_today
from hostportal.models import Membership
from notifications.emails import EmailItem, Envelope, build_message, checklist_for
from notifications.facts import File, file_by_id, files_by_ids
from notifications.models import Notification, NotificationStatus
from notifications.rules import DocumentFacts, FileType, ReminderKind, days_left, deadline_for

logger = logging.getLogger(__name__)
# The SMTP server refused this message (a bad address...): retry it later, but keep sending the others.
MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


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


@dataclass
class DeliveryReport:
    reclaimed: int = 0
    sent: int = 0
    cancelled: int = 0
    retry: int = 0
    failed: int = 0
    lost_claim: int = 0
    transport_error: str = ""

    @property
    def handled(self) -> int:
        return self.sent + self.cancelled + self.retry + self.failed + self.lost_claim

    def count(self, outcome: Outcome) -> None:
        setattr(self, outcome.value, getattr(self, outcome.value) + 1)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


# --- claim and lease ---------------------------------------------------------------------------------
def outbox_reclaim(*, now: dt.datetime | None = None) -> int:
    """Put back rows whose worker died while sending (lease expired); fail those out of attempts."""
    now = _now(now)
    expired = Notification.objects.filter(
        status=NotificationStatus.SENDING,
        claimed_at__lt=now - dt.timedelta(seconds=settings.NOTIFICATIONS_CLAIM_LEASE_SECONDS),
    )
    lost = "The worker sending it stopped (lease expired)"
    failed = expired.filter(attempts__gte=settings.NOTIFICATIONS_MAX_ATTEMPTS).update(
        status=NotificationStatus.FAILED,
        claim_token=None,
        last_error=f"{lost}; no attempt left.",
        updated_at=now,
    )
    back = expired.update(
        status=NotificationStatus.PENDING, claim_token=None, claimed_at=None, next_attempt_at=now,
        last_error=f"{lost}; sent again.", updated_at=now,
    )  # fmt: skip
    if failed or back:
        logger.warning("Outbox: %s row(s) reclaimed after a lost worker, %s failed.", back, failed)
    return int(failed + back)


def outbox_claim_next(*, now: dt.datetime | None = None) -> Claim | None:
    """Claim the oldest pending row due now, or None. The UPDATE's WHERE decides between rivals."""
    for _ in range(10):  # a rival may take the row between the SELECT and the UPDATE on SQLite
        now_ = _now(now)
        token = uuid.uuid4()
        with transaction.atomic():
            found = (
                Notification.objects.select_for_update(skip_locked=True)
                .filter(status=NotificationStatus.PENDING, next_attempt_at__lte=now_)
                .order_by("next_attempt_at", "pk")
                .values_list("pk", "attempts")
                .first()
            )
            if found is None:
                return None
            won = Notification.objects.filter(pk=found[0], status=NotificationStatus.PENDING).update(
                status=NotificationStatus.SENDING, claim_token=token, claimed_at=now_,
                attempts=F("attempts") + 1, updated_at=now_,
            )  # fmt: skip
        if won:
            return Claim(found[0], token, found[1] + 1)
    return None


def _mine(claim: Claim) -> Any:
    return Notification.objects.filter(
        pk=claim.pk, claim_token=claim.token, status=NotificationStatus.SENDING
    )


def _renew_lease(claim: Claim) -> bool:
    """Right before the SMTP transaction: still ours? (a rival reclaimed it if we were too slow)"""
    return bool(_mine(claim).update(claimed_at=timezone.now()))


# --- what to send: re-checked at send time ------------------------------------------------------------
def _item(row: Notification, file: File, today: dt.date) -> EmailItem | None:
    """The email item, or None when the reminder no longer applies (state or deadline changed)."""
    kind = ReminderKind(row.kind)
    deadline = deadline_for(kind, file.facts)
    if deadline is None or deadline.on != row.deadline:
        return None
    checklist, stamp = checklist_for(kind, row.language)
    label = file.facts.label if isinstance(file.facts, DocumentFacts) else ""
    return EmailItem(
        kind=kind, file_type=file.ref.file_type, object_id=file.ref.pk, intern_name=file.ref.intern_name,
        organisation_name=file.ref.organisation_name, deadline=deadline,
        days_left=days_left(deadline.on, today),
        document_label=label, checklist=checklist, stamp_eur=stamp,
    )  # fmt: skip


def _recipient_email(row: Notification) -> str | None:
    """The recipient's current address, or None when they no longer want or can get this email."""
    if row.recipient_intern_id is not None:
        intern = row.recipient_intern
        return intern.email if intern is not None and intern.notify_intern and intern.email else None
    user = row.recipient_user
    if user is None or not user.is_active or not user.email:
        return None
    wants = Membership.objects.filter(user=user, organisation_id=row.organisation_id).exclude(
        email_preference=Membership.EmailPreference.OFF
    )
    return user.email if wants.exists() else None


def _single_items(row: Notification, today: dt.date) -> tuple[list[EmailItem], str]:
    file = file_by_id(FileType(row.file_type), row.object_id)
    if file is None:
        return [], "The file no longer exists."
    item = _item(row, file, today)
    if item is None:
        return [], f"No longer due: the {row.file_type} changed (state or deadline) before sending."
    return [item], ""


def _digest_items(row: Notification, today: dt.date) -> tuple[list[EmailItem], str]:
    """The digest's items still due; the others are cancelled (one UPDATE)."""
    members = list(row.items.filter(status=NotificationStatus.DIGESTED).order_by("pk"))
    ids_by_type: dict[str, list[int]] = defaultdict(list)
    for member in members:
        ids_by_type[member.file_type].append(member.object_id)
    files = {
        (file.ref.file_type.value, file.ref.pk): file
        for file_type, ids in ids_by_type.items()
        for file in files_by_ids(FileType(file_type), ids)
    }
    items: list[EmailItem] = []
    stale: list[int] = []
    for member in members:
        file = files.get((member.file_type, member.object_id))
        item = _item(member, file, today) if file else None
        if item is None:
            stale.append(member.pk)
        else:
            items.append(item)
    if stale:
        Notification.objects.filter(pk__in=stale).update(
            status=NotificationStatus.CANCELLED, last_error="No longer due when the digest was sent."
        )
    return items, "" if items else "Nothing left to send in the digest."


def outbox_compose(row: Notification, *, today: dt.date) -> tuple[EmailMultiAlternatives | None, str]:
    """The message for this row as things are now, or (None, why it is not sent any more)."""
    email = _recipient_email(row)
    if email is None:
        return None, "The recipient no longer gets these emails (preference, address or account)."
    compose = _digest_items if row.kind == ReminderKind.DIGEST else _single_items
    items, reason = compose(row, today)
    if not items:
        return None, reason
    envelope = Envelope(
        to=email, language=row.language, message_id=row.message_id, organisation_name=row.organisation.name,
        for_intern=row.recipient_intern_id is not None, items=items,
    )  # fmt: skip
    return build_message(envelope), ""


# --- outcomes ------------------------------------------------------------------------------------------
def _mark_sent(claim: Claim, message: EmailMultiAlternatives) -> bool:
    now = timezone.now()
    with transaction.atomic():
        done = _mine(claim).update(
            status=NotificationStatus.SENT, sent_at=now, claim_token=None, last_error="",
            subject=message.subject[:300], text_body=str(message.body), updated_at=now,
        )  # fmt: skip
        Notification.objects.filter(digest_id=claim.pk, status=NotificationStatus.DIGESTED).update(
            status=NotificationStatus.SENT, sent_at=now, updated_at=now
        )
    return bool(done)


def _cancel(claim: Claim, reason: str) -> Outcome:
    with transaction.atomic():
        if _mine(claim).update(status=NotificationStatus.CANCELLED, claim_token=None, last_error=reason):
            Notification.objects.filter(digest_id=claim.pk, status=NotificationStatus.DIGESTED).update(
                status=NotificationStatus.CANCELLED, last_error=f"Its digest was cancelled: {reason}"
            )
    return Outcome.CANCELLED


def backoff(attempts: int) -> dt.timedelta:
    """Exponential: base, 2 x base, 4 x base... capped (attempts counts this one)."""
    seconds = settings.NOTIFICATIONS_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(seconds, settings.NOTIFICATIONS_RETRY_MAX_SECONDS))


def _fail(claim: Claim, exc: BaseException) -> Outcome:
    now = timezone.now()
    error = f"{type(exc).__name__}: {exc}"[:2000]
    if claim.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
        _mine(claim).update(
            status=NotificationStatus.FAILED, claim_token=None, last_error=error, updated_at=now
        )
        logger.error("Outbox row %s failed after %s attempts: %s", claim.pk, claim.attempts, error)
        return Outcome.FAILED
    _mine(claim).update(
        status=NotificationStatus.PENDING, claim_token=None, claimed_at=None, last_error=error,
        next_attempt_at=now + backoff(claim.attempts), updated_at=now,
    )  # fmt: skip
    return Outcome.RETRY


def outbox_send_claimed(claim: Claim, *, connection: Any, today: dt.date) -> tuple[Outcome, str]:
    """Re-check, render and send one claimed row; record the outcome (only while the claim is ours).

    Returns the outcome and, when the transport itself failed (server down...), its error.
    """
    row = Notification.objects.select_related("organisation", "recipient_user", "recipient_intern").get(
        pk=claim.pk
    )
    if row.claim_token != claim.token:
        return Outcome.LOST_CLAIM, ""
    try:
        message, reason = outbox_compose(row, today=today)
    except Exception as exc:
        # A rendering bug must not block the queue: the row is retried, then failed, visible in admin.
        logger.exception("Outbox row %s could not be composed.", claim.pk)
        return _fail(claim, exc), ""
    if message is None:
        return _cancel(claim, reason), ""
    if not _renew_lease(claim):
        return Outcome.LOST_CLAIM, ""
    try:
        connection.open()  # once per batch: a no-op while the connection is open
        connection.send_messages([message])
    except MESSAGE_ERRORS as exc:  # this message was refused: the others may go
        return _fail(claim, exc), ""
    except Exception as exc:  # the transport (refused, timeout, disconnected): stop the batch
        connection.close()
        return _fail(claim, exc), f"{type(exc).__name__}: {exc}"
    # --- the at-least-once window: the server accepted the message, the row is not `sent` yet ---
    if not _mark_sent(claim, message):
        logger.warning(
            "Outbox row %s was sent after its lease expired (Message-ID %s).", claim.pk, row.message_id
        )
    return Outcome.SENT, ""


def outbox_deliver(*, limit: int | None = None, now: dt.datetime | None = None) -> DeliveryReport:
    """Deliver pending rows, one claim at a time, through one connection of the configured backend.

    Stops after `limit` rows (NOTIFICATIONS_BATCH_SIZE), when nothing is due, or at the first transport
    error (server down: the row is retried with backoff and the rest wait for the next run).
    """
    limit = limit or settings.NOTIFICATIONS_BATCH_SIZE
    report = DeliveryReport(reclaimed=outbox_reclaim(now=now))
    connection = get_connection(fail_silently=False)
    try:
        while report.handled < limit:
            claim = outbox_claim_next(now=now)
            if claim is None:
                break
            outcome, transport_error = outbox_send_claimed(
                claim, connection=connection, today=local_today(_now(now))
            )
            report.count(outcome)
            if transport_error:
                report.transport_error = transport_error
                break
    finally:
        connection.close()
    return report
