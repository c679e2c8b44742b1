"""« Aujourd'hui »'s list (notifications.selectors.act_now): it reads only the files whose stored deadlines
can fall in the window, and the list is exactly the one the rules give over every file."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection

from conventions import services
from hostportal.models import Organisation
from notifications import facts
from notifications.rules import act_now_deadlines
from notifications.selectors import act_now
from tests.conftest import NOW

pytestmark = pytest.mark.django_db

GENERATED_TODAY = dt.date(2026, 12, 1)
DAYS = [GENERATED_TODAY + dt.timedelta(days=shift) for shift in (-45, 0, 20, 120)]
HORIZONS = (0, 7, 60)

Row = tuple[str, int, str, dt.date, str, str]


def from_every_file(organisation_id: int, today: dt.date, horizon: int) -> list[Row]:
    """The list as it was built before the window: every active file through the rules."""
    rows = [
        (str(file.ref.file_type), file.ref.pk, str(kind), deadline.on, deadline.explanation.rule,
         deadline.explanation.source)
        for file in facts.files_of_organisation(organisation_id, today)
        for kind, deadline in act_now_deadlines(file.facts, today, horizon)
    ]  # fmt: skip
    return sorted(rows, key=lambda row: (row[3], row[0], row[1], row[2]))


def from_act_now(organisation_id: int, today: dt.date, horizon: int) -> list[Row]:
    rows = [
        (str(item.file.file_type), item.file.pk, str(item.kind), item.on, item.explanation.rule,
         item.explanation.source)
        for item in act_now(organisation_id, today, horizon)
    ]  # fmt: skip
    return sorted(rows, key=lambda row: (row[3], row[0], row[1], row[2]))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the generator writes with PostgreSQL SQL")
def test_the_window_gives_the_same_list_as_every_file_on_a_generated_data_set() -> None:
    from bench.generate import generate

    generate(2_000, organisations=5, today=GENERATED_TODAY, progress=False)
    kinds: set[str] = set()
    late = read = every = 0
    for organisation_id in Organisation.objects.values_list("pk", flat=True):
        for today in DAYS:
            for horizon in HORIZONS:
                expected = from_every_file(organisation_id, today, horizon)
                assert from_act_now(organisation_id, today, horizon) == expected, (today, horizon)
                kinds |= {row[2] for row in expected}
                late += sum(1 for row in expected if row[3] < today)
            until = today + dt.timedelta(days=60)
            read += len(facts.files_of_organisation(organisation_id, today, act_by=until))
            every += len(facts.files_of_organisation(organisation_id, today))
    # A varied set: late ones, most kinds of deadline, and far fewer files read than there are.
    assert late > 0 and {"filing", "silence", "documents_due", "ofii_validation"} <= kinds, kinds
    assert read < every / 2, (read, every)


def test_a_late_filing_is_read_and_a_passed_silence_deadline_is_not(
    alice: Any, acme: Organisation, make_convention: Any, submitted_convention: Any
) -> None:
    draft = make_convention()  # filing deadline 2027-01-01
    after_both = dt.date(2027, 1, 5)  # the silence deadline (2026-12-02) has passed too
    read = facts.files_of_organisation(acme.pk, after_both, act_by=after_both + dt.timedelta(days=60))
    assert [(file.ref.file_type, file.ref.pk) for file in read] == [("convention", draft.pk)]
    assert from_act_now(acme.pk, after_both, 60) == from_every_file(acme.pk, after_both, 60)
    assert [row[2] for row in from_act_now(acme.pk, after_both, 60)] == ["filing"]


def test_a_deadline_beyond_the_horizon_is_not_read(
    alice: Any, acme: Organisation, make_convention: Any
) -> None:
    convention = make_convention()  # filing deadline 2027-01-01
    today = dt.date(2026, 11, 23)
    assert facts.files_of_organisation(acme.pk, today, act_by=dt.date(2026, 12, 31)) == []
    assert [file.ref.pk for file in facts.files_of_organisation(acme.pk, today)] == [convention.pk]
    services.convention_submit(actor=alice, convention=convention, received_on=today, now=NOW)
    read = facts.files_of_organisation(acme.pk, today, act_by=dt.date(2026, 12, 31))
    assert [file.ref.pk for file in read] == [convention.pk]  # silence deadline 2026-12-23
