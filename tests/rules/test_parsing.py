"""RULES §6 input validation: every field error, collected all at once, and list payloads."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from conventions.rules import (
    Category,
    CheckInput,
    CheckInputError,
    Kind,
    Programme,
    parse_check_input,
    parse_check_payload,
)

TODAY = date(2026, 6, 1)
VALID: dict[str, Any] = {
    "category": "entreprise",
    "nationality": "IN",
    "start_date": "2026-09-01",
    "end_date": "2027-02-28",
}


def parse(**changes: Any) -> CheckInput:
    data = {key: value for key, value in (VALID | changes).items() if value is not ...}
    return parse_check_input(data, default_today=TODAY)


def errors_of(**changes: Any) -> dict[str, str]:
    with pytest.raises(CheckInputError) as caught:
        parse(**changes)
    return caught.value.errors


def test_minimal_input_gets_the_defaults() -> None:
    assert parse() == CheckInput(
        kind=Kind.CONVENTION,
        category=Category.ENTREPRISE,
        nationality="IN",
        start_date=date(2026, 9, 1),
        end_date=date(2027, 2, 28),
        today=TODAY,
    )


def test_full_input_is_parsed() -> None:
    got = parse(
        kind="avenant",
        category="hopital",
        nationality="sn",
        end_date="2027-01-31",
        new_end_date="2027-04-30",
        programme="intergovernmental",
        received_on="2026-05-01",
        documents_requested_on="2026-05-05",
        documents_received_on="2026-05-20",
        monthly_resources_eur="1200.50",
        hourly_gratification_eur=5,
        same_group=True,
        today="2026-05-31",
    )
    assert got == CheckInput(
        kind=Kind.AVENANT,
        category=Category.HOPITAL,
        nationality="SN",
        start_date=date(2026, 9, 1),
        end_date=date(2027, 1, 31),
        new_end_date=date(2027, 4, 30),
        programme=Programme.INTERGOVERNMENTAL,
        received_on=date(2026, 5, 1),
        documents_requested_on=date(2026, 5, 5),
        documents_received_on=date(2026, 5, 20),
        monthly_resources_eur=Decimal("1200.50"),
        hourly_gratification_eur=Decimal("5"),
        same_group=True,
        today=date(2026, 5, 31),
    )


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param(
            {"programme": None, "received_on": None, "same_group": None, "kind": None},
            {},
            id="nulls-are-absent",
        ),
        pytest.param(
            {"monthly_resources_eur": 615}, {"monthly_resources_eur": Decimal("615")}, id="int-amount"
        ),
        pytest.param(
            {"monthly_resources_eur": 615.5}, {"monthly_resources_eur": Decimal("615.5")}, id="float-amount"
        ),
        pytest.param(
            {"monthly_resources_eur": Decimal("615.10")},
            {"monthly_resources_eur": Decimal("615.10")},
            id="decimal-amount-from-parse-float",
        ),
        pytest.param(
            {"monthly_resources_eur": "0"}, {"monthly_resources_eur": Decimal("0")}, id="zero-amount"
        ),
        pytest.param(
            {"monthly_resources_eur": "-0.00"}, {"monthly_resources_eur": Decimal("0.00")}, id="minus-zero"
        ),
        pytest.param({"nationality": "dz"}, {"nationality": "DZ"}, id="lowercase-nationality"),
        pytest.param(
            {"start_date": "2028-02-29", "end_date": "2028-02-29"},
            {"end_date": date(2028, 2, 29)},
            id="leap-day-one-day-stay",
        ),
        pytest.param({"received_on": "2026-06-01"}, {"received_on": TODAY}, id="event-today-is-fine"),
    ],
)
def test_accepted_values(changes: dict[str, Any], expected: dict[str, Any]) -> None:
    got = parse(**changes)
    for name, value in expected.items():
        assert getattr(got, name) == value


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        # Unknown and missing fields.
        pytest.param({"colour": "red"}, "colour", "unknown field", id="unknown-field"),
        pytest.param({"category": ...}, "category", "required", id="missing-category"),
        pytest.param({"nationality": ...}, "nationality", "required", id="missing-nationality"),
        pytest.param({"start_date": ...}, "start_date", "required", id="missing-start-date"),
        pytest.param({"end_date": ...}, "end_date", "required", id="missing-end-date"),
        pytest.param({"end_date": None}, "end_date", "required, got null", id="null-end-date"),
        pytest.param(
            {"kind": "avenant"}, "new_end_date", "required when kind is avenant", id="avenant-needs-new-end"
        ),
        # Dates.
        pytest.param(
            {"start_date": "2026-02-30"},
            "start_date",
            '"2026-02-30" is not a valid date (expected YYYY-MM-DD)',
            id="impossible-date",
        ),
        pytest.param({"start_date": "01/09/2026"}, "start_date", "is not a valid date", id="french-format"),
        pytest.param({"start_date": "20260901"}, "start_date", "is not a valid date", id="compact-iso"),
        pytest.param({"start_date": "2026-09-01T00:00"}, "start_date", "is not a valid date", id="datetime"),
        pytest.param({"start_date": "2026-W36-1"}, "start_date", "is not a valid date", id="week-date"),
        pytest.param(
            {"start_date": 20260901},
            "start_date",
            "expected a date string YYYY-MM-DD, got number",
            id="date-as-number",
        ),
        pytest.param({"today": "tomorrow"}, "today", "is not a valid date", id="bad-today"),
        pytest.param(
            {"received_on": "2026-13-01"}, "received_on", "is not a valid date", id="bad-received-on"
        ),
        pytest.param(
            {"new_end_date": "x", "kind": "avenant"},
            "new_end_date",
            "is not a valid date",
            id="bad-new-end-date-wins-over-required",
        ),
        # Order of dates.
        pytest.param(
            {"end_date": "2026-08-31"},
            "end_date",
            "2026-08-31 is before start_date 2026-09-01",
            id="end-before-start",
        ),
        pytest.param(
            {"kind": "avenant", "new_end_date": "2027-02-28"},
            "new_end_date",
            "2027-02-28 is not after end_date 2027-02-28",
            id="new-end-not-after-end",
        ),
        pytest.param(
            {"kind": "avenant", "new_end_date": "2027-01-01"},
            "new_end_date",
            "is not after end_date",
            id="new-end-before-end",
        ),
        pytest.param(
            {"new_end_date": "2027-05-01"},
            "new_end_date",
            "only allowed when kind is avenant",
            id="new-end-on-a-convention",
        ),
        pytest.param(
            {"documents_received_on": "2026-05-10", "received_on": "2026-05-01"},
            "documents_received_on",
            "given without documents_requested_on",
            id="documents-received-not-requested",
        ),
        pytest.param(
            {"documents_requested_on": "2026-05-10"},
            "documents_requested_on",
            "given without received_on",
            id="documents-requested-not-received",
        ),
        pytest.param(
            {"documents_requested_on": "2026-04-30", "received_on": "2026-05-01"},
            "documents_requested_on",
            "2026-04-30 is before received_on 2026-05-01",
            id="documents-requested-before-receipt",
        ),
        pytest.param(
            {
                "received_on": "2026-05-01",
                "documents_requested_on": "2026-05-10",
                "documents_received_on": "2026-05-09",
            },
            "documents_received_on",
            "2026-05-09 is before documents_requested_on 2026-05-10",
            id="documents-back-before-request",
        ),
        # Events in the future relative to today.
        pytest.param(
            {"received_on": "2026-06-02"},
            "received_on",
            "2026-06-02 is after today 2026-06-01",
            id="received-after-today",
        ),
        pytest.param(
            {"received_on": "2026-05-01", "documents_requested_on": "2026-06-02"},
            "documents_requested_on",
            "is after today",
            id="requested-after-today",
        ),
        pytest.param(
            {
                "received_on": "2026-05-01",
                "documents_requested_on": "2026-05-02",
                "documents_received_on": "2026-06-02",
            },
            "documents_received_on",
            "is after today",
            id="documents-back-after-today",
        ),
        pytest.param(
            {"received_on": "2026-05-02", "today": "2026-05-01"},
            "received_on",
            "2026-05-02 is after today 2026-05-01",
            id="explicit-today",
        ),
        # Choices.
        pytest.param(
            {"category": "stage"},
            "category",
            'unknown category "stage" (expected one of: entreprise, formation_continue, hopital)',
            id="unknown-category",
        ),
        pytest.param(
            {"category": "Entreprise"}, "category", "unknown category", id="category-is-case-sensitive"
        ),
        pytest.param({"category": 1}, "category", "expected a string", id="category-not-a-string"),
        pytest.param(
            {"kind": "amendment"},
            "kind",
            'unknown kind "amendment" (expected one of: convention, avenant)',
            id="unknown-kind",
        ),
        pytest.param(
            {"programme": "erasmus"},
            "programme",
            'unknown programme "erasmus" (expected one of: eu, intergovernmental)',
            id="unknown-programme",
        ),
        pytest.param({"programme": True}, "programme", "got boolean", id="programme-bool"),
        # Nationality.
        pytest.param(
            {"nationality": "XX"},
            "nationality",
            '"XX" is not an ISO 3166-1 alpha-2 country code',
            id="unknown-country",
        ),
        pytest.param({"nationality": "IND"}, "nationality", "is not an ISO 3166-1 alpha-2", id="alpha-3"),
        pytest.param(
            {"nationality": "India"}, "nationality", "is not an ISO 3166-1 alpha-2", id="country-name"
        ),
        pytest.param({"nationality": " IN"}, "nationality", "is not an ISO 3166-1 alpha-2", id="padded"),
        pytest.param({"nationality": 356}, "nationality", "got number", id="numeric-code"),
        # Amounts.
        pytest.param(
            {"monthly_resources_eur": "-1"},
            "monthly_resources_eur",
            '"-1" must not be negative',
            id="negative-string",
        ),
        pytest.param(
            {"hourly_gratification_eur": -4},
            "hourly_gratification_eur",
            "-4 must not be negative",
            id="negative-int",
        ),
        pytest.param(
            {"monthly_resources_eur": "615,00"},
            "monthly_resources_eur",
            "is not a decimal amount",
            id="comma-decimal",
        ),
        pytest.param(
            {"monthly_resources_eur": "615 EUR"},
            "monthly_resources_eur",
            "is not a decimal amount",
            id="with-currency",
        ),
        pytest.param(
            {"monthly_resources_eur": "1e3"},
            "monthly_resources_eur",
            "is not a decimal amount",
            id="exponent",
        ),
        pytest.param(
            {"monthly_resources_eur": ""}, "monthly_resources_eur", "is not a decimal amount", id="empty"
        ),
        pytest.param(
            {"monthly_resources_eur": "NaN"}, "monthly_resources_eur", "is not a decimal amount", id="nan"
        ),
        pytest.param(
            {"monthly_resources_eur": "\u0666\u0661\u0665"},
            "monthly_resources_eur",
            "is not a decimal amount",
            id="non-ascii-digits",
        ),
        pytest.param(
            {"monthly_resources_eur": float("inf")},
            "monthly_resources_eur",
            "not a finite decimal",
            id="infinite-float",
        ),
        pytest.param(
            {"monthly_resources_eur": True}, "monthly_resources_eur", "got boolean", id="bool-amount"
        ),
        pytest.param(
            {"hourly_gratification_eur": ["4"]}, "hourly_gratification_eur", "got array", id="array-amount"
        ),
        # Booleans.
        pytest.param(
            {"same_group": "yes"}, "same_group", "expected true or false, got string", id="same-group-string"
        ),
        pytest.param(
            {"same_group": 1}, "same_group", "expected true or false, got number", id="same-group-int"
        ),
    ],
)
def test_field_errors(changes: dict[str, Any], field: str, message: str) -> None:
    errors = errors_of(**changes)
    assert field in errors, errors
    assert message in errors[field]


def test_all_errors_are_collected_before_raising() -> None:
    errors = errors_of(
        category="x",
        nationality="ZZ",
        start_date="2026-9-1",
        end_date=...,
        same_group="no",
        colour=1,
        shape=2,
    )
    assert set(errors) == {
        "category",
        "nationality",
        "start_date",
        "end_date",
        "same_group",
        "colour",
        "shape",
    }


def test_cross_field_checks_skip_fields_that_failed() -> None:
    errors = errors_of(start_date="bad", end_date="2020-01-01")
    assert set(errors) == {"start_date"}


def test_error_string_names_every_field() -> None:
    with pytest.raises(CheckInputError, match=r"end_date: 2026-08-31 is before start_date 2026-09-01"):
        parse(end_date="2026-08-31")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param([], "got array", id="array"),
        pytest.param("x", "got string", id="string"),
        pytest.param(None, "got null", id="null"),
        pytest.param(3.5, "got number", id="number"),
    ],
)
def test_parse_check_input_wants_an_object(data: object, message: str) -> None:
    with pytest.raises(CheckInputError) as caught:
        parse_check_input(data, default_today=TODAY)
    assert message in caught.value.errors["input"]


def test_payload_single_object() -> None:
    inputs, many = parse_check_payload(dict(VALID), default_today=TODAY)
    assert (len(inputs), many) == (1, False)


def test_payload_list_and_empty_list() -> None:
    inputs, many = parse_check_payload([dict(VALID), VALID | {"category": "hopital"}], default_today=TODAY)
    assert many is True
    assert [inp.category for inp in inputs] == [Category.ENTREPRISE, Category.HOPITAL]
    assert parse_check_payload([], default_today=TODAY) == ([], True)


def test_payload_list_errors_are_indexed_and_collected_for_all_elements() -> None:
    data = [dict(VALID), VALID | {"end_date": "2026-01-01"}, "oops", VALID | {"start_date": ..., "kind": "x"}]
    data[3] = {key: value for key, value in data[3].items() if value is not ...}
    with pytest.raises(CheckInputError) as caught:
        parse_check_payload(data, default_today=TODAY)
    assert caught.value.errors == {
        "[1].end_date": "2026-01-01 is before start_date 2026-09-01",
        "[2]": "expected a JSON object, got string",
        "[3].kind": 'unknown kind "x" (expected one of: convention, avenant)',
        "[3].start_date": "required",
    }


@pytest.mark.parametrize(
    "data", [pytest.param(1, id="number"), pytest.param("x", id="string"), pytest.param(None, id="null")]
)
def test_payload_must_be_object_or_list(data: object) -> None:
    with pytest.raises(CheckInputError) as caught:
        parse_check_payload(data, default_today=TODAY)
    assert list(caught.value.errors) == ["input"]
    assert "expected a JSON object or a list of objects" in caught.value.errors["input"]


# --- version 2 inputs ---------------------------------------------------------------------------------------
RECEIVED = {"received_on": "2026-05-01"}
REQUESTED = RECEIVED | {"documents_requested_on": "2026-05-10"}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param(REQUESTED | {"documents_due_on": "2026-05-10"}, {"documents_due_on": date(2026, 5, 10)}),
        pytest.param(
            REQUESTED | {"documents_due_on": "2026-07-01"},
            {"documents_due_on": date(2026, 7, 1)},
            id="due-date-may-be-after-today",
        ),
        pytest.param(
            RECEIVED | {"acknowledged_decision_on": "2026-06-30"},
            {"acknowledged_decision_on": date(2026, 6, 30)},
            id="acknowledged-date-may-be-after-today",
        ),
        pytest.param({"weekly_hours": "35"}, {"weekly_hours": Decimal("35")}),
        pytest.param({"weekly_hours": "0.5"}, {"weekly_hours": Decimal("0.5")}, id="weekly-min"),
        pytest.param({"weekly_hours": "48"}, {"weekly_hours": Decimal("48")}, id="weekly-max"),
        pytest.param({"weekly_hours": 17.5}, {"weekly_hours": Decimal("17.5")}, id="weekly-json-number"),
        pytest.param({"prior_extensions": 0}, {"prior_extensions": 0}),
        pytest.param(
            {"kind": "avenant", "new_end_date": "2027-03-31", "prior_extensions": 2}, {"prior_extensions": 2}
        ),
        pytest.param(
            {}, {"prior_extensions": 0, "weekly_hours": None, "documents_due_on": None}, id="defaults"
        ),
    ],
)
def test_v2_accepted_values(changes: dict[str, Any], expected: dict[str, Any]) -> None:
    parsed = parse(**changes)
    assert {name: getattr(parsed, name) for name in expected} == expected


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        pytest.param(
            RECEIVED | {"documents_due_on": "2026-05-20"},
            "documents_due_on",
            "without documents_requested_on",
        ),
        pytest.param(
            REQUESTED | {"documents_due_on": "2026-05-09"},
            "documents_due_on",
            "2026-05-09 is before documents_requested_on 2026-05-10",
        ),
        pytest.param(
            {"acknowledged_decision_on": "2026-05-20"},
            "acknowledged_decision_on",
            "given without received_on",
        ),
        pytest.param(
            RECEIVED | {"acknowledged_decision_on": "2026-05-01"},
            "acknowledged_decision_on",
            "2026-05-01 is not after received_on 2026-05-01",
        ),
        pytest.param(
            RECEIVED | {"acknowledged_decision_on": "2026-04-30"}, "acknowledged_decision_on", "is not after"
        ),
        pytest.param({"weekly_hours": "0.4"}, "weekly_hours", "not between 0.5 and 48"),
        pytest.param({"weekly_hours": "48.01"}, "weekly_hours", "not between 0.5 and 48"),
        pytest.param({"weekly_hours": "-1"}, "weekly_hours", "not between 0.5 and 48"),
        pytest.param({"weekly_hours": "35h"}, "weekly_hours", "not a decimal amount"),
        pytest.param({"weekly_hours": True}, "weekly_hours", "got boolean"),
        pytest.param({"prior_extensions": -1}, "prior_extensions", "must not be negative"),
        pytest.param({"prior_extensions": "1"}, "prior_extensions", "expected an integer >= 0, got string"),
        pytest.param({"prior_extensions": Decimal("1.5")}, "prior_extensions", "got number"),
        pytest.param({"prior_extensions": True}, "prior_extensions", "got boolean"),
        pytest.param(
            REQUESTED | {"documents_received_on": "2026-06-02"}, "documents_received_on", "is after today"
        ),
        pytest.param({"documents_due_on": "2026-02-30"}, "documents_due_on", "not a valid date"),
    ],
)
def test_v2_field_errors(changes: dict[str, Any], field: str, message: str) -> None:
    assert message in errors_of(**changes)[field]
