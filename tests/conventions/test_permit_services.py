"""Carte de séjour applications: filing window from the visa (R431-5), 90 days from the complete file."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from conventions import services
from conventions.models import (
    Avenant,
    Convention,
    PermitState,
    ResidencePermitApplication,
    TransitionLog,
    VisaApplication,
)
from conventions.services import TransitionError
from tests.conftest import NOW, PARIS

pytestmark = pytest.mark.django_db

EXPIRES_ON = dt.date(2028, 2, 19)
OPENS = dt.date(2027, 10, 22)  # expiry - 120 days (CESEDA R431-5 1°)
DEADLINE = dt.date(2027, 12, 21)  # expiry - 60 days
JANUARY = dt.datetime(2027, 1, 20, 10, 0, tzinfo=PARIS)


def logs(obj: Any) -> list[TransitionLog]:
    ct = ContentType.objects.get_for_model(type(obj))
    return list(TransitionLog.objects.filter(content_type=ct, object_id=obj.pk).order_by("pk"))


def issue_visa(convention: Convention, actor: Any, expires_on: dt.date = EXPIRES_ON) -> VisaApplication:
    visa = convention.visa
    services.visa_apply(actor=actor, visa=visa, applied_on=dt.date(2026, 11, 21), now=NOW)
    return services.visa_record_decision(
        actor=actor, visa=visa, decision="issued", decided_on=dt.date(2026, 11, 22), expires_on=expires_on,
        now=NOW,
    )  # fmt: skip


def validate_avenant(avenant: Avenant, actor: Any) -> ResidencePermitApplication:
    services.avenant_record_decision(
        actor=actor, avenant=avenant, decision="validated", decided_on=dt.date(2026, 11, 23), now=NOW
    )
    return ResidencePermitApplication.objects.get(avenant=avenant)


@pytest.fixture
def permit(submitted_avenant: Avenant, alice: Any) -> ResidencePermitApplication:
    return validate_avenant(submitted_avenant, alice)


@pytest.fixture
def filed(permit: ResidencePermitApplication, alice: Any) -> ResidencePermitApplication:
    return services.permit_file(actor=alice, permit=permit, filed_on=dt.date(2027, 1, 5), now=JANUARY)


def test_window_set_when_the_avenant_is_validated(
    training_convention: Convention, submitted_avenant: Avenant, alice: Any
) -> None:
    issue_visa(training_convention, alice)
    permit = validate_avenant(submitted_avenant, alice)
    assert (permit.filing_opens_on, permit.filing_deadline) == (OPENS, DEADLINE)


def test_window_set_when_the_avenant_is_accepted_by_silence(
    training_convention: Convention, submitted_avenant: Avenant, alice: Any
) -> None:
    issue_visa(training_convention, alice)
    services.sweep_deadlines(today=dt.date(2026, 12, 7))
    permit = ResidencePermitApplication.objects.get(avenant=submitted_avenant)
    assert (permit.filing_opens_on, permit.filing_deadline) == (OPENS, DEADLINE)


def test_window_unknown_until_the_visa_is_issued(
    training_convention: Convention, permit: ResidencePermitApplication, alice: Any
) -> None:
    assert (permit.filing_opens_on, permit.filing_deadline) == (None, None)
    issue_visa(training_convention, alice)
    permit.refresh_from_db()
    assert (permit.filing_opens_on, permit.filing_deadline) == (OPENS, DEADLINE)
    services.visa_set_validity(
        actor=alice, visa=training_convention.visa, expires_on=dt.date(2028, 3, 31), now=NOW
    )
    permit.refresh_from_db()
    assert (permit.filing_opens_on, permit.filing_deadline) == (dt.date(2027, 12, 2), dt.date(2028, 1, 31))


def test_a_filed_application_keeps_its_window(
    training_convention: Convention, filed: ResidencePermitApplication, alice: Any
) -> None:
    issue_visa(training_convention, alice)
    filed.refresh_from_db()
    assert (filed.filing_opens_on, filed.filing_deadline) == (None, None)


def test_file_starts_ninety_days(filed: ResidencePermitApplication) -> None:
    assert filed.state == PermitState.FILED and filed.complete_on is None
    assert filed.silence_deadline == dt.date(2027, 4, 5)  # filed 2027-01-05 + 90 days (CESEDA R426-17)


def test_file_with_a_later_complete_date(permit: ResidencePermitApplication, alice: Any) -> None:
    filed = services.permit_file(
        actor=alice,
        permit=permit,
        filed_on=dt.date(2027, 1, 5),
        complete_on=dt.date(2027, 1, 15),
        now=JANUARY,
    )
    assert filed.complete_on == dt.date(2027, 1, 15)
    assert filed.silence_deadline == dt.date(2027, 4, 15)


@pytest.mark.parametrize(
    ("filed_on", "complete_on", "field"),
    [
        (dt.date(2027, 1, 5), dt.date(2027, 1, 4), "complete_on"),  # before the filing
        (dt.date(2027, 1, 5), dt.date(2027, 1, 21), "complete_on"),  # future
        (dt.date(2027, 1, 21), None, "filed_on"),  # future
    ],
)
def test_bad_filing_dates_write_nothing(
    permit: ResidencePermitApplication,
    alice: Any,
    filed_on: dt.date,
    complete_on: dt.date | None,
    field: str,
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.permit_file(
            actor=alice, permit=permit, filed_on=filed_on, complete_on=complete_on, now=JANUARY
        )
    assert list(excinfo.value.message_dict) == [field]
    permit.refresh_from_db()
    assert (permit.state, permit.filed_on, permit.complete_on, permit.silence_deadline) == (
        PermitState.TO_FILE,
        None,
        None,
        None,
    )


def test_record_complete_moves_the_deadline_and_is_audited(
    filed: ResidencePermitApplication, alice: Any
) -> None:
    done = services.permit_record_complete(
        actor=alice, permit=filed, complete_on=dt.date(2027, 1, 19), comment="Photos received", now=JANUARY
    )
    assert (done.complete_on, done.silence_deadline) == (dt.date(2027, 1, 19), dt.date(2027, 4, 19))
    assert done.version == filed.version + 1
    log = logs(done)[-1]
    assert (log.transition, log.source_state, log.target_state, log.comment, log.actor) == (
        "record_complete",
        "filed",
        "filed",
        "Photos received",
        alice,
    )
    assert services.sweep_deadlines(today=dt.date(2027, 4, 6)).permits_refused == []


@pytest.mark.parametrize("day", [dt.date(2027, 1, 4), dt.date(2027, 1, 21)])  # before filing; future
def test_bad_complete_date_writes_nothing(
    filed: ResidencePermitApplication, alice: Any, day: dt.date
) -> None:
    count = len(logs(filed))
    with pytest.raises(ValidationError) as excinfo:
        services.permit_record_complete(actor=alice, permit=filed, complete_on=day, now=JANUARY)
    assert list(excinfo.value.message_dict) == ["complete_on"]
    filed.refresh_from_db()
    assert (filed.complete_on, filed.silence_deadline, len(logs(filed))) == (None, dt.date(2027, 4, 5), count)


def test_record_complete_needs_a_filed_application(permit: ResidencePermitApplication, alice: Any) -> None:
    with pytest.raises(TransitionError, match="To file"):
        services.permit_record_complete(
            actor=alice, permit=permit, complete_on=dt.date(2027, 1, 5), now=JANUARY
        )


@pytest.mark.parametrize("persona", ["bob", "claire"])
def test_viewer_and_outsider_cannot_record_the_complete_date(
    filed: ResidencePermitApplication, persona: str, request: pytest.FixtureRequest
) -> None:
    with pytest.raises(PermissionDenied):
        services.permit_record_complete(
            actor=request.getfixturevalue(persona),
            permit=filed,
            complete_on=dt.date(2027, 1, 10),
            now=JANUARY,
        )
    filed.refresh_from_db()
    assert filed.complete_on is None
