"""Transitions and events as POST actions through the portal's registry: 409 when the state does not allow
it or on a concurrent change, 403 for a reader, 404 for an outsider; every action audited with channel
"api" and the token's name."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from rest_framework.test import APIClient

from conventions.models import Convention, TransitionLog
from hostportal.models import AuditEntry
from tests.api.test_permissions import assert_problem
from tests.conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(make_convention: Any) -> Convention:
    return make_convention()


def test_filing_then_deciding_through_the_api(editor_api: APIClient, draft: Convention) -> None:
    base = f"/api/v1/conventions/{draft.pk}"
    filed = editor_api.post(
        f"{base}/submit/", {"received_on": "2026-11-02", "comment": "LRAR"}, format="json"
    )
    assert filed.status_code == 200, filed.content
    body = filed.json()
    assert body["state"] == "submitted" and body["silence_deadline"] == "2026-12-02"
    why = {row["name"]: row for row in body["explanations"]}
    assert why["silence_deadline"]["rule"] and why["silence_deadline"]["source"]
    assert {a["name"] for a in body["actions"]} >= {"request-documents", "validate", "refuse", "withdraw"}
    asked = editor_api.post(
        f"{base}/request-documents/",
        {"requested_on": "2026-11-10", "due_on": "2026-12-10", "documents": "Passport copy\nInsurance"},
        format="json",
    )
    assert asked.status_code == 200 and asked.json()["state"] == "documents_requested"
    editor_api.post(f"{base}/receive-documents/", {"received_on": "2026-11-15"}, format="json")
    decided = editor_api.post(
        f"{base}/record-decision/",
        {"decision": "validated", "decided_on": "2026-11-20", "reference": "PREF-69-001"},
        format="json",
    )
    assert decided.status_code == 200, decided.content
    assert decided.json()["state"] == "validated" and decided.json()["visa"] is not None
    logs = TransitionLog.objects.filter(object_id=draft.pk, channel="api").order_by("pk")
    assert [log.transition for log in logs] == [
        "submit",
        "request_documents",
        "receive_documents",
        "validate",
    ]
    assert all(log.actor_label == "API token « SIRH editor » (alice)" for log in logs)
    assert logs[1].comment.startswith("Documents asked for:")


def test_an_action_the_state_does_not_allow_is_409(manager_api: APIClient, draft: Convention) -> None:
    response = manager_api.post(
        f"/api/v1/conventions/{draft.pk}/validate/", {"decided_on": "2026-11-20"}, format="json"
    )
    assert_problem(response, 409)
    assert response.json()["type"] == "urn:hostportal:problem:transition-not-allowed"
    draft.refresh_from_db()
    assert draft.state == "draft"


def test_a_conditions_refusal_says_what_is_missing(manager_api: APIClient, make_convention: Any) -> None:
    incomplete = make_convention(tutor_name="")
    response = manager_api.post(
        f"/api/v1/conventions/{incomplete.pk}/submit/", {"received_on": "2026-11-02"}, format="json"
    )
    assert_problem(response, 409)
    assert "tutor_name" in response.json()["detail"]


def test_the_form_and_the_service_name_the_api_field(
    manager_api: APIClient, submitted_convention: Convention
) -> None:
    base = f"/api/v1/conventions/{submitted_convention.pk}"
    missing = manager_api.post(f"{base}/validate/", {}, format="json")
    assert_problem(missing, 400)
    assert set(missing.json()["errors"]) == {"decided_on"}
    early = manager_api.post(f"{base}/validate/", {"decided_on": "2026-10-01"}, format="json")
    assert_problem(early, 400)
    assert set(early.json()["errors"]) == {"decided_on"}  # the service said decision_on: mapped back
    unknown = manager_api.post(f"{base}/validate/", {"decided_on": "2026-11-20", "state": "x"}, format="json")
    assert set(unknown.json()["errors"]) == {"state"}
    bad = manager_api.post(f"{base}/record-decision/", {"decision": "maybe"}, format="json")
    assert set(bad.json()["errors"]) == {"decision"}
    wrong_type = manager_api.post(f"{base}/validate/", {"decided_on": ["2026-11-20"]}, format="json")
    assert_problem(wrong_type, 400)
    assert_problem(manager_api.post(f"{base}/validate/", [1, 2], format="json"), 400)


def test_if_match_on_an_action_refuses_a_stale_version(manager_api: APIClient, draft: Convention) -> None:
    url = f"/api/v1/conventions/{draft.pk}/submit/"
    stale = manager_api.post(url, {"received_on": "2026-11-02"}, format="json", HTTP_IF_MATCH='"v9"')
    assert_problem(stale, 412)
    fresh = manager_api.post(url, {"received_on": "2026-11-02"}, format="json", HTTP_IF_MATCH='"v1"')
    assert fresh.status_code == 200 and fresh["ETag"] == '"v2"'


def test_a_concurrent_change_is_409(manager_api: APIClient, draft: Convention, monkeypatch: Any) -> None:
    from conventions.services.errors import ConflictError
    from conventions.transitions import TransitionAction

    def changed_meanwhile(self: Any, **kwargs: Any) -> Any:
        raise ConflictError("convention #1 was changed by someone else since you opened it")

    monkeypatch.setattr(TransitionAction, "run", changed_meanwhile)
    response = manager_api.post(
        f"/api/v1/conventions/{draft.pk}/submit/", {"received_on": "2026-11-02"}, format="json"
    )
    assert_problem(response, 409)
    assert response.json()["type"] == "urn:hostportal:problem:conflict"
    assert_problem(
        manager_api.post(f"/api/v1/conventions/{draft.pk}/submit/", {"expected_version": 1}, format="json"),
        400,
    )


def test_events_and_corrections(manager_api: APIClient, submitted_convention: Convention) -> None:
    base = f"/api/v1/conventions/{submitted_convention.pk}"
    ack = manager_api.post(f"{base}/record-acknowledgment/", {"acknowledged_on": "2026-12-20"}, format="json")
    assert ack.status_code == 200, ack.content
    assert ack.json()["state"] == "submitted" and ack.json()["silence_deadline"] == "2026-12-19"
    corrected = manager_api.post(
        f"{base}/correct/", {"received_on": "2026-11-03", "reason": "Wrong day typed"}, format="json"
    )
    assert corrected.status_code == 200, corrected.content
    log = TransitionLog.objects.get(transition="correct")
    assert log.changes == {"received_on": ["2026-11-02", "2026-11-03"]} and log.channel == "api"
    no_reason = manager_api.post(
        f"{base}/correct/", {"received_on": "2026-11-04", "reason": ""}, format="json"
    )
    assert_problem(no_reason, 400)
    assert "reason" in no_reason.json()["errors"]
    not_correctable = manager_api.post(
        f"{base}/correct/", {"state": "validated", "reason": "x"}, format="json"
    )
    assert_problem(not_correctable, 400)


def test_visa_and_permit_steps(manager_api: APIClient, alice: Any, submitted_convention: Convention) -> None:
    from conventions import services

    validated = services.convention_record_decision(
        actor=alice,
        convention=submitted_convention,
        decision="validated",
        decided_on=dt.date(2026, 11, 20),
        now=NOW,
    )
    visa = f"/api/v1/visas/{validated.visa.pk}"
    assert manager_api.post(f"{visa}/apply/", {"applied_on": "2026-11-21"}, format="json").status_code == 200
    issued = manager_api.post(
        f"{visa}/record-decision/",
        {"decision": "issued", "decided_on": "2026-11-22", "expires_on": "2027-09-30"},
        format="json",
    )
    assert issued.status_code == 200, issued.content
    rows = {row["name"]: row for row in issued.json()["explanations"]}
    assert rows["filing_deadline"]["value"] == "2027-08-01"


def test_an_audit_entry_through_a_token_names_it(manager_api: APIClient, alice: Any, acme: Any) -> None:
    from hostportal.api.models import ApiActor, ApiToken
    from hostportal.services import reminder_settings_update

    token = ApiToken.objects.get(name="SIRH")
    actor = ApiActor.for_token(token)
    reminder_settings_update(
        actor=actor, organisation=acme, values={"filing_lead_days": "30,7"}, channel="api"
    )
    entry = AuditEntry.objects.get(action="reminder_settings_changed")
    assert (
        entry.actor_label == "API token « SIRH » (alice)" and entry.actor == alice and entry.channel == "api"
    )
