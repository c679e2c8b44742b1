"""The RULES v2 data migrations, run as functions on rows made by the services (migrations 0007, 0008)."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps

from conventions import services
from conventions.models import (
    Avenant,
    Convention,
    LegalParameter,
    ResidencePermitApplication,
    VisaApplication,
)
from tests.conftest import NOW, PARIS

pytestmark = pytest.mark.django_db

parameters = importlib.import_module("conventions.migrations.0007_rules_v2_legal_parameters")
stored_files = importlib.import_module("conventions.migrations.0008_rules_v2_visas_and_permit_dates")
HOSPITAL = "hospital_hourly_gratification_minimum"


def rows(key: str) -> list[tuple[str, str]]:
    found = LegalParameter.objects.filter(key=key).order_by("effective_from")
    return [(row.effective_from.isoformat(), str(row.value)) for row in found]


def test_legal_parameters_follow_rules_v2() -> None:
    assert rows(HOSPITAL) == [
        ("2020-01-01", "3.90"),
        ("2023-01-01", "4.05"),
        ("2024-01-01", "4.35"),
        ("2026-01-01", "4.50"),
    ]
    smic = rows("smic_monthly_gross")
    assert smic[0] == ("2022-01-01", "1603.12") and smic[-1] == ("2026-06-01", "1867.02")
    assert len(smic) == 9


def test_legal_parameters_reverse_and_replay() -> None:
    parameters.backward(apps, None)
    assert ("2022-01-01", "3.90") in rows(HOSPITAL) and ("2020-01-01", "3.90") not in rows(HOSPITAL)
    assert ("2026-06-01", "1867.02") not in rows("smic_monthly_gross")
    parameters.forward(apps, None)
    parameters.forward(apps, None)  # twice: nothing more
    assert len(rows(HOSPITAL)) == 4 and len(rows("smic_monthly_gross")) == 9


def test_a_corrected_dropped_row_is_kept() -> None:
    parameters.backward(apps, None)
    LegalParameter.objects.filter(key=HOSPITAL, effective_from=dt.date(2025, 1, 1)).update(
        value=Decimal("4.40")
    )
    parameters.forward(apps, None)
    assert ("2025-01-01", "4.40") in rows(HOSPITAL)
    assert ("2022-01-01", "3.90") not in rows(HOSPITAL)


def test_validated_conventions_get_their_visa(training_convention: Convention, make_convention: Any) -> None:
    draft = make_convention()
    VisaApplication.objects.all().delete()
    stored_files.open_visas(apps, None)
    stored_files.open_visas(apps, None)
    assert list(VisaApplication.objects.values_list("convention_id", "state")) == [
        (training_convention.pk, "to_apply")
    ]
    assert not VisaApplication.objects.filter(convention=draft).exists()


@pytest.fixture
def permit(submitted_avenant: Avenant, alice: Any) -> ResidencePermitApplication:
    services.avenant_record_decision(
        actor=alice,
        avenant=submitted_avenant,
        decision="validated",
        decided_on=dt.date(2026, 11, 23),
        now=NOW,
    )
    return ResidencePermitApplication.objects.get(avenant=submitted_avenant)


def test_permit_deadlines_become_ninety_days(permit: ResidencePermitApplication, alice: Any) -> None:
    january = dt.datetime(2027, 1, 20, 10, 0, tzinfo=PARIS)
    services.permit_file(actor=alice, permit=permit, filed_on=dt.date(2027, 1, 5), now=january)
    four_months = dt.date(2027, 5, 5)  # what version 1 stored
    ResidencePermitApplication.objects.update(silence_deadline=four_months)
    stored_files.permit_silence_90_days(apps, None)
    permit.refresh_from_db()
    assert permit.silence_deadline == dt.date(2027, 4, 5)
    ResidencePermitApplication.objects.update(complete_on=dt.date(2027, 1, 15))
    stored_files.permit_silence_90_days(apps, None)
    permit.refresh_from_db()
    assert permit.silence_deadline == dt.date(2027, 4, 15)  # from the complete file
    stored_files.permit_silence_4_months(apps, None)
    permit.refresh_from_db()
    assert permit.silence_deadline == four_months


def test_an_implicit_refusal_keeps_its_deadline(permit: ResidencePermitApplication, alice: Any) -> None:
    january = dt.datetime(2027, 1, 20, 10, 0, tzinfo=PARIS)
    services.permit_file(actor=alice, permit=permit, filed_on=dt.date(2027, 1, 5), now=january)
    services.sweep_deadlines(today=dt.date(2027, 4, 6))
    ResidencePermitApplication.objects.update(silence_deadline=dt.date(2027, 4, 1))
    stored_files.permit_silence_90_days(apps, None)
    permit.refresh_from_db()
    assert (permit.state, permit.silence_deadline) == ("refused_by_silence", dt.date(2027, 4, 1))


def test_filing_window_from_the_visa(
    training_convention: Convention, permit: ResidencePermitApplication, alice: Any
) -> None:
    stored_files.permit_filing_window(apps, None)  # no visa expiry yet: nothing to set
    permit.refresh_from_db()
    assert permit.filing_deadline is None
    VisaApplication.objects.update(expires_on=dt.date(2028, 2, 19))
    stored_files.permit_filing_window(apps, None)
    permit.refresh_from_db()
    assert (permit.filing_opens_on, permit.filing_deadline) == (dt.date(2027, 10, 22), dt.date(2027, 12, 21))


def test_prior_extensions_counted_for_existing_avenants(training_convention: Convention, alice: Any) -> None:
    ids = []
    for end, decision in [(dt.date(2027, 10, 31), "refused"), (dt.date(2027, 11, 30), "validated")]:
        avenant = services.avenant_create(
            actor=alice, convention=training_convention, requested_end_date=end, now=NOW
        )
        services.avenant_submit(actor=alice, avenant=avenant, received_on=dt.date(2026, 11, 21), now=NOW)
        services.avenant_record_decision(
            actor=alice, avenant=avenant, decision=decision, decided_on=dt.date(2026, 11, 23), now=NOW
        )
        ids.append(avenant.pk)
    last = services.avenant_create(
        actor=alice, convention=training_convention, requested_end_date=dt.date(2027, 12, 31), now=NOW
    )
    ids.append(last.pk)
    Avenant.objects.update(prior_extensions=0)
    stored_files.count_prior_extensions(apps, None)
    counted = dict(Avenant.objects.values_list("pk", "prior_extensions"))
    assert [counted[pk] for pk in ids] == [0, 0, 1]
