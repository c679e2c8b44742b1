"""Helpers of the notification tests: a day to live on, planning and delivering in-process."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from notifications.services import PlanReport, outbox_deliver, reminders_plan

PARIS = ZoneInfo("Europe/Paris")
# The default convention (tests.factories.convention_fields) starts 2027-03-01: filing deadline
# 2027-01-01 (R426-20), so its 30-day reminder is due on 2026-12-02.
FILING_DEADLINE = dt.date(2027, 1, 1)
THIRTY_DAYS_BEFORE = dt.date(2026, 12, 2)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=PARIS)


@pytest.fixture
def live_on() -> Iterator[Callable[[dt.date | dt.datetime], None]]:
    """Move the clock to 10:00 (Paris) on a day, or to an instant; the services and delivery read it."""
    travellers: list[Any] = []

    def move(day: dt.date | dt.datetime) -> None:
        while travellers:
            travellers.pop().stop()
        traveller = time_machine.travel(day if isinstance(day, dt.datetime) else at(day), tick=False)
        traveller.start()
        travellers.append(traveller)

    yield move
    while travellers:
        travellers.pop().stop()


@pytest.fixture
def plan(live_on: Callable[[dt.date], None]) -> Callable[[dt.date], PlanReport]:
    def run(day: dt.date) -> PlanReport:
        live_on(day)
        return reminders_plan(enqueue=False)

    return run


@pytest.fixture
def deliver() -> Callable[[], list[Any]]:
    """Deliver everything due now through the locmem backend; returns the messages sent by this call."""

    def run() -> list[Any]:
        before = len(mail.outbox)
        outbox_deliver()
        return list(mail.outbox[before:])

    return run
