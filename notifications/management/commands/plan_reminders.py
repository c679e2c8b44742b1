"""python manage.py plan_reminders [--today YYYY-MM-DD]: write the reminders due today to the outbox."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from notifications.management.commands._days import add_today_option, parse_today
from notifications.services import reminders_plan


class Command(BaseCommand):
    help = "Plan the reminders due today into the outbox (idempotent: running it again adds nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        add_today_option(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        report = reminders_plan(today=parse_today(options["today"]), enqueue=False)
        for kind, count in sorted(report.by_kind.items()):
            self.stdout.write(f"  {kind}: {count}")
        self.stdout.write(
            f"Reminders of {report.today:%Y-%m-%d}: {report.files} file(s) near a deadline, "
            f"{report.due} reminder(s) due, {report.created} new email(s) in the outbox (one per recipient; "
            "those already planned are not written again). Send them with deliver_outbox."
        )
