"""Webhook services: who may manage endpoints, what is validated, what is audited (never the secret), and
which events write which deliveries (set-based, in the transaction of the change)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conventions import services
from conventions.models import Convention, ConventionState
from conventions.services import sweep_deadlines
from hostportal.models import AuditEntry, Membership, Organisation
from notifications.models import WebhookDelivery, WebhookEndpoint, WebhookStatus
from notifications.selectors import webhook_deliveries_for_user, webhook_endpoints_for_user
from notifications.services.webhooks import (
    webhook_delivery_resend,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_update,
)
from notifications.webhooks import WEBHOOK_EVENTS
from tests.conftest import NOW
from tests.factories import MembershipFactory, UserFactory

URL = "https://hr.example/hooks"


@pytest.fixture
def edith(acme: Organisation) -> Any:
    """An editor at Acme: edits files, does not manage the organisation."""
    return MembershipFactory(
        user=UserFactory(username="edith"), organisation=acme, role=Membership.Role.EDITOR
    ).user


def create(actor: Any, organisation: Organisation, **kwargs: Any) -> tuple[WebhookEndpoint, str]:
    values: dict[str, Any] = {"url": URL, "events": ["convention.submitted"], "channel": "web"}
    values.update(kwargs)
    return webhook_endpoint_create(actor=actor, organisation=organisation, **values)


def test_a_manager_creates_an_endpoint_and_sees_its_secret_once(alice: Any, acme: Organisation) -> None:
    endpoint, secret = create(alice, acme, description="SIRH", events=["convention.validated", "*"])
    assert secret.startswith("whsec_") and len(secret) > 30
    assert endpoint.secret == secret and endpoint.events == ["*"] and endpoint.is_active
    entry = AuditEntry.objects.get(organisation=acme, action="webhook_created")
    assert entry.actor == alice and entry.channel == "web" and entry.target_label == URL
    assert secret not in str(entry.changes) and "secret" not in entry.changes
    assert secret not in repr(endpoint)


@pytest.mark.parametrize("persona", ["bob", "edith", "claire"])
def test_only_managers_manage_endpoints(
    persona: str, request: pytest.FixtureRequest, alice: Any, acme: Organisation
) -> None:
    actor = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        create(actor, acme)
    endpoint, _ = create(alice, acme)
    with pytest.raises(PermissionDenied):
        webhook_endpoint_update(actor=actor, endpoint=endpoint.pk, channel="web", is_active=False)
    with pytest.raises(PermissionDenied):
        webhook_endpoint_delete(actor=actor, endpoint=endpoint, channel="web")
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk, is_active=True).exists()
    assert AuditEntry.objects.filter(action__startswith="webhook").count() == 1


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({"url": "http://hr.example/hooks"}, "url", "https"),
        ({"url": "ftp://hr.example"}, "url", "web address"),
        ({"url": ""}, "url", "URL"),
        ({"events": ["convention.eaten"]}, "events", "convention.eaten"),
        ({"events": []}, "events", "at least one"),
        ({"events": "convention.submitted"}, "events", "list"),
        ({"description": "x" * 201}, "description", "200"),
    ],
)
def test_bad_input_names_the_field(
    alice: Any, acme: Organisation, kwargs: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        create(alice, acme, **kwargs)
    assert words in " ".join(raised.value.message_dict[field])
    assert not WebhookEndpoint.objects.exists()


def test_the_french_message_names_the_field(alice: Any, acme: Organisation) -> None:
    from django.utils import translation

    with translation.override("fr"), pytest.raises(ValidationError) as raised:
        create(alice, acme, events=["nope"])
    assert raised.value.message_dict["events"] == ["Événements : « nope » n’est pas un événement connu."]


def test_plain_http_is_allowed_to_this_machine_only(alice: Any, acme: Organisation) -> None:
    endpoint, _ = create(alice, acme, url="http://127.0.0.1:8765/hook")
    assert endpoint.url == "http://127.0.0.1:8765/hook"
    create(alice, acme, url="http://localhost/hook")


def test_update_audits_the_changes_and_reenabling_resets_the_failures(alice: Any, acme: Organisation) -> None:
    endpoint, secret = create(alice, acme)
    updated = webhook_endpoint_update(
        actor=alice,
        endpoint=endpoint,
        channel="api",
        events=["convention.refused_by_silence"],
        is_active=False,
    )
    assert not updated.is_active and updated.disabled_at is not None
    entry = AuditEntry.objects.get(action="webhook_updated")
    assert entry.channel == "api"
    assert entry.changes == {
        "events": [["convention.submitted"], ["convention.refused_by_silence"]],
        "is_active": [True, False],
    }
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failure_count=9)
    enabled = webhook_endpoint_update(actor=alice, endpoint=endpoint.pk, channel="web", is_active=True)
    assert enabled.is_active and enabled.failure_count == 0 and enabled.disabled_at is None
    # Nothing changed: no audit entry.
    webhook_endpoint_update(actor=alice, endpoint=endpoint.pk, channel="web", url=URL)
    assert AuditEntry.objects.filter(action="webhook_updated").count() == 2
    assert not any(secret in str(e.changes) for e in AuditEntry.objects.all())


def test_delete_is_audited(alice: Any, acme: Organisation) -> None:
    endpoint, _ = create(alice, acme)
    webhook_endpoint_delete(actor=alice, endpoint=endpoint.pk, channel="web")
    assert not WebhookEndpoint.objects.exists()
    assert AuditEntry.objects.get(action="webhook_deleted").changes["url"] == [URL, None]


def test_selectors_are_scoped(alice: Any, bob: Any, claire: Any, acme: Organisation) -> None:
    endpoint, _ = create(alice, acme)
    assert list(webhook_endpoints_for_user(bob)) == [endpoint]
    assert not webhook_endpoints_for_user(claire).exists()
    assert not webhook_deliveries_for_user(claire).exists()


def test_a_transition_writes_one_delivery_per_subscribed_endpoint(
    alice: Any, acme: Organisation, chu: Organisation, claire: Any, make_convention: Any
) -> None:
    subscribed, _ = create(alice, acme, events=["convention.submitted"])
    everything, _ = create(alice, acme, events=["*"])
    create(alice, acme, events=["convention.validated"])
    create(claire, chu, events=["*"])  # another organisation: never told
    convention = make_convention()
    services.convention_submit(actor=alice, convention=convention, received_on=dt.date(2026, 11, 2), now=NOW)
    rows = WebhookDelivery.objects.order_by("endpoint_id")
    assert [row.endpoint_id for row in rows] == [subscribed.pk, everything.pk]
    row = rows[0]
    assert row.event == "convention.submitted" and row.status == WebhookStatus.PENDING
    assert row.payload["id"] == convention.pk and row.payload["state"] == "submitted"
    assert row.payload["from_state"] == "draft" and row.payload["transition"] == "submit"
    assert row.payload["intern_id"] == convention.intern_id


def test_a_failed_transition_writes_no_delivery(
    alice: Any, bob: Any, acme: Organisation, make_convention: Any
) -> None:
    create(alice, acme, events=["*"])
    convention = make_convention()
    with pytest.raises(PermissionDenied):
        services.convention_submit(
            actor=bob, convention=convention, received_on=dt.date(2026, 11, 2), now=NOW
        )
    assert not WebhookDelivery.objects.exists()


def sweep_queries(make_convention: Any, alice: Any, count: int) -> int:
    for _ in range(count):
        services.convention_submit(
            actor=alice, convention=make_convention(), received_on=dt.date(2026, 11, 2), now=NOW
        )
    with CaptureQueriesContext(connection) as queries:
        report = sweep_deadlines(today=dt.date(2026, 12, 10))
    assert len(report.conventions_refused) == count
    return len(queries)


def test_the_sweep_writes_one_delivery_per_file_and_endpoint_set_based(
    alice: Any, acme: Organisation, make_convention: Any
) -> None:
    first, _ = create(alice, acme, events=["convention.refused_by_silence"])
    second, _ = create(alice, acme, events=["*"])
    create(alice, acme, events=["convention.submitted"])
    WebhookDelivery.objects.all().delete()
    few = sweep_queries(make_convention, alice, 2)
    assert WebhookDelivery.objects.filter(event="convention.refused_by_silence").count() == 4
    WebhookDelivery.objects.all().delete()
    Convention.objects.all().update(state=ConventionState.WITHDRAWN)
    many = sweep_queries(make_convention, alice, 12)
    assert many == few
    refused = WebhookDelivery.objects.filter(event="convention.refused_by_silence")
    assert refused.count() == 24
    assert set(refused.values_list("endpoint_id", flat=True)) == {first.pk, second.pk}
    # Sweeping again finds nothing to move and writes nothing.
    sweep_deadlines(today=dt.date(2026, 12, 11))
    assert refused.count() == 24


def test_resend_puts_a_delivery_back_in_the_queue(
    alice: Any, bob: Any, acme: Organisation, make_convention: Any
) -> None:
    create(alice, acme, events=["*"])
    services.convention_submit(
        actor=alice, convention=make_convention(), received_on=dt.date(2026, 11, 2), now=NOW
    )
    row = WebhookDelivery.objects.get()
    with pytest.raises(ValidationError) as raised:
        webhook_delivery_resend(actor=alice, delivery=row, channel="web")
    assert "status" in raised.value.message_dict
    WebhookDelivery.objects.filter(pk=row.pk).update(
        status=WebhookStatus.FAILED, attempts=8, last_error="500"
    )
    with pytest.raises(PermissionDenied):
        webhook_delivery_resend(actor=bob, delivery=row.pk, channel="web")
    again = webhook_delivery_resend(actor=alice, delivery=row.pk, channel="web")
    assert again.status == WebhookStatus.PENDING and again.attempts == 0 and again.resend_count == 1
    assert AuditEntry.objects.filter(action="webhook_delivery_resent").count() == 1


def test_every_event_name_is_kind_dot_state_or_deadline() -> None:
    assert "convention.refused_by_silence" in WEBHOOK_EVENTS
    assert "avenant.accepted_by_silence" in WEBHOOK_EVENTS
    assert "permit.refused_by_silence" in WEBHOOK_EVENTS
    assert "deadline.filing_due" in WEBHOOK_EVENTS
    assert len(WEBHOOK_EVENTS) == len(set(WEBHOOK_EVENTS))
