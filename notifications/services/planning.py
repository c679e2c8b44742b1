"""Reminder planning: which reminders are due today, written to the outbox once (set-based).

A fixed number of queries whatever the number of files: the settings, one streamed query per kind of file
on the indexed deadline columns (a server-side cursor: the files are never all in memory), then the due
reminders go to the outbox in one COPY and one INSERT ... SELECT that joins their recipients, ON CONFLICT
DO NOTHING on the idempotency key (notifications.services.outbox.outbox_write). Running it twice, or two at
once, inserts each row once: the unique index decides, not a lock. The rule engine decides, file by file,
what is due and why (notifications.rules.due_reminders); SQL only multiplies by the recipients.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from conventions.services.common import local_today
from hostportal.bulk import whole_results
from notifications import facts
from notifications.facts import File
from notifications.rules import DueReminder, due_reminders
from notifications.services.audience import LeadTimesByOrganisation, load_settings
from notifications.services.outbox import DueReminders, enqueue_delivery, outbox_write
from notifications.services.webhooks import organisations_with_deadline_webhooks, webhooks_for_reminders


@dataclass
class PlanReport:
    today: dt.date
    files: int = 0
    due: int = 0  # reminder points due (a file and a kind), before they go to each recipient
    created: int = 0  # new outbox rows (one per reminder point and recipient)
    by_kind: Counter[str] = field(default_factory=Counter)  # the new rows by kind


def files_to_remind(today: dt.date, horizon: int) -> Iterator[File]:
    yield from facts.conventions_to_remind(today, horizon)
    yield from facts.avenants_to_remind(today, horizon)
    yield from facts.permits_to_remind(today, horizon)
    yield from facts.documents_to_remind(today, horizon)
    yield from facts.visas_to_remind(today, horizon)


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
    with transaction.atomic():  # the server-side cursors live in it, and the rows commit together
        whole_results()
        leads = LeadTimesByOrganisation(load_settings())
        hooked = organisations_with_deadline_webhooks()
        due = DueReminders()
        hooks: list[tuple[File, DueReminder]] = []  # only the files of organisations with a webhook
        for file in files_to_remind(report.today, leads.longest()):
            report.files += 1
            for reminder in due_reminders(file.facts, leads[file.ref.organisation_id], report.today):
                due.add_reminder(file, reminder)
                if file.ref.organisation_id in hooked:
                    hooks.append((file, reminder))
        report.due = due.count
        report.by_kind = outbox_write(due, now)
        report.created = report.by_kind.total()
        # The same points, as "deadline.*" webhook events (two queries when an endpoint subscribes).
        webhooks_for_reminders(hooks, now, enqueue=enqueue)
        if enqueue and report.created:
            enqueue_delivery()
    return report
