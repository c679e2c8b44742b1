"""Checks on the dates of recorded events; each error names the field as the user sees it (its label, in
the reader's language) and both dates, in the reader's date format."""

from __future__ import annotations

import datetime as dt
from functools import cache

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.utils import formats
from django.utils.translation import gettext as _

from conventions.rules.parsing import FIRST_SUPPORTED_DATE, LAST_SUPPORTED_DATE

# The files whose dates the services check; their fields' verbose names are the labels users see.
DATED_MODELS = ("Convention", "Avenant", "VisaApplication", "ResidencePermitApplication", "DocumentItem")


@cache
def _verbose_name(field: str) -> object:
    for name in DATED_MODELS:
        try:
            return apps.get_model("conventions", name)._meta.get_field(field).verbose_name
        except FieldDoesNotExist:
            continue
    return field.replace("_", " ")


def field_label(field: str) -> str:
    """The label of a model field as the reader sees it ("received on", « reçue le »)."""
    return str(_verbose_name(field))


def shown(day: dt.date) -> str:
    """A date in the reader's format (23/11/2026 in French, 2026-11-23 in English)."""
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def _compared(message: str, value: dt.date, other: str, other_value: dt.date) -> str:
    return message % {"date": shown(value), "label": field_label(other), "other": shown(other_value)}


def require_not_future(field: str, value: dt.date, today: dt.date) -> None:
    if value > today:
        message = _("%(date)s is in the future (today is %(today)s).")
        raise ValidationError({field: message % {"date": shown(value), "today": shown(today)}})


def require_not_before(field: str, value: dt.date, other: str, other_value: dt.date | None) -> None:
    if other_value is not None and value < other_value:
        message = _("%(date)s is before “%(label)s” (%(other)s).")
        raise ValidationError({field: _compared(message, value, other, other_value)})


def require_after(field: str, value: dt.date, other: str, other_value: dt.date | None) -> None:
    if other_value is not None and value <= other_value:
        message = _("%(date)s is not after “%(label)s” (%(other)s).")
        raise ValidationError({field: _compared(message, value, other, other_value)})


def require_not_after(field: str, value: dt.date, other: str, other_value: dt.date | None) -> None:
    if other_value is not None and value > other_value:
        message = _("%(date)s is after “%(label)s” (%(other)s).")
        raise ValidationError({field: _compared(message, value, other, other_value)})


def require_supported_date(field: str, value: dt.date | None) -> None:
    """The rule engine's supported range (RULES §6.2): a date near year 1 or 9999 describes no real stay
    and would leave the calendar in the month arithmetic, so it is refused here with the field named."""
    if value is not None and not FIRST_SUPPORTED_DATE <= value <= LAST_SUPPORTED_DATE:
        message = _("%(date)s is outside the supported dates, %(first)s to %(last)s.")
        shown_dates = {"first": shown(FIRST_SUPPORTED_DATE), "last": shown(LAST_SUPPORTED_DATE)}
        raise ValidationError({field: message % {"date": shown(value), **shown_dates}})
