"""RULES §6: turn decoded JSON (one object or a list) into CheckInput, reporting every bad field at once."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from django_countries.data import COUNTRIES

from .base import Category, Kind, Programme
from .inputs import CheckInput, CheckInputError, consistency_errors, future_event_errors

INPUT_KEY = "input"  # error key for a payload that is not an object (or a list of objects) at all
# The bounds of what the engine is asked about (RULES §6.2 refusal 5). Month arithmetic near year 1 or 9999
# leaves Python's calendar, and a 10^26 amount leaves the decimal context: such values describe no real
# stay, so they are refused with the field named rather than evaluated.
FIRST_SUPPORTED_DATE = date(1900, 1, 1)
LAST_SUPPORTED_DATE = date(2200, 12, 31)
MAX_AMOUNT_EUR = Decimal(10) ** 7
MAX_ITEMS = 1000  # elements of one list: bounds the work (and the answer) of one request
_SHOWN_CHARS = 60  # a refused value is quoted up to this length, so an error never echoes a huge input
REQUIRED_FIELDS = ("category", "nationality", "start_date", "end_date")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_DECIMAL = re.compile(r"-?\d+(\.\d+)?", re.ASCII)
# ISO 3166-1 alpha-2 codes, from django-countries' plain data dict (its values are lazy: never str() them).
COUNTRY_CODES: frozenset[str] = frozenset(COUNTRIES)


class _Invalid(Exception):
    """One field's value is not acceptable; the message says why."""


def json_type(value: object) -> str:
    """The JSON name of a decoded value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float | Decimal):
        return "number"
    names: dict[type, str] = {str: "string", dict: "object", list: "array"}
    return names.get(type(value), type(value).__name__)


def _show(value: object) -> str:
    """A value as the user wrote it in JSON (amounts decoded as Decimal print as numbers), cut short."""
    text = str(value) if isinstance(value, Decimal) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= _SHOWN_CHARS else f"{text[:_SHOWN_CHARS]}… ({len(text)} characters)"


def _string(value: object, expected: str) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"expected {expected}, got {json_type(value)}")
    return value


def parse_date(value: object) -> date:
    """Only ISO calendar dates "YYYY-MM-DD" (no week dates, no times, no compact form)."""
    text = _string(value, "a date string YYYY-MM-DD")
    try:
        day = date.fromisoformat(text) if _ISO_DATE.fullmatch(text) else None
    except ValueError:
        day = None
    if day is None:
        raise _Invalid(f"{_show(text)} is not a valid date (expected YYYY-MM-DD)")
    message = date_range_error(day)
    if message:
        raise _Invalid(message)
    return day


def date_range_error(day: date) -> str | None:
    """Why `day` is outside the supported range, or None when it is inside."""
    if FIRST_SUPPORTED_DATE <= day <= LAST_SUPPORTED_DATE:
        return None
    return f"{day} is outside the supported range {FIRST_SUPPORTED_DATE} to {LAST_SUPPORTED_DATE}"


def amount_range_error(amount: Decimal) -> str | None:
    """Why an amount in EUR is refused (negative or above MAX_AMOUNT_EUR), or None."""
    if amount < 0:
        return f"{amount} must not be negative"
    if amount > MAX_AMOUNT_EUR:
        return f"{_show(amount)} is above the supported maximum of {MAX_AMOUNT_EUR} EUR"
    return None


def _choice(enum: type[StrEnum], what: str) -> Callable[[object], StrEnum]:
    allowed = ", ".join(member.value for member in enum)

    def parse(value: object) -> StrEnum:
        text = _string(value, f"a string, one of: {allowed}")
        try:
            return enum(text)
        except ValueError:
            raise _Invalid(f"unknown {what} {_show(text)} (expected one of: {allowed})") from None

    return parse


def parse_nationality(value: object) -> str:
    """ISO 3166-1 alpha-2, case-insensitive, normalised to upper case."""
    text = _string(value, "an ISO 3166-1 alpha-2 country code")
    if text.upper() not in COUNTRY_CODES:
        raise _Invalid(f"{_show(text)} is not an ISO 3166-1 alpha-2 country code")
    return text.upper()


def _to_decimal(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise _Invalid(f'expected a decimal amount such as "615.00", got {json_type(value)}')
    if isinstance(value, str) and not _DECIMAL.fullmatch(value):
        raise _Invalid(f'{_show(value)} is not a decimal amount (expected digits and a dot, e.g. "615.00")')
    try:
        amount = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite():
        raise _Invalid(f"{_show(value)} is not a finite decimal amount")
    return amount


def parse_amount(value: object) -> Decimal:
    """An amount in EUR from 0 to MAX_AMOUNT_EUR: a decimal string, an integer, or a JSON number."""
    amount = _to_decimal(value)
    if amount < 0:
        raise _Invalid(f"{_show(value)} must not be negative")
    if amount > MAX_AMOUNT_EUR:
        raise _Invalid(f"{_show(value)} is above the supported maximum of {MAX_AMOUNT_EUR} EUR")
    return amount + 0  # turns -0 into 0


MIN_WEEKLY_HOURS = Decimal("0.5")
MAX_WEEKLY_HOURS = Decimal("48")  # Code du travail L3121-20: 48 hours a week at most


def parse_weekly_hours(value: object) -> Decimal:
    """Hours of presence a week, a decimal string (or number) from 0.5 to 48."""
    hours = _to_decimal(value)
    if not MIN_WEEKLY_HOURS <= hours <= MAX_WEEKLY_HOURS:
        raise _Invalid(f"{_show(value)} is not between 0.5 and 48 hours a week")
    return hours


def parse_count(value: object) -> int:
    """A whole number >= 0 (a JSON integer; 2.0 or "2" are not integers)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Invalid(f"expected an integer >= 0, got {json_type(value)}")
    if value < 0:
        raise _Invalid(f"{value} must not be negative")
    return value


def parse_bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise _Invalid(f"expected true or false, got {json_type(value)}")
    return value


_PARSERS: dict[str, Callable[[object], object]] = {
    "kind": _choice(Kind, "kind"),
    "category": _choice(Category, "category"),
    "nationality": parse_nationality,
    "start_date": parse_date,
    "end_date": parse_date,
    "new_end_date": parse_date,
    "programme": _choice(Programme, "programme"),
    "received_on": parse_date,
    "documents_requested_on": parse_date,
    "documents_due_on": parse_date,
    "documents_received_on": parse_date,
    "acknowledged_decision_on": parse_date,
    "monthly_resources_eur": parse_amount,
    "hourly_gratification_eur": parse_amount,
    "weekly_hours": parse_weekly_hours,
    "same_group": parse_bool,
    "prior_extensions": parse_count,
    "today": parse_date,
}


DATE_FIELDS: tuple[str, ...] = tuple(name for name, parse in _PARSERS.items() if parse is parse_date)
AMOUNT_FIELDS: tuple[str, ...] = tuple(name for name, parse in _PARSERS.items() if parse is parse_amount)


def out_of_range_errors(inp: CheckInput) -> dict[str, str]:
    """The parser's range refusals that keep the engine's arithmetic safe, applied to an input built
    without the parser (the services build CheckInput from stored rows): each date in the supported range,
    each amount from 0 to MAX_AMOUNT_EUR. Keyed by field, like CheckInputError. (weekly_hours is not
    checked: any finite value is safe, and the rule tests evaluate 48.5 on purpose.)"""
    errors: dict[str, str] = {}
    for name in DATE_FIELDS:
        day = getattr(inp, name)
        message = date_range_error(day) if day is not None else None
        if message:
            errors[name] = message
    for name in AMOUNT_FIELDS:
        amount = getattr(inp, name)
        message = amount_range_error(amount) if amount is not None else None
        if message:
            errors[name] = message
    return errors


def _key(key: object) -> str:
    """An unknown field's name as an error key, cut short like a shown value."""
    text = str(key)
    return text if len(text) <= _SHOWN_CHARS else f"{text[:_SHOWN_CHARS]}…"


def _parse_fields(data: dict[Any, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Each present, non-null field parsed on its own; null counts as absent."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, parse in _PARSERS.items():
        if data.get(name) is None:
            if name in REQUIRED_FIELDS:
                errors[name] = "required" if name not in data else "required, got null"
            continue
        try:
            values[name] = parse(data[name])
        except _Invalid as exc:
            errors[name] = str(exc)
    for key in data:
        if key not in _PARSERS:
            errors[_key(key)] = "unknown field"
    return values, errors


def parse_check_input(data: object, *, default_today: date) -> CheckInput:
    """Validate one decoded JSON object. Raises CheckInputError with every bad field."""
    if not isinstance(data, dict):
        raise CheckInputError({INPUT_KEY: f"expected a JSON object, got {json_type(data)}"})
    values, errors = _parse_fields(data)
    if "kind" not in errors:
        values.setdefault("kind", Kind.CONVENTION)
    if "today" not in errors:
        values.setdefault("today", default_today)
    for name, message in (consistency_errors(values) | future_event_errors(values)).items():
        errors.setdefault(name, message)
    if errors:
        raise CheckInputError(errors)
    return CheckInput(**values)


def _parse_item(index: int, item: object, default_today: date) -> tuple[CheckInput | None, dict[str, str]]:
    if not isinstance(item, dict):
        return None, {f"[{index}]": f"expected a JSON object, got {json_type(item)}"}
    try:
        return parse_check_input(item, default_today=default_today), {}
    except CheckInputError as exc:
        return None, {f"[{index}].{name}": message for name, message in exc.errors.items()}


def parse_check_payload(data: object, *, default_today: date) -> tuple[list[CheckInput], bool]:
    """One object or a list of objects; the bool says whether it was a list. Errors of a list are keyed
    by index ("[2].start_date") and reported for all elements together; an empty list is valid, a list of
    more than MAX_ITEMS elements is refused as a whole (key "input")."""
    if isinstance(data, dict):
        return [parse_check_input(data, default_today=default_today)], False
    if not isinstance(data, list):
        raise CheckInputError(
            {INPUT_KEY: f"expected a JSON object or a list of objects, got {json_type(data)}"}
        )
    if len(data) > MAX_ITEMS:
        raise CheckInputError({INPUT_KEY: f"a list of at most {MAX_ITEMS} objects, got {len(data)}"})
    inputs: list[CheckInput] = []
    errors: dict[str, str] = {}
    for index, item in enumerate(data):
        parsed, item_errors = _parse_item(index, item, default_today)
        errors.update(item_errors)
        if parsed is not None:
            inputs.append(parsed)
    if errors:
        raise CheckInputError(errors)
    return inputs, True
