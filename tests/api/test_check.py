"""POST /api/v1/check keeps the RULES §6 contract (same JSON as check_convention), now behind a token or a
session, rate-limited per token or user with a clear 429 problem."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from tests.api.test_permissions import assert_problem

pytestmark = pytest.mark.django_db

URL = "/api/v1/check"
EXAMPLE = {
    "category": "entreprise",
    "nationality": "SN",
    "start_date": "2026-09-01",
    "end_date": "2027-02-28",
    "received_on": "2026-01-10",
    "monthly_resources_eur": "700.00",
    "today": "2026-02-10",
}


def post(client: APIClient, payload: object) -> Any:
    return client.post(URL, data=json.dumps(payload), content_type="application/json")


def test_the_answer_is_the_clis(viewer_api: APIClient) -> None:
    out = io.StringIO()
    stdin = io.StringIO(json.dumps([EXAMPLE, {**EXAMPLE, "nationality": "DE"}]))
    import sys

    saved, sys.stdin = sys.stdin, stdin
    try:
        call_command("check_convention", stdout=out)
    finally:
        sys.stdin = saved
    response = post(viewer_api, [EXAMPLE, {**EXAMPLE, "nationality": "DE"}])
    assert response.status_code == 200
    assert response.json() == json.loads(out.getvalue())
    one = post(viewer_api, EXAMPLE).json()
    assert one["silence_deadline"] == "2026-02-09" and one["minimum_monthly_resources_eur"] == "615.00"


def test_refusals_keep_the_contracts_errors(viewer_api: APIClient) -> None:
    response = post(viewer_api, [EXAMPLE, {**EXAMPLE, "start_date": "2026-02-30", "category": "stage"}])
    assert_problem(response, 400)
    assert set(response.json()["errors"]) >= {"[1].start_date", "[1].category"}
    bad = viewer_api.post(URL, data="{not json", content_type="application/json")
    assert_problem(bad, 400)
    assert "invalid JSON" in bad.json()["errors"]["body"]
    assert_problem(viewer_api.post(URL, data="[" * 3000, content_type="application/json"), 400)
    big = viewer_api.post(URL, data="[" + " " * (1024 * 1024) + "]", content_type="application/json")
    assert_problem(big, 413)


def test_it_needs_credentials(anonymous_api: APIClient, revoked_api: APIClient, alice: Any) -> None:
    assert_problem(post(anonymous_api, EXAMPLE), 401)
    assert_problem(post(revoked_api, EXAMPLE), 401)
    session = APIClient()
    session.force_login(alice)
    assert post(session, EXAMPLE).status_code == 200
    assert session.get(URL).status_code == 405


def test_it_is_rate_limited_per_token(viewer_api: APIClient, manager_api: APIClient, settings: Any) -> None:
    settings.API_CHECK_RATE = "3/minute"
    assert [post(viewer_api, EXAMPLE).status_code for _ in range(3)] == [200, 200, 200]
    limited = viewer_api.post(
        URL, data=json.dumps(EXAMPLE), content_type="application/json", HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert_problem(limited, 429)
    assert int(limited["Retry-After"]) >= 1
    assert limited.json()["detail"].startswith("Trop de requêtes")
    assert post(manager_api, EXAMPLE).status_code == 200  # another token has its own allowance
