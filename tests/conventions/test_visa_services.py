"""The long-stay visa step: opened by the validation, applied, issued or refused, arrival, OFII validation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from conventions import services
from conventions.models import Convention, TransitionLog, VisaApplication, VisaState
from conventions.services import TransitionError
from tests.conftest import NOW, PARIS

pytestmark = pytest.mark.django_db

ISSUED_ON = dt.date(2026, 11, 23)
VALID_FROM = dt.date(2027, 2, 20)
EXPIRES_ON = dt.date(2028, 2, 19)
SPRING = dt.datetime(2027, 3, 28, 10, 0, tzinfo=PARIS)  # the DST change day, after the arrival


def logs(obj: Any) -> list[TransitionLog]:
    ct = ContentType.objects.get_for_model(type(obj))
    return list(TransitionLog.objects.filter(content_type=ct, object_id=obj.pk).order_by("pk"))


def snapshot(visa: VisaApplication) -> tuple[Any, ...]:
    visa.refresh_from_db()
    return (
        visa.state,
        visa.version,
        visa.arrived_on,
        visa.ofii_validated_on,
        visa.expires_on,
        len(logs(visa)),
    )


@pytest.fixture
def visa(training_convention: Convention) -> VisaApplication:
    return training_convention.visa


@pytest.fixture
def issued(visa: VisaApplication, alice: Any) -> VisaApplication:
    services.visa_apply(actor=alice, visa=visa, applied_on=dt.date(2026, 11, 21), consulate="Dakar", now=NOW)
    return services.visa_record_decision(
        actor=alice,
        visa=visa,
        decision="issued",
        decided_on=ISSUED_ON,
        reference="VLS-123",
        valid_from=VALID_FROM,
        expires_on=EXPIRES_ON,
        now=NOW,
    )


def test_validation_opens_the_visa_step(training_convention: Convention) -> None:
    visa = VisaApplication.objects.get(convention=training_convention)
    assert visa.state == VisaState.TO_APPLY
    assert visa.organisation_id == training_convention.organisation_id


def test_refused_or_waiting_conventions_have_no_visa(submitted_convention: Convention, alice: Any) -> None:
    services.convention_record_decision(
        actor=alice, convention=submitted_convention, decision="refused", decided_on=ISSUED_ON, now=NOW
    )
    assert not VisaApplication.objects.exists()


def test_opening_twice_keeps_one_visa(training_convention: Convention) -> None:
    again = services.visa_open(convention=training_convention)
    assert again.pk == training_convention.visa.pk
    assert VisaApplication.objects.count() == 1


def test_apply_then_issue(issued: VisaApplication) -> None:
    assert issued.state == VisaState.ISSUED
    assert (issued.applied_on, issued.consulate) == (dt.date(2026, 11, 21), "Dakar")
    assert (issued.decision_on, issued.decision_reference) == (ISSUED_ON, "VLS-123")
    assert (issued.valid_from, issued.expires_on) == (VALID_FROM, EXPIRES_ON)
    assert [(log.transition, log.source_state, log.target_state) for log in logs(issued)] == [
        ("apply", "to_apply", "applied"),
        ("issue", "applied", "issued"),
    ]


def test_refused_visa(visa: VisaApplication, alice: Any) -> None:
    services.visa_apply(actor=alice, visa=visa, applied_on=dt.date(2026, 11, 21), now=NOW)
    refused = services.visa_record_decision(
        actor=alice, visa=visa, decision="refused", decided_on=ISSUED_ON, now=NOW
    )
    assert refused.state == VisaState.REFUSED and refused.expires_on is None
    with pytest.raises(TransitionError):
        services.visa_record_arrival(actor=alice, visa=visa, arrived_on=ISSUED_ON, now=NOW)


def test_apply_in_the_future_writes_nothing(visa: VisaApplication, alice: Any) -> None:
    before = snapshot(visa)
    with pytest.raises(ValidationError) as excinfo:
        services.visa_apply(actor=alice, visa=visa, applied_on=dt.date(2026, 11, 24), now=NOW)
    assert "applied_on" in excinfo.value.message_dict
    assert snapshot(visa) == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"decision": "granted"}, "decision"),
        ({"decided_on": dt.date(2026, 11, 24)}, "decision_on"),  # future
        ({"decided_on": dt.date(2026, 11, 20)}, "decision_on"),  # before applied_on
        ({"expires_on": None}, "expires_on"),  # an issued visa needs its expiry
        ({"expires_on": VALID_FROM}, "expires_on"),  # not after valid_from
    ],
)
def test_bad_decision_names_the_field(
    visa: VisaApplication, alice: Any, changes: dict[str, Any], field: str
) -> None:
    services.visa_apply(actor=alice, visa=visa, applied_on=dt.date(2026, 11, 21), now=NOW)
    before = snapshot(visa)
    arguments: dict[str, Any] = {
        "decision": "issued",
        "decided_on": ISSUED_ON,
        "valid_from": VALID_FROM,
        "expires_on": EXPIRES_ON,
    } | changes
    with pytest.raises(ValidationError) as excinfo:
        services.visa_record_decision(actor=alice, visa=visa, now=NOW, **arguments)
    assert list(excinfo.value.message_dict) == [field]
    assert snapshot(visa) == before


@pytest.mark.parametrize("persona", ["bob", "claire"])
def test_viewer_and_outsider_cannot_change_the_visa(
    visa: VisaApplication, persona: str, request: pytest.FixtureRequest
) -> None:
    actor = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.visa_apply(actor=actor, visa=visa, applied_on=dt.date(2026, 11, 21), now=NOW)
    assert snapshot(visa)[0] == VisaState.TO_APPLY


@pytest.mark.parametrize("persona", ["bob", "claire"])
def test_viewer_and_outsider_cannot_record_the_arrival(
    issued: VisaApplication, persona: str, request: pytest.FixtureRequest
) -> None:
    actor = request.getfixturevalue(persona)
    before = snapshot(issued)
    with pytest.raises(PermissionDenied):
        services.visa_record_arrival(actor=actor, visa=issued, arrived_on=dt.date(2027, 2, 25), now=SPRING)
    assert snapshot(issued) == before


def test_arrival_sets_the_ofii_deadline_and_is_audited(issued: VisaApplication, alice: Any) -> None:
    arrived = services.visa_record_arrival(
        actor=alice, visa=issued, arrived_on=dt.date(2027, 2, 25), channel="api", now=SPRING
    )
    assert arrived.ofii_validation_deadline == dt.date(2027, 5, 25)  # + 3 months (CESEDA R431-16)
    assert arrived.state == VisaState.ISSUED and arrived.version == issued.version + 1
    log = logs(arrived)[-1]
    assert (log.transition, log.source_state, log.target_state, log.channel, log.actor) == (
        "record_arrival",
        "issued",
        "issued",
        "api",
        alice,
    )
    assert arrived.history.latest().history_user == alice


def test_arrival_at_a_month_end_clamps(issued: VisaApplication, alice: Any) -> None:
    december = dt.datetime(2027, 12, 1, 10, 0, tzinfo=PARIS)
    arrived = services.visa_record_arrival(
        actor=alice, visa=issued, arrived_on=dt.date(2027, 11, 30), now=december
    )
    assert arrived.ofii_validation_deadline == dt.date(2028, 2, 29)  # leap year, clamped to the month end


def test_validity_can_be_corrected(issued: VisaApplication, alice: Any) -> None:
    corrected = services.visa_set_validity(
        actor=alice, visa=issued, valid_from=VALID_FROM, expires_on=dt.date(2028, 2, 29), now=NOW
    )
    assert corrected.expires_on == dt.date(2028, 2, 29)
    assert logs(corrected)[-1].transition == "set_validity"
    with pytest.raises(ValidationError) as excinfo:
        services.visa_set_validity(
            actor=alice, visa=issued, valid_from=VALID_FROM, expires_on=dt.date(2027, 2, 1), now=NOW
        )
    assert "“valid from” (2027-02-20)" in excinfo.value.message_dict["expires_on"][0]


@pytest.mark.parametrize(
    "day",
    [
        dt.date(2027, 3, 29),  # in the future
        dt.date(2027, 2, 19),  # before the visa is valid
    ],
)
def test_bad_arrival_writes_nothing(issued: VisaApplication, alice: Any, day: dt.date) -> None:
    before = snapshot(issued)
    with pytest.raises(ValidationError) as excinfo:
        services.visa_record_arrival(actor=alice, visa=issued, arrived_on=day, now=SPRING)
    assert list(excinfo.value.message_dict) == ["arrived_on"]
    assert snapshot(issued) == before


def test_arrival_after_the_visa_expired_is_refused(issued: VisaApplication, alice: Any) -> None:
    later = dt.datetime(2028, 3, 1, 10, 0, tzinfo=PARIS)
    with pytest.raises(ValidationError) as excinfo:
        services.visa_record_arrival(actor=alice, visa=issued, arrived_on=dt.date(2028, 2, 20), now=later)
    assert "“expires on” (2028-02-19)" in excinfo.value.message_dict["arrived_on"][0]


def test_arrival_needs_an_issued_visa(visa: VisaApplication, alice: Any) -> None:
    with pytest.raises(TransitionError, match="To apply"):
        services.visa_record_arrival(actor=alice, visa=visa, arrived_on=dt.date(2026, 11, 20), now=NOW)


def test_ofii_validation(issued: VisaApplication, alice: Any) -> None:
    services.visa_record_arrival(actor=alice, visa=issued, arrived_on=dt.date(2027, 2, 25), now=SPRING)
    done = services.visa_record_ofii_validation(
        actor=alice, visa=issued, validated_on=dt.date(2027, 3, 28), now=SPRING
    )
    assert done.ofii_validated_on == dt.date(2027, 3, 28)
    assert logs(done)[-1].transition == "record_ofii_validation"


@pytest.mark.parametrize("day", [dt.date(2027, 2, 24), dt.date(2027, 3, 29)])  # before arrival; future
def test_bad_ofii_validation_writes_nothing(issued: VisaApplication, alice: Any, day: dt.date) -> None:
    services.visa_record_arrival(actor=alice, visa=issued, arrived_on=dt.date(2027, 2, 25), now=SPRING)
    before = snapshot(issued)
    with pytest.raises(ValidationError) as excinfo:
        services.visa_record_ofii_validation(actor=alice, visa=issued, validated_on=day, now=SPRING)
    assert list(excinfo.value.message_dict) == ["ofii_validated_on"]
    assert snapshot(issued) == before


def test_ofii_validation_needs_the_arrival(issued: VisaApplication, alice: Any) -> None:
    with pytest.raises(ValidationError, match="arrival first"):
        services.visa_record_ofii_validation(
            actor=alice, visa=issued, validated_on=dt.date(2027, 3, 1), now=SPRING
        )
