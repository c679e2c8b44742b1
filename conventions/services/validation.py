"""Checks on the dates of recorded events; each error names the field and both dates."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError


def require_not_future(field: str, value: dt.date, today: dt.date) -> None:
    if value > today:
        raise ValidationError({field: f"{value:%Y-%m-%d} is in the future (today is {today:%Y-%m-%d})."})


def require_not_before(field: str, value: dt.date, other: str, other_value: dt.date | None) -> None:
    if other_value is not None and value < other_value:
        raise ValidationError({field: f"{value:%Y-%m-%d} is before {other} {other_value:%Y-%m-%d}."})


def require_after(field: str, value: dt.date, other: str, other_value: dt.date | None) -> None:
    if other_value is not None and value <= other_value:
        raise ValidationError({field: f"{value:%Y-%m-%d} is not after {other} {other_value:%Y-%m-%d}."})


def require_not_after(field: str, value: dt.date, other: str, other_value: dt.date | None) -> None:
    if other_value is not None and value > other_value:
        raise ValidationError({field: f"{value:%Y-%m-%d} is after {other} {other_value:%Y-%m-%d}."})
