"""The webhooks page of the portal and the admin: a manager creates an endpoint (its secret shown once),
edits its events, disables, enables and deletes it, reads the delivery log and resends; editors and
viewers get the 403 page; another organisation's endpoints and deliveries are a 404. In French."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from conventions import services
from hostportal.models import AuditEntry, Membership, Organisation
from notifications.models import WebhookDelivery, WebhookEndpoint, WebhookStatus
from notifications.services.webhooks import webhook_endpoint_create
from tests.conftest import NOW
from tests.factories import MembershipFactory, UserFactory
from tests.portal.conftest import browser  # noqa: F401 (the Playwright fixture)

pytestmark = pytest.mark.django_db
URL = "https://rh.acme.example/hostportal"


def client_for(user: Any, language: str = "en") -> Client:
    Membership.objects.filter(user=user).update(language=language)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def edith(acme: Organisation) -> Any:
    return MembershipFactory(user=UserFactory(username="edith"), organisation=acme, role="editor").user


@pytest.fixture
def endpoint(alice: Any, acme: Organisation) -> WebhookEndpoint:
    created, _ = webhook_endpoint_create(
        actor=alice, organisation=acme, url=URL, events=["convention.submitted"], channel="web"
    )
    return created


def failed_delivery(alice: Any, make_convention: Any) -> WebhookDelivery:
    services.convention_submit(
        actor=alice, convention=make_convention(), received_on=dt.date(2026, 11, 2), now=NOW
    )
    row = WebhookDelivery.objects.latest("pk")
    WebhookDelivery.objects.filter(pk=row.pk).update(
        status=WebhookStatus.FAILED, attempts=8, last_status_code=500, last_error="HTTP 500: boom"
    )
    return row


def test_a_manager_sees_endpoints_and_the_delivery_log_in_few_queries(
    alice: Any, endpoint: WebhookEndpoint, make_convention: Any, django_assert_max_num_queries: Any
) -> None:
    for _ in range(6):
        failed_delivery(alice, make_convention)
    client = client_for(alice)
    with django_assert_max_num_queries(12):
        page = client.get("/settings/webhooks/").content.decode()
    assert URL in page and "convention.submitted" in page and "HTTP 500" in page and "boom" in page
    assert page.count('class="webhook-delivery status-failed"') == 6
    assert page.count(">Resend</button>") == 6
    assert endpoint.secret not in page
    assert 'href="/settings/webhooks/"' in client.get("/settings/").content.decode()


def test_creating_shows_the_secret_once(alice: Any, acme: Organisation) -> None:
    client = client_for(alice)
    response = client.post(
        "/settings/webhooks/new/",
        {
            "url": URL,
            "description": "SIRH",
            "events": ["convention.validated", "convention.refused_by_silence"],
        },
    )
    created = WebhookEndpoint.objects.get()
    assert response.status_code == 200
    page = response.content.decode()
    assert created.secret in page and "shown only this once" in page
    assert created.events == ["convention.validated", "convention.refused_by_silence"]
    assert created.secret not in client.get("/settings/webhooks/").content.decode()
    assert AuditEntry.objects.filter(action="webhook_created", channel="web").count() == 1


def test_a_bad_address_is_named_and_nothing_is_created(alice: Any) -> None:
    client = client_for(alice, "fr")
    response = client.post("/settings/webhooks/new/", {"url": "http://rh.acme.example/", "events": []})
    page = response.content.decode()
    assert response.status_code == 400
    assert "URL : utilisez https://" in page and "Événements : choisissez au moins un événement." in page
    assert not WebhookEndpoint.objects.exists()


def test_edit_disable_enable_and_delete(alice: Any, endpoint: WebhookEndpoint) -> None:
    client = client_for(alice)
    base = f"/settings/webhooks/{endpoint.pk}/"
    response = client.post(base, {"url": URL, "description": "new", "all_events": "1"})
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.events == ["*"] and endpoint.description == "new"
    client.post(base + "toggle/")
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert "disabled" in client.get("/settings/webhooks/").content.decode()
    client.post(base + "toggle/")
    endpoint.refresh_from_db()
    assert endpoint.is_active
    client.post(base + "delete/")
    assert not WebhookEndpoint.objects.exists()
    assert AuditEntry.objects.filter(action="webhook_updated").count() == 3
    assert AuditEntry.objects.filter(action="webhook_deleted").count() == 1


def test_resend_from_the_log(alice: Any, endpoint: WebhookEndpoint, make_convention: Any) -> None:
    row = failed_delivery(alice, make_convention)
    response = client_for(alice).post(f"/settings/webhooks/deliveries/{row.pk}/resend/", follow=True)
    assert "sent again in a moment" in response.content.decode()
    row.refresh_from_db()
    assert row.status == WebhookStatus.PENDING and row.resend_count == 1
    # Asking again while it waits: a clear message, nothing changed.
    response = client_for(alice).post(f"/settings/webhooks/deliveries/{row.pk}/resend/", follow=True)
    assert "already waiting to be sent" in response.content.decode()


@pytest.mark.parametrize("persona", ["bob", "edith"])
def test_viewers_and_editors_get_a_403(
    persona: str, request: Any, endpoint: WebhookEndpoint, alice: Any, make_convention: Any
) -> None:
    row = failed_delivery(alice, make_convention)
    client = client_for(request.getfixturevalue(persona))
    assert client.get("/settings/webhooks/").status_code == 403
    base = f"/settings/webhooks/{endpoint.pk}/"
    for url, data in [
        ("/settings/webhooks/new/", {"url": URL, "events": ["*"]}),
        (base, {"url": URL, "all_events": "1"}),
        (base + "toggle/", {}),
        (base + "delete/", {}),
        (f"/settings/webhooks/deliveries/{row.pk}/resend/", {}),
    ]:
        assert client.post(url, data).status_code == 403, url
    endpoint.refresh_from_db()
    assert endpoint.is_active and endpoint.events == ["convention.submitted"]
    assert WebhookEndpoint.objects.count() == 1
    assert WebhookDelivery.objects.get().status == WebhookStatus.FAILED


def test_another_organisation_gets_a_404(
    claire: Any, endpoint: WebhookEndpoint, alice: Any, make_convention: Any
) -> None:
    row = failed_delivery(alice, make_convention)
    client = client_for(claire)
    page = client.get("/settings/webhooks/").content.decode()
    assert URL not in page and "convention.submitted</code></td>" not in page
    base = f"/settings/webhooks/{endpoint.pk}/"
    for url in [base, base + "toggle/", base + "delete/", f"/settings/webhooks/deliveries/{row.pk}/resend/"]:
        assert client.post(url, {"url": URL, "all_events": "1"}).status_code == 404, url
    assert WebhookEndpoint.objects.filter(is_active=True).count() == 1


def test_the_page_in_french(alice: Any, endpoint: WebhookEndpoint, make_convention: Any) -> None:
    failed_delivery(alice, make_convention)
    page = client_for(alice, "fr").get("/settings/webhooks/").content.decode()
    assert "Webhooks" in page and "Adresses appelées" in page and "Ajouter un webhook" in page
    assert "Envois récents" in page and "Renvoyer" in page and "Échec (abandon)" in page
    assert "Désactiver" in page and "Supprimer" in page and "actif" in page
    settings_page = client_for(alice, "fr").get("/settings/").content.decode()
    assert "Webhooks : appeler votre système d’information quand un dossier change" in settings_page


def test_the_admin_creates_through_the_service_and_resends(
    alice: Any, acme: Organisation, make_convention: Any
) -> None:
    alice.is_staff = True
    alice.save()
    client = client_for(alice)
    response = client.post(
        "/admin/notifications/webhookendpoint/add/",
        {"organisation": acme.pk, "url": URL, "description": "", "events": ["*"], "is_active": "on"},
        follow=True,
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    created = WebhookEndpoint.objects.get()
    assert created.secret in response.content.decode()
    assert AuditEntry.objects.filter(action="webhook_created", channel="admin").count() == 1
    assert (
        created.secret
        not in client.get(f"/admin/notifications/webhookendpoint/{created.pk}/change/").content.decode()
    )
    row = failed_delivery(alice, make_convention)
    response = client.post(
        "/admin/notifications/webhookdelivery/",
        {"action": "resend", "_selected_action": [row.pk]},
        follow=True,
    )
    assert "1 delivery(ies) queued again." in response.content.decode()
    assert AuditEntry.objects.filter(action="webhook_delivery_resent", channel="admin").count() == 1
    assert client.get(f"/admin/notifications/webhookdelivery/{row.pk}/change/").status_code == 200


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_a_browser_a_french_manager_adds_a_webhook_and_copies_its_secret(
    browser: Any,  # noqa: F811
    live_server: Any,
    alice: Any,
    acme: Organisation,
    make_convention: Any,
) -> None:
    alice.set_password("demo-pass-2026")
    alice.save()
    Membership.objects.filter(user=alice).update(language="fr")
    endpoint, _ = webhook_endpoint_create(
        actor=alice, organisation=acme, url=URL, events=["convention.submitted"], channel="web"
    )
    failed_delivery(alice, make_convention)
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="fr-FR")
    page.goto(f"{live_server.url}/login/?next=/settings/")
    page.get_by_label("Nom d’utilisateur").fill("alice")
    page.get_by_label("Mot de passe").fill("demo-pass-2026")
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role(
        "link", name="Webhooks : appeler votre système d’information quand un dossier change"
    ).click()
    page.wait_for_url(f"{live_server.url}/settings/webhooks/")
    page.locator("#new-url").fill("https://rh.acme.example/sirh")
    page.locator("#new-all").check()
    page.get_by_role("button", name="Créer le webhook").click()
    secret = page.locator("#webhook-secret").input_value()
    assert secret == WebhookEndpoint.objects.exclude(pk=endpoint.pk).get().secret
    page.screenshot(path="/tmp/hooks/webhooks-1366.png", full_page=True)
    page.set_viewport_size({"width": 375, "height": 800})
    page.screenshot(path="/tmp/hooks/webhooks-375.png", full_page=True)
