"""The pure reminder rules: lead points, days left, stop conditions, DST and month ends (no database)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from notifications.rules import (
    AvenantFacts,
    ConventionFacts,
    DeadlineKind,
    DocumentFacts,
    FileType,
    LeadTimes,
    PermitFacts,
    ReminderKind,
    days_left,
    deadline_for,
    due_on,
    due_reminders,
    event_for,
    event_reminder,
    is_still_due,
    kinds_stopped_by,
    parse_lead_days,
    upcoming_deadlines,
)

FILING = (30, 14, 7, 3, 1, 0)

DRAFT = ConventionFacts(
    state="draft",
    category="entreprise",
    programme="",
    validation_required=True,
    start_date=date(2027, 3, 1),  # filing deadline 2027-01-01 (R426-20: start - 2 months)
    effective_end_date=date(2027, 8, 31),
    passport_expires_on=date(2031, 1, 1),
)
SUBMITTED = replace(DRAFT, state="submitted", received_on=date(2026, 11, 2))  # silence deadline 2026-12-02


@pytest.mark.parametrize(
    ("deadline", "leads", "daily_after", "today", "expected"),
    [
        pytest.param(date(2027, 1, 1), FILING, False, date(2026, 12, 1), None, id="before-the-first-point"),
        pytest.param(date(2027, 1, 1), FILING, False, date(2026, 12, 2), date(2026, 12, 2), id="30-days"),
        pytest.param(
            date(2027, 1, 1), FILING, False, date(2026, 12, 10), date(2026, 12, 2), id="catch-up-keeps-30"
        ),
        pytest.param(date(2027, 1, 1), FILING, False, date(2026, 12, 18), date(2026, 12, 18), id="14-days"),
        pytest.param(date(2027, 1, 1), FILING, False, date(2026, 12, 31), date(2026, 12, 31), id="1-day"),
        pytest.param(date(2027, 1, 1), FILING, False, date(2027, 1, 1), date(2027, 1, 1), id="on-the-day"),
        pytest.param(date(2027, 1, 1), FILING, False, date(2027, 1, 2), None, id="after-no-daily"),
        pytest.param(date(2027, 1, 1), (), True, date(2027, 1, 1), None, id="late-not-yet"),
        pytest.param(date(2027, 1, 1), (), True, date(2027, 1, 2), date(2027, 1, 2), id="late-day-1"),
        pytest.param(date(2027, 1, 1), (), True, date(2027, 2, 3), date(2027, 2, 3), id="late-every-day"),
        # DST: Europe/Paris springs forward on 2027-03-28 and falls back on 2026-10-25. Calendar-day
        # arithmetic on dates: the 23- and 25-hour days shift nothing.
        pytest.param(
            date(2027, 3, 28), FILING, False, date(2027, 3, 27), date(2027, 3, 27), id="dst-spring-1-day"
        ),
        pytest.param(
            date(2027, 3, 28), FILING, False, date(2027, 3, 28), date(2027, 3, 28), id="dst-spring-on-day"
        ),
        pytest.param(
            date(2027, 3, 29), FILING, False, date(2027, 3, 28), date(2027, 3, 28), id="dst-spring-eve"
        ),
        pytest.param(
            date(2027, 4, 4), FILING, False, date(2027, 3, 28), date(2027, 3, 28), id="dst-spring-7-days"
        ),
        pytest.param(
            date(2026, 10, 26), FILING, False, date(2026, 10, 25), date(2026, 10, 25), id="dst-autumn-1"
        ),
        pytest.param(
            date(2026, 11, 1), FILING, False, date(2026, 10, 25), date(2026, 10, 25), id="dst-autumn-7"
        ),
        pytest.param(
            date(2026, 10, 25), (7, 2), False, date(2026, 10, 23), date(2026, 10, 23), id="dst-autumn-2"
        ),
        # Month ends: plain days across 28-, 29-, 30- and 31-day months and the year end.
        pytest.param(
            date(2027, 3, 31), FILING, False, date(2027, 3, 1), date(2027, 3, 1), id="march-31-minus-30"
        ),
        pytest.param(date(2027, 3, 1), FILING, False, date(2027, 2, 28), date(2027, 2, 28), id="feb-28-eve"),
        pytest.param(
            date(2028, 3, 1), FILING, False, date(2028, 2, 29), date(2028, 2, 29), id="leap-day-eve"
        ),
        pytest.param(
            date(2028, 3, 14), FILING, False, date(2028, 2, 29), date(2028, 2, 29), id="leap-14-days"
        ),
        pytest.param(
            date(2026, 12, 31), FILING, False, date(2026, 12, 1), date(2026, 12, 1), id="dec-31-minus-30"
        ),
        pytest.param(
            date(2027, 1, 3), FILING, False, date(2026, 12, 31), date(2026, 12, 31), id="year-end-3"
        ),
        pytest.param(
            date(2027, 4, 30), (60, 30), False, date(2027, 3, 31), date(2027, 3, 31), id="april-30-30"
        ),
        pytest.param(
            date(2027, 4, 30), (60, 30), False, date(2027, 3, 1), date(2027, 3, 1), id="april-30-60"
        ),
    ],
)
def test_due_on(
    deadline: date, leads: tuple[int, ...], daily_after: bool, today: date, expected: date | None
) -> None:
    assert due_on(deadline, leads, daily_after, today) == expected


@pytest.mark.parametrize(
    ("deadline", "today", "left"),
    [
        (date(2027, 3, 28), date(2027, 3, 27), 1),  # across the spring DST change
        (date(2027, 3, 29), date(2027, 3, 27), 2),
        (date(2026, 10, 26), date(2026, 10, 24), 2),  # across the autumn DST change
        (date(2027, 3, 1), date(2027, 2, 28), 1),
        (date(2028, 3, 1), date(2028, 2, 28), 2),
        (date(2027, 1, 1), date(2027, 1, 4), -3),
    ],
)
def test_days_left_counts_calendar_days(deadline: date, today: date, left: int) -> None:
    assert days_left(deadline, today) == left


@pytest.mark.parametrize(
    ("start", "filing_deadline", "today", "due"),
    [
        # R426-20 clamps to the month end: a start on 30 April gives a deadline on 28 February.
        (date(2027, 4, 30), date(2027, 2, 28), date(2027, 2, 28), date(2027, 2, 28)),
        (date(2027, 4, 30), date(2027, 2, 28), date(2027, 2, 27), date(2027, 2, 27)),
        (date(2028, 4, 30), date(2028, 2, 29), date(2028, 2, 15), date(2028, 2, 15)),
        (date(2027, 5, 28), date(2027, 3, 28), date(2027, 3, 28), date(2027, 3, 28)),  # DST day
    ],
)
def test_filing_reminder_dates_at_month_ends(
    start: date, filing_deadline: date, today: date, due: date
) -> None:
    facts = replace(DRAFT, start_date=start, effective_end_date=date(start.year, 12, 31))
    [reminder] = due_reminders(facts, LeadTimes(), today)
    assert (reminder.kind, reminder.deadline.on, reminder.due_on) == (
        ReminderKind.FILING_DUE,
        filing_deadline,
        due,
    )
    assert reminder.days_left == (filing_deadline - today).days


def test_draft_gets_the_filing_reminder_with_the_engines_explanation() -> None:
    [reminder] = due_reminders(DRAFT, LeadTimes(), date(2026, 12, 18))
    assert reminder.kind == ReminderKind.FILING_DUE
    assert (reminder.due_on, reminder.days_left) == (date(2026, 12, 18), 14)
    assert reminder.deadline.explanation.rule == "start date 2027-03-01 minus 2 months"
    assert reminder.deadline.explanation.source == "CESEDA R426-20 al. 1"


def test_programme_shortens_the_filing_deadline_to_one_month() -> None:
    [reminder] = due_reminders(replace(DRAFT, programme="eu"), LeadTimes(), date(2027, 1, 30))
    assert reminder.deadline.on == date(2027, 2, 1)
    assert "R426-20 al. 1 and 3" in reminder.deadline.explanation.source


def test_late_draft_gets_a_daily_late_filing_reminder() -> None:
    [reminder] = due_reminders(DRAFT, LeadTimes(), date(2027, 1, 5))
    assert (reminder.kind, reminder.due_on, reminder.days_left) == (
        ReminderKind.FILING_LATE,
        date(2027, 1, 5),
        -4,
    )
    assert due_reminders(DRAFT, LeadTimes(late_filing_daily=False), date(2027, 1, 5)) == []


def test_draft_reminders_stop_once_submitted() -> None:
    assert due_reminders(SUBMITTED, LeadTimes(), date(2026, 12, 18)) == []
    assert due_reminders(SUBMITTED, LeadTimes(), date(2027, 1, 5)) == []
    assert not is_still_due(ReminderKind.FILING_DUE, SUBMITTED, date(2027, 1, 1))
    assert not is_still_due(ReminderKind.FILING_LATE, SUBMITTED, date(2027, 1, 1))
    assert is_still_due(ReminderKind.FILING_DUE, DRAFT, date(2027, 1, 1))


def test_reminder_stops_when_its_deadline_moves() -> None:
    moved = replace(DRAFT, start_date=date(2027, 4, 1))
    assert not is_still_due(ReminderKind.FILING_DUE, moved, date(2027, 1, 1))
    assert is_still_due(ReminderKind.FILING_DUE, moved, date(2027, 2, 1))


def test_no_filing_reminder_when_no_validation_is_needed() -> None:
    assert due_reminders(replace(DRAFT, validation_required=False), LeadTimes(), date(2026, 12, 18)) == []


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 11, 24), None),
        (date(2026, 11, 25), (date(2026, 11, 25), 7)),
        (date(2026, 11, 27), (date(2026, 11, 25), 5)),
        (date(2026, 11, 30), (date(2026, 11, 30), 2)),
        (date(2026, 12, 2), (date(2026, 11, 30), 0)),
        (date(2026, 12, 3), None),  # the sweep's turn: refused by silence
    ],
)
def test_silence_reminders_7_and_2_days_before(today: date, expected: tuple[date, int] | None) -> None:
    found = [(r.due_on, r.days_left) for r in due_reminders(SUBMITTED, LeadTimes(), today)]
    assert found == ([expected] if expected else [])


def test_silence_reminder_follows_a_suspension_for_missing_documents() -> None:
    suspended = replace(
        SUBMITTED, documents_requested_on=date(2026, 11, 10), documents_received_on=date(2026, 11, 20)
    )  # CRPA L114-5: 10 days of suspension, deadline 2026-12-12
    awaiting = replace(SUBMITTED, state="documents_requested", documents_requested_on=date(2026, 11, 10))
    assert deadline_for(ReminderKind.SILENCE_DUE, suspended).on == date(2026, 12, 12)  # type: ignore[union-attr]
    assert due_reminders(awaiting, LeadTimes(), date(2026, 11, 30)) == []


def test_refusal_by_silence_is_an_event_about_the_silence_deadline() -> None:
    refused = replace(SUBMITTED, state="refused_by_silence")
    reminder = event_reminder(ReminderKind.REFUSED_BY_SILENCE, refused, date(2026, 12, 3))
    assert reminder is not None and (reminder.deadline.on, reminder.days_left) == (date(2026, 12, 2), -1)
    assert event_for(FileType.CONVENTION, "refused_by_silence") == ReminderKind.REFUSED_BY_SILENCE
    assert event_reminder(ReminderKind.REFUSED_BY_SILENCE, SUBMITTED, date(2026, 12, 3)) is None


AVENANT = AvenantFacts(state="draft", validation_required=True, previous_end_date=date(2027, 8, 31))


@pytest.mark.parametrize(
    ("today", "due"),
    [(date(2027, 7, 16), None), (date(2027, 7, 17), date(2027, 7, 17)), (date(2027, 8, 9), date(2027, 8, 9))],
)
def test_avenant_filing_reminders_30_14_7_days_before_end_minus_15(today: date, due: date | None) -> None:
    found = due_reminders(AVENANT, LeadTimes(), today)  # filing deadline 2027-08-16 (R426-21)
    assert [r.due_on for r in found] == ([due] if due else [])
    assert all(r.deadline.on == date(2027, 8, 16) for r in found)


def test_accepted_avenant_asks_to_file_the_carte_de_sejour() -> None:
    for state in ("accepted_by_silence", "validated"):
        kind = event_for(FileType.AVENANT, state)
        reminder = event_reminder(kind, replace(AVENANT, state=state), date(2027, 7, 1))  # type: ignore[arg-type]
        assert reminder is not None and reminder.kind == ReminderKind.PERMIT_TO_FILE
        assert reminder.deadline.on == date(2027, 8, 31)
    assert event_for(FileType.AVENANT, "refused") is None
    filed = replace(AVENANT, state="accepted_by_silence", permit_state="filed")
    assert not is_still_due(ReminderKind.PERMIT_TO_FILE, filed, date(2027, 8, 31))  # filed: the email stops


VALIDATED_SHORT = replace(DRAFT, state="validated", effective_end_date=date(2027, 5, 31))


@pytest.mark.parametrize(
    ("facts", "today", "expected"),
    [
        pytest.param(VALIDATED_SHORT, date(2027, 4, 1), date(2027, 4, 1), id="3-month-stage-60-days"),
        pytest.param(VALIDATED_SHORT, date(2027, 5, 1), date(2027, 5, 1), id="3-month-stage-30-days"),
        pytest.param(
            replace(VALIDATED_SHORT, has_open_avenant=True), date(2027, 5, 1), None, id="avenant-open"
        ),
        pytest.param(
            replace(VALIDATED_SHORT, effective_end_date=date(2027, 8, 31)),
            date(2027, 7, 2),
            None,
            id="6-months-max",
        ),
        pytest.param(
            replace(VALIDATED_SHORT, category="hopital"), date(2027, 5, 1), date(2027, 5, 1), id="hopital"
        ),
        pytest.param(
            replace(VALIDATED_SHORT, category="hopital", has_accepted_avenant=True),
            date(2027, 5, 1),
            None,
            id="hopital-already-extended",
        ),  # fmt: skip
    ],
)
def test_convention_end_60_and_30_days_when_it_can_be_extended(
    facts: ConventionFacts, today: date, expected: date | None
) -> None:
    found = [
        r.due_on for r in due_reminders(facts, LeadTimes(), today) if r.kind == ReminderKind.CONVENTION_END
    ]
    assert found == ([expected] if expected else [])


def test_passport_expiring_before_the_end_of_the_stage() -> None:
    expiring = replace(SUBMITTED, passport_expires_on=date(2027, 6, 1))
    found = {r.kind: r for r in due_reminders(expiring, LeadTimes(), date(2027, 4, 2))}
    assert found[ReminderKind.PASSPORT_EXPIRY].deadline.on == date(2027, 6, 1)
    assert found[ReminderKind.PASSPORT_EXPIRY].days_left == 60
    after_the_end = replace(SUBMITTED, passport_expires_on=date(2027, 9, 30))
    assert due_reminders(after_the_end, LeadTimes(), date(2027, 8, 1)) == []
    withdrawn = replace(expiring, state="withdrawn")
    assert not is_still_due(ReminderKind.PASSPORT_EXPIRY, withdrawn, date(2027, 6, 1))


def test_any_dated_document_expiring_before_the_end() -> None:
    document = DocumentFacts(
        code="address_proof", label="Proof of address", status="provided", expires_on=date(2027, 5, 1),
        convention_state="validated", stage_end=date(2027, 8, 31),
    )  # fmt: skip
    [reminder] = due_reminders(document, LeadTimes(), date(2027, 4, 1))
    assert (reminder.kind, reminder.days_left) == (ReminderKind.DOCUMENT_EXPIRY, 30)
    assert due_reminders(replace(document, code="passport"), LeadTimes(), date(2027, 4, 1)) == []
    assert due_reminders(replace(document, status="rejected"), LeadTimes(), date(2027, 4, 1)) == []


def test_permit_silence_approaching_after_ninety_days() -> None:
    permit = PermitFacts(state="filed", filed_on=date(2027, 9, 1))  # R426-17: deadline 2027-11-30
    assert [r.due_on for r in due_reminders(permit, LeadTimes(), date(2027, 11, 1))] == [date(2027, 10, 31)]
    assert [r.due_on for r in due_reminders(permit, LeadTimes(), date(2027, 11, 24))] == [date(2027, 11, 23)]
    assert due_reminders(replace(permit, state="granted"), LeadTimes(), date(2027, 11, 24)) == []
    # The 90 days run from the complete file when it was completed later.
    later = replace(permit, complete_on=date(2027, 9, 15))  # deadline 2027-12-14
    [reminder] = due_reminders(later, LeadTimes(), date(2027, 12, 7))
    assert (reminder.deadline.on, reminder.days_left) == (date(2027, 12, 14), 7)


def test_lead_times_are_configurable() -> None:
    leads = LeadTimes(filing=(10,))
    assert due_reminders(DRAFT, leads, date(2026, 12, 18)) == []
    assert [r.due_on for r in due_reminders(DRAFT, leads, date(2026, 12, 25))] == [date(2026, 12, 22)]


def test_transitions_stop_the_kinds_about_the_old_state() -> None:
    stopped = kinds_stopped_by(FileType.CONVENTION, "submitted")
    assert {ReminderKind.FILING_DUE, ReminderKind.FILING_LATE} <= stopped
    assert ReminderKind.SILENCE_DUE not in stopped and ReminderKind.PASSPORT_EXPIRY not in stopped
    assert ReminderKind.PASSPORT_EXPIRY in kinds_stopped_by(FileType.CONVENTION, "withdrawn")
    assert kinds_stopped_by(FileType.PERMIT, "granted") == {
        ReminderKind.PERMIT_SILENCE_DUE,
        ReminderKind.PERMIT_FILING_OPENS,
        ReminderKind.PERMIT_FILING_DUE,
    }


def test_parse_lead_days() -> None:
    assert parse_lead_days("7, 30,14 ,7") == (30, 14, 7)
    assert parse_lead_days("0") == (0,)
    for bad in ("abc", "-1", "400", "1.5"):
        with pytest.raises(ValueError, match="is not a number of days"):
            parse_lead_days(bad)


def test_upcoming_deadlines_of_the_calendar() -> None:
    assert [kind for kind, _ in upcoming_deadlines(DRAFT, date(2026, 11, 23))] == [
        DeadlineKind.FILING,
        DeadlineKind.CONVENTION_END,
    ]
    kinds = [kind for kind, _ in upcoming_deadlines(SUBMITTED, date(2026, 11, 23))]
    assert kinds == [DeadlineKind.SILENCE, DeadlineKind.CONVENTION_END]
    assert [k for k, _ in upcoming_deadlines(SUBMITTED, date(2026, 12, 3))] == [DeadlineKind.CONVENTION_END]
    submitted_avenant = replace(AVENANT, state="submitted", received_on=date(2027, 8, 1))
    [(kind, deadline)] = upcoming_deadlines(submitted_avenant, date(2027, 8, 2))
    assert (kind, deadline.on) == (DeadlineKind.AVENANT_SILENCE, date(2027, 8, 16))
