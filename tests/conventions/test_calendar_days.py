"""Deadlines are French calendar days: "today" is the date in Europe/Paris, across DST and month ends."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from conventions.services.common import local_today

UTC = dt.UTC


@pytest.mark.parametrize(
    ("instant", "paris_day"),
    [
        # Summer time ends on 2026-10-25: 22:30 UTC on the 24th is 00:30 on the 25th in Paris (UTC+2).
        (dt.datetime(2026, 10, 24, 22, 30, tzinfo=UTC), dt.date(2026, 10, 25)),
        # After the change (UTC+1): 22:30 UTC on the 25th is 23:30 in Paris, still the 25th.
        (dt.datetime(2026, 10, 25, 22, 30, tzinfo=UTC), dt.date(2026, 10, 25)),
        # Summer time starts on 2027-03-28: 22:30 UTC is 00:30 on the 29th in Paris.
        (dt.datetime(2027, 3, 28, 22, 30, tzinfo=UTC), dt.date(2027, 3, 29)),
        # Month end: 23:15 UTC on 31 January is 1 February in Paris.
        (dt.datetime(2027, 1, 31, 23, 15, tzinfo=UTC), dt.date(2027, 2, 1)),
    ],
)
def test_local_today_is_the_paris_calendar_day(instant: dt.datetime, paris_day: dt.date) -> None:
    assert local_today(instant) == paris_day
    with time_machine.travel(instant, tick=False):
        assert local_today() == paris_day
