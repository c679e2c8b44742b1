"""RULES §2: every date rule, with the month ends, leap years and boundary days."""

from __future__ import annotations

from datetime import date

import pytest

from conventions.rules import (
    Programme,
    avenant_filing_deadline,
    avenant_silence_deadline,
    convention_filing_deadline,
    convention_silence_days,
    convention_silence_deadline,
    implicit_decision_on,
    implicit_decision_reached,
    late_filing,
    residence_permit_silence_deadline,
)
from conventions.rules.dates import late_request_warning

D = date
EU, INTER = Programme.EU, Programme.INTERGOVERNMENTAL


@pytest.mark.parametrize(
    ("start", "programme", "expected", "rule", "source"),
    [
        pytest.param(
            D(2026, 9, 1),
            None,
            D(2026, 7, 1),
            "start date 2026-09-01 minus 2 months",
            "CESEDA R426-20 al. 1",
            id="two-months",
        ),
        pytest.param(
            D(2026, 9, 1),
            EU,
            D(2026, 8, 1),
            "start date 2026-09-01 minus 1 month (eu programme)",
            "CESEDA R426-20 al. 1 and 3",
            id="eu-programme-one-month",
        ),
        pytest.param(
            D(2026, 9, 1),
            INTER,
            D(2026, 8, 1),
            "minus 1 month (intergovernmental programme)",
            "CESEDA R426-20 al. 1 and 3",
            id="intergovernmental-one-month",
        ),
        pytest.param(D(2026, 4, 30), None, D(2026, 2, 28), "", "", id="apr30-clamps-to-feb28"),
        pytest.param(D(2028, 4, 30), None, D(2028, 2, 29), "", "", id="leap-apr30-to-feb29"),
        pytest.param(D(2026, 3, 31), EU, D(2026, 2, 28), "", "", id="programme-mar31-to-feb28"),
        pytest.param(D(2026, 10, 31), None, D(2026, 8, 31), "", "", id="oct31-to-aug31"),
        pytest.param(D(2026, 8, 31), EU, D(2026, 7, 31), "", "", id="aug31-to-jul31"),
        pytest.param(D(2026, 5, 31), EU, D(2026, 4, 30), "", "", id="may31-to-apr30"),
        pytest.param(D(2027, 1, 15), None, D(2026, 11, 15), "", "", id="across-new-year"),
    ],
)
def test_convention_filing_deadline(
    start: date, programme: Programme | None, expected: date, rule: str, source: str
) -> None:
    got = convention_filing_deadline(start_date=start, programme=programme)
    assert got.value == expected
    assert rule in got.explanation.rule
    assert got.explanation.source == (source or got.explanation.source)


@pytest.mark.parametrize(
    ("received_on", "today", "late"),
    [
        pytest.param(D(2026, 7, 1), D(2026, 8, 1), False, id="filed-on-the-deadline-day-is-on-time"),
        pytest.param(D(2026, 7, 2), D(2026, 8, 1), True, id="filed-one-day-later-is-late"),
        pytest.param(D(2026, 6, 1), D(2026, 8, 1), False, id="filed-early"),
        pytest.param(None, D(2026, 7, 1), False, id="not-filed-today-is-deadline-day"),
        pytest.param(None, D(2026, 7, 2), True, id="not-filed-and-deadline-passed"),
    ],
)
def test_late_filing_uses_received_on_or_today(received_on: date | None, today: date, late: bool) -> None:
    assert late_filing(filing_deadline=D(2026, 7, 1), received_on=received_on, today=today) is late


@pytest.mark.parametrize(
    ("programme", "days"),
    [
        pytest.param(None, 30, id="no-programme-30"),
        pytest.param(EU, 15, id="eu-15"),
        pytest.param(INTER, 15, id="ig-15"),
    ],
)
def test_convention_silence_days(programme: Programme | None, days: int) -> None:
    assert convention_silence_days(programme) == days


@pytest.mark.parametrize(
    ("received", "programme", "requested", "arrived", "expected", "rule_part"),
    [
        pytest.param(
            D(2026, 1, 10),
            None,
            None,
            None,
            D(2026, 2, 9),
            "received on 2026-01-10 plus 30 days",
            id="rules-example-jan10-to-feb9",
        ),
        pytest.param(D(2026, 1, 10), EU, None, None, D(2026, 1, 25), "plus 15 days", id="programme-15-days"),
        pytest.param(
            D(2026, 1, 31), None, None, None, D(2026, 3, 2), "", id="calendar-days-through-february"
        ),
        pytest.param(D(2028, 1, 31), None, None, None, D(2028, 3, 1), "", id="leap-february"),
        pytest.param(
            D(2026, 1, 10),
            None,
            D(2026, 1, 20),
            D(2026, 1, 25),
            D(2026, 2, 14),
            "plus 5 days of suspension",
            id="suspended-5-days",
        ),
        pytest.param(
            D(2026, 1, 10),
            None,
            D(2026, 1, 20),
            D(2026, 1, 20),
            D(2026, 2, 9),
            "plus 0 days of suspension",
            id="documents-same-day-no-shift",
        ),
        pytest.param(
            D(2026, 1, 10),
            None,
            D(2026, 1, 10),
            D(2026, 3, 1),
            D(2026, 3, 31),
            "plus 50 days",
            id="requested-on-receipt-day",
        ),
        pytest.param(
            D(2026, 1, 10),
            None,
            D(2026, 2, 9),
            D(2026, 2, 19),
            D(2026, 2, 19),
            "",
            id="requested-on-deadline-day-still-suspends",
        ),
        pytest.param(
            D(2026, 1, 10), EU, D(2026, 1, 12), D(2026, 1, 22), D(2026, 2, 4), "", id="programme-suspended"
        ),
        pytest.param(D(2026, 1, 10), None, D(2026, 1, 20), None, None, "suspended", id="documents-awaited"),
        pytest.param(None, None, None, None, None, "not received yet", id="not-received"),
        pytest.param(
            D(2026, 1, 10),
            None,
            D(2026, 2, 10),
            D(2026, 2, 20),
            D(2026, 2, 9),
            "",
            id="request-after-deadline-is-ignored",
        ),
        pytest.param(
            D(2026, 1, 10),
            None,
            D(2026, 2, 10),
            None,
            D(2026, 2, 9),
            "",
            id="request-after-deadline-awaited-is-ignored",
        ),
    ],
)
def test_convention_silence_deadline(
    received: date | None,
    programme: Programme | None,
    requested: date | None,
    arrived: date | None,
    expected: date | None,
    rule_part: str,
) -> None:
    got = convention_silence_deadline(
        received_on=received,
        programme=programme,
        documents_requested_on=requested,
        documents_received_on=arrived,
    )
    assert got.value == expected
    assert rule_part in got.explanation.rule
    assert "R426-20" in got.explanation.source


def test_rules_example_refused_by_silence_on_feb10() -> None:
    deadline = convention_silence_deadline(received_on=D(2026, 1, 10), programme=None).value
    assert implicit_decision_on(silence_deadline=D(2026, 2, 9)).value == D(2026, 2, 10)
    assert implicit_decision_reached(silence_deadline=deadline, today=D(2026, 2, 9)) is False
    assert implicit_decision_reached(silence_deadline=deadline, today=D(2026, 2, 10)) is True


def test_suspension_cites_crpa() -> None:
    got = convention_silence_deadline(
        received_on=D(2026, 1, 10),
        programme=None,
        documents_requested_on=D(2026, 1, 20),
        documents_received_on=D(2026, 1, 25),
    )
    assert got.explanation.source.endswith("CRPA L114-5")


@pytest.mark.parametrize(
    ("end", "expected"),
    [
        pytest.param(D(2026, 12, 31), D(2026, 12, 16), id="dec31-minus-15"),
        pytest.param(D(2026, 3, 10), D(2026, 2, 23), id="across-february"),
        pytest.param(D(2028, 3, 10), D(2028, 2, 24), id="across-leap-february"),
        pytest.param(D(2027, 1, 5), D(2026, 12, 21), id="across-new-year"),
    ],
)
def test_avenant_filing_deadline_is_end_minus_15_days(end: date, expected: date) -> None:
    got = avenant_filing_deadline(end_date=end)
    assert got.value == expected
    assert got.explanation.rule == f"convention end date {end} minus 15 days"
    assert got.explanation.source == "CESEDA R426-21"


@pytest.mark.parametrize(
    ("received", "requested", "arrived", "expected", "rule_part"),
    [
        pytest.param(
            D(2026, 6, 1),
            None,
            None,
            D(2026, 6, 16),
            "received on 2026-06-01 plus 15 days",
            id="plus-15-days",
        ),
        pytest.param(
            D(2026, 6, 1),
            D(2026, 6, 5),
            D(2026, 6, 20),
            D(2026, 7, 5),
            "(the delay restarts)",
            id="restarts-from-documents",
        ),
        pytest.param(
            D(2026, 6, 1),
            D(2026, 6, 16),
            D(2026, 6, 17),
            D(2026, 7, 2),
            "",
            id="request-on-deadline-day-restarts",
        ),
        pytest.param(
            D(2026, 6, 1), D(2026, 6, 5), None, None, "the delay restarts when they arrive", id="awaited"
        ),
        pytest.param(
            D(2026, 6, 1),
            D(2026, 6, 17),
            D(2026, 6, 20),
            D(2026, 6, 16),
            "",
            id="request-after-acceptance-ignored",
        ),
        pytest.param(None, None, None, None, "not received yet", id="not-received"),
    ],
)
def test_avenant_silence_deadline(
    received: date | None, requested: date | None, arrived: date | None, expected: date | None, rule_part: str
) -> None:
    got = avenant_silence_deadline(
        received_on=received, documents_requested_on=requested, documents_received_on=arrived
    )
    assert got.value == expected
    assert rule_part in got.explanation.rule


@pytest.mark.parametrize(
    ("filed", "expected"),
    [
        pytest.param(D(2026, 3, 15), D(2026, 6, 13), id="plus-90-days"),
        pytest.param(D(2026, 12, 1), D(2027, 3, 1), id="across-february"),
        pytest.param(D(2027, 12, 1), D(2028, 2, 29), id="leap-year-feb29"),
        pytest.param(D(2026, 8, 31), D(2026, 11, 29), id="not-3-calendar-months"),
    ],
)
def test_residence_permit_silence_is_90_days_not_4_months(filed: date, expected: date) -> None:
    got = residence_permit_silence_deadline(filed_on=filed)
    assert got.value == expected
    assert got.explanation.source == "CESEDA R426-17; R432-2 al. 2"


def test_residence_permit_silence_runs_from_the_complete_file() -> None:
    got = residence_permit_silence_deadline(filed_on=D(2027, 1, 5), complete_on=D(2027, 2, 1))
    assert got.value == D(2027, 5, 2)
    assert "complete on 2027-02-01" in got.explanation.rule
    assert "complète le 01/02/2027" in got.explanation.rule_fr


@pytest.mark.parametrize(
    ("deadline", "today", "reached"),
    [
        pytest.param(D(2026, 2, 9), D(2026, 2, 8), False, id="before"),
        pytest.param(D(2026, 2, 9), D(2026, 2, 9), False, id="deadline-day-still-running"),
        pytest.param(D(2026, 2, 9), D(2026, 2, 10), True, id="day-after"),
        pytest.param(None, D(2030, 1, 1), False, id="no-deadline-yet"),
    ],
)
def test_implicit_decision_reached_when_today_after_deadline(
    deadline: date | None, today: date, reached: bool
) -> None:
    assert implicit_decision_reached(silence_deadline=deadline, today=today) is reached


@pytest.mark.parametrize(
    ("received", "requested", "arrived", "message"),
    [
        pytest.param(
            D(2026, 1, 10), None, D(2026, 1, 20), "on or after documents_requested_on", id="arrived-not-asked"
        ),
        pytest.param(
            D(2026, 1, 10), D(2026, 1, 9), None, "on or after received_on", id="asked-before-receipt"
        ),
        pytest.param(None, D(2026, 1, 9), None, "on or after received_on", id="asked-not-received"),
        pytest.param(
            D(2026, 1, 10),
            D(2026, 1, 20),
            D(2026, 1, 19),
            "on or after documents_requested_on",
            id="arrived-before-asked",
        ),
    ],
)
def test_silence_deadlines_reject_documents_out_of_order(
    received: date | None, requested: date | None, arrived: date | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        convention_silence_deadline(
            received_on=received,
            programme=None,
            documents_requested_on=requested,
            documents_received_on=arrived,
        )
    with pytest.raises(ValueError, match=message):
        avenant_silence_deadline(
            received_on=received, documents_requested_on=requested, documents_received_on=arrived
        )


@pytest.mark.parametrize(
    ("requested", "warns"),
    [
        pytest.param(None, False, id="no-request"),
        pytest.param(D(2026, 2, 9), False, id="on-deadline-day"),
        pytest.param(D(2026, 2, 10), True, id="after-deadline"),
    ],
)
def test_late_request_warning(requested: date | None, warns: bool) -> None:
    found = late_request_warning(base_deadline=D(2026, 2, 9), documents_requested_on=requested)
    assert (found is not None) is warns
    if found:
        assert found.warning.code == "documents_requested_after_silence"


def test_deadline_explanations_read_in_french_too() -> None:
    from conventions.rules import convention_filing_deadline, residence_permit_silence_deadline

    filing = convention_filing_deadline(start_date=date(2027, 3, 1), programme=None).explanation
    assert filing.text("fr") == "date de début du stage 01/03/2027 moins 2 mois"
    assert filing.text("en") == "start date 2027-03-01 minus 2 months"
    permit = residence_permit_silence_deadline(filed_on=date(2027, 1, 5)).explanation
    assert permit.text("fr") == "90 jours après la demande déposée (complète) le 05/01/2027"
