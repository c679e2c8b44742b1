"""Avenants and carte de séjour applications in the admin: drafted and moved through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from conventions import services
from conventions.models import (
    Avenant,
    AvenantState,
    Channel,
    Convention,
    PermitState,
    ResidencePermitApplication,
    TransitionLog,
)
from tests.conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def validated(make_convention: Any, alice: Any) -> Convention:
    """A stage from 2026-06-01 to 2026-11-30, validated in April."""
    convention = make_convention(start_date=dt.date(2026, 6, 1), end_date=dt.date(2026, 11, 30))
    services.convention_submit(actor=alice, convention=convention, received_on=dt.date(2026, 3, 20), now=NOW)
    return services.convention_record_decision(
        actor=alice, convention=convention, decision="validated", decided_on=dt.date(2026, 4, 10), now=NOW
    )


def avenant_transition(avenant: Avenant, name: str) -> str:
    return reverse("admin:conventions_avenant_transition", args=[avenant.pk, name])


def test_manager_drafts_an_avenant_through_the_service(login: Any, alice: Any, validated: Convention) -> None:
    response = login(alice).post(
        reverse("admin:conventions_avenant_add"),
        {"convention": validated.pk, "requested_end_date": "2027-02-28", "reason": "More time"},
    )

    assert response.status_code == 302
    avenant = Avenant.objects.get()
    assert (avenant.state, avenant.previous_end_date) == (AvenantState.DRAFT, dt.date(2026, 11, 30))
    assert avenant.filing_deadline == dt.date(2026, 11, 15)
    log = TransitionLog.objects.get(
        content_type=ContentType.objects.get_for_model(Avenant), object_id=avenant.pk
    )
    assert (log.transition, log.channel) == ("create", Channel.ADMIN)


def test_avenant_that_does_not_extend_is_refused_on_the_field(
    login: Any, alice: Any, validated: Convention
) -> None:
    response = login(alice).post(
        reverse("admin:conventions_avenant_add"),
        {"convention": validated.pk, "requested_end_date": "2026-10-01", "reason": ""},
    )

    assert response.status_code == 200
    assert "does not extend" in str(response.context["adminform"].form.errors["requested_end_date"])
    assert not Avenant.objects.exists()


def test_avenant_form_offers_only_validated_conventions(
    login: Any, alice: Any, validated: Convention, make_convention: Any
) -> None:
    make_convention()  # a draft: cannot be extended

    form = login(alice).get(reverse("admin:conventions_avenant_add")).context["adminform"].form

    assert list(form.fields["convention"].queryset) == [validated]


def test_avenant_submit_and_validation_open_the_permit_which_is_filed_from_the_admin(
    login: Any, alice: Any, validated: Convention
) -> None:
    avenant = services.avenant_create(
        actor=alice, convention=validated, requested_end_date=dt.date(2027, 2, 28), now=NOW
    )
    client = login(alice)

    page = client.get(reverse("admin:conventions_avenant_change", args=[avenant.pk])).content.decode()
    submitted = client.post(avenant_transition(avenant, "submit"), {"received_on": "2026-11-10"})
    decided = client.post(
        avenant_transition(avenant, "validate"), {"decided_on": "2026-11-20", "reference": "A-1"}
    )
    permit = ResidencePermitApplication.objects.get(avenant=avenant)
    permit_page = client.get(reverse("admin:conventions_residencepermitapplication_change", args=[permit.pk]))
    filed = client.post(
        reverse("admin:conventions_residencepermitapplication_transition", args=[permit.pk, "file"]),
        {"filed_on": "2026-11-23", "prefecture": "Préfecture du Rhône"},
    )

    assert avenant_transition(avenant, "submit") in page
    assert "accept_by_silence" not in page
    assert (submitted.status_code, decided.status_code, filed.status_code) == (302, 302, 302)
    avenant.refresh_from_db()
    assert avenant.state == AvenantState.VALIDATED
    assert "75.00" in permit_page.content.decode()  # the stamp, with its source in the "why" block
    permit.refresh_from_db()
    # 90 days of silence after the (complete) filing, not the general 4 months (CESEDA R426-17).
    assert (permit.state, permit.silence_deadline) == (PermitState.FILED, dt.date(2027, 2, 21))
    assert "R426-17" in client.get(permit_page.request["PATH_INFO"]).content.decode()


def test_viewer_cannot_file_a_permit(login: Any, bob: Any, alice: Any, validated: Convention) -> None:
    avenant = services.avenant_create(
        actor=alice, convention=validated, requested_end_date=dt.date(2027, 2, 28), now=NOW
    )
    services.avenant_submit(actor=alice, avenant=avenant, received_on=dt.date(2026, 11, 10), now=NOW)
    services.avenant_record_decision(
        actor=alice, avenant=avenant, decision="validated", decided_on=dt.date(2026, 11, 20), now=NOW
    )
    permit = ResidencePermitApplication.objects.get(avenant=avenant)

    response = login(bob).post(
        reverse("admin:conventions_residencepermitapplication_transition", args=[permit.pk, "file"]),
        {"filed_on": "2026-11-23"},
    )

    assert response.status_code == 403
    permit.refresh_from_db()
    assert permit.state == PermitState.TO_FILE
