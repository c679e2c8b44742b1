"""Benchmarks (not part of the test suite): `make bench`. Results go to docs/benchmarks.md by hand.

1. The deadline sweep, set-based, against the naive per-row loop (lock + transition + audit per file), on
   the same PostgreSQL, side by side in one run, for N overdue conventions.
2. The rule engine: evaluations per second of a typical convention.
Figures are reported as ratios, with the machine noted, because absolute times vary from one run to another.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hostportal.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "100,1000").split(",")]


def seed(count: int) -> None:
    from conventions.models import Convention, Intern
    from conventions.models.conventions import ConventionState
    from hostportal.models import Organisation
    from tests.factories import make_siret

    org = Organisation.objects.create(
        name=f"Bench {count}", kind="company", siret=make_siret(), contact_email="b@x.fr"
    )
    interns = Intern.objects.bulk_create(
        Intern(
            organisation=org,
            first_name="B",
            last_name=f"N{i}",
            nationality="SN",
            date_of_birth=dt.date(2000, 1, 1),
            country_of_residence="SN",
            passport_number=f"P{i:07d}",
            passport_expires_on=dt.date(2030, 1, 1),
        )
        for i in range(count)
    )
    Convention.objects.bulk_create(
        Convention(
            organisation=org,
            intern=intern,
            category="entreprise",
            start_date=dt.date(2027, 3, 1),
            end_date=dt.date(2027, 8, 31),
            effective_end_date=dt.date(2027, 8, 31),
            regime="standard",
            monthly_resources_eur=Decimal("700"),
            received_on=dt.date(2026, 11, 2),
            filing_deadline=dt.date(2027, 1, 1),
            silence_deadline=dt.date(2026, 12, 2),
            state=ConventionState.SUBMITTED,
        )
        for intern in interns
    )


def naive_sweep(today: dt.date) -> int:
    """What a per-row implementation does: one locked transition (and audit row) per file."""
    from conventions.models import Convention, ConventionState
    from conventions.services.common import run_transition

    ids = list(
        Convention.objects.filter(state="submitted", silence_deadline__lt=today).values_list("pk", flat=True)
    )
    for pk in ids:
        run_transition(
            Convention, pk, name="refuse_by_silence", target=ConventionState.REFUSED_BY_SILENCE, actor=None
        )
    return len(ids)


def timed(func, *args):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = func(*args)
    return result, time.perf_counter() - start


def bench_sweep() -> list[str]:
    from conventions.models import TransitionLog
    from conventions.services import sweep_deadlines

    lines = [
        "| N overdue | set-based sweep (s) | per-row loop (s) | ratio (loop / sweep) |",
        "|---|---|---|---|",
    ]
    today = dt.date(2026, 12, 10)
    for count in SIZES:
        seed(count)
        connection.queries_log.clear()
        moved, fast = timed(lambda: len(sweep_deadlines(today=today).conventions_refused))
        assert moved == count, moved
        seed(count)
        moved_naive, slow = timed(naive_sweep, today)
        assert moved_naive == count
        lines.append(f"| {count} | {fast:.3f} | {slow:.3f} | {slow / fast:.1f}x |")
        TransitionLog.objects.all().delete()
    return lines


def bench_planning() -> list[str]:
    """Reminder planning for N draft conventions due for filing, each with two recipients."""
    from django.db import connection as conn
    from django.test.utils import CaptureQueriesContext

    from conventions.models import Convention
    from hostportal.models import Membership
    from notifications.models import Notification
    from notifications.services import reminders_plan
    from tests.factories import UserFactory

    lines = ["| N drafts | planning (s) | outbox rows | queries | per file (ms) |", "|---|---|---|---|---|"]
    today = dt.date(2027, 1, 1)  # the filing deadline of the seeded stages (start 2027-03-01 - 2 months)
    for count in SIZES:
        seed(count)
        org_id = Convention.objects.latest("pk").organisation_id
        for role in ("manager", "editor"):
            user = UserFactory(username=f"bench-{role}-{count}")
            Membership.objects.create(user=user, organisation_id=org_id, role=role)
        # Drafts whose filing deadline is today: the "on the day" reminder is due for each.
        Convention.objects.filter(organisation_id=org_id).update(state="draft", received_on=None)
        conn.queries_log.clear()
        with CaptureQueriesContext(conn) as queries:
            report, seconds = timed(lambda: reminders_plan(today=today, enqueue=False))
        rows = Notification.objects.filter(organisation_id=org_id).count()
        per_file_ms = seconds / count * 1000
        lines.append(
            f"| {count} | {seconds:.3f} | {rows} | {len(queries.captured_queries)} | {per_file_ms:.2f} |"
        )
    return lines


def bench_rules() -> list[str]:
    from conventions.rules import Category, CheckInput, Kind, evaluate

    inp = CheckInput(
        kind=Kind.CONVENTION,
        category=Category.ENTREPRISE,
        nationality="SN",
        start_date=dt.date(2027, 3, 1),
        end_date=dt.date(2027, 8, 31),
        new_end_date=None,
        programme=None,
        received_on=dt.date(2026, 11, 2),
        documents_requested_on=None,
        documents_received_on=None,
        monthly_resources_eur=Decimal("700"),
        hourly_gratification_eur=Decimal("4.50"),
        same_group=False,
        today=dt.date(2026, 11, 23),
    )
    runs = 20_000
    tracemalloc.start()
    _, seconds = timed(lambda: [evaluate(inp) for _ in range(runs)])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return [
        f"Rule engine: {runs / seconds:,.0f} evaluations/s ({seconds / runs * 1e6:.0f} µs each), "
        f"peak traced memory for {runs} results kept: {peak / 1e6:.1f} MB"
    ]


def main() -> None:
    old = setup_databases(verbosity=0, interactive=False)
    try:
        machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        machine += f"{connection.vendor} {getattr(connection, 'pg_version', '')}"
        print(f"Machine: {machine}\n")
        print("\n".join(bench_sweep()))
        print()
        print("\n".join(bench_planning()))
        print()
        print("\n".join(bench_rules()))
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
