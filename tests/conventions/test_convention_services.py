"""The convention write path: deadlines stored, transitions audited, bad input refused whole."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from conventions import services
from conventions.models import Channel, Convention, ConventionState, DocumentItem, TransitionLog
from conventions.services import ConflictError, TransitionError
from tests.conftest import NOW
from tests.factories import InternFactory

pytestmark = pytest.mark.django_db


def logs(obj: Any) -> list[TransitionLog]:
    ct = ContentType.objects.get_for_model(type(obj))
    return list(TransitionLog.objects.filter(content_type=ct, object_id=obj.pk).order_by("pk"))


def test_create_stores_regime_and_filing_deadline(make_convention: Any) -> None:
    convention = make_convention()
    assert convention.state == ConventionState.DRAFT
    assert convention.regime == "standard"
    assert convention.validation_required is True
    assert convention.filing_deadline == dt.date(2027, 1, 1)  # 2027-03-01 minus 2 months (R426-20)
    assert convention.silence_deadline is None
    assert convention.effective_end_date == convention.end_date
    assert DocumentItem.objects.filter(convention=convention, step="vls_ts").count() >= 4
    assert [(log.transition, log.target_state, log.actor_label) for log in logs(convention)] == [
        ("create", "draft", "alice")
    ]


def test_create_with_programme_files_one_month_before(make_convention: Any) -> None:
    assert make_convention(programme="eu").filing_deadline == dt.date(2027, 2, 1)


def test_create_refuses_end_before_start_and_writes_nothing(make_convention: Any) -> None:
    with pytest.raises(ValidationError) as excinfo:
        make_convention(start_date=dt.date(2027, 3, 1), end_date=dt.date(2027, 2, 1))
    assert "end_date" in excinfo.value.message_dict
    assert Convention.objects.count() == 0 and TransitionLog.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("monthly_resources_eur", Decimal("-1")),
        ("hourly_gratification_eur", Decimal("-0.01")),
        ("category", "stage_libre"),
        ("weekly_hours", Decimal("60")),
        ("programme", "bilateral"),
    ],
)
def test_create_names_the_bad_field(make_convention: Any, field: str, value: object) -> None:
    with pytest.raises(ValidationError) as excinfo:
        make_convention(**{field: value})
    assert field in excinfo.value.message_dict
    assert Convention.objects.count() == 0


def test_create_refuses_unknown_field(make_convention: Any) -> None:
    with pytest.raises(ValidationError) as excinfo:
        make_convention(start=dt.date(2027, 1, 1))
    assert "start" in excinfo.value.message_dict


def test_create_refuses_intern_of_another_organisation(make_convention: Any, chu: Any) -> None:
    with pytest.raises(ValidationError) as excinfo:
        make_convention(intern=InternFactory(organisation=chu))
    assert "intern" in excinfo.value.message_dict


def test_viewer_cannot_create(bob: Any, acme: Any, intern: Any) -> None:
    from tests.factories import convention_fields

    with pytest.raises(PermissionDenied):
        services.convention_create(actor=bob, organisation=acme, intern=intern, **convention_fields())


def test_submit_sets_silence_deadline_and_logs(submitted_convention: Convention) -> None:
    assert submitted_convention.state == ConventionState.SUBMITTED
    assert submitted_convention.received_on == dt.date(2026, 11, 2)
    assert submitted_convention.silence_deadline == dt.date(2026, 12, 2)  # + 30 days, refused after
    assert [log.transition for log in logs(submitted_convention)] == ["create", "submit"]
    log = logs(submitted_convention)[-1]
    assert (log.source_state, log.target_state, log.channel) == ("draft", "submitted", Channel.WEB)


def test_submit_twice_is_a_no_op(submitted_convention: Convention, alice: Any) -> None:
    again = services.convention_submit(
        actor=alice, convention=submitted_convention, received_on=dt.date(2026, 11, 2), now=NOW
    )
    assert again.state == ConventionState.SUBMITTED
    assert [log.transition for log in logs(submitted_convention)] == ["create", "submit"]


def test_submit_needs_mandatory_fields(make_convention: Any, alice: Any) -> None:
    convention = make_convention(tutor_name="", monthly_resources_eur=None)
    with pytest.raises(TransitionError, match="tutor_name, monthly_resources_eur"):
        services.convention_submit(
            actor=alice, convention=convention, received_on=dt.date(2026, 11, 2), now=NOW
        )
    convention.refresh_from_db()
    assert convention.state == ConventionState.DRAFT and convention.received_on is None


def test_submit_refuses_a_future_reception_date(make_convention: Any, alice: Any) -> None:
    convention = make_convention()
    with pytest.raises(ValidationError) as excinfo:
        services.convention_submit(
            actor=alice, convention=convention, received_on=dt.date(2026, 12, 25), now=NOW
        )
    assert "received_on" in excinfo.value.message_dict


def test_eu_citizen_needs_no_validation(make_convention: Any, alice: Any, acme: Any) -> None:
    convention = make_convention(intern=InternFactory(organisation=acme, nationality="DE"))
    assert convention.regime == "eu_citizen" and convention.filing_deadline is None
    with pytest.raises(TransitionError, match="no validation"):
        services.convention_submit(
            actor=alice, convention=convention, received_on=dt.date(2026, 11, 2), now=NOW
        )
    closed = services.convention_mark_not_required(actor=alice, convention=convention, now=NOW)
    assert closed.state == ConventionState.NOT_REQUIRED


def test_standard_stay_cannot_be_marked_not_required(make_convention: Any, alice: Any) -> None:
    with pytest.raises(TransitionError):
        services.convention_mark_not_required(actor=alice, convention=make_convention(), now=NOW)


def test_documents_loop_suspends_the_silence_deadline(submitted_convention: Convention, alice: Any) -> None:
    requested = services.convention_request_documents(
        actor=alice, convention=submitted_convention, requested_on=dt.date(2026, 11, 10), now=NOW
    )
    assert requested.state == ConventionState.DOCUMENTS_REQUESTED
    assert requested.silence_deadline is None
    back = services.convention_receive_documents(
        actor=alice, convention=submitted_convention, received_on=dt.date(2026, 11, 20), now=NOW
    )
    assert back.state == ConventionState.SUBMITTED
    assert back.silence_deadline == dt.date(2026, 12, 12)  # 2026-12-02 + 10 suspended days (CRPA L114-5)


def test_decision_validated_is_final(submitted_convention: Convention, alice: Any) -> None:
    done = services.convention_record_decision(
        actor=alice,
        convention=submitted_convention,
        decision="validated",
        decided_on=dt.date(2026, 11, 20),
        reference="VISA-2026-001",
        now=NOW,
    )
    assert done.state == ConventionState.VALIDATED and done.decision_reference == "VISA-2026-001"
    with pytest.raises(TransitionError, match="Validated"):
        services.convention_withdraw(actor=alice, convention=done, now=NOW)
    with pytest.raises(TransitionError):
        services.convention_record_decision(
            actor=alice, convention=done, decision="refused", decided_on=dt.date(2026, 11, 21), now=NOW
        )


def test_unknown_decision_is_refused(submitted_convention: Convention, alice: Any) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.convention_record_decision(
            actor=alice, convention=submitted_convention, decision="maybe", decided_on=dt.date(2026, 11, 20)
        )
    assert "decision" in excinfo.value.message_dict


def test_viewer_cannot_transition(submitted_convention: Convention, bob: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.convention_withdraw(actor=bob, convention=submitted_convention, now=NOW)
    submitted_convention.refresh_from_db()
    assert submitted_convention.state == ConventionState.SUBMITTED


def test_outsider_cannot_transition(submitted_convention: Convention, claire: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.convention_withdraw(actor=claire, convention=submitted_convention, now=NOW)


def test_withdraw_from_any_open_state(make_convention: Any, alice: Any) -> None:
    draft = services.convention_withdraw(actor=alice, convention=make_convention(), comment="Stage cancelled")
    assert draft.state == ConventionState.WITHDRAWN
    assert logs(draft)[-1].comment == "Stage cancelled"


def test_state_cannot_be_set_directly(submitted_convention: Convention) -> None:
    with pytest.raises(AttributeError):
        submitted_convention.state = ConventionState.VALIDATED


def test_update_recomputes_deadlines_and_bumps_version(make_convention: Any, alice: Any) -> None:
    convention = make_convention()
    updated = services.convention_update(
        actor=alice,
        convention=convention,
        expected_version=convention.version,
        start_date=dt.date(2027, 4, 30),
        end_date=dt.date(2027, 9, 30),
    )
    assert updated.filing_deadline == dt.date(2027, 2, 28)  # month end clamps
    assert updated.version == convention.version + 1
    assert updated.history.count() == 2  # creation + change, for the auditors


def test_two_people_editing_at_once_do_not_overwrite_each_other(make_convention: Any, alice: Any) -> None:
    convention = make_convention()
    loaded_version = convention.version
    services.convention_update(
        actor=alice, convention=convention, expected_version=loaded_version, tutor_name="A"
    )
    with pytest.raises(ConflictError, match="changed by someone else"):
        services.convention_update(
            actor=alice, convention=convention, expected_version=loaded_version, tutor_name="B"
        )
    convention.refresh_from_db()
    assert convention.tutor_name == "A"


def test_rule_inputs_are_frozen_once_submitted(submitted_convention: Convention, alice: Any) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.convention_update(
            actor=alice,
            convention=submitted_convention,
            expected_version=None,
            start_date=dt.date(2027, 5, 1),
        )
    assert "start_date" in excinfo.value.message_dict
    services.convention_update(
        actor=alice, convention=submitted_convention, expected_version=None, tutor_email="new@host.example"
    )


def test_late_filing_is_allowed_and_visible(make_convention: Any, alice: Any) -> None:
    convention = make_convention(start_date=dt.date(2026, 12, 15), end_date=dt.date(2027, 6, 14))
    assert convention.filing_deadline == dt.date(2026, 10, 15)
    submitted = services.convention_submit(
        actor=alice, convention=convention, received_on=dt.date(2026, 11, 20), now=NOW
    )
    result = services.convention_evaluate(submitted, today=dt.date(2026, 11, 23))
    assert result.late_filing is True


def test_intern_update_normalises_the_passport_number(intern: Any, alice: Any) -> None:
    from conventions.services.interns import intern_update

    updated = intern_update(actor=alice, intern=intern, passport_number="ab 123 456")
    assert updated.passport_number == "AB123456"


def test_intern_nationality_change_moves_the_draft_regime(
    make_convention: Any, intern: Any, alice: Any
) -> None:
    from conventions.services.interns import intern_update

    convention = make_convention()
    intern_update(actor=alice, intern=intern, nationality="IT")
    convention.refresh_from_db()
    assert convention.regime == "eu_citizen" and convention.filing_deadline is None


def test_two_people_editing_an_intern_at_once(intern: Any, alice: Any) -> None:
    from conventions.services.interns import intern_update

    intern_update(actor=alice, intern=intern, expected_version=1, first_name="Awa")
    with pytest.raises(ConflictError, match="changed by someone else"):
        intern_update(actor=alice, intern=intern, expected_version=1, first_name="Fatou")
    intern.refresh_from_db()
    assert (intern.first_name, intern.version) == ("Awa", 2)
