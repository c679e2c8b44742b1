"""Transition log, legal parameters, organisations and checklist items in the admin."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from conventions.models import Convention, DocumentItem, DocumentStatus, LegalParameter, TransitionLog
from hostportal.models import Organisation
from tests.admin.conftest import change_form_data
from tests.factories import make_siret

pytestmark = pytest.mark.django_db


# --- transition log ----------------------------------------------------------------------------------


def test_transition_log_is_read_only_and_scoped(
    login: Any,
    alice: Any,
    bob: Any,
    claire: Any,
    submitted_convention: Convention,
    chu_convention: Convention,
) -> None:
    acme_log = TransitionLog.objects.filter(organisation=submitted_convention.organisation).first()
    assert acme_log is not None
    changelist = reverse("admin:conventions_transitionlog_changelist")
    change = reverse("admin:conventions_transitionlog_change", args=[acme_log.pk])

    alices = login(alice).get(changelist).context["cl"].result_list
    claires = login(claire).get(changelist).context["cl"].result_list
    viewer_page = login(bob).get(change)

    assert {log.organisation_id for log in alices} == {submitted_convention.organisation_id}
    assert {log.organisation_id for log in claires} == {chu_convention.organisation_id}
    assert viewer_page.status_code == 200
    assert login(alice).get(reverse("admin:conventions_transitionlog_add")).status_code == 403
    assert login(alice).post(change, {"comment": "rewritten"}).status_code == 403
    acme_log.refresh_from_db()
    assert acme_log.comment != "rewritten"


def test_transition_log_filters_by_channel(login: Any, alice: Any, submitted_convention: Convention) -> None:
    changelist = reverse("admin:conventions_transitionlog_changelist")

    web = login(alice).get(changelist, {"channel__exact": "web"}).context["cl"].result_list
    admin = login(alice).get(changelist, {"channel__exact": "admin"}).context["cl"].result_list

    assert {log.transition for log in web} == {"create", "submit"}
    assert list(admin) == []


# --- legal parameters ----------------------------------------------------------------------------


@pytest.fixture
def parameter(db: Any) -> LegalParameter:
    return LegalParameter.objects.get_or_create(
        key="smic_monthly_gross",
        effective_from=dt.date(2026, 1, 1),
        defaults={"value": Decimal("1823.03"), "source": "SMIC decree"},
    )[0]


def test_members_read_legal_parameters_but_only_operators_change_them(
    login: Any, alice: Any, operator: Any, parameter: LegalParameter
) -> None:
    url = reverse("admin:conventions_legalparameter_change", args=[parameter.pk])
    data = {
        "key": parameter.key,
        "effective_from": "2026-01-01",
        "value": "1830.00",
        "source": parameter.source,
    }

    member_view = login(alice).get(url)
    member_post = login(alice).post(url, data)
    parameter.refresh_from_db()
    value_after_member = parameter.value
    operator_post = login(operator).post(url, data)
    history = login(operator).get(reverse("admin:conventions_legalparameter_history", args=[parameter.pk]))

    assert member_view.status_code == 200
    assert member_post.status_code == 403
    assert value_after_member == Decimal("1823.03")
    assert operator_post.status_code == 302
    parameter.refresh_from_db()
    assert parameter.value == Decimal("1830.00")
    assert parameter.history.latest().history_user == operator
    assert "1830.00" in history.content.decode()


# --- organisations --------------------------------------------------------------------------------


def test_members_see_their_organisation_only(login: Any, alice: Any, claire: Any, acme: Organisation) -> None:
    changelist = reverse("admin:hostportal_organisation_changelist")

    alices = list(login(alice).get(changelist).context["cl"].result_list)
    claire_on_acme = login(claire).get(reverse("admin:hostportal_organisation_change", args=[acme.pk]))

    assert alices == [acme]
    assert claire_on_acme.status_code == 302


def test_manager_edits_contact_details_but_not_the_siret_and_viewer_cannot_edit(
    login: Any, alice: Any, bob: Any, acme: Organisation
) -> None:
    url = reverse("admin:hostportal_organisation_change", args=[acme.pk])
    page = login(alice).get(url)
    data = change_form_data(page)
    data["contact_email"] = "hr@acme.example"

    viewer = login(bob).post(url, data)
    manager = login(alice).post(url, data)

    assert "siret" not in page.context["adminform"].form.fields
    assert viewer.status_code == 403
    assert manager.status_code == 302
    acme.refresh_from_db()
    assert acme.contact_email == "hr@acme.example"


def test_operator_creates_an_organisation_with_a_valid_siret_only(login: Any, operator: Any) -> None:
    add = reverse("admin:hostportal_organisation_add")
    data = {
        "name": "Clinique du Parc", "kind": "health", "address": "", "contact_email": "rh@clinique.example",
        "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
    }  # fmt: skip

    bad = login(operator).post(add, {**data, "siret": "12345678901234"})
    created_without_valid_siret = Organisation.objects.filter(name="Clinique du Parc").exists()
    good = login(operator).post(add, {**data, "siret": make_siret()})

    assert bad.status_code == 200
    assert "siret" in bad.context["adminform"].form.errors
    assert not created_without_valid_siret
    assert good.status_code == 302
    assert Organisation.objects.filter(name="Clinique du Parc").exists()


def test_only_operators_add_organisations(login: Any, alice: Any) -> None:
    assert login(alice).get(reverse("admin:hostportal_organisation_add")).status_code == 403


# --- checklist items -----------------------------------------------------------------------------


def test_rejecting_a_document_requires_a_reason(login: Any, alice: Any, make_convention: Any) -> None:
    convention = make_convention()
    item = DocumentItem.objects.filter(convention=convention).first()
    assert item is not None
    url = reverse("admin:conventions_documentitem_change", args=[item.pk])
    client = login(alice)
    data = change_form_data(client.get(url))

    without = client.post(url, {**data, "status": DocumentStatus.REJECTED, "rejection_reason": ""})
    item.refresh_from_db()
    status_after_refusal = item.status
    with_reason = client.post(url, {**data, "status": DocumentStatus.REJECTED, "rejection_reason": "Expired"})

    assert without.status_code == 200
    assert "rejection_reason" in without.context["adminform"].form.errors
    assert status_after_refusal == DocumentStatus.MISSING
    assert with_reason.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.rejection_reason) == (DocumentStatus.REJECTED, "Expired")


def test_checklist_inline_on_the_convention_saves_through_the_service(
    login: Any, alice: Any, make_convention: Any
) -> None:
    convention = make_convention()
    url = reverse("admin:conventions_convention_change", args=[convention.pk])
    client = login(alice)
    data = change_form_data(client.get(url))
    prefix = next(key for key in data if key.endswith("-0-status")).removesuffix("-0-status")
    data[f"{prefix}-0-status"] = DocumentStatus.VERIFIED

    response = client.post(url, data)

    assert response.status_code == 302
    item = DocumentItem.objects.get(pk=data[f"{prefix}-0-id"])
    assert item.status == DocumentStatus.VERIFIED
    assert item.history.latest().history_user == alice
