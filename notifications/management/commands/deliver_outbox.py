"""python manage.py deliver_outbox [--limit N]: send the pending emails now, to the configured EMAIL_URL."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from notifications.services import outbox_deliver


class Command(BaseCommand):
    help = "Deliver the outbox synchronously (safe next to running workers: each email is claimed once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--limit", type=int, default=None, help="At most N emails (default: all due now)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        limit = options["limit"]
        if limit is not None and limit < 1:
            raise CommandError(f"--limit: {limit} is not a positive number of emails")
        total = sent = 0
        while True:
            batch = limit - total if limit else settings.NOTIFICATIONS_BATCH_SIZE
            report = outbox_deliver(limit=batch)
            total, sent = total + report.handled, sent + report.sent
            self.stdout.write(
                f"sent {report.sent}, cancelled (no longer due) {report.cancelled}, to retry {report.retry}, "
                f"failed {report.failed}, reclaimed {report.reclaimed}"
            )
            if report.transport_error:
                raise CommandError(f"The mail server could not be reached: {report.transport_error}")
            if report.handled < batch or (limit and total >= limit):
                break
        self.stdout.write(f"Outbox delivered: {sent} email(s) sent.")
