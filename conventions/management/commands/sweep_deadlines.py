"""python manage.py sweep_deadlines [--today YYYY-MM-DD]: record the implicit decisions that are due."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from conventions.selectors import describe_files
from conventions.services import sweep_deadlines


def parse_day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--today: {value!r} is not a date in the form YYYY-MM-DD") from exc


class Command(BaseCommand):
    help = "Move every file whose silence deadline is over to its implicit decision (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", type=str, help="The day to sweep as (default: today in Europe/Paris).")

    def handle(self, *args: Any, **options: Any) -> None:
        today = parse_day(options["today"]) if options["today"] else None
        try:
            report = sweep_deadlines(today=today)
        except DatabaseError as exc:
            raise CommandError(
                f"The database failed during the sweep ({exc.__class__.__name__}): nothing was recorded, the "
                "sweep is one transaction. Run it again: it moves each file once."
            ) from exc
        for line in describe_files(report):
            self.stdout.write(line)
        self.stdout.write(
            f"Sweep of {report.today:%Y-%m-%d}: "
            f"{len(report.conventions_refused)} convention(s) refused by silence, "
            f"{len(report.avenants_accepted)} avenant(s) accepted by silence, "
            f"{len(report.permits_refused)} carte de séjour application(s) refused by silence."
        )
