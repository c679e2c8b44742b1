"""/api/v1/webhooks/ and /api/v1/webhook-deliveries/ over notifications.services.webhooks: managers
register, change and delete endpoints (the secret returned once), every member reads; the log is read-only
but for resend; every change audited with channel "api" and the token's name."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from hostportal.models import AuditEntry
from notifications.models import WebhookDelivery, WebhookEndpoint
from tests.api.test_permissions import PERSONAS, assert_problem

pytestmark = pytest.mark.django_db

BODY = {
    "url": "https://hr.example/hooks/hostportal",
    "events": ["convention.refused_by_silence", "convention.validated"],
}


@pytest.fixture
def endpoint(manager_api: APIClient) -> dict[str, Any]:
    response = manager_api.post("/api/v1/webhooks/", BODY, format="json")
    assert response.status_code == 201, response.content
    return dict(response.json())


def test_creating_returns_the_secret_once(manager_api: APIClient, endpoint: dict[str, Any]) -> None:
    assert endpoint["secret"].startswith("whsec_")
    read = manager_api.get(f"/api/v1/webhooks/{endpoint['id']}/")
    assert "secret" not in read.json() and endpoint["secret"] not in read.content.decode()
    entry = AuditEntry.objects.get(channel="api")
    assert entry.actor_label == "API token « SIRH » (alice)"
    assert endpoint["secret"] not in str(entry.changes)


def test_a_replayed_creation_does_not_store_the_secret(manager_api: APIClient) -> None:
    from hostportal.api.models import IdempotencyKey

    first = manager_api.post("/api/v1/webhooks/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="wh-1")
    again = manager_api.post("/api/v1/webhooks/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="wh-1")
    assert again.json()["id"] == first.json()["id"] and again.json()["secret"] is None
    assert WebhookEndpoint.objects.count() == 1
    assert first.json()["secret"] not in str(IdempotencyKey.objects.get().response_body)


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_do_what(request: Any, persona: str, endpoint: dict[str, Any]) -> None:
    client: APIClient = request.getfixturevalue(persona)
    url = f"/api/v1/webhooks/{endpoint['id']}/"
    read, create = client.get(url), client.post("/api/v1/webhooks/", BODY, format="json")
    expected = {
        "manager_api": (200, 201),
        "editor_api": (200, 403),
        "viewer_api": (200, 403),
        "outsider_api": (404, 201),
        "anonymous_api": (401, 401),
        "revoked_api": (401, 401),
    }[persona]
    assert (read.status_code, create.status_code) == expected


def test_update_needs_if_match_and_delete_too(
    manager_api: APIClient, editor_api: APIClient, endpoint: dict[str, Any]
) -> None:
    url = f"/api/v1/webhooks/{endpoint['id']}/"
    etag = manager_api.get(url)["ETag"]
    assert_problem(manager_api.patch(url, {"is_active": False}, format="json"), 428)
    assert_problem(editor_api.patch(url, {"is_active": False}, format="json", HTTP_IF_MATCH=etag), 403)
    changed = manager_api.patch(url, {"events": ["*"], "is_active": False}, format="json", HTTP_IF_MATCH=etag)
    assert changed.status_code == 200, changed.content
    assert changed.json()["events"] == ["*"] and changed.json()["is_active"] is False
    assert_problem(manager_api.delete(url, HTTP_IF_MATCH=etag), 412)
    assert manager_api.delete(url, HTTP_IF_MATCH=changed["ETag"]).status_code == 204
    assert not WebhookEndpoint.objects.exists()


def test_bad_values_name_the_field(manager_api: APIClient) -> None:
    for body, field in [
        (BODY | {"url": "http://hr.example/hook"}, "url"),
        (BODY | {"events": ["nope"]}, "events"),
        (BODY | {"events": []}, "events"),
    ]:
        response = manager_api.post("/api/v1/webhooks/", body, format="json")
        assert_problem(response, 400)
        assert any(name.startswith(field) for name in response.json()["errors"])  # events[0]


def test_the_delivery_log_and_resend(
    manager_api: APIClient,
    viewer_api: APIClient,
    outsider_api: APIClient,
    endpoint: dict[str, Any],
    make_convention: Any,
    alice: Any,
) -> None:
    import datetime as dt

    from django.utils import timezone

    convention = make_convention()
    delivery = WebhookDelivery.objects.create(
        endpoint_id=endpoint["id"], organisation_id=convention.organisation_id, event="convention.validated",
        idempotency_key="test-1", payload={"event": "convention.validated"}, status="failed",
        next_attempt_at=timezone.now() - dt.timedelta(minutes=1),
    )  # fmt: skip
    listed = viewer_api.get("/api/v1/webhook-deliveries/").json()["results"]
    assert [row["id"] for row in listed] == [delivery.pk]
    assert outsider_api.get("/api/v1/webhook-deliveries/").json()["results"] == []
    assert_problem(viewer_api.post(f"/api/v1/webhook-deliveries/{delivery.pk}/resend/"), 403)
    assert_problem(outsider_api.post(f"/api/v1/webhook-deliveries/{delivery.pk}/resend/"), 404)
    resent = manager_api.post(f"/api/v1/webhook-deliveries/{delivery.pk}/resend/")
    assert resent.status_code == 200 and resent.json()["status"] == "pending"
    assert_problem(manager_api.post(f"/api/v1/webhook-deliveries/{delivery.pk}/resend/"), 400)
