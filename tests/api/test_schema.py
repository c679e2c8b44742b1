"""The OpenAPI schema, and schemathesis against it: generated requests on every operation, through every
kind of body, as a manager's token of an organisation with files; no answer is a 500 and every answer
conforms to the schema (its status, content type and body)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient

from conventions import services
from tests.conftest import NOW

pytestmark = pytest.mark.django_db


def test_the_schema_validates_and_names_every_resource(manager_api: APIClient) -> None:
    response = manager_api.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in [
        "/api/v1/interns/",
        "/api/v1/conventions/{id}/submit/",
        "/api/v1/conventions/{id}/record-decision/",
        "/api/v1/conventions/{id}/correct/",
        "/api/v1/documents/{id}/file/",
        "/api/v1/check",
        "/api/v1/audit/transitions/",
    ]:
        assert path in paths
    assert paths["/api/v1/conventions/{id}/"]["patch"]["responses"]["412"]


def test_the_docs_page_is_served_without_a_cdn(manager_api: APIClient, client: Any) -> None:
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "cdn" not in html.lower() and "/static/drf_spectacular_sidecar/" in html


CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.content_type_conformance,
]
EXAMPLES_PER_OPERATION = 5  # ~65 operations: a few hundred requests, well under two minutes


@pytest.fixture
def api_files(alice: Any, submitted_convention: Any) -> None:
    """Files in several states, so that generated ids sometimes hit a real one."""
    validated = services.convention_record_decision(
        actor=alice,
        convention=submitted_convention,
        decision="validated",
        decided_on=dt.date(2026, 11, 20),
        now=NOW,
    )
    services.avenant_create(
        actor=alice, convention=validated, requested_end_date=dt.date(2027, 10, 31), now=NOW
    )


@pytest.mark.django_db(transaction=True)
def test_schemathesis_finds_no_500_and_every_answer_conforms(
    live_server: Any, alice: Any, acme: Any, api_files: None
) -> None:
    from hypothesis import given

    from hostportal.api.services import api_token_create

    _token, secret = api_token_create(actor=alice, organisation=acme, name="schemathesis", role="manager")
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/schema/?format=json")
    schema.config.update(base_url=live_server.url)
    headers = {"Authorization": f"Bearer {secret}"}
    failures: list[str] = []
    statuses: list[int] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            response = case.call(headers=headers)
            statuses.append(response.status_code)
            case.validate_response(response, checks=CHECKS)

        try:
            run()
        except Exception as exc:  # noqa: BLE001 - collect every operation's failure, then report them all
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:1500]}")
    assert not failures, "\n\n".join(failures)
    assert len(statuses) > 200 and 500 not in statuses
    assert {200, 201, 400, 404} <= set(statuses)
