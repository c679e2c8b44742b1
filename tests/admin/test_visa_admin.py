"""The long-stay visa step in the admin: scoped like every file, moved and dated only through its services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from conventions.models import Convention, VisaApplication, VisaState
from tests.admin.conftest import logs_of, why_row

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:conventions_visaapplication_changelist")
EVENTS = ("record_arrival", "record_ofii_validation", "set_validity")


def change_url(visa: VisaApplication) -> str:
    return reverse("admin:conventions_visaapplication_change", args=[visa.pk])


def action_url(visa: VisaApplication, name: str) -> str:
    return reverse("admin:conventions_visaapplication_transition", args=[visa.pk, name])


@pytest.fixture
def visa(validated_convention: Convention) -> VisaApplication:
    """Opened by the services when the convention was validated: to apply for."""
    return VisaApplication.objects.get(convention=validated_convention)


# --- the transitions: apply, issued, refused -----------------------------------------------------------


def test_manager_applies_and_records_the_visa_issued_through_the_buttons(
    login: Any, alice: Any, visa: VisaApplication
) -> None:
    client = login(alice)
    first_page = client.get(change_url(visa)).content.decode()

    applied = client.post(action_url(visa, "apply"), {"applied_on": "2026-11-21", "consulate": "Dakar"})
    issued = client.post(
        action_url(visa, "issue"),
        {
            "decided_on": "2026-11-22",
            "reference": "V-1",
            "valid_from": "2026-11-01",
            "expires_on": "2027-10-31",
        },
    )

    assert action_url(visa, "apply") in first_page
    assert not any(action_url(visa, name) in first_page for name in ("issue", "refuse", *EVENTS))
    assert (applied.status_code, issued.status_code) == (302, 302)
    visa.refresh_from_db()
    assert (visa.state, visa.consulate, visa.expires_on) == (VisaState.ISSUED, "Dakar", dt.date(2027, 10, 31))
    assert [(log.transition, log.target_state) for log in logs_of(visa)] == [
        ("apply", "applied"),
        ("issue", "issued"),
    ]


def test_manager_records_the_visa_refused(login: Any, alice: Any, visa: VisaApplication) -> None:
    client = login(alice)
    client.post(action_url(visa, "apply"), {"applied_on": "2026-11-21"})
    page = client.get(change_url(visa)).content.decode()

    response = client.post(action_url(visa, "refuse"), {"decided_on": "2026-11-23", "reference": "R-9"})

    assert action_url(visa, "issue") in page and action_url(visa, "refuse") in page
    assert response.status_code == 302
    visa.refresh_from_db()
    assert (visa.state, visa.decision_reference) == (VisaState.REFUSED, "R-9")


def test_issued_visa_without_its_expiry_is_refused_on_the_field(
    login: Any, alice: Any, visa: VisaApplication
) -> None:
    client = login(alice)
    client.post(action_url(visa, "apply"), {"applied_on": "2026-11-21"})

    response = client.post(
        action_url(visa, "issue"),
        {"decided_on": "2026-11-22", "valid_from": "2026-11-01", "expires_on": "2026-10-01"},
    )

    assert response.status_code == 200
    assert "is not after “valid from” (2026-11-01)" in response.context["form"].errors["expires_on"][0]
    visa.refresh_from_db()
    assert (visa.state, visa.expires_on) == (VisaState.APPLIED, None)


# --- the events: arrival, OFII validation ------------------------------------------------------------


def test_manager_records_the_arrival_then_the_ofii_validation(
    login: Any, alice: Any, issued_visa: VisaApplication
) -> None:
    client = login(alice)
    page = client.get(change_url(issued_visa)).content.decode()

    arrived = client.post(action_url(issued_visa, "record_arrival"), {"arrived_on": "2026-11-22"})
    validated = client.post(action_url(issued_visa, "record_ofii_validation"), {"validated_on": "2026-11-23"})

    for name in EVENTS:
        assert action_url(issued_visa, name) in page
    assert (arrived.status_code, validated.status_code) == (302, 302)
    issued_visa.refresh_from_db()
    assert issued_visa.state == VisaState.ISSUED
    assert issued_visa.arrived_on == dt.date(2026, 11, 22)
    assert issued_visa.ofii_validation_deadline == dt.date(2027, 2, 22)  # 3 months (CESEDA R431-16)
    assert issued_visa.ofii_validated_on == dt.date(2026, 11, 23)
    log = logs_of(issued_visa)[-1]
    assert (log.transition, log.source_state, log.target_state, log.actor) == (
        "record_ofii_validation",
        "issued",
        "issued",
        alice,
    )


def test_arrival_outside_the_visas_validity_is_refused_on_the_field_and_nothing_is_saved(
    login: Any, alice: Any, issued_visa: VisaApplication
) -> None:
    logs_before, version = logs_of(issued_visa), issued_visa.version

    response = login(alice).post(action_url(issued_visa, "record_arrival"), {"arrived_on": "2026-10-15"})

    assert response.status_code == 200
    assert "is before “valid from” (2026-11-01)" in response.context["form"].errors["arrived_on"][0]
    issued_visa.refresh_from_db()
    assert (issued_visa.arrived_on, issued_visa.ofii_validation_deadline) == (None, None)
    assert issued_visa.version == version
    assert logs_of(issued_visa) == logs_before


def test_ofii_validation_before_the_arrival_is_refused_on_the_field(
    login: Any, alice: Any, issued_visa: VisaApplication
) -> None:
    client = login(alice)
    client.post(action_url(issued_visa, "record_arrival"), {"arrived_on": "2026-11-22"})
    logs_before = logs_of(issued_visa)

    response = client.post(action_url(issued_visa, "record_ofii_validation"), {"validated_on": "2026-11-21"})

    assert response.status_code == 200
    assert "is before “arrived on” (2026-11-22)" in response.context["form"].errors["validated_on"][0]
    issued_visa.refresh_from_db()
    assert issued_visa.ofii_validated_on is None
    assert logs_of(issued_visa) == logs_before


# --- viewer and outsider -------------------------------------------------------------------------------


def test_viewer_reads_the_visa_without_buttons_and_her_posts_are_refused(
    login: Any, bob: Any, visa: VisaApplication, issued_visa: VisaApplication
) -> None:
    client = login(bob)
    page = client.get(change_url(issued_visa))

    arrival = client.post(action_url(issued_visa, "record_arrival"), {"arrived_on": "2026-11-22"})
    refuse = client.post(action_url(issued_visa, "refuse"), {"decided_on": "2026-11-22"})

    assert page.status_code == 200
    assert "/transition/" not in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert (arrival.status_code, refuse.status_code) == (403, 403)
    issued_visa.refresh_from_db()
    assert (issued_visa.state, issued_visa.arrived_on) == (VisaState.ISSUED, None)


def test_outsider_sees_no_visa_of_another_organisation(
    login: Any, claire: Any, issued_visa: VisaApplication
) -> None:
    client = login(claire)

    listing = client.get(CHANGELIST)
    page = client.get(change_url(issued_visa))
    post = client.post(action_url(issued_visa, "record_arrival"), {"arrived_on": "2026-11-22"})

    assert list(listing.context["cl"].result_list) == []
    assert (page.status_code, page.url) == (302, reverse("admin:index"))
    assert (post.status_code, post.url) == (302, reverse("admin:index"))
    issued_visa.refresh_from_db()
    assert issued_visa.arrived_on is None


def test_nobody_adds_a_visa_by_hand(login: Any, alice: Any) -> None:
    assert login(alice).get(reverse("admin:conventions_visaapplication_add")).status_code == 403


# --- list and read-only blocks -----------------------------------------------------------------------


def test_list_shows_each_visa_with_its_state_and_ofii_deadline(
    login: Any, alice: Any, issued_visa: VisaApplication
) -> None:
    client = login(alice)
    client.post(action_url(issued_visa, "record_arrival"), {"arrived_on": "2026-11-22"})

    content = client.get(CHANGELIST).content.decode()

    assert change_url(issued_visa) in content
    assert "Issued" in content
    assert '<td class="field-ofii_deadline nowrap">2027-02-22</td>' in content
    assert "OFII validation deadline" in content
    assert '<td class="field-days_left">91</td>' in content  # 2026-11-23 to 2027-02-22


def test_why_panel_explains_the_ofii_deadline_and_the_filing_window(
    login: Any, alice: Any, issued_visa: VisaApplication
) -> None:
    client = login(alice)
    before = client.get(change_url(issued_visa)).content.decode()
    client.post(action_url(issued_visa, "record_arrival"), {"arrived_on": "2026-11-22"})

    page = client.get(change_url(issued_visa)).content.decode()

    assert "known once the arrival is recorded" in why_row(before, "ofii_validation_deadline")
    ofii = why_row(page, "ofii_validation_deadline")
    assert "2027-02-22" in ofii
    assert "arrival in France on 2026-11-22 plus 3 months" in ofii
    assert "R431-16" in ofii
    assert "2027-07-03" in why_row(page, "filing_opens_on")  # 2027-10-31 - 120 days (R431-5)
    deadline = why_row(page, "filing_deadline")
    assert "2027-09-01" in deadline
    assert "R431-5" in deadline
    assert reverse("admin:conventions_convention_change", args=[issued_visa.convention_id]) in page
    assert 'class="audit-trail"' in page
