"""Reminder planning: which reminders are due today, written to the outbox once (set-based).

A fixed number of queries whatever the number of files: the settings, one windowed query per kind of
file on the indexed deadline columns, the members of the organisations concerned, then a batched
INSERT ... ON CONFLICT DO NOTHING on the idempotency key. Running it twice, or two at once, inserts each
row once: the unique index decides, not a lock.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from conventions.services.common import local_today
from notifications import facts
from notifications.facts import File
from notifications.models import Notification
from notifications.rules import DueReminder, due_reminders
from notifications.services.audience import Audience, load_settings, longest_lead
from notifications.services.outbox import enqueue_delivery, outbox_insert, reminder_rows
from notifications.services.webhooks import webhooks_for_reminders


@dataclass
class PlanReport:
    today: dt.date
    files: int = 0
    candidates: int = 0
    created: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)


def files_to_remind(today: dt.date, horizon: int) -> list[File]:
    return [
        *facts.conventions_to_remind(today, horizon),
        *facts.avenants_to_remind(today, horizon),
        *facts.permits_to_remind(today, horizon),
        *facts.documents_to_remind(today, horizon),
        *facts.visas_to_remind(today, horizon),
    ]


def reminders_plan(
    *, today: dt.date | None = None, now: dt.datetime | None = None, enqueue: bool = True
) -> PlanReport:
    """Write every reminder due on `today` (default: today in Europe/Paris) to the outbox.

    Idempotent: a reminder already in the outbox (same file, kind, deadline, due date and recipient) is
    not written again, whatever its status. Members whose preference is "digest" get rows that wait for
    the daily digest; "off" gets nothing. With `enqueue`, delivery is asked for after commit.
    """
    now = now or timezone.now()
    report = PlanReport(today=today or local_today(now))
    settings = load_settings()
    files = files_to_remind(report.today, longest_lead(settings))
    audience = Audience({file.ref.organisation_id for file in files}, settings)
    rows: list[Notification] = []
    due: list[tuple[File, DueReminder]] = []
    for file in files:
        for reminder in due_reminders(
            file.facts, audience.lead_times(file.ref.organisation_id), report.today
        ):
            rows += reminder_rows(file, reminder, audience.recipients(file.ref, reminder.kind), now)
            due.append((file, reminder))
    report.files, report.candidates = len(files), len(rows)
    with transaction.atomic():
        report.created = outbox_insert(rows)
        # The same points, as "deadline.*" webhook events (two queries when an endpoint subscribes).
        webhooks_for_reminders(due, now, enqueue=enqueue)
        if enqueue and report.created:
            enqueue_delivery()
    report.by_kind.update(row.kind for row in rows)
    return report
