"""conventions.reporting on known data: the median delay, the share refused by silence, files late, the
timeline's rows, and the organisation scoping of all of them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from conventions import reporting, services
from hostportal.models import Organisation
from tests.conftest import NOW, TODAY
from tests.factories import InternFactory

pytestmark = pytest.mark.django_db
WINDOW = {"start": dt.date(2026, 10, 23), "end": dt.date(2027, 5, 23)}


def submitted(make_convention: Any, alice: Any, received_on: dt.date, **fields: Any) -> Any:
    convention = make_convention(**fields)
    return services.convention_submit(actor=alice, convention=convention, received_on=received_on, now=NOW)


def decided(
    make_convention: Any, alice: Any, received_on: dt.date, decided_on: dt.date, decision: str
) -> Any:
    convention = submitted(make_convention, alice, received_on)
    return services.convention_record_decision(
        actor=alice, convention=convention, decision=decision, decided_on=decided_on, reference="R-1", now=NOW
    )


@pytest.fixture
def known(make_convention: Any, alice: Any) -> None:
    """Delays of 10, 15 and 20 days (explicit answers) and 31 days (refused by silence), one open draft."""
    decided(make_convention, alice, dt.date(2026, 11, 2), dt.date(2026, 11, 12), "validated")
    decided(make_convention, alice, dt.date(2026, 11, 2), dt.date(2026, 11, 17), "validated")
    decided(make_convention, alice, dt.date(2026, 11, 2), dt.date(2026, 11, 22), "refused")
    submitted(make_convention, alice, dt.date(2026, 10, 1))  # silence deadline 2026-10-31
    services.sweep_deadlines(today=TODAY, now=NOW)  # refused by silence, decided on 2026-11-01
    make_convention()


def test_the_median_and_the_share_refused_by_silence_over_decided_conventions(
    known: None, acme: Organisation
) -> None:
    kpis = reporting.kpis(acme.pk, today=TODAY)
    assert (kpis.decided, kpis.timed, kpis.refused_by_silence) == (4, 4, 1)
    assert kpis.median_days == 17.5  # (15 + 20) / 2: the two middle values of 10, 15, 20, 31
    assert kpis.median_rounded == 18
    assert kpis.refused_by_silence_percent == 25
    assert kpis.overdue == 0


def test_an_odd_number_of_decided_files_takes_the_middle_one(
    make_convention: Any, alice: Any, acme: Organisation
) -> None:
    for decided_on in (dt.date(2026, 11, 5), dt.date(2026, 11, 9), dt.date(2026, 11, 22)):
        decided(make_convention, alice, dt.date(2026, 11, 2), decided_on, "validated")
    assert reporting.kpis(acme.pk, today=TODAY).median_days == 7


def test_no_decided_file_gives_no_median_and_no_share(make_convention: Any, acme: Organisation) -> None:
    make_convention()
    kpis = reporting.kpis(acme.pk, today=TODAY)
    assert kpis.median_days is None and kpis.refused_by_silence_percent is None and kpis.decided == 0


def test_overdue_counts_late_drafts_and_submitted_files_past_their_silence_deadline(
    make_convention: Any, alice: Any, acme: Organisation
) -> None:
    make_convention(start_date=dt.date(2027, 1, 10), end_date=dt.date(2027, 6, 30))  # filing by 2026-11-10
    submitted(make_convention, alice, dt.date(2026, 10, 1))  # silence deadline 2026-10-31: the sweep is due
    make_convention()  # on time
    assert reporting.kpis(acme.pk, today=TODAY).overdue == 2


def test_late_files_adds_the_other_late_items_once_each() -> None:
    late = [("convention", 1, "filing"), ("avenant", 7, "avenant_filing"), ("avenant", 7, "documents_due")]
    late.append(("visa", 3, "ofii_validation"))
    assert reporting.late_files(2, late) == 4  # the late convention filing is among the 2 overdue


def test_another_organisations_files_never_count(
    known: None, chu: Organisation, claire: Any, acme: Organisation
) -> None:
    kpis = reporting.kpis(chu.pk, today=TODAY)
    assert (kpis.decided, kpis.median_days) == (0, None)
    rows, total = reporting.timeline_rows(chu.pk, **WINDOW)
    assert (rows, total) == ([], 0)


def test_timeline_rows_put_the_nearest_deadline_first_and_count_the_rest(
    make_convention: Any, alice: Any, acme: Organisation, chu: Organisation, claire: Any
) -> None:
    late_draft = make_convention(start_date=dt.date(2027, 1, 10), end_date=dt.date(2027, 6, 30))
    filed = submitted(make_convention, alice, dt.date(2026, 11, 2))  # silence deadline 2026-12-02
    far = make_convention(start_date=dt.date(2027, 5, 1), end_date=dt.date(2027, 10, 31))  # files by 03-01
    make_convention(start_date=dt.date(2028, 1, 1), end_date=dt.date(2028, 3, 1))  # outside the window
    outsider = InternFactory(organisation=chu)
    services.convention_create(
        actor=claire, organisation=chu, intern=outsider, channel="web", now=NOW, category="hopital",
        sending_establishment="U", tutor_name="T", start_date=dt.date(2027, 1, 4),
        end_date=dt.date(2027, 3, 1), weekly_hours=35, hourly_gratification_eur=5,
    )  # fmt: skip
    rows, total = reporting.timeline_rows(acme.pk, **WINDOW, limit=2)
    assert total == 3
    assert [row.convention_id for row in rows] == [late_draft.pk, filed.pk]
    assert rows[0].deadlines == (("filing", dt.date(2026, 11, 10)),)
    assert rows[1].deadlines == (("silence", dt.date(2026, 12, 2)),)
    every, _ = reporting.timeline_rows(acme.pk, **WINDOW)
    assert [row.convention_id for row in every][-1] == far.pk
    assert all(row.intern_name != str(outsider) for row in every)


def test_timeline_rows_show_an_open_avenant_and_the_ofii_deadline(
    make_convention: Any, alice: Any, acme: Organisation
) -> None:
    convention = decided(make_convention, alice, dt.date(2026, 11, 2), dt.date(2026, 11, 12), "validated")
    services.avenant_create(
        actor=alice, convention=convention, requested_end_date=dt.date(2027, 10, 31), now=NOW
    )
    rows, _ = reporting.timeline_rows(acme.pk, **WINDOW)
    (row,) = rows
    assert row.requested_end == dt.date(2027, 10, 31)
    assert [kind for kind, _ in row.deadlines] == ["avenant_filing"]
