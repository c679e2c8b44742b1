"""Writing rows into the outbox, and handing them to the delivery task once the transaction commits."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from hostportal.bulk import Spool, among, copy_rows, drop_table, quote, temporary_table
from hostportal.selectors import writable_organisations_for_user
from notifications.facts import File
from notifications.models import Notification, NotificationStatus
from notifications.rules import INTERN_KINDS, DueReminder, FileType, ReminderKind
from notifications.services.audience import REMINDER_COLUMNS, recipients_sql

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
    return key_prefix(file_type, object_id, kind, deadline, due_on) + recipient


def key_prefix(file_type: str, object_id: int, kind: str, deadline: dt.date | None, due_on: dt.date) -> str:
    """The key without its recipient part ("user-<id>" or "intern-<id>", added in SQL)."""
    deadline_part = _compact(deadline) if deadline else "none"
    return f"{file_type}-{object_id}.{kind}.{deadline_part}.{_compact(due_on)}."


def _compact(day: dt.date) -> str:
    """20261201: what f"{day:%Y%m%d}" gives, without strftime (called for every row of the daily jobs)."""
    return day.isoformat().replace("-", "")


DUE_TABLE = "notifications_due"
DUE_COLUMNS = (
    ("organisation_id", "bigint"), ("intern_id", "bigint"), ("to_intern", "boolean"), ("key_prefix", "text"),
    ("kind", "text"), ("file_type", "text"), ("object_id", "bigint"), ("convention_id", "bigint"),
    ("deadline", "date"), ("due_on", "date"), ("days_left", "integer"), ("rule", "text"), ("source", "text"),
)  # fmt: skip


class DueReminders(Spool):
    """The reminders due for a set of files, one row per (file, reminder), kept out of memory until
    `outbox_write` gives each its recipients."""

    def add_reminder(self, file: File, reminder: DueReminder) -> None:
        ref, kind, on = file.ref, reminder.kind, reminder.deadline.on
        self.add((
            ref.organisation_id, ref.intern_id,
            kind in INTERN_KINDS and ref.notify_intern and bool(ref.intern_email),
            key_prefix(ref.file_type, ref.pk, kind, on, reminder.due_on),
            kind.value, ref.file_type.value, ref.pk, ref.convention_id, on, reminder.due_on,
            reminder.days_left,
            reminder.deadline.explanation.rule, reminder.deadline.explanation.source[:300],
        ))  # fmt: skip


def outbox_write(due: DueReminders, now: dt.datetime) -> Counter[str]:
    """One outbox row per due reminder and recipient, each key once; returns the new rows by kind.

    Four statements whatever the number of rows: a temporary table, one COPY of the due reminders, one
    INSERT ... SELECT that joins them to their recipients (ON CONFLICT DO NOTHING on the idempotency key:
    a row already planned, by this run or a concurrent one, is not written again), and the drop.
    """
    created: Counter[str] = Counter()
    if not due.count:
        return created
    temporary_table(DUE_TABLE, DUE_COLUMNS)
    copy_rows(DUE_TABLE, [name for name, _ in DUE_COLUMNS], due.rows())
    select, params = recipients_sql(quote(DUE_TABLE))
    columns = [
        "organisation_id", "idempotency_key", *REMINDER_COLUMNS, "recipient_user_id", "recipient_intern_id",
        "recipient_email", "language", "status",
    ]  # fmt: skip
    constant = {
        "attempts": 0, "resend_count": 0, "last_error": "", "subject": "", "text_body": "",
        "next_attempt_at": now, "created_at": now, "updated_at": now,
    }  # fmt: skip
    params |= {f"const_{name}": value for name, value in constant.items()}
    listed = ", ".join(quote(column) for column in [*columns, *constant])
    values = ", ".join([*(f"x.{column}" for column in columns), *(f"%(const_{name})s" for name in constant)])
    sql = (
        f"INSERT INTO {quote(Notification._meta.db_table)} ({listed}) "  # noqa: S608 (names from the models)
        f"SELECT {values} FROM ({select}) AS x WHERE true "  # WHERE: SQLite reads ON CONFLICT as a join
        "ON CONFLICT (idempotency_key) DO NOTHING RETURNING kind"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(5000):
            created.update(kind for (kind,) in batch)
    drop_table(DUE_TABLE)
    return created


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
        file_type=file_type, object_id__in=among(ids), kind__in=kinds, status__in=OPEN_STATUSES
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
