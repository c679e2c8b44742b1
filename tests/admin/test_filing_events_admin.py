"""The out-of-band events of conventions and avenants in the admin: the documents' due date and the
acknowledgment of receipt (RULES v2). Recorded through their services, audited, refused on the field."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from conventions import services
from conventions.models import Avenant, AvenantState, Convention, ConventionState
from tests.admin.conftest import logs_of, why_row
from tests.conftest import NOW

pytestmark = pytest.mark.django_db

EVENTS = ("set_documents_due", "record_acknowledgment")


def change_url(obj: Convention | Avenant) -> str:
    return reverse(f"admin:conventions_{obj._meta.model_name}_change", args=[obj.pk])


def action_url(obj: Convention | Avenant, name: str) -> str:
    return reverse(f"admin:conventions_{obj._meta.model_name}_transition", args=[obj.pk, name])


@pytest.fixture
def awaiting_documents(submitted_convention: Convention, alice: Any) -> Convention:
    """Received 2026-11-02; documents asked on 2026-11-10 with no date set for them."""
    return services.convention_request_documents(
        actor=alice, convention=submitted_convention, requested_on=dt.date(2026, 11, 10), now=NOW
    )


@pytest.fixture
def training_avenant(make_convention: Any, alice: Any) -> Avenant:
    """The avenant of a validated continuing-training stage (R426-21 applies), received 2026-11-21."""
    convention = make_convention(category="formation_continue", monthly_resources_eur=Decimal("1900.00"))
    services.convention_submit(actor=alice, convention=convention, received_on=dt.date(2026, 11, 2), now=NOW)
    services.convention_record_decision(
        actor=alice, convention=convention, decision="validated", decided_on=dt.date(2026, 11, 20), now=NOW
    )
    avenant = services.avenant_create(
        actor=alice, convention=convention, requested_end_date=dt.date(2027, 11, 30), now=NOW
    )
    return services.avenant_submit(actor=alice, avenant=avenant, received_on=dt.date(2026, 11, 21), now=NOW)


@pytest.fixture
def company_avenant(validated_convention: Convention, alice: Any) -> Avenant:
    """The avenant of a company stage (R426-16 1°): R426-21 promises it no implicit decision."""
    avenant = services.avenant_create(
        actor=alice, convention=validated_convention, requested_end_date=dt.date(2027, 10, 31), now=NOW
    )
    return services.avenant_submit(actor=alice, avenant=avenant, received_on=dt.date(2026, 11, 21), now=NOW)


# --- the buttons offered -------------------------------------------------------------------------------


def test_each_event_is_offered_only_in_the_states_its_service_accepts(
    login: Any, alice: Any, make_convention: Any, submitted_convention: Convention
) -> None:
    draft = make_convention()
    client = login(alice)

    draft_page = client.get(change_url(draft)).content.decode()
    submitted_page = client.get(change_url(submitted_convention)).content.decode()

    assert not any(action_url(draft, name) in draft_page for name in EVENTS)
    assert action_url(submitted_convention, "record_acknowledgment") in submitted_page
    assert action_url(submitted_convention, "set_documents_due") not in submitted_page
    assert "Record a date (the file stays Submitted" in submitted_page


def test_manager_is_offered_both_events_while_documents_are_awaited(
    login: Any, alice: Any, awaiting_documents: Convention
) -> None:
    page = login(alice).get(change_url(awaiting_documents)).content.decode()

    for name in EVENTS:
        assert action_url(awaiting_documents, name) in page


def test_event_outside_its_states_redirects_with_a_message(
    login: Any, alice: Any, submitted_convention: Convention
) -> None:
    response = login(alice).get(action_url(submitted_convention, "set_documents_due"), follow=True)

    assert "is not possible now" in response.content.decode()


# --- documents requested with their due date ---------------------------------------------------------


def test_documents_requested_form_takes_the_due_date_set_by_the_administration(
    login: Any, alice: Any, submitted_convention: Convention
) -> None:
    client = login(alice)
    form_page = client.get(action_url(submitted_convention, "request_documents")).content.decode()

    response = client.post(
        action_url(submitted_convention, "request_documents"),
        {"requested_on": "2026-11-10", "due_on": "2026-12-10"},
    )

    assert "Documents due by (date set by the administration)" in form_page
    assert "CRPA L114-5" in form_page
    assert response.status_code == 302
    submitted_convention.refresh_from_db()
    assert submitted_convention.state == ConventionState.DOCUMENTS_REQUESTED
    assert submitted_convention.documents_due_on == dt.date(2026, 12, 10)
    # 2026-11-02 + 30 days = 2026-12-02, suspended 30 days (2026-11-10 to the due date 2026-12-10).
    assert submitted_convention.silence_deadline == dt.date(2027, 1, 1)


def test_due_date_before_the_request_is_refused_on_the_field_and_nothing_is_saved(
    login: Any, alice: Any, submitted_convention: Convention
) -> None:
    logs_before = logs_of(submitted_convention)

    response = login(alice).post(
        action_url(submitted_convention, "request_documents"),
        {"requested_on": "2026-11-10", "due_on": "2026-11-05"},
    )

    assert response.status_code == 200
    assert "is before “documents requested on” (2026-11-10)" in response.context["form"].errors["due_on"][0]
    assert "Nothing was changed" in response.content.decode()
    submitted_convention.refresh_from_db()
    assert (submitted_convention.state, submitted_convention.version) == (ConventionState.SUBMITTED, 2)
    assert (submitted_convention.documents_requested_on, submitted_convention.documents_due_on) == (
        None,
        None,
    )
    assert logs_of(submitted_convention) == logs_before


# --- set the documents' due date (event) ---------------------------------------------------------------


def test_manager_sets_the_documents_due_date_and_the_silence_deadline_moves(
    login: Any, alice: Any, awaiting_documents: Convention
) -> None:
    assert awaiting_documents.silence_deadline is None  # no due date: unknown (L114-5 al. 4)

    response = login(alice).post(
        action_url(awaiting_documents, "set_documents_due"), {"due_on": "2026-12-10", "comment": "By letter"}
    )

    assert response.status_code == 302
    awaiting_documents.refresh_from_db()
    assert awaiting_documents.state == ConventionState.DOCUMENTS_REQUESTED
    assert awaiting_documents.documents_due_on == dt.date(2026, 12, 10)
    assert awaiting_documents.silence_deadline == dt.date(2027, 1, 1)
    log = logs_of(awaiting_documents)[-1]
    assert (log.transition, log.source_state, log.target_state) == (
        "set_documents_due",
        "documents_requested",
        "documents_requested",
    )
    assert (log.actor, log.comment) == (alice, "By letter")


def test_set_due_date_before_the_request_is_refused_on_the_field_and_nothing_is_saved(
    login: Any, alice: Any, awaiting_documents: Convention
) -> None:
    logs_before, version = logs_of(awaiting_documents), awaiting_documents.version

    response = login(alice).post(
        action_url(awaiting_documents, "set_documents_due"), {"due_on": "2026-11-09"}
    )

    assert response.status_code == 200
    assert "is before “documents requested on” (2026-11-10)" in response.context["form"].errors["due_on"][0]
    awaiting_documents.refresh_from_db()
    assert (awaiting_documents.documents_due_on, awaiting_documents.version) == (None, version)
    assert logs_of(awaiting_documents) == logs_before


# --- record the acknowledgment of receipt (event) ------------------------------------------------------


def test_manager_records_the_acknowledgment_and_its_date_wins(
    login: Any, alice: Any, submitted_convention: Convention
) -> None:
    client = login(alice)
    form_page = client.get(action_url(submitted_convention, "record_acknowledgment")).content.decode()

    response = client.post(
        action_url(submitted_convention, "record_acknowledgment"), {"acknowledged_on": "2026-12-05"}
    )

    assert "R112-5" in form_page
    assert response.status_code == 302
    submitted_convention.refresh_from_db()
    assert submitted_convention.acknowledged_decision_on == dt.date(2026, 12, 5)
    assert submitted_convention.silence_deadline == dt.date(2026, 12, 4)  # the day before (CRPA R112-5)
    log = logs_of(submitted_convention)[-1]
    assert (log.transition, log.source_state, log.target_state) == (
        "record_acknowledgment",
        "submitted",
        "submitted",
    )
    page = client.get(change_url(submitted_convention)).content.decode()
    silence = why_row(page, "silence_deadline")
    assert "the acknowledgment of receipt states the implicit decision on 2026-12-05" in silence
    assert "acknowledgment_differs" in page  # 2026-11-02 + 30 days gives 2026-12-02


def test_acknowledgment_not_after_the_receipt_is_refused_on_the_field_and_nothing_is_saved(
    login: Any, alice: Any, submitted_convention: Convention
) -> None:
    logs_before = logs_of(submitted_convention)

    response = login(alice).post(
        action_url(submitted_convention, "record_acknowledgment"), {"acknowledged_on": "2026-11-02"}
    )

    assert response.status_code == 200
    errors = response.context["form"].errors["acknowledged_on"]
    assert "2026-11-02 is not after “received on” (2026-11-02)" in errors[0]
    submitted_convention.refresh_from_db()
    assert (submitted_convention.acknowledged_decision_on, submitted_convention.version) == (None, 2)
    assert submitted_convention.silence_deadline == dt.date(2026, 12, 2)
    assert logs_of(submitted_convention) == logs_before


# --- viewer and outsider -------------------------------------------------------------------------------


def test_viewer_is_not_offered_the_events_and_her_posts_are_refused(
    login: Any, bob: Any, awaiting_documents: Convention
) -> None:
    client = login(bob)
    page = client.get(change_url(awaiting_documents)).content.decode()

    due = client.post(action_url(awaiting_documents, "set_documents_due"), {"due_on": "2026-12-10"})
    ack = client.post(
        action_url(awaiting_documents, "record_acknowledgment"), {"acknowledged_on": "2026-12-05"}
    )

    assert not any(action_url(awaiting_documents, name) in page for name in EVENTS)
    assert (due.status_code, ack.status_code) == (403, 403)
    awaiting_documents.refresh_from_db()
    assert (awaiting_documents.documents_due_on, awaiting_documents.acknowledged_decision_on) == (None, None)


def test_outsider_posting_an_event_meets_a_missing_file(
    login: Any, claire: Any, awaiting_documents: Convention
) -> None:
    client = login(claire)
    missing = reverse("admin:conventions_convention_transition", args=[999999, "set_documents_due"])

    response = client.post(action_url(awaiting_documents, "set_documents_due"), {"due_on": "2026-12-10"})

    # The same answer as for a file that does not exist: back to the admin index, nothing told.
    assert response.status_code == client.post(missing, {"due_on": "2026-12-10"}).status_code == 302
    assert response.url == reverse("admin:index")
    awaiting_documents.refresh_from_db()
    assert awaiting_documents.documents_due_on is None


# --- the convention page -------------------------------------------------------------------------------


def test_procedure_shows_the_new_dates_with_their_why(
    login: Any, alice: Any, awaiting_documents: Convention
) -> None:
    services.convention_set_documents_due(
        actor=alice, convention=awaiting_documents, due_on=dt.date(2026, 12, 10), now=NOW
    )

    page = login(alice).get(change_url(awaiting_documents)).content.decode()

    assert "field-documents_due_on" in page
    assert "field-acknowledged_decision_on" in page
    assert "Date set by the administration for the missing documents (CRPA L114-5)." in page
    assert "Implicit-decision date stated on the acknowledgment of receipt (CRPA R112-5)." in page
    silence = why_row(page, "silence_deadline")
    assert "2027-01-01" in silence
    assert "L114-5" in silence


def test_why_panel_shows_the_estimated_presence_hours(login: Any, alice: Any, make_convention: Any) -> None:
    convention = make_convention()  # 35 h a week, 2027-03-01 to 2027-08-31 (184 days)

    row = why_row(login(alice).get(change_url(convention)).content.decode(), "presence_hours")

    assert "920" in row  # floor(35 x 184 / 7)
    assert "D124-6" in row
    assert "estimate" in row


def test_validated_convention_links_its_visa_step(
    login: Any, alice: Any, validated_convention: Convention
) -> None:
    visa = validated_convention.visa

    page = login(alice).get(change_url(validated_convention)).content.decode()

    assert reverse("admin:conventions_visaapplication_change", args=[visa.pk]) in page
    assert "To apply for at the consulate" in page


def test_draft_convention_says_when_its_visa_step_opens(login: Any, alice: Any, make_convention: Any) -> None:
    page = login(alice).get(change_url(make_convention())).content.decode()

    assert "Opens when the convention is validated" in page


# --- avenants ------------------------------------------------------------------------------------------


def test_manager_records_an_avenants_acknowledgment_and_due_date(
    login: Any, alice: Any, training_avenant: Avenant
) -> None:
    client = login(alice)

    ack = client.post(
        action_url(training_avenant, "record_acknowledgment"), {"acknowledged_on": "2026-12-08"}
    )
    asked = client.post(
        action_url(training_avenant, "request_documents"), {"requested_on": "2026-11-22", "due_on": ""}
    )
    due = client.post(action_url(training_avenant, "set_documents_due"), {"due_on": "2026-12-15"})

    assert (ack.status_code, asked.status_code, due.status_code) == (302, 302, 302)
    training_avenant.refresh_from_db()
    assert training_avenant.state == AvenantState.DOCUMENTS_REQUESTED
    assert training_avenant.acknowledged_decision_on == dt.date(2026, 12, 8)
    assert training_avenant.documents_due_on == dt.date(2026, 12, 15)
    assert [log.transition for log in logs_of(training_avenant)][-3:] == [
        "record_acknowledgment",
        "request_documents",
        "set_documents_due",
    ]


def test_avenant_acknowledgment_not_after_the_receipt_is_refused_on_the_field(
    login: Any, alice: Any, training_avenant: Avenant
) -> None:
    logs_before = logs_of(training_avenant)

    response = login(alice).post(
        action_url(training_avenant, "record_acknowledgment"), {"acknowledged_on": "2026-11-20"}
    )

    assert response.status_code == 200
    assert "is not after “received on” (2026-11-21)" in response.context["form"].errors["acknowledged_on"][0]
    training_avenant.refresh_from_db()
    assert training_avenant.acknowledged_decision_on is None
    assert logs_of(training_avenant) == logs_before


def test_avenant_viewer_and_outsider_cannot_record_events(
    login: Any, bob: Any, claire: Any, training_avenant: Avenant
) -> None:
    url = action_url(training_avenant, "record_acknowledgment")
    page = login(bob).get(change_url(training_avenant)).content.decode()

    viewer = login(bob).post(url, {"acknowledged_on": "2026-12-08"})
    outsider = login(claire).post(url, {"acknowledged_on": "2026-12-08"})

    assert url not in page
    assert (viewer.status_code, outsider.status_code, outsider.url) == (403, 302, reverse("admin:index"))
    training_avenant.refresh_from_db()
    assert training_avenant.acknowledged_decision_on is None


def test_avenant_page_shows_the_new_fields(login: Any, alice: Any, training_avenant: Avenant) -> None:
    page = login(alice).get(change_url(training_avenant)).content.decode()

    for name in ("prior_extensions", "documents_due_on", "acknowledged_decision_on"):
        assert f"field-{name}" in page
    assert "Accepted avenants of the same convention when this one was drafted." in page
    assert "No implicit acceptance exists" not in page  # R426-21 applies to continuing training


def test_company_stage_avenant_says_plainly_that_no_implicit_acceptance_exists(
    login: Any, alice: Any, bob: Any, company_avenant: Avenant
) -> None:
    for user in (alice, bob):  # the viewer reads it too
        page = login(user).get(change_url(company_avenant)).content.decode()

        assert "No implicit acceptance exists for this avenant" in page
        silence = why_row(page, "silence_deadline")
        assert "no implicit decision for the avenant of a company stage" in silence
        assert "R426-21" in silence
