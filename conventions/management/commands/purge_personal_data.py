"""python manage.py purge_personal_data [--months N] [--dry-run] [--today YYYY-MM-DD]: anonymise the interns
whose every stay ended more than N months ago (docs/privacy.md). Operators run it monthly."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from conventions.management.commands.sweep_deadlines import parse_day
from conventions.services.privacy import interns_purge, retention_months


class Command(BaseCommand):
    help = (
        "Anonymise the interns whose every stay ended more than N months ago and who have no open file "
        "(default: PERSONAL_DATA_RETENTION_MONTHS). Idempotent; --dry-run writes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--months", type=int, default=None, help="Months after the end of the last stay (default: 24)."
        )
        parser.add_argument("--dry-run", action="store_true", help="Say what would be done; write nothing.")
        parser.add_argument("--today", type=str, help="The day to purge as (default: today in Europe/Paris).")

    def handle(self, *args: Any, **options: Any) -> None:
        months = options["months"] if options["months"] is not None else retention_months()
        if months < 0:
            raise CommandError(f"--months: {months} is negative; give a number of months, 0 or more.")
        today = parse_day(options["today"]) if options["today"] else None
        dry_run = bool(options["dry_run"])
        report = interns_purge(months=months, today=today, dry_run=dry_run, log=self.stdout.write)
        verb, done = ("would be anonymised", "to delete") if dry_run else ("anonymised", "deleted")
        for organisation_id, count in sorted(report.interns.items()):
            self.stdout.write(
                f"organisation #{organisation_id}: {count} intern(s) {verb}, "
                f"{report.files[organisation_id]} file(s) {done}, "
                f"{report.notifications[organisation_id]} reminder(s) "
                + ("to scrub" if dry_run else "scrubbed")
            )
        prefix = "Dry run, nothing written: " if dry_run else ""
        self.stdout.write(
            f"{prefix}{report.total} intern(s) {verb} whose every stay ended before "
            f"{report.cutoff:%Y-%m-%d} ({report.months} months before {report.today:%Y-%m-%d})."
        )
