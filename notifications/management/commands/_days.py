"""The --today option shared by the notification commands."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import CommandError, CommandParser


def add_today_option(parser: CommandParser) -> None:
    parser.add_argument(
        "--today", type=str, help="The day to act as, YYYY-MM-DD (default: today in Europe/Paris)."
    )


def parse_today(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--today: {value!r} is not a date in the form YYYY-MM-DD") from exc
