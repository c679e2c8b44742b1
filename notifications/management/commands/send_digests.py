"""python manage.py send_digests [--today YYYY-MM-DD]: group the waiting reminders into daily digests."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from notifications.management.commands._days import add_today_option, parse_today
from notifications.services import digests_send


class Command(BaseCommand):
    help = "Build today's digest of each member who asked for one (idempotent); deliver_outbox sends them."

    def add_arguments(self, parser: CommandParser) -> None:
        add_today_option(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        report = digests_send(today=parse_today(options["today"]), enqueue=False)
        self.stdout.write(
            f"Digests of {report.today:%Y-%m-%d}: {report.digests} digest(s), {report.items} reminder(s)."
        )
