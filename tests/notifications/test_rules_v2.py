"""Reminders of rules version 2 (pure): OFII validation, carte de séjour window, documents' due date, the
explicit answer a company stage's avenant needs, and the stop conditions of each."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from notifications.rules import (
    AvenantFacts,
    ConventionFacts,
    DeadlineKind,
    FileType,
    LeadTimes,
    PermitFacts,
    ReminderKind,
    VisaFacts,
    deadline_for,
    due_reminders,
    event_for,
    event_reminder,
    is_still_due,
    kinds_stopped_by,
    upcoming_deadlines,
)

LEADS = LeadTimes()
# Arrived 2026-09-09: validate the visa with the OFII by 2026-12-09 (R431-16, arrival + 3 months).
VISA = VisaFacts(state="issued", arrived_on=date(2026, 9, 9))
# Visa expiring 2027-02-22: the carte de séjour can be filed from 2026-10-25 to 2026-12-24 (R431-5).
TO_FILE = PermitFacts(state="to_file", filed_on=None, visa_expires_on=date(2027, 2, 22))
REQUESTED = ConventionFacts(
    state="documents_requested", category="formation_continue", programme="", validation_required=True,
    start_date=date(2027, 2, 1), effective_end_date=date(2027, 9, 30), received_on=date(2026, 10, 30),
    documents_requested_on=date(2026, 11, 14), documents_due_on=date(2026, 12, 1),
)  # fmt: skip
COMPANY_AVENANT = AvenantFacts(
    state="submitted", validation_required=True, previous_end_date=date(2027, 1, 25), category="entreprise",
    received_on=date(2026, 11, 8),
)  # fmt: skip


def kinds(facts: object, today: date) -> list[tuple[ReminderKind, date, int]]:
    return [(r.kind, r.due_on, r.days_left) for r in due_reminders(facts, LEADS, today)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        pytest.param(date(2026, 11, 8), [], id="before-30-days"),
        pytest.param(date(2026, 11, 9), [(date(2026, 11, 9), 30)], id="30-days"),
        pytest.param(date(2026, 11, 30), [(date(2026, 11, 25), 9)], id="catch-up-keeps-14"),
        pytest.param(date(2026, 12, 8), [(date(2026, 12, 8), 1)], id="1-day"),
        pytest.param(date(2026, 12, 9), [(date(2026, 12, 8), 0)], id="on-the-day-keeps-the-1-day-point"),
        pytest.param(date(2026, 12, 10), [(date(2026, 12, 10), -1)], id="late-daily"),
        pytest.param(date(2027, 1, 5), [(date(2027, 1, 5), -27)], id="still-late-daily"),
    ],
)
def test_ofii_validation_within_3_months_of_arrival(today: date, expected: list[tuple[date, int]]) -> None:
    found = due_reminders(VISA, LEADS, today)
    assert [(r.due_on, r.days_left) for r in found] == expected
    assert all(r.kind == ReminderKind.OFII_VALIDATION_DUE for r in found)


def test_ofii_reminder_stops_once_validated_and_says_why_in_both_languages() -> None:
    deadline = deadline_for(ReminderKind.OFII_VALIDATION_DUE, VISA)
    assert deadline is not None and deadline.on == date(2026, 12, 9)
    assert deadline.explanation.source == "CESEDA R431-16"
    assert "OFII" in deadline.explanation.text("fr") and "arrivée" in deadline.explanation.text("fr")
    validated = replace(VISA, ofii_validated_on=date(2026, 10, 1))
    assert not is_still_due(ReminderKind.OFII_VALIDATION_DUE, validated, date(2026, 12, 9))
    assert due_reminders(validated, LEADS, date(2026, 12, 10)) == []
    assert due_reminders(VisaFacts(state="applied"), LEADS, date(2026, 12, 10)) == []
    assert ReminderKind.OFII_VALIDATION_DUE in kinds_stopped_by(FileType.VISA, "refused")


def test_ofii_deadline_clamps_to_the_month_end() -> None:
    facts = replace(VISA, arrived_on=date(2026, 11, 30))  # + 3 months = 2027-02-28
    deadline = deadline_for(ReminderKind.OFII_VALIDATION_DUE, facts)
    assert deadline is not None and deadline.on == date(2027, 2, 28)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        pytest.param(date(2026, 10, 24), [], id="before-the-window"),
        pytest.param(
            date(2026, 10, 25), [(ReminderKind.PERMIT_FILING_OPENS, date(2026, 10, 25), 0)], id="window-opens"
        ),
        pytest.param(date(2026, 10, 26), [], id="opened-yesterday-nothing-until-30-days-before"),
        pytest.param(
            date(2026, 11, 24), [(ReminderKind.PERMIT_FILING_DUE, date(2026, 11, 24), 30)], id="30-days-left"
        ),
        pytest.param(
            date(2026, 12, 24), [(ReminderKind.PERMIT_FILING_DUE, date(2026, 12, 24), 0)], id="last-day"
        ),
        pytest.param(
            date(2026, 12, 27), [(ReminderKind.PERMIT_FILING_DUE, date(2026, 12, 27), -3)], id="late-daily"
        ),
    ],
)
def test_carte_de_sejour_filing_window(today: date, expected: list[tuple[ReminderKind, date, int]]) -> None:
    assert kinds(TO_FILE, today) == expected


def test_filing_window_needs_the_visa_expiry_and_stops_when_filed() -> None:
    assert due_reminders(replace(TO_FILE, visa_expires_on=None), LEADS, date(2026, 12, 24)) == []
    filed = replace(TO_FILE, state="filed", filed_on=date(2026, 11, 20))
    assert [r.kind for r in due_reminders(filed, LEADS, date(2026, 12, 24))] == []
    assert not is_still_due(ReminderKind.PERMIT_FILING_DUE, filed, date(2026, 12, 24))
    stopped = kinds_stopped_by(FileType.PERMIT, "filed")
    assert {ReminderKind.PERMIT_FILING_OPENS, ReminderKind.PERMIT_FILING_DUE} <= stopped
    opens = deadline_for(ReminderKind.PERMIT_FILING_OPENS, TO_FILE)
    assert opens is not None and opens.explanation.source == "CESEDA R431-5 1°, R431-2"


def test_accepted_avenant_event_quotes_the_window_deadline_when_the_visa_is_known() -> None:
    accepted = AvenantFacts(
        state="accepted_by_silence", validation_required=True, previous_end_date=date(2026, 12, 27),
        category="hopital", visa_expires_on=date(2027, 2, 22),
    )  # fmt: skip
    kind = event_for(FileType.AVENANT, "accepted_by_silence")
    assert kind == ReminderKind.PERMIT_TO_FILE
    reminder = event_reminder(kind, accepted, date(2026, 11, 24))
    assert reminder is not None and reminder.deadline.on == date(2026, 12, 24)
    without_visa = event_reminder(kind, replace(accepted, visa_expires_on=None), date(2026, 11, 24))
    assert without_visa is not None and without_visa.deadline.on == date(2026, 12, 27)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        pytest.param(date(2026, 11, 23), [], id="before-7-days"),
        pytest.param(date(2026, 11, 24), [(date(2026, 11, 24), 7)], id="7-days"),
        pytest.param(date(2026, 11, 29), [(date(2026, 11, 29), 2)], id="2-days"),
        pytest.param(date(2026, 12, 1), [(date(2026, 12, 1), 0)], id="on-the-day"),
        pytest.param(date(2026, 12, 2), [], id="after"),
    ],
)
def test_documents_due_date(today: date, expected: list[tuple[date, int]]) -> None:
    found = [r for r in due_reminders(REQUESTED, LEADS, today) if r.kind == ReminderKind.DOCUMENTS_DUE]
    assert [(r.due_on, r.days_left) for r in found] == expected


def test_documents_due_stops_on_receipt_and_applies_to_avenants_too() -> None:
    assert ReminderKind.DOCUMENTS_DUE in kinds_stopped_by(FileType.CONVENTION, "submitted")
    assert deadline_for(ReminderKind.DOCUMENTS_DUE, replace(REQUESTED, documents_due_on=None)) is None
    avenant = AvenantFacts(
        state="documents_requested", validation_required=True, previous_end_date=date(2027, 3, 31),
        category="hopital", received_on=date(2026, 11, 2), documents_requested_on=date(2026, 11, 10),
        documents_due_on=date(2026, 11, 30),
    )  # fmt: skip
    [reminder] = due_reminders(avenant, LEADS, date(2026, 11, 23))
    assert (reminder.kind, reminder.days_left) == (ReminderKind.AVENANT_DOCUMENTS_DUE, 7)
    assert "L114-5" in reminder.deadline.explanation.source


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        pytest.param(date(2026, 12, 25), [], id="before-30-days"),
        pytest.param(date(2026, 12, 26), [(date(2026, 12, 26), 30)], id="30-days-before-the-end"),
        pytest.param(date(2027, 1, 18), [(date(2027, 1, 18), 7)], id="7-days"),
        pytest.param(date(2027, 1, 26), [], id="after-the-end"),
    ],
)
def test_company_avenant_reminds_to_obtain_an_explicit_answer(
    today: date, expected: list[tuple[date, int]]
) -> None:
    found = due_reminders(COMPANY_AVENANT, LEADS, today)
    assert [(r.due_on, r.days_left) for r in found] == expected
    assert all(r.kind == ReminderKind.AVENANT_EXPLICIT_ANSWER for r in found)


def test_explicit_answer_only_for_company_stages_and_says_why() -> None:
    deadline = deadline_for(ReminderKind.AVENANT_EXPLICIT_ANSWER, COMPANY_AVENANT)
    assert deadline is not None and "R426-21" in deadline.explanation.source
    assert "réponse explicite" in deadline.explanation.text("fr")
    assert (
        deadline_for(ReminderKind.AVENANT_EXPLICIT_ANSWER, replace(COMPANY_AVENANT, category="hopital"))
        is None
    )
    assert ReminderKind.AVENANT_EXPLICIT_ANSWER in kinds_stopped_by(FileType.AVENANT, "validated")
    # No silence deadline in the calendar for it either (nothing is accepted by silence): the end by
    # which an explicit answer is needed instead.
    assert [kind for kind, _ in upcoming_deadlines(COMPANY_AVENANT, date(2026, 11, 24))] == [
        DeadlineKind.AVENANT_ANSWER
    ]


def test_calendar_lists_the_new_deadlines() -> None:
    assert [kind for kind, _ in upcoming_deadlines(VISA, date(2026, 11, 24))] == [
        DeadlineKind.OFII_VALIDATION
    ]
    assert [kind for kind, _ in upcoming_deadlines(TO_FILE, date(2026, 10, 1))] == [
        DeadlineKind.PERMIT_FILING_OPENS,
        DeadlineKind.PERMIT_FILING,
    ]
    assert DeadlineKind.DOCUMENTS_DUE in [
        kind for kind, _ in upcoming_deadlines(REQUESTED, date(2026, 11, 24))
    ]


NEW_KINDS = [
    (ReminderKind.OFII_VALIDATION_DUE, FileType.VISA, VISA),
    (ReminderKind.PERMIT_FILING_OPENS, FileType.PERMIT, TO_FILE),
    (ReminderKind.PERMIT_FILING_DUE, FileType.PERMIT, TO_FILE),
    (ReminderKind.DOCUMENTS_DUE, FileType.CONVENTION, REQUESTED),
    (ReminderKind.AVENANT_EXPLICIT_ANSWER, FileType.AVENANT, COMPANY_AVENANT),
]


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(
    ("kind", "file_type", "facts"), NEW_KINDS, ids=[kind.value for kind, _, _ in NEW_KINDS]
)
def test_every_new_reminder_reads_in_both_languages(
    kind: ReminderKind, file_type: FileType, facts: object, language: str
) -> None:
    from notifications.emails import EmailItem, Envelope, build_message, checklist_for

    deadline = deadline_for(kind, facts)  # type: ignore[arg-type]
    assert deadline is not None
    checklist, stamp = checklist_for(kind, language)
    item = EmailItem(
        kind=kind, file_type=file_type, object_id=1, intern_name="Kwame MENSAH", organisation_name="CHU",
        deadline=deadline, days_left=7, checklist=checklist, stamp_eur=stamp,
    )  # fmt: skip
    message = build_message(
        Envelope(
            to="hr@chu.example", language=language, message_id="<k@x>", organisation_name="CHU", items=[item]
        )
    )
    subject_tail = message.subject.split("—", 1)[1]
    assert len(subject_tail.strip()) > 15, message.subject
    shown = deadline.on.strftime("%-d")
    assert shown in message.subject and deadline.explanation.source in message.body
    assert deadline.explanation.text(language) in message.body
