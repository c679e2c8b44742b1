"""The set-based writes of the daily jobs (hostportal/bulk.py): the spool keeps rows out of memory and
gives them back in order; COPY loads them in one statement that the query counters see; the sweep and the
planning do the same work on the embedded SQLite database (`make run`) as on PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hostportal import bulk
from tests.sqlite_script import run_on_sqlite


def test_the_spool_gives_back_every_row_in_order_past_its_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk, "SPOOL_MEMORY", 10_000)
    spool = bulk.Spool()
    rows = [(n, f"row {n}", dt.date(2026, 12, 1) + dt.timedelta(days=n % 30), None) for n in range(5_500)]
    for row in rows:
        spool.add(row)
    assert spool._file._rolled  # type: ignore[attr-defined]  (past 10 kB: on disk, not in memory)
    assert spool.count == 5_500
    assert list(spool.rows()) == rows


@pytest.mark.django_db
def test_copy_new_gives_defaults_timestamps_and_a_fresh_callable_default_to_each_row() -> None:
    from notifications.models import CalendarToken
    from tests.factories import OrganisationFactory

    organisation = OrganisationFactory()
    now = dt.datetime(2026, 12, 2, 8, 30, tzinfo=dt.UTC)
    rows = [{"organisation_id": organisation.pk, "label": f"agenda {n}"} for n in range(3)]
    with CaptureQueriesContext(connection) as queries:
        bulk.copy_new(CalendarToken, iter(rows), now)
    assert len(queries.captured_queries) == 1
    made = list(CalendarToken.objects.order_by("label"))
    assert [token.label for token in made] == ["agenda 0", "agenda 1", "agenda 2"]
    assert len({token.token for token in made}) == 3 and all(len(token.token) > 20 for token in made)
    assert {token.language for token in made} == {"fr"} and {token.created_at for token in made} == {now}
    assert all(token.revoked_at is None and token.created_by_id is None for token in made)


@pytest.mark.django_db
def test_copy_loads_every_row_in_one_statement_that_counters_see() -> None:
    bulk.temporary_table("bulk_probe", [("n", "bigint"), ("label", "text"), ("on_day", "date")])
    rows = [(n, f"n{n}", dt.date(2026, 1, 1) + dt.timedelta(days=n % 300)) for n in range(3_000)]
    with CaptureQueriesContext(connection) as queries:
        bulk.copy_rows("bulk_probe", ["n", "label", "on_day"], iter(rows))
    assert [query["sql"].split(" ")[0] for query in queries.captured_queries] == ["COPY"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT n, label, on_day FROM bulk_probe ORDER BY n")
        assert cursor.fetchall() == rows
    bulk.drop_table("bulk_probe")


# The sweep and the planning on SQLite, in a subprocess whose DATABASE_URL is a file of its own.
SCRIPT = r"""
import datetime as dt, json
from zoneinfo import ZoneInfo
from conventions import services
from conventions.models import Channel, Convention, TransitionLog
from hostportal.audit import Head, link_of, verify_chain
from hostportal.models import AuditChain, Membership
from notifications.models import Notification
from notifications.services import reminders_plan
from tests.factories import (
    InternFactory, MembershipFactory, OrganisationFactory, UserFactory, convention_fields,
)

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))
organisation = OrganisationFactory()
alice = MembershipFactory(user=UserFactory(username="alice"), organisation=organisation).user
MembershipFactory(user=UserFactory(username="victor"), organisation=organisation, role=Membership.Role.VIEWER)
MembershipFactory(
    user=UserFactory(username="dora"), organisation=organisation, role=Membership.Role.EDITOR,
    email_preference=Membership.EmailPreference.DIGEST,
)
submitted = []
for _ in range(4):
    convention = services.convention_create(
        actor=alice, organisation=organisation, intern=InternFactory(organisation=organisation),
        channel=Channel.WEB, now=NOW, **convention_fields(),
    )
    submitted.append(services.convention_submit(
        actor=alice, convention=convention, received_on=dt.date(2026, 11, 2), now=NOW
    ).pk)
draft = services.convention_create(
    actor=alice, organisation=organisation, intern=InternFactory(organisation=organisation),
    channel=Channel.WEB, now=NOW, **convention_fields(),
)
swept = services.sweep_deadlines(today=dt.date(2026, 12, 3))
again = services.sweep_deadlines(today=dt.date(2026, 12, 3))
events = list(Notification.objects.filter(kind="refused_by_silence").values_list(
    "object_id", "recipient_user__username", "status", "deadline", "rule"))
logs = list(
    TransitionLog.objects.filter(transition="refuse_by_silence").values_list("object_id", "target_state")
)
rows = TransitionLog.objects.filter(organisation=organisation).order_by("sequence")
links = [link_of("transition_log", row) for row in rows]
first = reminders_plan(today=dt.date(2026, 12, 3), enqueue=False)
second = reminders_plan(today=dt.date(2026, 12, 3), enqueue=False)
print(json.dumps({
    "submitted": submitted, "refused": swept.conventions_refused, "again": again.moved,
    "states": sorted({Convention.objects.get(pk=pk).state for pk in submitted}),
    "decision_on": sorted({str(Convention.objects.get(pk=pk).decision_on) for pk in submitted}),
    "events": [[pk, user, status, str(deadline), bool(rule)] for pk, user, status, deadline, rule in events],
    "logs": sorted(pk for pk, _ in logs),
    "chain": [str(finding) for finding in verify_chain(organisation.pk, links, Head(
        *AuditChain.objects.filter(organisation=organisation).values_list("last_sequence", "last_hash").get()
    ))],
    "sequences": [link.sequence for link in links],
    "plan": [first.files, first.due, first.created, second.due, second.created],
    "planned": sorted(Notification.objects.exclude(kind="refused_by_silence").values_list(
        "recipient_user__username", flat=True)),
}))
"""


def test_the_sweep_and_the_planning_on_sqlite(tmp_path: Path) -> None:
    result = run_on_sqlite(SCRIPT, tmp_path)
    assert result["refused"] == sorted(result["submitted"]) and result["again"] == 0
    assert result["states"] == ["refused_by_silence"]
    assert result["decision_on"] == ["2026-12-03"]  # the day after the silence deadline, in SQLite's dates
    # One event email per notified member (manager alice, editor dora in her digest; not the viewer).
    assert sorted((pk, user, status) for pk, user, status, _, _ in result["events"]) == sorted(
        [(pk, "alice", "pending") for pk in result["submitted"]]
        + [(pk, "dora", "awaiting_digest") for pk in result["submitted"]]
    )
    assert {deadline for _, _, _, deadline, _ in result["events"]} == {"2026-12-02"}
    assert all(rule for *_, rule in result["events"])
    assert result["logs"] == sorted(result["submitted"])
    assert result["chain"] == [] and result["sequences"] == list(range(1, len(result["sequences"]) + 1))
    files, due, created, due_again, created_again = result["plan"]
    assert files >= 1 and due >= 1 and created == 2 * due and (due_again, created_again) == (due, 0)
    assert set(result["planned"]) == {"alice", "dora"}


@pytest.mark.django_db
def test_a_query_while_copy_holds_the_connection_fails_instead_of_waiting() -> None:
    from conventions.models import Convention

    bulk.temporary_table("bulk_probe", [("n", "bigint")])

    def rows() -> Iterator[tuple[int]]:
        yield (1,)
        yield (Convention.objects.count(),)  # a query in the middle of the COPY

    with pytest.raises(RuntimeError, match="COPY held the connection"):
        bulk.copy_rows("bulk_probe", ["n"], rows())


@pytest.mark.django_db
def test_a_sealing_that_fails_in_its_thread_fails_the_write_in_the_callers() -> None:
    from conventions.models import TransitionLog
    from hostportal.audit import SealingInBackground
    from tests.factories import OrganisationFactory

    organisation = OrganisationFactory()

    def entries() -> Iterator[Any]:
        raise ValueError("a broken audit row")
        yield  # a generator

    sealing = SealingInBackground(TransitionLog, [organisation.pk], entries())
    with pytest.raises(ValueError, match="a broken audit row"):
        sealing.write()
    assert not TransitionLog.objects.filter(organisation=organisation).exists()
