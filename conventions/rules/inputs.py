"""The input of one evaluation (RULES §6) and the cross-field rules every input must satisfy."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal

from .base import Category, Kind, Programme


@dataclass(frozen=True, kw_only=True)
class CheckInput:
    """RULES §6 input.

    For an avenant, start_date and end_date are the convention's dates and new_end_date the requested end.
    """

    kind: Kind = Kind.CONVENTION
    category: Category
    nationality: str
    start_date: date
    end_date: date
    new_end_date: date | None = None
    programme: Programme | None = None
    received_on: date | None = None
    documents_requested_on: date | None = None
    documents_due_on: date | None = None
    documents_received_on: date | None = None
    acknowledged_decision_on: date | None = None
    monthly_resources_eur: Decimal | None = None
    hourly_gratification_eur: Decimal | None = None
    weekly_hours: Decimal | None = None
    same_group: bool = False
    prior_extensions: int = 0
    today: date


INPUT_FIELDS: tuple[str, ...] = tuple(field.name for field in fields(CheckInput))


class CheckInputError(ValueError):
    """Invalid input: `errors` maps each bad field (e.g. "[2].start_date") to what is wrong with it."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors: dict[str, str] = dict(errors)
        super().__init__("; ".join(f"{name}: {message}" for name, message in self.errors.items()))


def input_values(inp: CheckInput) -> dict[str, object]:
    return {name: getattr(inp, name) for name in INPUT_FIELDS}


def _date(values: Mapping[str, object], name: str) -> date | None:
    value = values.get(name)
    return value if isinstance(value, date) else None


def _stay_errors(values: Mapping[str, object]) -> dict[str, str]:
    errors: dict[str, str] = {}
    start, end, new_end = (
        _date(values, "start_date"),
        _date(values, "end_date"),
        _date(values, "new_end_date"),
    )
    if start and end and end < start:
        errors["end_date"] = f"{end} is before start_date {start}"
    kind = values.get("kind")
    if kind == Kind.AVENANT and new_end is None:
        errors["new_end_date"] = "required when kind is avenant"
    elif kind == Kind.CONVENTION and new_end is not None:
        errors["new_end_date"] = "only allowed when kind is avenant (the requested new end of the stay)"
    elif end and new_end and new_end <= end:
        errors["new_end_date"] = f"{new_end} is not after end_date {end}"
    return errors


def _document_errors(values: Mapping[str, object]) -> dict[str, str]:
    # CRPA L114-5 sequence: the request is received, then documents are asked for (with a date set for
    # them), then they arrive; the acknowledgment of receipt (R112-5) dates the decision after the receipt.
    errors: dict[str, str] = {}
    received = _date(values, "received_on")
    requested = _date(values, "documents_requested_on")
    if requested and received is None:
        errors["documents_requested_on"] = (
            "given without received_on (documents are asked for a received file)"
        )
    elif requested and received and requested < received:
        errors["documents_requested_on"] = f"{requested} is before received_on {received}"
    for name in ("documents_received_on", "documents_due_on"):
        value = _date(values, name)
        if value and requested is None:
            errors[name] = "given without documents_requested_on"
        elif value and requested and value < requested:
            errors[name] = f"{value} is before documents_requested_on {requested}"
    acknowledged = _date(values, "acknowledged_decision_on")
    if acknowledged and received is None:
        errors["acknowledged_decision_on"] = (
            "given without received_on (the acknowledgment follows the receipt)"
        )
    elif acknowledged and received and acknowledged <= received:
        errors["acknowledged_decision_on"] = f"{acknowledged} is not after received_on {received}"
    return errors


def consistency_errors(values: Mapping[str, object]) -> dict[str, str]:
    """Cross-field errors of RULES §6 input; fields missing from `values` (or None) are not checked."""
    return _stay_errors(values) | _document_errors(values)


def future_event_errors(values: Mapping[str, object]) -> dict[str, str]:
    """Events (receipt, request, documents) cannot have happened after `today`; the dates the
    administration set (documents_due_on, acknowledged_decision_on) may be later."""
    today = _date(values, "today")
    errors: dict[str, str] = {}
    for name in ("received_on", "documents_requested_on", "documents_received_on"):
        value = _date(values, name)
        if today and value and value > today:
            errors[name] = f"{value} is after today {today}"
    return errors
