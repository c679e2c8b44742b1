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

The claim, lease and retry steps are notifications.services.claims (shared with the webhook delivery);
this module says what an email row is and how it is sent.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from conventions.services.common import local_today
from hostportal.models import Membership
from notifications.emails import (
    EmailItem,
    Envelope,
    WebhookDisabledNotice,
    build_message,
    build_webhook_disabled_message,
    checklist_for,
)
from notifications.facts import File, file_by_id, files_by_ids
from notifications.models import Notification, NotificationStatus, WebhookEndpoint
from notifications.rules import DocumentFacts, FileType, ReminderKind, days_left, deadline_for
from notifications.services.claims import Claim, ClaimQueue, Outcome

logger = logging.getLogger(__name__)
# The SMTP server refused this message (a bad address...): retry it later, but keep sending the others.
MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


EMAILS = ClaimQueue(
    model=Notification,
    label="Outbox",
    lease_setting="NOTIFICATIONS_CLAIM_LEASE_SECONDS",
    max_attempts_setting="NOTIFICATIONS_MAX_ATTEMPTS",
    retry_base_setting="NOTIFICATIONS_RETRY_BASE_SECONDS",
    retry_max_setting="NOTIFICATIONS_RETRY_MAX_SECONDS",
    pending=NotificationStatus.PENDING,
    sending=NotificationStatus.SENDING,
    failed=NotificationStatus.FAILED,
    cancelled=NotificationStatus.CANCELLED,
)


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


# --- claim and lease (the shared machinery) ----------------------------------------------------------
def outbox_reclaim(*, now: dt.datetime | None = None) -> int:
    """Put back rows whose worker died while sending (lease expired); fail those out of attempts."""
    return EMAILS.reclaim(now=now)


def outbox_claim_next(*, now: dt.datetime | None = None) -> Claim | None:
    """Claim the oldest pending row due now, or None. The UPDATE's WHERE decides between rivals."""
    return EMAILS.claim_next(now=now)


def _mine(claim: Claim) -> Any:
    return EMAILS.mine(claim)


def _renew_lease(claim: Claim) -> bool:
    """Right before the SMTP transaction: still ours? (a rival reclaimed it if we were too slow)"""
    return EMAILS.renew_lease(claim)


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


def _webhook_disabled_message(row: Notification, email: str) -> tuple[EmailMultiAlternatives | None, str]:
    """Not about a file: the webhook endpoint `row.object_id` was disabled (the managers are told)."""
    endpoint = WebhookEndpoint.objects.filter(pk=row.object_id).first()
    if endpoint is None:
        return None, "The webhook endpoint no longer exists."
    notice = WebhookDisabledNotice(
        to=email, language=row.language, message_id=row.message_id, organisation_name=row.organisation.name,
        url=endpoint.url, description=endpoint.description, failures=endpoint.failure_count,
        since=endpoint.failing_since, last_error=row.rule,
        page_url=f"{settings.SITE_URL}{reverse('portal:webhooks')}",
    )  # fmt: skip
    return build_webhook_disabled_message(notice), ""


def outbox_compose(row: Notification, *, today: dt.date) -> tuple[EmailMultiAlternatives | None, str]:
    """The message for this row as things are now, or (None, why it is not sent any more)."""
    email = _recipient_email(row)
    if email is None:
        return None, "The recipient no longer gets these emails (preference, address or account)."
    if row.kind == ReminderKind.WEBHOOK_DISABLED:
        return _webhook_disabled_message(row, email)
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
    return EMAILS.backoff(attempts)


def _fail(claim: Claim, exc: BaseException) -> Outcome:
    return EMAILS.fail(claim, f"{type(exc).__name__}: {exc}")


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
