"""POST /api/v1/check answers like the CLI: same output keys, HTTP 400 naming each bad field (as a member
logged in to the portal; tokens, anonymous callers and the rate limit are in tests/api/test_check.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

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


@pytest.fixture
def client(client: Any, alice: Any) -> Any:
    client.force_login(alice)
    return client


def post(client: Any, payload: object) -> Any:
    return client.post(URL, data=json.dumps(payload), content_type="application/json")


def test_one_object_in_one_object_out(client: Any) -> None:
    response = post(client, EXAMPLE)
    assert response.status_code == 200
    body = response.json()
    assert body["regime"] == "standard" and body["validation_required"] is True
    assert body["filing_deadline"] == "2026-07-01"
    assert body["silence_deadline"] == "2026-02-09"  # RULES §2 example
    assert body["silence_outcome"] == "refused"
    assert body["minimum_monthly_resources_eur"] == "615.00"
    assert body["resources_sufficient"] is True


def test_list_in_list_out(client: Any) -> None:
    response = post(client, [EXAMPLE, {**EXAMPLE, "nationality": "DE"}])
    assert response.status_code == 200
    first, second = response.json()
    assert first["regime"] == "standard" and second["regime"] == "eu_citizen"
    assert second["filing_deadline"] is None


def test_bad_fields_are_named_with_400(client: Any) -> None:
    response = post(client, [EXAMPLE, {**EXAMPLE, "start_date": "2026-02-30", "category": "stage"}])
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) >= {"[1].start_date", "[1].category"}


def test_invalid_json_is_400(client: Any) -> None:
    response = client.post(URL, data="{not json", content_type="application/json")
    assert response.status_code == 400 and "invalid JSON" in response.json()["errors"]["body"]


def test_get_is_not_allowed(client: Any) -> None:
    assert client.get(URL).status_code == 405


def test_migrated_legal_parameters_are_the_engines_table_so_cli_and_api_agree() -> None:
    from conventions.models import LegalParameter
    from conventions.rules import BUILTIN_PARAMETERS

    stored = {(row.key, row.effective_from, row.value, row.source) for row in LegalParameter.objects.all()}
    assert stored == {(row.key, row.effective_from, row.value, row.source) for row in BUILTIN_PARAMETERS}
