"""Writing rows into the outbox, and handing them to the delivery task once the transaction commits."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from hostportal.selectors import writable_organisations_for_user
from notifications.facts import File
from notifications.models import Notification, NotificationStatus
from notifications.rules import DueReminder, FileType, ReminderKind
from notifications.services.audience import Recipient

logger = logging.getLogger(__name__)
INSERT_BATCH = 500
OPEN_STATUSES = (NotificationStatus.PENDING, NotificationStatus.AWAITING_DIGEST)
RESENDABLE = (NotificationStatus.SENT, NotificationStatus.FAILED, NotificationStatus.CANCELLED)


def idempotency_key(
    *, file_type: str, object_id: int, kind: str, deadline: dt.date | None, due_on: dt.date, recipient: str
) -> str:
    """(file, kind, deadline, due date, recipient), in characters allowed in a Message-ID's left part.

    The deadline is part of the key: a moved deadline (a draft's new start date, a suspension) is another
    reminder, while the same point of the same deadline is never sent twice.
    """
    deadline_part = f"{deadline:%Y%m%d}" if deadline else "none"
    return f"{file_type}-{object_id}.{kind}.{deadline_part}.{due_on:%Y%m%d}.{recipient}"


def reminder_rows(
    file: File, reminder: DueReminder, recipients: Iterable[Recipient], now: dt.datetime
) -> list[Notification]:
    ref = file.ref
    return [
        Notification(
            organisation_id=ref.organisation_id,
            idempotency_key=idempotency_key(
                file_type=ref.file_type,
                object_id=ref.pk,
                kind=reminder.kind,
                deadline=reminder.deadline.on,
                due_on=reminder.due_on,
                recipient=recipient.key,
            ),  # fmt: skip
            kind=reminder.kind,
            file_type=ref.file_type,
            object_id=ref.pk,
            convention_id=ref.convention_id,
            deadline=reminder.deadline.on,
            due_on=reminder.due_on,
            days_left=reminder.days_left,
            rule=reminder.deadline.explanation.rule,
            source=reminder.deadline.explanation.source[:300],
            recipient_user_id=recipient.user_id,
            recipient_intern_id=recipient.intern_id,
            recipient_email=recipient.email,
            language=recipient.language,
            status=NotificationStatus.AWAITING_DIGEST if recipient.digest else NotificationStatus.PENDING,
            next_attempt_at=now,
        )
        for recipient in recipients
    ]


def outbox_insert(rows: list[Notification]) -> int:
    """Insert the rows whose key is new; returns how many were new. Safe against a concurrent planner:
    the unique key decides (INSERT ... ON CONFLICT DO NOTHING), the count is for the report only."""
    if not rows:
        return 0
    keys = [row.idempotency_key for row in rows]
    existing = set(
        Notification.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True)
    )
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=INSERT_BATCH)
    return len(set(keys) - existing)


# One attempt to publish, no retry loop: a user's request is waiting on this (a broker that is down costs
# them under 0.1 s, not the ~0.6 s of the default retries), and the periodic job is the backstop.
ENQUEUE_FAST: dict[str, Any] = {"retry": True, "retry_policy": {"max_retries": 0}}


def enqueue_delivery() -> None:
    """Ask a worker to deliver once the current transaction commits (now, outside a transaction).

    A broker that is down loses nothing: the rows are committed and the periodic delivery job sends them.
    """

    def send() -> None:
        from notifications.tasks import deliver_outbox_task

        try:
            deliver_outbox_task.apply_async(**ENQUEUE_FAST)
        except Exception:  # the broker is down: the beat's next run delivers the committed rows
            logger.warning("Could not enqueue the outbox delivery; the periodic job will send the emails.")

    transaction.on_commit(send)


def outbox_cancel_stopped(
    *, file_type: FileType, ids: list[int], kinds: Iterable[ReminderKind], reason: str
) -> int:
    """Cancel the not-yet-sent reminders of these files that a state change stopped (one UPDATE)."""
    kinds = list(kinds)
    if not ids or not kinds:
        return 0
    return Notification.objects.filter(
        file_type=file_type, object_id__in=ids, kind__in=kinds, status__in=OPEN_STATUSES
    ).update(status=NotificationStatus.CANCELLED, last_error=reason, updated_at=timezone.now())


def notification_resend(*, actor: Any, ids: Iterable[int], now: dt.datetime | None = None) -> int:
    """Put sent, failed or cancelled rows of the actor's organisations back in the queue.

    A resend is a new message: `resend_count` changes its Message-ID, so a receiver that deduplicates does
    not drop it. Pending or in-flight rows and other organisations' rows are left alone. Returns the count.
    """
    now = now or timezone.now()
    with transaction.atomic():
        rows = Notification.objects.filter(
            pk__in=list(ids), status__in=RESENDABLE, organisation__in=writable_organisations_for_user(actor)
        )
        count = rows.update(
            status=NotificationStatus.PENDING, attempts=0, next_attempt_at=now, last_error="",
            claim_token=None, claimed_at=None, sent_at=None, resend_count=F("resend_count") + 1,
            updated_at=now,
        )  # fmt: skip
        if count:
            enqueue_delivery()
    return count
