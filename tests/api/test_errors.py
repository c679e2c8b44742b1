"""Errors as RFC 9457 problem+json, in the caller's language (French by default, English on request), with
each bad field named as the API spells it; bad JSON, deep nesting, huge numbers and out-of-range dates are
400s, never 500s."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.api.test_permissions import INTERN, assert_problem

pytestmark = pytest.mark.django_db


def post_raw(client: APIClient, url: str, raw: str, **headers: str) -> Any:
    return client.post(url, data=raw, content_type="application/json", **headers)


def test_a_problem_has_every_member(manager_api: APIClient) -> None:
    response = manager_api.post("/api/v1/interns/", INTERN | {"date_of_birth": "yesterday"}, format="json")
    assert_problem(response, 400)
    body = response.json()
    assert set(body) == {"type", "title", "status", "detail", "instance", "errors"}
    assert body["type"] == "urn:hostportal:problem:validation-error"
    assert body["instance"] == "/api/v1/interns/"
    assert list(body["errors"]) == ["date_of_birth"]


def test_french_by_default_and_english_on_request(manager_api: APIClient, settings: Any) -> None:
    settings.LANGUAGE_CODE = "fr"
    response = manager_api.get("/api/v1/conventions/999999/")
    assert response.json()["title"] == "Introuvable." and response["Content-Language"] == "fr"
    english = manager_api.get("/api/v1/conventions/999999/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8")
    assert english.json()["title"] == "Not found." and english["Content-Language"] == "en"
    french = manager_api.get("/api/v1/conventions/999999/", HTTP_ACCEPT_LANGUAGE="fr-FR")
    assert french.json()["detail"].startswith("Introuvable")


def test_service_errors_are_in_the_callers_language_and_name_the_field(manager_api: APIClient) -> None:
    body = INTERN | {"passport_number": ""}
    response = manager_api.post("/api/v1/interns/", body, format="json", HTTP_ACCEPT_LANGUAGE="fr")
    assert_problem(response, 400)
    assert "passeport" in response.json()["errors"]["passport_number"]


@pytest.mark.parametrize(
    "raw",
    [
        "{not json",
        '{"first_name": NaN}',
        "[" * 5000 + "]" * 5000,
        '{"a":' * 40 + "1" + "}" * 40,
        '{"first_name": 1' + "0" * 5000 + "}",
        "\xff\xfe",
    ],
)
def test_bad_bodies_are_400_problems(manager_api: APIClient, raw: str) -> None:
    response = post_raw(manager_api, "/api/v1/interns/", raw)
    assert_problem(response, 400)
    assert response.json()["type"] in (
        "urn:hostportal:problem:invalid-body",
        "urn:hostportal:problem:validation-error",
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"date_of_birth": "0001-01-01"},
        {"date_of_birth": "9999-12-31"},
        {"passport_expires_on": "10000-01-01"},
        {"first_name": 10**400},
        {"first_name": "\x00"},
        {"first_name": ["a"]},
        {"nationality": "ZZ"},
        {"notify_intern": "maybe"},
        {"unknown_field": 1},
        {"version": 7},
    ],
)
def test_bad_values_name_the_field(manager_api: APIClient, changes: dict[str, Any]) -> None:
    response = manager_api.post("/api/v1/interns/", INTERN | changes, format="json")
    assert_problem(response, 400)
    assert set(response.json()["errors"]) == set(changes)


@pytest.mark.parametrize(
    "changes",
    [
        {"start_date": "9999-12-01", "end_date": "9999-12-31"},
        {"start_date": "1899-12-31", "end_date": "1900-02-01"},
        {"weekly_hours": "1e400"},
        {"monthly_resources_eur": "99999999999999999999"},
        {"monthly_resources_eur": "-1"},
        {"intern": 10**30},
        {"category": "stage"},
    ],
)
def test_bad_conventions_are_400(manager_api: APIClient, intern: Any, changes: dict[str, Any]) -> None:
    from tests.factories import convention_fields

    body = {k: str(v) for k, v in convention_fields().items()} | {"intern": intern.pk} | changes
    response = manager_api.post("/api/v1/conventions/", body, format="json")
    assert_problem(response, 400)


def test_unknown_urls_and_methods_are_problems(manager_api: APIClient) -> None:
    assert_problem(manager_api.get("/api/v1/nothing-here/"), 404)
    assert_problem(manager_api.post("/api/v1/interns", INTERN, format="json"), 404)  # no slash: no redirect
    assert_problem(manager_api.delete("/api/v1/interns/1/"), 405)
    assert_problem(manager_api.get("/api/v1/interns/abc/"), 404)
    assert_problem(manager_api.get("/api/v1/interns/?cursor=garbage"), 404)
    assert_problem(manager_api.get("/api/v1/conventions/?state=nonsense"), 400)
    assert_problem(manager_api.get("/api/v1/conventions/?filing_deadline_after=2026-13-01"), 400)
    assert_problem(manager_api.get("/api/v1/conventions/?intern=-1"), 400)


def test_an_unsupported_body_type_is_415(manager_api: APIClient) -> None:
    response = manager_api.post("/api/v1/interns/", data="x", content_type="text/plain")
    assert_problem(response, 415)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/",
        "/api/v1/interns/",
        "/api/v1/conventions/",
        "/api/v1/conventions/1/submit/",
        "/api/v1/check",
        "/api/v1/webhooks/",
    ],
)
def test_options_and_head_never_fail(manager_api: APIClient, url: str) -> None:
    assert manager_api.options(url).status_code in (200, 404)
    assert manager_api.head(url).status_code in (200, 404, 405)


def test_ordering_never_reaches_a_personal_field(manager_api: APIClient, acme: Any) -> None:
    from tests.factories import InternFactory

    InternFactory(organisation=acme, passport_number="B2")
    InternFactory(organisation=acme, passport_number="A1")
    plain = manager_api.get("/api/v1/interns/").json()["results"]
    for ordering in ("passport_number", "-passport_number", "date_of_birth"):
        response = manager_api.get(f"/api/v1/interns/?ordering={ordering}")
        assert response.status_code == 200 and response.json()["results"] == plain
