"""Dates the administration sets without moving the file: documents due date, acknowledged decision date.

Both are events (run_event): audited with source == target == the current state, nothing written on error.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from conventions import services
from conventions.models import Avenant, Channel, Convention, ConventionState, TransitionLog
from conventions.services import TransitionError
from tests.conftest import NOW

pytestmark = pytest.mark.django_db

REQUESTED = dt.date(2026, 11, 10)


def logs(obj: Any) -> list[TransitionLog]:
    ct = ContentType.objects.get_for_model(type(obj))
    return list(TransitionLog.objects.filter(content_type=ct, object_id=obj.pk).order_by("pk"))


def snapshot(obj: Any) -> tuple[Any, ...]:
    obj.refresh_from_db()
    return (
        obj.version,
        obj.documents_due_on,
        obj.acknowledged_decision_on,
        obj.silence_deadline,
        len(logs(obj)),
    )


@pytest.fixture
def awaiting(submitted_convention: Convention, alice: Any) -> Convention:
    """Received 2026-11-02 (base deadline 2026-12-02), documents asked 2026-11-10 with no date set."""
    return services.convention_request_documents(
        actor=alice, convention=submitted_convention, requested_on=REQUESTED, now=NOW
    )


def test_request_with_a_due_date_suspends_until_it(submitted_convention: Convention, alice: Any) -> None:
    requested = services.convention_request_documents(
        actor=alice,
        convention=submitted_convention,
        requested_on=REQUESTED,
        due_on=dt.date(2026, 11, 30),
        now=NOW,
    )
    assert requested.documents_due_on == dt.date(2026, 11, 30)
    assert requested.silence_deadline == dt.date(2026, 12, 22)  # 2026-12-02 + 20 suspended days (L114-5)


def test_request_refuses_a_due_date_before_the_request(submitted_convention: Convention, alice: Any) -> None:
    before = snapshot(submitted_convention)
    with pytest.raises(ValidationError) as excinfo:
        services.convention_request_documents(
            actor=alice,
            convention=submitted_convention,
            requested_on=REQUESTED,
            due_on=dt.date(2026, 11, 9),
            now=NOW,
        )
    assert "2026-11-10" in excinfo.value.message_dict["documents_due_on"][0]
    assert snapshot(submitted_convention) == before
    assert submitted_convention.state == ConventionState.SUBMITTED


def test_set_documents_due_moves_the_deadline_and_is_audited(awaiting: Convention, alice: Any) -> None:
    assert awaiting.silence_deadline is None  # no due date: unknown (RULES §2)
    done = services.convention_set_documents_due(
        actor=alice, convention=awaiting, due_on=dt.date(2026, 12, 10), comment="Letter of 12/11", now=NOW
    )
    assert done.state == ConventionState.DOCUMENTS_REQUESTED
    assert done.documents_due_on == dt.date(2026, 12, 10)  # a date set by the administration: may be future
    assert done.silence_deadline == dt.date(2027, 1, 1)  # 2026-12-02 + 30 suspended days
    assert done.version == awaiting.version + 1
    log = logs(done)[-1]
    assert (log.transition, log.source_state, log.target_state) == (
        "set_documents_due",
        "documents_requested",
        "documents_requested",
    )
    assert (log.actor, log.channel, log.comment, log.created_at) == (
        alice,
        Channel.WEB,
        "Letter of 12/11",
        NOW,
    )
    assert done.history.latest().history_user == alice


def test_set_documents_due_before_the_request_writes_nothing(awaiting: Convention, alice: Any) -> None:
    before = snapshot(awaiting)
    with pytest.raises(ValidationError) as excinfo:
        services.convention_set_documents_due(
            actor=alice, convention=awaiting, due_on=dt.date(2026, 11, 1), now=NOW
        )
    assert list(excinfo.value.message_dict) == ["documents_due_on"]
    assert snapshot(awaiting) == before


def test_set_documents_due_needs_documents_awaited(submitted_convention: Convention, alice: Any) -> None:
    with pytest.raises(TransitionError, match="Submitted"):
        services.convention_set_documents_due(
            actor=alice, convention=submitted_convention, due_on=dt.date(2026, 12, 10), now=NOW
        )


@pytest.mark.parametrize("persona", ["bob", "claire"])
def test_viewer_and_outsider_cannot_record_events(
    awaiting: Convention, persona: str, request: pytest.FixtureRequest
) -> None:
    actor = request.getfixturevalue(persona)
    before = snapshot(awaiting)
    with pytest.raises(PermissionDenied):
        services.convention_set_documents_due(
            actor=actor, convention=awaiting, due_on=dt.date(2026, 12, 10), now=NOW
        )
    with pytest.raises(PermissionDenied):
        services.convention_record_acknowledgment(
            actor=actor, convention=awaiting, acknowledged_on=dt.date(2026, 12, 5), now=NOW
        )
    assert snapshot(awaiting) == before


def test_acknowledged_date_dates_the_implicit_refusal(submitted_convention: Convention, alice: Any) -> None:
    done = services.convention_record_acknowledgment(
        actor=alice, convention=submitted_convention, acknowledged_on=dt.date(2026, 12, 5), now=NOW
    )
    assert done.acknowledged_decision_on == dt.date(2026, 12, 5)
    assert done.silence_deadline == dt.date(2026, 12, 4)  # the stated date wins (CRPA R112-5)
    log = logs(done)[-1]
    assert (log.transition, log.source_state, log.target_state) == (
        "record_acknowledgment",
        "submitted",
        "submitted",
    )
    assert services.sweep_deadlines(today=dt.date(2026, 12, 4)).moved == 0
    assert services.sweep_deadlines(today=dt.date(2026, 12, 5)).conventions_refused == [done.pk]


def test_acknowledgment_also_while_documents_are_awaited(awaiting: Convention, alice: Any) -> None:
    done = services.convention_record_acknowledgment(
        actor=alice, convention=awaiting, acknowledged_on=dt.date(2026, 12, 5), now=NOW
    )
    assert done.state == ConventionState.DOCUMENTS_REQUESTED
    assert done.acknowledged_decision_on == dt.date(2026, 12, 5)


@pytest.mark.parametrize("day", [dt.date(2026, 11, 2), dt.date(2026, 10, 30)])
def test_acknowledgment_must_follow_the_receipt(
    submitted_convention: Convention, alice: Any, day: dt.date
) -> None:
    before = snapshot(submitted_convention)
    with pytest.raises(ValidationError) as excinfo:
        services.convention_record_acknowledgment(
            actor=alice, convention=submitted_convention, acknowledged_on=day, now=NOW
        )
    message = excinfo.value.message_dict["acknowledged_decision_on"][0]
    assert day.isoformat() in message and "“received on” (2026-11-02)" in message
    assert snapshot(submitted_convention) == before


def test_acknowledgment_of_a_decided_file_is_refused(submitted_convention: Convention, alice: Any) -> None:
    services.convention_withdraw(actor=alice, convention=submitted_convention, now=NOW)
    with pytest.raises(TransitionError, match="Withdrawn"):
        services.convention_record_acknowledgment(
            actor=alice, convention=submitted_convention, acknowledged_on=dt.date(2026, 12, 5), now=NOW
        )


def test_avenant_documents_due_and_acknowledgment(submitted_avenant: Avenant, alice: Any) -> None:
    acknowledged = services.avenant_record_acknowledgment(
        actor=alice, avenant=submitted_avenant, acknowledged_on=dt.date(2026, 12, 8), now=NOW
    )
    assert acknowledged.silence_deadline == dt.date(2026, 12, 7)  # stated date - 1 day (R112-5)
    requested = services.avenant_request_documents(
        actor=alice, avenant=submitted_avenant, requested_on=dt.date(2026, 11, 22), now=NOW
    )
    assert requested.documents_due_on is None and requested.silence_deadline is None
    due = services.avenant_set_documents_due(
        actor=alice, avenant=submitted_avenant, due_on=dt.date(2026, 12, 1), now=NOW
    )
    assert due.documents_due_on == dt.date(2026, 12, 1)
    assert due.silence_deadline is None  # acceptance runs only from the documents' receipt (L114-5 al. 3)
    assert [log.transition for log in logs(due)][-3:] == [
        "record_acknowledgment",
        "request_documents",
        "set_documents_due",
    ]
    with pytest.raises(ValidationError) as excinfo:
        services.avenant_set_documents_due(
            actor=alice, avenant=submitted_avenant, due_on=dt.date(2026, 11, 21), now=NOW
        )
    assert "documents_due_on" in excinfo.value.message_dict


def test_avenant_acknowledgment_must_follow_the_receipt(submitted_avenant: Avenant, alice: Any) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.avenant_record_acknowledgment(
            actor=alice, avenant=submitted_avenant, acknowledged_on=dt.date(2026, 11, 21), now=NOW
        )
    assert "“received on” (2026-11-21)" in excinfo.value.message_dict["acknowledged_decision_on"][0]


def test_event_with_a_stale_version_is_a_conflict(awaiting: Convention, alice: Any) -> None:
    from conventions.services.common import run_event
    from conventions.services.errors import ConflictError

    with pytest.raises(ConflictError):
        run_event(
            Convention,
            awaiting.pk,
            name="set_documents_due",
            states=("documents_requested",),
            apply=lambda instance, today: None,
            actor=alice,
            expected_version=awaiting.version - 1,
        )
