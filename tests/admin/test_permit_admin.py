"""Carte de séjour applications in the admin: the filing window from the visa (CESEDA R431-5), the complete
date and the 90 days of silence after it (R426-17), recorded only through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from conventions import services
from conventions.models import PermitState, ResidencePermitApplication, VisaApplication
from tests.admin.conftest import logs_of, why_row
from tests.conftest import NOW

pytestmark = pytest.mark.django_db


def change_url(permit: ResidencePermitApplication) -> str:
    return reverse("admin:conventions_residencepermitapplication_change", args=[permit.pk])


def action_url(permit: ResidencePermitApplication, name: str) -> str:
    return reverse("admin:conventions_residencepermitapplication_transition", args=[permit.pk, name])


@pytest.fixture
def permit(issued_visa: VisaApplication, alice: Any) -> ResidencePermitApplication:
    """Opened by the validated avenant; the visa expires 2027-10-31: file from 2027-07-03 to 2027-09-01."""
    avenant = services.avenant_create(
        actor=alice, convention=issued_visa.convention, requested_end_date=dt.date(2027, 10, 31), now=NOW
    )
    services.avenant_submit(actor=alice, avenant=avenant, received_on=dt.date(2026, 11, 21), now=NOW)
    services.avenant_record_decision(
        actor=alice, avenant=avenant, decision="validated", decided_on=dt.date(2026, 11, 22), now=NOW
    )
    return ResidencePermitApplication.objects.get(avenant=avenant)


@pytest.fixture
def filed(permit: ResidencePermitApplication, alice: Any) -> ResidencePermitApplication:
    """Filed on 2026-11-20, complete then: silence deadline 2027-02-18."""
    return services.permit_file(actor=alice, permit=permit, filed_on=dt.date(2026, 11, 20), now=NOW)


def test_page_shows_the_filing_window_with_its_rule_and_never_4_months(
    login: Any, alice: Any, permit: ResidencePermitApplication
) -> None:
    client = login(alice)
    page = client.get(change_url(permit)).content.decode()
    form = client.get(action_url(permit, "file")).content.decode()

    assert (permit.filing_opens_on, permit.filing_deadline) == (dt.date(2027, 7, 3), dt.date(2027, 9, 1))
    assert "visa expiry 2027-10-31 minus 120 days" in why_row(page, "filing_opens_on")
    deadline = why_row(page, "filing_deadline")
    assert "visa expiry 2027-10-31 minus 60 days" in deadline
    assert "R431-5" in deadline
    assert "known once the application is filed" in why_row(page, "silence_deadline")
    assert "R426-17" in why_row(page, "silence_deadline")
    for content in (page, form):
        assert "4 months" not in content
        assert "4-month" not in content
    assert "90" in form and "R426-17" in form and 'name="complete_on"' in form


def test_manager_files_with_a_later_complete_date(
    login: Any, alice: Any, permit: ResidencePermitApplication
) -> None:
    response = login(alice).post(
        action_url(permit, "file"),
        {"filed_on": "2026-11-20", "complete_on": "2026-11-23", "prefecture": "Rhône"},
    )

    assert response.status_code == 302
    permit.refresh_from_db()
    assert (permit.state, permit.complete_on) == (PermitState.FILED, dt.date(2026, 11, 23))
    assert permit.silence_deadline == dt.date(2027, 2, 21)  # complete on 2026-11-23 + 90 days


def test_manager_records_the_file_complete_and_the_90_days_restart(
    login: Any, alice: Any, filed: ResidencePermitApplication
) -> None:
    client = login(alice)
    page = client.get(change_url(filed)).content.decode()

    response = client.post(action_url(filed, "record_complete"), {"complete_on": "2026-11-23"})

    assert action_url(filed, "record_complete") in page
    assert response.status_code == 302
    filed.refresh_from_db()
    assert (filed.state, filed.complete_on, filed.silence_deadline) == (
        PermitState.FILED,
        dt.date(2026, 11, 23),
        dt.date(2027, 2, 21),
    )
    log = logs_of(filed)[-1]
    assert (log.transition, log.source_state, log.target_state) == ("record_complete", "filed", "filed")
    silence = why_row(client.get(change_url(filed)).content.decode(), "silence_deadline")
    assert "application filed on 2026-11-20, complete on 2026-11-23, plus 90 days" in silence


def test_complete_before_the_filing_is_refused_on_the_field_and_nothing_is_saved(
    login: Any, alice: Any, filed: ResidencePermitApplication
) -> None:
    logs_before, version = logs_of(filed), filed.version

    response = login(alice).post(action_url(filed, "record_complete"), {"complete_on": "2026-11-19"})

    assert response.status_code == 200
    assert "is before “filed on” (2026-11-20)" in response.context["form"].errors["complete_on"][0]
    filed.refresh_from_db()
    assert (filed.complete_on, filed.silence_deadline, filed.version) == (None, dt.date(2027, 2, 18), version)
    assert logs_of(filed) == logs_before


def test_record_complete_is_not_offered_before_filing(
    login: Any, alice: Any, permit: ResidencePermitApplication
) -> None:
    assert action_url(permit, "record_complete") not in login(alice).get(change_url(permit)).content.decode()


def test_viewer_and_outsider_cannot_record_the_file_complete(
    login: Any, bob: Any, claire: Any, filed: ResidencePermitApplication
) -> None:
    url = action_url(filed, "record_complete")
    page = login(bob).get(change_url(filed)).content.decode()

    viewer = login(bob).post(url, {"complete_on": "2026-11-23"})
    outsider = login(claire).post(url, {"complete_on": "2026-11-23"})

    assert url not in page
    assert (viewer.status_code, outsider.status_code, outsider.url) == (403, 302, reverse("admin:index"))
    filed.refresh_from_db()
    assert filed.complete_on is None


def test_list_counts_days_to_the_filing_deadline_while_to_file(
    login: Any, alice: Any, permit: ResidencePermitApplication
) -> None:
    content = login(alice).get(reverse("admin:conventions_residencepermitapplication_changelist")).content
    # 2026-11-23 to 2027-09-01, the last day to file (R431-5).
    assert '<td class="field-days_left">282</td>' in content.decode()
