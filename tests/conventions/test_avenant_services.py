"""Avenants: only on a validated convention, one at a time, deadlines from the end date in force."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conventions import services
from conventions.models import Avenant, AvenantState, Convention, ResidencePermitApplication
from conventions.services import TransitionError
from tests.conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def validated(submitted_convention: Convention, alice: Any) -> Convention:
    return services.convention_record_decision(
        actor=alice,
        convention=submitted_convention,
        decision="validated",
        decided_on=dt.date(2026, 11, 20),
        now=NOW,
    )


def test_avenant_needs_a_validated_convention(submitted_convention: Convention, alice: Any) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.avenant_create(
            actor=alice, convention=submitted_convention, requested_end_date=dt.date(2027, 12, 31)
        )
    assert "convention" in excinfo.value.message_dict


def test_avenant_must_extend(validated: Convention, alice: Any) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.avenant_create(actor=alice, convention=validated, requested_end_date=dt.date(2027, 8, 31))
    assert "requested_end_date" in excinfo.value.message_dict


def test_avenant_deadlines(validated: Convention, alice: Any) -> None:
    avenant = services.avenant_create(
        actor=alice, convention=validated, requested_end_date=dt.date(2027, 11, 30), now=NOW
    )
    assert avenant.filing_deadline == dt.date(2027, 8, 16)  # end 2027-08-31 - 15 days (R426-21)
    assert avenant.previous_end_date == dt.date(2027, 8, 31)
    assert avenant.silence_deadline is None


def test_one_open_avenant_at_a_time(validated: Convention, alice: Any) -> None:
    services.avenant_create(
        actor=alice, convention=validated, requested_end_date=dt.date(2027, 11, 30), now=NOW
    )
    with pytest.raises(ValidationError, match="already has an avenant in progress"):
        services.avenant_create(
            actor=alice, convention=validated, requested_end_date=dt.date(2027, 12, 31), now=NOW
        )


def test_documents_loop_restarts_the_fifteen_days(submitted_avenant: Avenant, alice: Any) -> None:
    avenant = submitted_avenant
    waiting = services.avenant_request_documents(
        actor=alice, avenant=avenant, requested_on=dt.date(2026, 11, 22), now=NOW
    )
    assert waiting.silence_deadline is None
    back = services.avenant_receive_documents(
        actor=alice, avenant=avenant, received_on=dt.date(2026, 11, 23), now=NOW
    )
    assert back.silence_deadline == dt.date(2026, 12, 8)  # documents received + 15 days (CRPA L114-5)


def test_explicit_validation_extends_and_opens_the_permit(validated: Convention, alice: Any) -> None:
    avenant = services.avenant_create(
        actor=alice, convention=validated, requested_end_date=dt.date(2027, 11, 30)
    )
    services.avenant_submit(actor=alice, avenant=avenant, received_on=dt.date(2026, 11, 21), now=NOW)
    done = services.avenant_record_decision(
        actor=alice, avenant=avenant, decision="validated", decided_on=dt.date(2026, 11, 23), now=NOW
    )
    assert done.state == AvenantState.VALIDATED
    validated.refresh_from_db()
    assert validated.effective_end_date == dt.date(2027, 11, 30)
    permit = ResidencePermitApplication.objects.get(avenant=done)
    granted_now = NOW.replace(year=2027, month=2, day=1)
    services.permit_file(actor=alice, permit=permit, filed_on=dt.date(2027, 1, 10), now=granted_now)
    granted = services.permit_record_decision(
        actor=alice, permit=permit, decision="granted", decided_on=dt.date(2027, 1, 31), now=granted_now,
        stamp_paid_on=dt.date(2027, 1, 31), card_valid_until=dt.date(2027, 11, 30),
    )  # fmt: skip
    assert granted.state == "granted" and str(granted.stamp_amount_eur) == "75.00"


def test_refused_avenant_keeps_the_end_date(validated: Convention, alice: Any) -> None:
    avenant = services.avenant_create(
        actor=alice, convention=validated, requested_end_date=dt.date(2027, 11, 30)
    )
    services.avenant_submit(actor=alice, avenant=avenant, received_on=dt.date(2026, 11, 21), now=NOW)
    services.avenant_record_decision(
        actor=alice, avenant=avenant, decision="refused", decided_on=dt.date(2026, 11, 23), now=NOW
    )
    validated.refresh_from_db()
    assert validated.effective_end_date == dt.date(2027, 8, 31)
    assert not ResidencePermitApplication.objects.exists()
    with pytest.raises(TransitionError):
        services.avenant_withdraw(actor=alice, avenant=avenant, now=NOW)


def test_viewer_cannot_draft_an_avenant(validated: Convention, bob: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.avenant_create(actor=bob, convention=validated, requested_end_date=dt.date(2027, 11, 30))
