"""API tokens: created and revoked by managers (portal, admin, service), shown once, stored hashed, audited;
used as `Authorization: Bearer`, with a last-used date written at most once a minute."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from hostportal.api.models import ApiToken
from hostportal.api.services import api_token_create, api_token_revoke
from hostportal.models import AuditEntry, Membership
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db


def test_the_secret_is_returned_once_and_only_its_hash_is_stored(alice: Any, acme: Any) -> None:
    token, secret = api_token_create(actor=alice, organisation=acme, name="SIRH", role="editor")
    stored = ApiToken.objects.get(pk=token.pk)
    assert secret.startswith("hp_") and len(secret) > 40
    assert stored.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert stored.prefix == secret[:10]
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert secret not in str(row)
    entry = AuditEntry.objects.get(action="api_token_created")
    assert entry.actor == alice and entry.channel == "web"
    assert entry.target_label == "API token « SIRH »" and secret not in str(entry.changes)


def test_only_managers_create_and_never_above_their_role(bob: Any, claire: Any, acme: Any) -> None:
    with pytest.raises(PermissionDenied):
        api_token_create(actor=bob, organisation=acme, name="x", role="viewer")
    with pytest.raises(PermissionDenied):
        api_token_create(actor=claire, organisation=acme, name="x", role="viewer")


def test_bad_name_or_role_names_the_field(alice: Any, acme: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        api_token_create(actor=alice, organisation=acme, name="  ", role="owner")
    assert set(caught.value.message_dict) == {"name", "role"}


def test_revoking_is_audited_once_and_the_token_stops_working(alice: Any, acme: Any) -> None:
    token, secret = api_token_create(actor=alice, organisation=acme, name="SIRH", role="viewer")
    client = bearer(secret)
    assert client.get("/api/v1/interns/").status_code == 200
    api_token_revoke(actor=alice, token=token)
    api_token_revoke(actor=alice, token=token)
    assert AuditEntry.objects.filter(action="api_token_revoked").count() == 1
    response = client.get("/api/v1/interns/")
    assert response.status_code == 401 and response["Content-Type"] == "application/problem+json"


def test_unknown_and_malformed_tokens_are_401(anonymous_api: Any) -> None:
    for header in ("Bearer nope", "Bearer", "Bearer a b", "Bearer " + "x" * 500):
        anonymous_api.credentials(HTTP_AUTHORIZATION=header)
        assert anonymous_api.get("/api/v1/interns/").status_code == 401


def test_last_used_is_written_at_most_once_a_minute(alice: Any, acme: Any) -> None:
    token, secret = api_token_create(actor=alice, organisation=acme, name="SIRH", role="viewer")
    client = bearer(secret)
    start = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        client.get("/api/v1/interns/")
    token.refresh_from_db()
    assert token.last_used_at == start
    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        client.get("/api/v1/interns/")
    token.refresh_from_db()
    assert token.last_used_at == start
    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        client.get("/api/v1/interns/")
    token.refresh_from_db()
    assert token.last_used_at == start + dt.timedelta(seconds=61)


# --- the portal page -------------------------------------------------------------------------------------
def test_a_manager_creates_a_token_in_the_portal_and_sees_the_secret_once(
    client: Client, alice: Any, django_assert_max_num_queries: Any
) -> None:
    Membership.objects.filter(user=alice).update(language="fr")
    client.force_login(alice)
    settings_page = client.get("/settings/")
    assert "/settings/api-tokens/" in settings_page.content.decode()
    with django_assert_max_num_queries(12):
        page = client.get("/settings/api-tokens/")
    assert page.status_code == 200 and "Jetons d’API" in page.content.decode()
    response = client.post("/settings/api-tokens/", {"name": "SIRH", "role": "editor"})
    token = ApiToken.objects.get()
    html = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    secret = html.split('id="token-secret" class="token-url" readonly value="')[1].split('"')[0]
    assert (
        secret.startswith(token.prefix) and token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    )
    again = client.get("/settings/api-tokens/").content.decode()
    assert secret not in again and token.prefix in again
    assert bearer(secret).get("/api/v1/interns/").status_code == 200


def test_the_portal_refuses_a_bad_token_form_in_french(client: Client, alice: Any) -> None:
    Membership.objects.filter(user=alice).update(language="fr")
    client.force_login(alice)
    response = client.post("/settings/api-tokens/", {"name": "", "role": "viewer"})
    assert response.status_code == 400
    assert "Nom" in response.content.decode() and not ApiToken.objects.exists()


def test_a_manager_revokes_in_the_portal(client: Client, alice: Any, acme: Any) -> None:
    token, _secret = api_token_create(actor=alice, organisation=acme, name="SIRH", role="viewer")
    client.force_login(alice)
    response = client.post(f"/settings/api-tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_viewer_gets_403_and_an_outsider_404(
    client: Client, alice: Any, bob: Any, claire: Any, acme: Any
) -> None:
    token, _secret = api_token_create(actor=alice, organisation=acme, name="SIRH", role="viewer")
    client.force_login(bob)
    assert client.get("/settings/api-tokens/").status_code == 403
    assert client.post(f"/settings/api-tokens/{token.pk}/revoke/").status_code == 403
    client.force_login(claire)
    assert client.post(f"/settings/api-tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_admin_creates_through_the_service(client: Client, acme: Any) -> None:
    from tests.factories import UserFactory

    operator = UserFactory(username="operator", is_staff=True, is_superuser=True)
    client.force_login(operator)
    response = client.post(
        "/admin/api/apitoken/add/", {"organisation": acme.pk, "name": "SIRH", "role": "viewer"}, follow=True
    )
    assert response.status_code == 200
    token = ApiToken.objects.get()
    message = next(str(m) for m in response.context["messages"])
    assert token.prefix in message
    assert AuditEntry.objects.get(action="api_token_created").channel == "admin"
