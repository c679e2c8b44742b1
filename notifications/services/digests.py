"""The daily digest: one email per member (and organisation) grouping the reminders that waited for it.

Set-based and idempotent: the waiting rows are locked (SKIP LOCKED, so two runs at once split nothing
twice), one digest row per recipient and day is inserted on its unique key, and one UPDATE attaches the
waiting rows to it. A digest already sent today is not reopened: what arrives later waits for tomorrow's.
The digest row then goes through the normal delivery (claim, re-check of every item, send).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from conventions.services.common import local_today
from notifications.models import Notification, NotificationStatus
from notifications.rules import FileType, ReminderKind
from notifications.services.outbox import enqueue_delivery, idempotency_key, outbox_insert

Group = tuple[int, int]  # (organisation, user)


@dataclass
class DigestReport:
    today: dt.date
    digests: int = 0
    items: int = 0


def _digest_key(group: Group, today: dt.date) -> str:
    organisation_id, user_id = group
    return idempotency_key(
        file_type=FileType.ORGANISATION, object_id=organisation_id, kind=ReminderKind.DIGEST, deadline=None,
        due_on=today, recipient=f"user-{user_id}",
    )  # fmt: skip


def _waiting(today: dt.date) -> dict[Group, list[tuple[int, str, str]]]:
    rows = (
        Notification.objects.select_for_update(skip_locked=True)
        .filter(status=NotificationStatus.AWAITING_DIGEST, due_on__lte=today, recipient_user__isnull=False)
        .order_by("pk")
        .values_list("pk", "organisation_id", "recipient_user_id", "recipient_email", "language")
    )
    groups: dict[Group, list[tuple[int, str, str]]] = defaultdict(list)
    for pk, organisation_id, user_id, email, language in rows:
        groups[(organisation_id, user_id)].append((pk, email, language))
    return groups


def _digest_row(group: Group, first: tuple[int, str, str], today: dt.date, now: dt.datetime) -> Notification:
    organisation_id, user_id = group
    _, email, language = first
    return Notification(
        organisation_id=organisation_id, idempotency_key=_digest_key(group, today), kind=ReminderKind.DIGEST,
        file_type=FileType.ORGANISATION, object_id=organisation_id, due_on=today, recipient_user_id=user_id,
        recipient_email=email, language=language, status=NotificationStatus.PENDING, next_attempt_at=now,
    )  # fmt: skip


def digests_send(
    *, today: dt.date | None = None, now: dt.datetime | None = None, enqueue: bool = True
) -> DigestReport:
    """Group every reminder waiting for a digest into today's digest of its recipient; enqueue delivery."""
    now = now or timezone.now()
    report = DigestReport(today=today or local_today(now))
    with transaction.atomic():
        groups = _waiting(report.today)
        if not groups:
            return report
        outbox_insert([_digest_row(group, items[0], report.today, now) for group, items in groups.items()])
        keys = {_digest_key(group, report.today): group for group in groups}
        open_digests = dict(
            # Locked: a worker cannot claim a digest while items are being attached to it.
            Notification.objects.select_for_update()
            .filter(idempotency_key__in=list(keys), status=NotificationStatus.PENDING)
            .values_list("idempotency_key", "pk")
        )
        attach = {pk: digest for key, digest in open_digests.items() for pk, _, _ in groups[keys[key]]}
        if attach:
            digest_of = Case(
                *(When(pk=pk, then=Value(d)) for pk, d in attach.items()), output_field=IntegerField()
            )
            Notification.objects.filter(pk__in=list(attach)).update(
                status=NotificationStatus.DIGESTED, digest_id=digest_of, updated_at=now
            )
            if enqueue:
                enqueue_delivery()
        report.digests, report.items = len(open_digests), len(attach)
    return report
