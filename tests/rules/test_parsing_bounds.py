"""RULES §6.2 refusal 5: dates outside 1900-01-01..2200-12-31 and amounts above 10^7 EUR are refused with
the field named, by the parser (CLI and API), by the engine itself, and by the services and their forms
(issue 9: these inputs gave a ValueError, OverflowError or InvalidOperation, i.e. a 500)."""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from conventions import services
from conventions.models import Convention
from conventions.rules import CheckInput, CheckInputError, evaluate, parse_check_input, parse_check_payload
from conventions.rules.parsing import FIRST_SUPPORTED_DATE, LAST_SUPPORTED_DATE, MAX_AMOUNT_EUR, MAX_ITEMS

TODAY = dt.date(2026, 12, 1)
BASE = {"category": "entreprise", "nationality": "SN", "start_date": "2026-09-01", "end_date": "2027-02-28"}


def errors_of(payload: object) -> dict[str, str]:
    with pytest.raises(CheckInputError) as caught:
        parse_check_payload(payload, default_today=TODAY)
    return caught.value.errors


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"start_date": "0001-01-01", "end_date": "2026-01-01"}, "start_date"),
        ({"end_date": "9999-12-31"}, "end_date"),
        ({"start_date": "1899-12-31"}, "start_date"),
        ({"end_date": "2201-01-01"}, "end_date"),
        ({"kind": "avenant", "new_end_date": "9999-12-31"}, "new_end_date"),
        ({"received_on": "0001-01-02"}, "received_on"),
        ({"today": "9999-12-31"}, "today"),
        ({"received_on": "2026-10-01", "documents_requested_on": "2026-10-02",
          "documents_due_on": "9999-12-31"}, "documents_due_on"),
        ({"received_on": "2026-10-01", "acknowledged_decision_on": "9999-12-31"}, "acknowledged_decision_on"),
    ],
)  # fmt: skip
def test_dates_outside_the_supported_range_are_refused_with_the_field_named(
    changes: dict[str, str], field: str
) -> None:
    errors = errors_of({**BASE, **changes})
    assert "outside the supported range 1900-01-01 to 2200-12-31" in errors[field]


def test_the_edges_of_the_range_are_evaluated() -> None:
    for start, end in [
        ("1900-01-01", "1900-01-01"),
        ("2200-12-01", "2200-12-31"),
        ("1900-01-01", "2200-12-31"),
    ]:
        for category in ("entreprise", "formation_continue", "hopital"):
            payload = {
                **BASE, "category": category, "start_date": start, "end_date": end,
                "received_on": start, "today": end, "weekly_hours": "35", "monthly_resources_eur": "10",
            }  # fmt: skip
            inp = parse_check_input(payload, default_today=TODAY)
            json.dumps(evaluate(inp).to_json())
    avenant = {**BASE, "kind": "avenant", "start_date": "2200-06-01", "end_date": "2200-11-30",
               "new_end_date": "2200-12-31", "received_on": "2200-12-31", "today": "2200-12-31"}  # fmt: skip
    json.dumps(evaluate(parse_check_input(avenant, default_today=TODAY)).to_json())


@pytest.mark.parametrize(
    "amount", ["100000000000000000000000000", 1e26, Decimal("1E+26"), "10000000.01", 10**30]
)
def test_amounts_above_ten_million_eur_are_refused(amount: object) -> None:
    for field in ("monthly_resources_eur", "hourly_gratification_eur"):
        errors = errors_of({**BASE, field: amount})
        assert errors == {field: errors[field]} and "supported maximum of 10000000 EUR" in errors[field]


def test_ten_million_and_negative_zero_are_accepted() -> None:
    inp = parse_check_input({**BASE, "monthly_resources_eur": str(MAX_AMOUNT_EUR)}, default_today=TODAY)
    assert inp.monthly_resources_eur == MAX_AMOUNT_EUR
    for zero in ("-0", "-0.00", -0.0, Decimal("-0")):
        inp = parse_check_input({**BASE, "monthly_resources_eur": zero}, default_today=TODAY)
        assert inp.monthly_resources_eur == 0 and not inp.monthly_resources_eur.is_signed()
        assert evaluate(inp).to_json()["resources_sufficient"] is False


def test_a_list_longer_than_the_maximum_is_refused_as_a_whole() -> None:
    assert len(parse_check_payload([BASE] * MAX_ITEMS, default_today=TODAY)[0]) == MAX_ITEMS
    assert errors_of([BASE] * (MAX_ITEMS + 1)) == {"input": "a list of at most 1000 objects, got 1001"}


def test_a_long_value_or_key_is_not_echoed_in_full() -> None:
    long = "x" * 100_000
    errors = errors_of({**BASE, "nationality": long, long: 1})
    assert len(errors["nationality"]) < 200 and "(100002 characters)" in errors["nationality"]
    assert all(len(key) < 100 for key in errors)


def test_the_engine_refuses_what_the_parser_refuses() -> None:
    """CheckInput built by the services never goes through the parser: evaluate checks the same range."""
    good = parse_check_input(BASE, default_today=TODAY)
    for changes, field in [
        ({"start_date": dt.date(1, 1, 1)}, "start_date"),
        ({"end_date": dt.date(9999, 12, 31)}, "end_date"),
        ({"received_on": dt.date(9999, 12, 30), "today": dt.date(9999, 12, 31)}, "received_on"),
        ({"monthly_resources_eur": Decimal("1E+26")}, "monthly_resources_eur"),
        ({"hourly_gratification_eur": Decimal("-1")}, "hourly_gratification_eur"),
    ]:
        bad: CheckInput = replace(good, **changes)
        with pytest.raises(CheckInputError) as caught:
            evaluate(bad)
        assert field in caught.value.errors


def run_cli(text: str, capsys: Any, monkeypatch: Any) -> tuple[int, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    with pytest.raises(SystemExit) as exit_:
        call_command("check_convention")
    return int(str(exit_.value.code)), capsys.readouterr().err


def test_the_cli_refuses_the_same_with_status_2(capsys: Any, monkeypatch: Any) -> None:
    status, err = run_cli(json.dumps({**BASE, "start_date": "0001-01-01"}), capsys, monkeypatch)
    assert status == 2 and "check_convention: start_date: 0001-01-01 is outside the supported range" in err
    status, err = run_cli("[" * 100_000, capsys, monkeypatch)
    assert status == 2 and "check_convention: invalid JSON: nested too deeply" in err


# --- the services and their forms ------------------------------------------------------------------


def client_for(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "end", "field"),
    [(dt.date(1, 1, 1), dt.date(2026, 1, 1), "start_date"),
     (dt.date(9999, 12, 1), dt.date(9999, 12, 31), "start_date"),
     (dt.date(2026, 9, 1), dt.date(9999, 12, 31), "end_date")],
)  # fmt: skip
def test_the_service_refuses_an_unsupported_date_naming_the_field(
    alice: Any, acme: Any, intern: Any, start: dt.date, end: dt.date, field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.convention_create(
            actor=alice,
            organisation=acme,
            intern=intern,
            category="entreprise",
            start_date=start,
            end_date=end,
        )
    assert "is outside the supported dates" in caught.value.message_dict[field][0]
    assert not Convention.objects.exists()


@pytest.mark.django_db
def test_the_admin_add_form_shows_a_field_error(alice: Any, acme: Any, intern: Any) -> None:
    alice.is_staff = True  # the admin needs it
    alice.save(update_fields=["is_staff"])
    data = {
        "organisation": acme.pk, "intern": intern.pk, "category": "entreprise", "programme": "",
        "start_date": "0001-01-01", "end_date": "9999-12-31", "weekly_hours": "35",
        "document_items-TOTAL_FORMS": "0", "document_items-INITIAL_FORMS": "0",
    }  # fmt: skip
    response = client_for(alice).post(reverse("admin:conventions_convention_add"), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "is outside the supported dates" in errors["start_date"][0]
    assert not Convention.objects.exists()


@pytest.mark.django_db
def test_the_portal_form_shows_a_field_error_in_french(alice: Any, intern: Any) -> None:
    from hostportal.models import Membership

    Membership.objects.filter(user=alice).update(language="fr")
    data = {
        "category": "entreprise",
        "start_date": "2026-09-01",
        "end_date": "9999-12-31",
        "weekly_hours": "35",
    }
    client = client_for(alice)
    url = f"/interns/{intern.pk}/conventions/new/"
    first = client.post(url, data)
    assert first.status_code in (200, 400)
    second = client.post(url, data | {"confirm": "on"})
    assert second.status_code == 400
    assert "est en dehors des dates prises en charge" in second.content.decode()
    assert not Convention.objects.exists()


@pytest.mark.django_db
def test_an_avenant_to_year_9999_is_refused_on_its_field(alice: Any, make_convention: Any) -> None:
    convention = make_convention()
    Convention.objects.filter(pk=convention.pk).update(state="validated")
    with pytest.raises(ValidationError) as caught:
        services.avenant_create(
            actor=alice, convention=convention.pk, requested_end_date=dt.date(9999, 12, 31)
        )
    assert "is outside the supported dates" in caught.value.message_dict["requested_end_date"][0]


def test_the_bounds_are_those_of_the_docs() -> None:
    assert (FIRST_SUPPORTED_DATE, LAST_SUPPORTED_DATE) == (dt.date(1900, 1, 1), dt.date(2200, 12, 31))
    assert MAX_AMOUNT_EUR == Decimal("10000000") and MAX_ITEMS == 1000
