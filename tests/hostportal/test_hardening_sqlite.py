"""The embedded SQLite database takes several writers at once (issue 9): WAL, a busy timeout and IMMEDIATE
transactions, so that two people acting at the same moment wait their turn instead of getting a 500.

The suite runs on PostgreSQL, so the test runs a small Django script in a subprocess whose DATABASE_URL is a
SQLite file of its own: threads submit the same convention and different conventions at the same moment.
"""

from __future__ import annotations

from pathlib import Path

from tests.sqlite_script import run_on_sqlite

# Run in a subprocess: its own settings (SQLite), its own connections, one per thread.
SCRIPT = r"""
import datetime as dt, json, threading, traceback
from zoneinfo import ZoneInfo
from django.db import OperationalError, connection, connections
from conventions import services
from conventions.models import Channel, Convention, TransitionLog
from tests.factories import (
    InternFactory, MembershipFactory, OrganisationFactory, UserFactory, convention_fields,
)

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))
organisation = OrganisationFactory()
actor = MembershipFactory(user=UserFactory(username="alice"), organisation=organisation).user
conventions = [
    services.convention_create(
        actor=actor, organisation=organisation, intern=InternFactory(organisation=organisation),
        channel=Channel.WEB, now=NOW, **convention_fields(),
    ).pk
    for _ in range(7)
]
# 6 threads race on the first convention, one thread on each of the 6 others.
targets = [conventions[0]] * 6 + conventions[1:]
barrier = threading.Barrier(len(targets))
outcomes = []

def submit(pk):
    try:
        barrier.wait()
        services.convention_submit(actor=actor, convention=pk, received_on=dt.date(2026, 11, 2), now=NOW)
        outcomes.append(["ok", pk, ""])
    except OperationalError as exc:
        outcomes.append(["operational", pk, str(exc)])
    except Exception as exc:  # a refused second submit of the same file is expected
        outcomes.append(["refused", pk, type(exc).__name__])
    finally:
        connections.close_all()

threads = [threading.Thread(target=submit, args=(pk,)) for pk in targets]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
logs = {pk: TransitionLog.objects.filter(object_id=pk, transition="submit").count() for pk in conventions}
states = {pk: Convention.objects.get(pk=pk).state for pk in conventions}
versions = {pk: Convention.objects.get(pk=pk).version for pk in conventions}
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    journal = cursor.fetchone()[0]
print(json.dumps({
    "outcomes": outcomes, "logs": logs, "states": states, "versions": versions, "journal": journal,
    "options": settings.DATABASES["default"].get("OPTIONS", {}),
}))
"""


def test_concurrent_writers_on_sqlite_wait_their_turn(tmp_path: Path) -> None:
    result = run_on_sqlite(SCRIPT, tmp_path, timeout=120)
    operational = [o for o in result["outcomes"] if o[0] == "operational"]
    assert operational == [], operational
    assert result["journal"] == "wal"
    assert result["options"]["transaction_mode"] == "IMMEDIATE"
    # Every write applied exactly once: the raced file is submitted by one thread, the five others find it
    # submitted (asking twice is a no-op, run_transition); each other file by its own thread.
    assert [o[0] for o in result["outcomes"]] == ["ok"] * 12, result["outcomes"]
    assert all(count == 1 for count in result["logs"].values()), result["logs"]
    assert set(result["states"].values()) == {"submitted"}
    assert len(set(result["versions"].values())) == 1, result["versions"]  # one bump each, none twice
