"""Convention admin: tenancy, roles, transition buttons, the service write path, the rules' "why"."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from conventions import services
from conventions.admin.conventions import ConventionAdmin
from conventions.models import Channel, Convention, ConventionState, DocumentItem, TransitionLog
from conventions.services import ConflictError
from hostportal.models import Organisation
from tests.admin.conftest import change_form_data
from tests.conftest import NOW

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:conventions_convention_changelist")
ADD = reverse("admin:conventions_convention_add")


def change_url(convention: Convention) -> str:
    return reverse("admin:conventions_convention_change", args=[convention.pk])


def transition_url(convention: Convention, name: str) -> str:
    return reverse("admin:conventions_convention_transition", args=[convention.pk, name])


def logs_of(convention: Convention) -> list[TransitionLog]:
    content_type = ContentType.objects.get_for_model(Convention)
    return list(
        TransitionLog.objects.filter(content_type=content_type, object_id=convention.pk).order_by("pk")
    )


# --- tenancy -----------------------------------------------------------------------------------------


def test_manager_sees_her_organisations_conventions_and_not_the_chus(
    login: Any, alice: Any, make_convention: Any, chu_convention: Convention
) -> None:
    mine = make_convention()

    response = login(alice).get(CHANGELIST)

    assert response.status_code == 200
    content = response.content.decode()
    assert change_url(mine) in content
    assert change_url(chu_convention) not in content
    assert "CHU de Lyon-Est" not in content  # not even in the organisation filter


def test_outsider_cannot_open_another_organisations_convention(
    login: Any, claire: Any, make_convention: Any, chu_convention: Convention
) -> None:
    acme_file = make_convention()
    client = login(claire)

    page = client.get(change_url(acme_file))
    listing = client.get(CHANGELIST)

    # Django's answer for a missing object: back to the admin index, as if it did not exist.
    assert page.status_code == 302
    assert page.url == reverse("admin:index")
    assert change_url(acme_file) not in listing.content.decode()
    assert change_url(chu_convention) in listing.content.decode()


def test_outsider_cannot_run_a_transition_on_another_organisations_convention(
    login: Any, claire: Any, make_convention: Any
) -> None:
    acme_file = make_convention()

    response = login(claire).post(transition_url(acme_file, "withdraw"), {"comment": "not mine"})

    assert response.status_code == 302
    acme_file.refresh_from_db()
    assert acme_file.state == ConventionState.DRAFT
    assert [log.transition for log in logs_of(acme_file)] == ["create"]


def test_operator_sees_every_organisations_conventions(
    login: Any, operator: Any, make_convention: Any, chu_convention: Convention
) -> None:
    acme_file = make_convention()

    listed = list(login(operator).get(CHANGELIST).context["cl"].result_list)

    assert {c.pk for c in listed} == {acme_file.pk, chu_convention.pk}


def test_history_of_another_organisations_convention_looks_missing(
    login: Any, claire: Any, alice: Any, make_convention: Any
) -> None:
    acme_file = make_convention()
    history = reverse("admin:conventions_convention_history", args=[acme_file.pk])

    assert login(claire).get(history).status_code == 302
    assert login(alice).get(history).status_code == 200


# --- the viewer reads only ------------------------------------------------------------------------------


def test_viewer_sees_the_convention_without_buttons(login: Any, bob: Any, make_convention: Any) -> None:
    convention = make_convention()
    client = login(bob)

    listing = client.get(CHANGELIST)
    page = client.get(change_url(convention))

    assert change_url(convention) in listing.content.decode()
    assert page.status_code == 200
    assert transition_url(convention, "submit") not in page.content.decode()
    assert 'name="_save"' not in page.content.decode()


def test_viewer_gets_403_on_add_change_and_transition_posts(
    login: Any, bob: Any, alice: Any, make_convention: Any
) -> None:
    convention = make_convention()
    client = login(bob)
    data = change_form_data(login(alice).get(change_url(convention)))
    data["tutor_name"] = "Changed by a viewer"

    add = client.post(ADD, data)
    change = client.post(change_url(convention), data)
    transition = client.post(transition_url(convention, "submit"), {"received_on": "2026-11-20"})

    assert (add.status_code, change.status_code, transition.status_code) == (403, 403, 403)
    convention.refresh_from_db()
    assert convention.state == ConventionState.DRAFT
    assert convention.tutor_name == "Jeanne Martin"
    assert convention.version == 1


# --- transition buttons ----------------------------------------------------------------------------


def test_change_page_offers_only_the_transitions_allowed_now(
    login: Any, alice: Any, make_convention: Any, submitted_convention: Convention
) -> None:
    draft = make_convention()
    client = login(alice)

    draft_page = client.get(change_url(draft)).content.decode()
    submitted_page = client.get(change_url(submitted_convention)).content.decode()

    assert transition_url(draft, "submit") in draft_page
    assert transition_url(draft, "withdraw") in draft_page
    assert transition_url(draft, "validate") not in draft_page
    assert transition_url(draft, "mark_not_required") not in draft_page  # this stay needs a validation
    for name in ("validate", "refuse", "request_documents", "withdraw"):
        assert transition_url(submitted_convention, name) in submitted_page
    assert transition_url(submitted_convention, "submit") not in submitted_page
    assert "refuse_by_silence" not in submitted_page


def test_system_transition_has_no_admin_form(
    login: Any, alice: Any, submitted_convention: Convention
) -> None:
    response = login(alice).post(transition_url(submitted_convention, "refuse_by_silence"), {})

    assert response.status_code == 404
    submitted_convention.refresh_from_db()
    assert submitted_convention.state == ConventionState.SUBMITTED


def test_manager_submits_through_the_admin_button(login: Any, alice: Any, make_convention: Any) -> None:
    convention = make_convention()
    client = login(alice)

    form_page = client.get(transition_url(convention, "submit"))
    response = client.post(
        transition_url(convention, "submit"),
        {"received_on": "2026-11-20", "comment": "Sent by post", "version": "1"},
    )

    assert form_page.status_code == 200
    assert 'name="received_on"' in form_page.content.decode()
    assert response.status_code == 302
    assert response.url == change_url(convention)
    convention.refresh_from_db()
    assert convention.state == ConventionState.SUBMITTED
    assert convention.received_on == dt.date(2026, 11, 20)
    assert convention.silence_deadline == dt.date(2026, 12, 20)
    log = logs_of(convention)[-1]
    assert (log.transition, log.source_state, log.target_state) == ("submit", "draft", "submitted")
    assert (log.channel, log.actor, log.comment) == (Channel.ADMIN, alice, "Sent by post")


def test_decision_through_the_admin_records_date_and_reference(
    login: Any, alice: Any, submitted_convention: Convention
) -> None:
    response = login(alice).post(
        transition_url(submitted_convention, "validate"),
        {"decided_on": "2026-11-21", "reference": "DDETS-42"},
    )

    assert response.status_code == 302
    submitted_convention.refresh_from_db()
    assert submitted_convention.state == ConventionState.VALIDATED
    assert (submitted_convention.decision_on, submitted_convention.decision_reference) == (
        dt.date(2026, 11, 21),
        "DDETS-42",
    )
    assert logs_of(submitted_convention)[-1].channel == Channel.ADMIN


@pytest.mark.parametrize(
    ("received_on", "expected"),
    [
        ("2026-11-24", "2026-11-24 is in the future (today is 2026-11-23)"),  # refused by the service
        ("2026-13-45", "Enter a valid date"),  # refused by the form
    ],
)
def test_bad_date_in_a_transition_form_shows_the_error_and_changes_nothing(
    login: Any, alice: Any, make_convention: Any, received_on: str, expected: str
) -> None:
    convention = make_convention()

    response = login(alice).post(
        transition_url(convention, "submit"), {"received_on": received_on, "version": "1"}
    )

    assert response.status_code == 200
    assert expected in response.content.decode()
    assert "Nothing was changed" in response.content.decode()
    convention.refresh_from_db()
    assert (convention.state, convention.version, convention.received_on) == (ConventionState.DRAFT, 1, None)
    assert [log.transition for log in logs_of(convention)] == ["create"]


def test_documents_requested_before_receipt_is_refused_on_the_form_field(
    login: Any, alice: Any, submitted_convention: Convention
) -> None:
    response = login(alice).post(
        transition_url(submitted_convention, "request_documents"), {"requested_on": "2026-10-01"}
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert "is before “received on” (2026-11-02)" in form.errors["requested_on"][0]
    submitted_convention.refresh_from_db()
    assert submitted_convention.state == ConventionState.SUBMITTED


def test_unavailable_transition_redirects_with_a_message(
    login: Any, alice: Any, submitted_convention: Convention
) -> None:
    response = login(alice).get(transition_url(submitted_convention, "submit"), follow=True)

    assert "is not possible now" in response.content.decode()
    submitted_convention.refresh_from_db()
    assert submitted_convention.state == ConventionState.SUBMITTED


# --- create and edit through the services ---------------------------------------------------------


def test_manager_adds_a_convention_through_the_service(
    login: Any, alice: Any, acme: Organisation, intern: Any
) -> None:
    client = login(alice)
    data = {
        "organisation": acme.pk, "intern": intern.pk, "category": "entreprise", "programme": "",
        "sending_establishment": "Université de São Paulo", "tutor_name": "Jeanne Martin",
        "tutor_email": "jeanne@acme.example", "start_date": "2027-04-01", "end_date": "2027-09-30",
        "weekly_hours": "35", "hourly_gratification_eur": "4.50", "monthly_resources_eur": "800.00",
        "document_items-TOTAL_FORMS": "0", "document_items-INITIAL_FORMS": "0",
    }  # fmt: skip

    response = client.post(ADD, data)

    assert response.status_code == 302
    convention = Convention.objects.get()
    # What only the service does: deadlines, the VLS-TS checklist, the audit row with the admin channel.
    assert convention.filing_deadline == dt.date(2027, 2, 1)
    assert convention.regime == "standard"
    assert DocumentItem.objects.filter(convention=convention).exists()
    log = logs_of(convention)[0]
    assert (log.transition, log.channel, log.actor) == ("create", Channel.ADMIN, alice)
    assert convention.created_by == alice


def test_add_form_offers_only_writable_organisations_and_their_interns(
    login: Any, alice: Any, chu_convention: Convention, intern: Any
) -> None:
    form = login(alice).get(ADD).context["adminform"].form

    assert [org.name for org in form.fields["organisation"].queryset] == ["Acme Robotics"]
    assert list(form.fields["intern"].queryset) == [intern]


def test_edit_goes_through_the_service_and_bumps_the_version(
    login: Any, alice: Any, make_convention: Any
) -> None:
    convention = make_convention()
    client = login(alice)
    data = change_form_data(client.get(change_url(convention)))
    data["tutor_name"] = "Paul Durand"

    response = client.post(change_url(convention), data)

    assert response.status_code == 302
    convention.refresh_from_db()
    assert (convention.tutor_name, convention.version) == ("Paul Durand", 2)
    assert convention.history.latest().history_user == alice


def test_service_validation_error_lands_on_the_named_field_and_nothing_is_written(
    login: Any, alice: Any, make_convention: Any
) -> None:
    convention = make_convention()
    client = login(alice)
    data = change_form_data(client.get(change_url(convention)))
    data["end_date"] = "2027-02-01"  # before the start date 2027-03-01

    response = client.post(change_url(convention), data)

    assert response.status_code == 200
    assert "end_date" in response.context["adminform"].form.errors
    convention.refresh_from_db()
    assert (convention.end_date, convention.version) == (dt.date(2027, 8, 31), 1)


def test_stale_version_on_the_change_form_gives_a_conflict_error(
    login: Any, alice: Any, make_convention: Any
) -> None:
    convention = make_convention()
    client = login(alice)
    page = client.get(change_url(convention))
    assert 'name="expected_version" value="1"' in page.content.decode()
    data = change_form_data(page)
    # Someone else saves first (version 1 -> 2)...
    services.convention_update(
        actor=alice, convention=convention, expected_version=1, tutor_name="First", now=NOW
    )
    # ...then this form, loaded at version 1, is sent.
    data["tutor_name"] = "Second"

    response = client.post(change_url(convention), data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert any("changed by someone else" in error for error in errors)
    convention.refresh_from_db()
    assert (convention.tutor_name, convention.version) == ("First", 2)


def test_submitted_convention_freezes_rule_inputs_on_the_form(
    login: Any, alice: Any, submitted_convention: Convention
) -> None:
    form = login(alice).get(change_url(submitted_convention)).context["adminform"].form

    assert "start_date" not in form.fields
    assert "tutor_name" in form.fields


def test_a_failure_at_save_time_rolls_back_the_whole_page(
    login: Any, alice: Any, make_convention: Any, monkeypatch: Any
) -> None:
    """The service accepted the form (dry run) but refuses at save time: nothing of the page is kept."""
    convention = make_convention()
    client = login(alice)
    data = change_form_data(client.get(change_url(convention)))
    data["tutor_name"] = "Paul Durand"
    data["document_items-0-status"] = "provided"  # an inline change in the same request
    real_save = ConventionAdmin.service_save
    calls: list[int] = []

    def save_then_conflict(self: Any, request: Any, form: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:  # validation passed; someone saves in between
            raise ConflictError("Convention #1 was changed by someone else since you opened it.")
        return real_save(self, request, form)

    monkeypatch.setattr(ConventionAdmin, "service_save", save_then_conflict)

    response = client.post(change_url(convention), data, follow=True)

    assert "Nothing was saved" in response.content.decode()
    convention.refresh_from_db()
    assert (convention.tutor_name, convention.version) == ("Jeanne Martin", 1)
    assert not DocumentItem.objects.filter(convention=convention, status="provided").exists()
    assert not LogEntry.objects.exists()


# --- read-only blocks ------------------------------------------------------------------------------


def test_why_block_shows_the_filing_deadline_and_its_source(
    login: Any, alice: Any, make_convention: Any
) -> None:
    convention = make_convention()  # starts 2027-03-01

    content = login(alice).get(change_url(convention)).content.decode()

    assert "Why these dates" in content
    row = content[content.index('class="why-filing_deadline"') :]
    row = row[: row.index("</tr>")]
    assert "2027-01-01" in row
    assert "R426-20" in row


def test_audit_trail_lists_each_state_change_with_its_channel(
    login: Any, alice: Any, submitted_convention: Convention
) -> None:
    content = login(alice).get(change_url(submitted_convention)).content.decode()

    trail = content[content.index('class="audit-trail"') :]
    trail = trail[: trail.index("</table>")]
    assert "submit" in trail
    assert "Web portal" in trail
    assert "alice" in trail


def test_days_left_and_overdue_filter(login: Any, alice: Any, make_convention: Any) -> None:
    late = make_convention(
        start_date=dt.date(2027, 1, 10), end_date=dt.date(2027, 6, 30)
    )  # filing 2026-11-10
    on_time = make_convention()  # filing deadline 2027-01-01
    client = login(alice)

    overdue = client.get(CHANGELIST, {"overdue": "yes"})
    later = client.get(CHANGELIST, {"next_deadline": "later"})

    assert [c.pk for c in overdue.context["cl"].result_list] == [late.pk]
    assert '<td class="field-days_left">-13</td>' in overdue.content.decode()
    assert [c.pk for c in later.context["cl"].result_list] == [on_time.pk]
    assert '<td class="field-days_left">39</td>' in later.content.decode()


def test_incomplete_draft_says_which_fields_block_the_filing(
    login: Any, alice: Any, make_convention: Any
) -> None:
    convention = make_convention(tutor_name="", monthly_resources_eur=None)
    page = login(alice).get(change_url(convention)).content.decode()

    assert (
        "To file this convention with the administration, fill in: tutor name, monthly resources (EUR)."
        in page
    )
    assert "/transition/submit/" not in page
