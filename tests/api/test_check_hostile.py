"""POST /api/v1/check against hostile inputs (issue 9: 13 of 63 gave a 500, a 300 KB request a 13 MB answer):
every one is a 200 or a §6 refusal (a problem with `errors` naming the field), never a 500, and the work of
one request is bounded (256 KiB body, 1 000 elements)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from rest_framework.test import APIClient

from conventions.api import MAX_BODY_BYTES
from tests.api.test_permissions import assert_problem

pytestmark = pytest.mark.django_db

URL = "/api/v1/check"
BASE = {"category": "entreprise", "nationality": "SN", "start_date": "2026-09-01", "end_date": "2027-02-28"}


@pytest.fixture(autouse=True)
def _no_rate_limit(settings: Any) -> None:
    settings.API_CHECK_RATE = "10000/minute"


def send(client: APIClient, body: str | bytes) -> Any:
    return client.post(URL, data=body, content_type="application/json")


def refused(client: APIClient, payload: object) -> dict[str, str]:
    response = send(client, json.dumps(payload))
    assert_problem(response, 400)
    errors: dict[str, str] = response.json()["errors"]
    return errors


# Each: a payload and the field its refusal must name.
HOSTILE_FIELDS: list[tuple[dict[str, Any], str]] = [
    ({"start_date": "0001-01-01", "end_date": "0001-06-01"}, "start_date"),
    ({"end_date": "9999-12-31"}, "end_date"),
    ({"start_date": "9999-12-01", "end_date": "9999-12-31"}, "start_date"),  # start + 6 months overflows
    ({"received_on": "0001-01-02", "today": "0001-01-03"}, "received_on"),  # received - n months underflows
    ({"kind": "avenant", "end_date": "9999-12-30", "new_end_date": "9999-12-31"}, "new_end_date"),
    ({"received_on": "2026-10-01", "documents_requested_on": "2026-10-02", "documents_due_on": "9999-12-31"},
     "documents_due_on"),
    ({"monthly_resources_eur": "100000000000000000000000000"}, "monthly_resources_eur"),
    ({"hourly_gratification_eur": 1e26}, "hourly_gratification_eur"),
    ({"monthly_resources_eur": "NaN"}, "monthly_resources_eur"),
    ({"monthly_resources_eur": "Infinity"}, "monthly_resources_eur"),
    ({"monthly_resources_eur": "1e5"}, "monthly_resources_eur"),
    ({"monthly_resources_eur": [1, 2]}, "monthly_resources_eur"),
    ({"weekly_hours": "1e400"}, "weekly_hours"),
    ({"weekly_hours": 10**300}, "weekly_hours"),
    ({"category": {"a": 1}}, "category"),
    ({"nationality": 12}, "nationality"),
    ({"start_date": 20260901}, "start_date"),
    ({"start_date": True}, "start_date"),
    ({"same_group": "yes"}, "same_group"),
    ({"prior_extensions": 1.5}, "prior_extensions"),
    ({"prior_extensions": -1}, "prior_extensions"),
    ({"nationality": "x" * 100_000}, "nationality"),
    ({"category": "\u0000\ud7ff" * 1000}, "category"),
    ({"start_date": "2026-09-01T00:00:00"}, "start_date"),
    ({"surprise": [[[[[]]]]]}, "surprise"),
]  # fmt: skip


@pytest.mark.parametrize(("changes", "field"), HOSTILE_FIELDS)
def test_each_hostile_field_is_refused_by_name(
    viewer_api: APIClient, changes: dict[str, Any], field: str
) -> None:
    errors = refused(viewer_api, {**BASE, **changes})
    assert field in errors
    assert len(json.dumps(errors)) < 2000  # a huge value is never echoed back


@pytest.mark.parametrize(
    "body",
    [
        "[" * 100_000,  # RecursionError in the decoder
        '{"a":' * 20_000 + "1" + "}" * 20_000,
        '{"category": NaN}',
        '{"monthly_resources_eur": Infinity}',
        '{"monthly_resources_eur": -Infinity}',
        "",
        "null",
        '"a string"',
        "1" * 5000,  # beyond Python's integer digits limit
        b"\xff\xfe\x00garbage",
        '{"start_date": "2026-09-01", "start_date": "2026-09-02"',
    ],
)
def test_bodies_that_are_not_json_objects_are_refused(viewer_api: APIClient, body: str | bytes) -> None:
    response = send(viewer_api, body)
    assert_problem(response, 400)
    assert set(response.json()["errors"]) <= {"body", "input"}


def test_negative_zero_and_null_fields_are_evaluated(viewer_api: APIClient) -> None:
    response = send(viewer_api, json.dumps({**BASE, "monthly_resources_eur": "-0", "programme": None}))
    assert response.status_code == 200 and response.json()["resources_sufficient"] is False
    response = send(viewer_api, '{"category": "entreprise", "nationality": "SN", "start_date": "2026-09-01",'
                    ' "end_date": "2027-02-28", "hourly_gratification_eur": -0.0}')  # fmt: skip
    assert response.status_code == 200


def test_a_list_of_10000_elements_is_refused_without_evaluation(viewer_api: APIClient) -> None:
    errors = refused(viewer_api, [{}] * 10_000)
    assert errors == {"input": "a list of at most 1000 objects, got 10000"}


def test_a_list_with_many_bad_elements_names_each(viewer_api: APIClient) -> None:
    errors = refused(viewer_api, [BASE, 3, {**BASE, "end_date": "9999-12-31"}, {**BASE, "x": 1}])
    assert set(errors) == {"[1]", "[2].end_date", "[3].x"}


def test_the_largest_accepted_request_is_bounded_in_time_and_answer(viewer_api: APIClient) -> None:
    payload = [
        {**BASE, "received_on": "2026-03-01", "weekly_hours": "35", "monthly_resources_eur": "1"}
    ] * 1000
    body = json.dumps(payload)
    assert len(body) < MAX_BODY_BYTES
    started = time.monotonic()
    response = send(viewer_api, body)
    elapsed = time.monotonic() - started
    assert response.status_code == 200 and len(response.json()) == 1000
    assert len(response.content) < 5 * 1024 * 1024 and elapsed < 10


def test_a_body_over_256_kib_is_a_413_problem_with_the_contracts_shape(viewer_api: APIClient) -> None:
    response = send(viewer_api, "[" + " " * MAX_BODY_BYTES + "]")
    assert_problem(response, 413)
    assert response.json()["errors"] == {"body": "The request body is larger than 256 KiB."}
    huge = send(viewer_api, json.dumps([{**BASE, "nationality": "SN" * 1000}] * 2000))  # ~4 MB
    assert_problem(huge, 413)
    french = viewer_api.post(
        URL, data="[" + " " * MAX_BODY_BYTES + "]", content_type="application/json", HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert french.json()["errors"]["body"] == "Le corps de la requête dépasse 256 Kio."


def test_a_body_just_under_the_limit_is_read(viewer_api: APIClient) -> None:
    body = json.dumps(BASE)
    response = send(viewer_api, body + " " * (MAX_BODY_BYTES - len(body)))
    assert response.status_code == 200
