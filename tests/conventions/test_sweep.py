"""The deadline sweep: set-based, idempotent, safe with two sweeps at once (PostgreSQL row locks)."""

from __future__ import annotations

import datetime as dt
import threading
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from conventions import services
from conventions.models import (
    Avenant,
    AvenantState,
    Convention,
    ConventionState,
    DocumentItem,
    PermitState,
    ResidencePermitApplication,
    TransitionLog,
)
from tests.conftest import NOW
from tests.factories import InternFactory

DEADLINE = dt.date(2026, 12, 2)  # received 2026-11-02 + 30 days


def submit_many(make_convention: Any, alice: Any, acme: Any, count: int) -> list[Convention]:
    conventions = []
    for _ in range(count):
        convention = make_convention(intern=InternFactory(organisation=acme))
        conventions.append(
            services.convention_submit(
                actor=alice, convention=convention, received_on=dt.date(2026, 11, 2), now=NOW
            )
        )
    return conventions


@pytest.mark.django_db
def test_nothing_moves_on_the_deadline_day(submitted_convention: Convention) -> None:
    report = services.sweep_deadlines(today=DEADLINE)
    assert report.moved == 0
    submitted_convention.refresh_from_db()
    assert submitted_convention.state == ConventionState.SUBMITTED


@pytest.mark.django_db
def test_refused_by_silence_the_day_after(submitted_convention: Convention) -> None:
    report = services.sweep_deadlines(today=DEADLINE + dt.timedelta(days=1))
    assert report.conventions_refused == [submitted_convention.pk]
    submitted_convention.refresh_from_db()
    assert submitted_convention.state == ConventionState.REFUSED_BY_SILENCE
    assert submitted_convention.decision_on == dt.date(2026, 12, 3)
    log = TransitionLog.objects.get(object_id=submitted_convention.pk, transition="refuse_by_silence")
    assert (log.actor, log.channel, log.source_state) == (None, "sweep", "submitted")
    assert "2026-12-02" in log.comment


@pytest.mark.django_db
def test_documents_requested_files_are_not_swept(submitted_convention: Convention, alice: Any) -> None:
    services.convention_request_documents(
        actor=alice, convention=submitted_convention, requested_on=dt.date(2026, 11, 10), now=NOW
    )
    assert services.sweep_deadlines(today=dt.date(2027, 6, 1)).moved == 0


@pytest.mark.django_db
def test_second_sweep_changes_nothing(make_convention: Any, alice: Any, acme: Any) -> None:
    submit_many(make_convention, alice, acme, 3)
    first = services.sweep_deadlines(today=dt.date(2026, 12, 10))
    logs_after_first = TransitionLog.objects.count()
    second = services.sweep_deadlines(today=dt.date(2026, 12, 10))
    assert len(first.conventions_refused) == 3 and second.moved == 0
    assert TransitionLog.objects.count() == logs_after_first


@pytest.mark.django_db
def test_query_count_does_not_grow_with_rows(make_convention: Any, alice: Any, acme: Any) -> None:
    submit_many(make_convention, alice, acme, 1)
    with CaptureQueriesContext(connection) as one:
        assert len(services.sweep_deadlines(today=dt.date(2026, 12, 10)).conventions_refused) == 1
    submit_many(make_convention, alice, acme, 30)
    with CaptureQueriesContext(connection) as thirty:
        assert len(services.sweep_deadlines(today=dt.date(2026, 12, 10)).conventions_refused) == 30
    assert len(thirty.captured_queries) == len(one.captured_queries)


@pytest.mark.django_db
def test_avenant_accepted_by_silence_extends_and_opens_the_carte_de_sejour(
    training_convention: Convention, submitted_avenant: Avenant
) -> None:
    avenant = submitted_avenant
    assert avenant.silence_deadline == dt.date(2026, 12, 6)  # + 15 days, accepted after (R426-21)
    report = services.sweep_deadlines(today=dt.date(2026, 12, 7))
    assert report.avenants_accepted == [avenant.pk]
    avenant.refresh_from_db()
    training_convention.refresh_from_db()
    assert avenant.state == AvenantState.ACCEPTED_BY_SILENCE
    assert training_convention.effective_end_date == dt.date(2027, 11, 30)
    assert training_convention.end_date == dt.date(2027, 8, 31)  # the signed date is kept
    permit = ResidencePermitApplication.objects.get(avenant=avenant)
    assert permit.state == PermitState.TO_FILE and str(permit.stamp_amount_eur) == "75.00"
    assert DocumentItem.objects.filter(permit_application=permit).count() >= 7


@pytest.mark.django_db
def test_permit_refused_after_ninety_days_of_silence(submitted_avenant: Avenant, alice: Any) -> None:
    services.sweep_deadlines(today=dt.date(2026, 12, 7))
    permit = ResidencePermitApplication.objects.get(avenant=submitted_avenant)
    later = NOW.replace(year=2027, month=1, day=5)
    permit = services.permit_file(actor=alice, permit=permit, filed_on=dt.date(2027, 1, 5), now=later)
    assert permit.silence_deadline == dt.date(2027, 4, 5)  # + 90 days (CESEDA R426-17), not 4 months
    assert services.sweep_deadlines(today=dt.date(2027, 4, 5)).permits_refused == []
    assert services.sweep_deadlines(today=dt.date(2027, 4, 6)).permits_refused == [permit.pk]
    permit.refresh_from_db()
    assert permit.state == PermitState.REFUSED_BY_SILENCE and permit.decision_on == dt.date(2027, 4, 6)


@pytest.mark.django_db
def test_company_stage_avenant_is_never_accepted_by_silence(
    submitted_convention: Convention, alice: Any
) -> None:
    """R426-21 covers only formation continue and hospital stages: the host needs an explicit answer."""
    services.convention_record_decision(
        actor=alice, convention=submitted_convention, decision="validated", decided_on=dt.date(2026, 11, 20),
        now=NOW,
    )  # fmt: skip
    avenant = services.avenant_create(
        actor=alice, convention=submitted_convention, requested_end_date=dt.date(2027, 11, 30), now=NOW
    )
    avenant = services.avenant_submit(
        actor=alice, avenant=avenant, received_on=dt.date(2026, 11, 21), now=NOW
    )
    assert avenant.silence_deadline is None
    # Even a deadline stored before rules v2 (or by a bug) does not move it: the sweep excludes the category.
    Avenant.objects.filter(pk=avenant.pk).update(silence_deadline=dt.date(2026, 12, 6))
    assert services.sweep_deadlines(today=dt.date(2027, 6, 1)).avenants_accepted == []
    avenant.refresh_from_db()
    assert avenant.state == AvenantState.SUBMITTED
    assert not ResidencePermitApplication.objects.exists()


@pytest.mark.django_db
def test_command_prints_what_it_moved(submitted_convention: Convention) -> None:
    out = StringIO()
    call_command("sweep_deadlines", "--today", "2026-12-03", stdout=out)
    text = out.getvalue()
    assert f"convention #{submitted_convention.pk}" in text and "refused by silence" in text
    assert "1 convention(s) refused by silence" in text


@pytest.mark.django_db
def test_command_refuses_a_bad_date() -> None:
    with pytest.raises(CommandError, match="--today: '2026-13-01' is not a date"):
        call_command("sweep_deadlines", "--today", "2026-13-01")


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_move_each_file_once(make_convention: Any, alice: Any, acme: Any) -> None:
    """Sweep A holds its row locks (not committed) while sweep B runs: B skips them and moves nothing."""
    conventions = submit_many(make_convention, alice, acme, 5)
    a_locked, a_release = threading.Event(), threading.Event()
    results: dict[str, Any] = {}

    def sweep_a() -> None:
        try:
            with transaction.atomic():
                results["a"] = services.sweep_deadlines(today=dt.date(2026, 12, 10))
                a_locked.set()
                a_release.wait(timeout=30)
        finally:
            a_locked.set()
            connection.close()

    thread = threading.Thread(target=sweep_a)
    thread.start()
    assert a_locked.wait(timeout=30)
    results["b"] = services.sweep_deadlines(today=dt.date(2026, 12, 10))  # runs while A holds the rows
    a_release.set()
    thread.join(timeout=30)
    results["c"] = services.sweep_deadlines(today=dt.date(2026, 12, 10))  # after A committed

    assert sorted(results["a"].conventions_refused) == sorted(c.pk for c in conventions)
    assert results["b"].moved == 0 and results["c"].moved == 0
    assert TransitionLog.objects.filter(transition="refuse_by_silence").count() == 5
    assert Convention.objects.filter(state=ConventionState.REFUSED_BY_SILENCE).count() == 5
