"""Calendar arithmetic (RULES §2 month clamping, RULES 1.1 "more than N months")."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta

from conventions.rules import add_months, inclusive_days, stay_exceeds_months
from conventions.rules.months import add_days


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        pytest.param(date(2026, 4, 30), -2, date(2026, 2, 28), id="apr30-minus-2-clamps-to-feb28"),
        pytest.param(date(2026, 3, 31), -1, date(2026, 2, 28), id="mar31-minus-1-clamps-to-feb28"),
        pytest.param(date(2028, 4, 30), -2, date(2028, 2, 29), id="leap-apr30-minus-2-is-feb29"),
        pytest.param(date(2028, 3, 31), -1, date(2028, 2, 29), id="leap-mar31-minus-1-is-feb29"),
        pytest.param(date(2026, 8, 31), 1, date(2026, 9, 30), id="aug31-plus-1-is-sep30"),
        pytest.param(date(2026, 10, 31), -2, date(2026, 8, 31), id="oct31-minus-2-is-aug31"),
        pytest.param(date(2026, 8, 31), -6, date(2026, 2, 28), id="aug31-minus-6-is-feb28"),
        pytest.param(date(2028, 2, 29), 12, date(2029, 2, 28), id="feb29-plus-12-is-feb28"),
        pytest.param(date(2028, 2, 29), 3, date(2028, 5, 29), id="feb29-plus-3-keeps-29"),
        pytest.param(date(2026, 1, 31), 1, date(2026, 2, 28), id="jan31-plus-1-is-feb28"),
        pytest.param(date(2026, 12, 15), 1, date(2027, 1, 15), id="year-forward"),
        pytest.param(date(2026, 1, 15), -1, date(2025, 12, 15), id="year-backward"),
        pytest.param(date(2026, 5, 10), 0, date(2026, 5, 10), id="zero-months"),
    ],
)
def test_add_months_clamps_to_month_end(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_add_months_matches_relativedelta_for_every_day_of_four_years() -> None:
    day = date(2025, 1, 1)
    while day < date(2029, 1, 1):
        for months in (-12, -4, -2, -1, 1, 2, 3, 4, 6, 12, 18):
            assert add_months(day, months) == day + relativedelta(months=months), (day, months)
        day += timedelta(days=1)


@pytest.mark.parametrize(
    ("start", "end", "months", "expected"),
    [
        pytest.param(date(2026, 1, 1), date(2026, 3, 31), 3, False, id="rules-example-exactly-3-months"),
        pytest.param(date(2026, 1, 1), date(2026, 4, 1), 3, True, id="rules-example-one-day-more"),
        pytest.param(date(2026, 1, 1), date(2026, 1, 1), 3, False, id="one-day-stay"),
        pytest.param(date(2026, 11, 30), date(2027, 2, 27), 3, False, id="nov30-end-feb27-not-more"),
        pytest.param(date(2026, 11, 30), date(2027, 2, 28), 3, True, id="nov30-end-feb28-clamped-more"),
        pytest.param(date(2026, 2, 1), date(2026, 4, 30), 2, True, id="two-month-rule-more"),
        pytest.param(date(2026, 2, 1), date(2026, 3, 31), 2, False, id="two-month-rule-exactly"),
        pytest.param(date(2028, 2, 29), date(2028, 5, 28), 3, False, id="leap-feb29-start-day-before"),
        pytest.param(date(2028, 2, 29), date(2028, 5, 29), 3, True, id="leap-feb29-start-boundary"),
        pytest.param(date(2026, 1, 1), date(2026, 12, 31), 12, False, id="exactly-12-months"),
        pytest.param(date(2026, 1, 1), date(2027, 1, 1), 12, True, id="12-months-and-a-day"),
    ],
)
def test_stay_exceeds_months_uses_end_on_or_after_start_plus_n(
    start: date, end: date, months: int, expected: bool
) -> None:
    assert stay_exceeds_months(start, end, months) is expected


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        pytest.param(date(2026, 1, 1), date(2026, 1, 1), 1, id="same-day"),
        pytest.param(date(2026, 1, 1), date(2026, 3, 31), 90, id="q1-2026"),
        pytest.param(date(2028, 1, 1), date(2028, 3, 31), 91, id="q1-leap-year"),
    ],
)
def test_inclusive_days_counts_both_ends(start: date, end: date, days: int) -> None:
    assert inclusive_days(start, end) == days


def test_add_days_has_no_working_day_roll_over() -> None:
    # 2026-02-07 is a Saturday: the deadline stays on it (CPC 642 does not apply to the administration).
    assert add_days(date(2026, 1, 8), 30) == date(2026, 2, 7)
