"""`make bench`: every daily job against its SQL floor at several sizes, side by side in one run (issue 10).

For each size of BENCH_SIZES (default 10000,100000,1000000), bench/generate.py loads that many conventions
around BENCH_TODAY (default 2026-12-01) into the bench's own database, emptied first; then BENCH_RUNS times
(default 3), each in a fresh process (bench/scale.py, which says how each figure is taken): the project's
deadline sweep and its floor, the project's reminder planning and its floor, each in a transaction rolled
back, with a VACUUM of the written tables between runs. The floor and the project must move the same files
and write the same rows (counted by kind): the bench stops with the difference otherwise. On the largest
data it then measures delivery (10,000 emails to a local SMTP sink: the project's outbox_deliver loop, a
bare smtplib loop, two Celery workers in parallel), the pages (admin, portal and API lists, for an
organisation's manager and an operator) and the rule engine.

It prints a Markdown report and writes it to docs/benchmarks.md (BENCH_OUTPUT; --no-write to skip). With
--check (or BENCH_CHECK=1) it exits 1 and lists each target missed.

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/hostportal_bench; created and
migrated if missing; its name must contain "bench", since every table is emptied), BENCH_SIZES, BENCH_RUNS,
BENCH_TODAY, BENCH_PAGES_DATABASE_URL (run the pages on another loaded database instead, read-only: the
operator and the logins are rolled back), BENCH_PAGE_RUNS (default 5), BENCH_BROKER_URL (Redis for the two
workers, default redis://127.0.0.1:6379/12), BENCH_ONLY (any of sweep,planning,delivery,pages,load,rules).
The load section is bench/load.py (gunicorn and wrk, 20 connections for 30 s, BENCH_LOAD_SECONDS) on the
pages' database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.scale import RESULT, message_ids, setup_django  # noqa: E402

SCALE = BASE_DIR / "bench" / "scale.py"
GENERATE = BASE_DIR / "bench" / "generate.py"
LOAD = BASE_DIR / "bench" / "load.py"
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/hostportal_bench"
DEFAULT_BROKER = "redis://127.0.0.1:6379/12"
SECTIONS = ("sweep", "planning", "delivery", "pages", "load", "rules")
EMAILS = 10_000
# Targets of issue 10, at the largest size.
SWEEP_MAX_RATIO, PLAN_MAX_RATIO, MEMORY_MAX_MIB = 1.5, 2.0, 200.0
DELIVERY_MIN_RATIO, PAGE_MAX_MS, PAGE_MAX_QUERIES = 0.5, 150.0, 12
WRITTEN_TABLES = (
    "conventions_convention", "conventions_avenant", "conventions_residencepermitapplication",
    "conventions_documentitem", "conventions_transitionlog", "notifications_notification",
    "hostportal_auditchain",
)  # fmt: skip
HISTORY = """## Before issue 10 (100 to 1,000 rows)
From 2026-11-22 to 2026-12-01 the benchmarks stopped at 1,000 rows and compared the sweep with a per-row
loop (lock, transition, audit row per file): the set-based sweep was 32-79x faster than that loop (0.03-0.3 s
for 100-1,000 files), planning took 0.5-1.5 ms per file with 10-16 queries, the rule engine ran 900-3,400
evaluations/s. The issue's first measurement at 1,000,000 conventions (same machine kind): sweep with its
emails 43.6 s against a 7.0 s floor (6.25x, 687 MB, 213 queries), planning 83 s against 8.0 s (about 10x,
1.0 GB), an operator's admin lists 2-3 s."""


# --- running the measurements ------------------------------------------------------------------------------
def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def job(name: str, *extra: str, env: dict[str, str] | None = None, today: dt.date) -> dict[str, Any]:
    """Run one measurement of bench/scale.py in a fresh process; its RESULT line."""
    command = [sys.executable, str(SCALE), name, "--today", today.isoformat(), *extra]
    done = subprocess.run(  # noqa: S603 (our own script)
        command, cwd=BASE_DIR, env={**os.environ, **(env or {})}, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench/scale.py {name} failed:\n{done.stdout[-2000:]}\n{done.stderr[-6000:]}")
    if done.stderr.strip():
        log(done.stderr.rstrip()[-8000:])
    line = next(line for line in reversed(done.stdout.splitlines()) if line.startswith(RESULT))
    return dict(json.loads(line[len(RESULT) :]))


def execute(sql: str, params: Any = None) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def scalar(sql: str, params: Any = None) -> Any:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def vacuum(analyze: bool = False) -> None:
    """Clean what a rolled-back run left (dead row versions), so every run starts from the same tables."""
    execute(f"VACUUM {'(ANALYZE) ' if analyze else ''}{', '.join(WRITTEN_TABLES)}")


@dataclass
class Side:
    """The runs of one job at one size."""

    runs: list[dict[str, Any]] = field(default_factory=list)

    def median(self, key: str) -> float:
        return float(statistics.median(run[key] for run in self.runs))

    @property
    def seconds(self) -> float:
        return self.median("seconds")

    @property
    def queries(self) -> int:
        return int(self.median("queries"))

    @property
    def peak(self) -> float:
        return max(run["peak_mib"] for run in self.runs)

    @property
    def baseline(self) -> float:
        return min(run["baseline_mib"] for run in self.runs)

    @property
    def sql_seconds(self) -> float:
        return self.median("sql_seconds")

    @property
    def slowest(self) -> list[list[Any]]:
        ordered = sorted(self.runs, key=lambda run: run["seconds"])
        return list(ordered[len(ordered) // 2]["slowest"])


@dataclass
class Size:
    conventions: int
    loaded: dict[str, int] = field(default_factory=dict)
    load_seconds: float = 0.0
    sweep: Side = field(default_factory=Side)
    sweep_floor: Side = field(default_factory=Side)
    plan: Side = field(default_factory=Side)
    plan_floor: Side = field(default_factory=Side)


def same_rows(what: str, project: dict[str, Any], floor: dict[str, Any], keys: tuple[str, ...]) -> None:
    """The floor must do the project's work: the same files moved, the same rows written (by kind)."""
    for key in keys:
        if project.get(key) != floor.get(key):
            raise AssertionError(
                f"{what}: the floor and the project differ in {key}:\n"
                f"  project {json.dumps(project.get(key), sort_keys=True)}\n"
                f"  floor   {json.dumps(floor.get(key), sort_keys=True)}"
            )


def measure_pair(
    label: str, names: tuple[str, str], sides: tuple[Side, Side], keys: tuple[str, ...], args: Args
) -> None:
    for run in range(args.runs):
        project = job(names[0], *args.profile_for(names[0]), today=args.today)
        vacuum()
        floor = job(names[1], today=args.today)
        vacuum()
        same_rows(label, project, floor, keys)
        sides[0].runs.append(project)
        sides[1].runs.append(floor)
        log(
            f"  {label} run {run + 1}: project {project['seconds']:.2f} s ({project['queries']} queries, "
            f"{project['peak_mib']:.0f} MiB), floor {floor['seconds']:.2f} s ({floor['peak_mib']:.0f} MiB), "
            f"{json.dumps(project['written'])}"
        )


def load(size: Size, args: Args) -> None:
    log(f"Loading {size.conventions:,} conventions (bench/generate.py)...")
    start = time.perf_counter()
    command = [sys.executable, str(GENERATE), "--conventions", str(size.conventions)]
    command += ["--today", args.today.isoformat(), "--truncate"]
    done = subprocess.run(command, cwd=BASE_DIR, capture_output=True, text=True, check=True)  # noqa: S603
    for line in done.stdout.splitlines():
        name, _, value = line.partition(": ")
        if value.replace(",", "").isdigit():
            size.loaded[name] = int(value.replace(",", ""))
    vacuum(analyze=True)
    size.load_seconds = time.perf_counter() - start


# --- delivery ----------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SinkProcess:
    """bench/scale.py sink in its own process; stop() returns what it received."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.path = directory / f"sink-{self.port}.pickle"
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, str(SCALE), "sink", "--port", str(self.port), "--file", str(self.path)],
            cwd=BASE_DIR, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.process.stdout is not None
        if self.process.stdout.readline().strip() != "READY":
            raise RuntimeError("the SMTP sink did not start")

    def stop(self) -> list[tuple[str, list[str], bytes]]:
        import pickle

        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)
        return list(pickle.loads(self.path.read_bytes()))  # noqa: S301 (our own file)


@dataclass
class Delivery:
    prepared: int = 0
    project: Side = field(default_factory=Side)
    raw: Side = field(default_factory=Side)
    workers: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        return self.raw.seconds / self.project.seconds if self.project.runs and self.raw.runs else 0.0


def bench_delivery(args: Args) -> Delivery:
    from bench.scale import outbox_prepare, outbox_reset

    result = Delivery(prepared=outbox_prepare(args.today, EMAILS))
    log(f"Delivery: {result.prepared:,} pending emails")
    with tempfile.TemporaryDirectory(prefix="hostportal-bench-") as tmp:
        directory = Path(tmp)
        for run in range(args.runs):
            outbox_reset()
            sink = SinkProcess(directory)
            project = job("deliver", env={"EMAIL_URL": f"smtp://127.0.0.1:{sink.port}"}, today=args.today)
            messages = sink.stop()
            project["received"] = len(messages)
            saved = directory / "messages.pickle"
            import pickle

            saved.write_bytes(pickle.dumps(messages))
            sink = SinkProcess(directory)
            raw = job("smtp-raw", "--port", str(sink.port), "--file", str(saved), today=args.today)
            raw["received"] = len(sink.stop())
            raw |= {"queries": 0, "baseline_mib": 0.0}
            result.project.runs.append(project)
            result.raw.runs.append(raw)
            log(
                f"  delivery run {run + 1}: outbox_deliver {project['seconds']:.2f} s ({project['sent']} "
                f"sent, {project['received']} received), smtplib {raw['seconds']:.2f} s "
                f"({raw['received']} received)"
            )
        result.workers = two_workers(directory, args)
    outbox_reset()
    execute("TRUNCATE notifications_notification")
    return result


def two_workers(directory: Path, args: Args) -> dict[str, Any]:
    """Two Celery workers (tests/processes.py) deliver the same outbox in parallel: each email once?"""
    try:
        from hostportal.celery import app
        from notifications.tasks import deliver_outbox_task
        from tests.processes import Processes, wait_for

        app.control.purge()
    except Exception as exc:  # no Redis: the rest of the bench still runs
        return {"error": f"{type(exc).__name__}: {exc}"}
    from bench.scale import outbox_reset

    outbox_reset()
    sink = SinkProcess(directory)
    extra = {"NOTIFICATIONS_CLAIM_LEASE_SECONDS": "60", "EMAIL_TIMEOUT": "10"}
    processes = Processes(directory, os.environ["CELERY_BROKER_URL"], sink.port, extra)
    try:
        processes.worker("bench-a")
        processes.worker("bench-b")
        left = "SELECT count(*) FROM notifications_notification WHERE status IN ('pending', 'sending')"
        start = time.perf_counter()
        deliver_outbox_task.delay()
        deliver_outbox_task.delay()
        done = wait_for(lambda: scalar(left) == 0, timeout=900, every=0.1)
        seconds = time.perf_counter() - start
    finally:
        processes.stop_all()
        messages = sink.stop()
    ids = message_ids(messages)
    return {
        "seconds": seconds, "finished": done, "received": len(messages), "distinct": len(ids),
        "duplicates": sum(count - 1 for count in ids.values() if count > 1),
        "sent_rows": scalar("SELECT count(*) FROM notifications_notification WHERE status = 'sent'"),
    }  # fmt: skip


# --- the rule engine -------------------------------------------------------------------------------------
def bench_rules() -> dict[str, float]:
    from conventions.rules import Category, CheckInput, Kind, evaluate

    inp = CheckInput(
        kind=Kind.CONVENTION, category=Category.ENTREPRISE, nationality="SN", start_date=dt.date(2027, 3, 1),
        end_date=dt.date(2027, 8, 31), new_end_date=None, programme=None, received_on=dt.date(2026, 11, 2),
        documents_requested_on=None, documents_received_on=None, monthly_resources_eur=Decimal("700"),
        hourly_gratification_eur=Decimal("4.50"), same_group=False, today=dt.date(2026, 11, 23),
    )  # fmt: skip
    runs = 20_000
    tracemalloc.start()
    start = time.perf_counter()
    kept = [evaluate(inp) for _ in range(runs)]
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del kept
    return {"runs": runs, "per_second": runs / seconds, "micro": seconds / runs * 1e6, "peak_mb": peak / 1e6}


# --- the report --------------------------------------------------------------------------------------------
def machine() -> str:
    memory = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if "MemTotal" in line
    )
    return (
        f"{platform.machine()}, {os.cpu_count()} cores (`nproc`), {memory / 1024**2:.1f} GiB RAM, "
        f"PostgreSQL {scalar('SHOW server_version')}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def ratio(project: Side, floor: Side) -> float:
    return project.seconds / floor.seconds if floor.seconds else float("inf")


def mib(side: Side) -> str:
    return f"{side.peak:.0f}"


def sweep_table(sizes: list[Size]) -> list[str]:
    lines = [
        "| conventions | moved (conventions / avenants / permits) | audit rows | emails | project (s) | "
        "floor (s) | ratio | queries (project / floor) | peak MiB (project / floor) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for size in sizes:
        run = size.sweep.runs[0]
        moved = " / ".join(
            f"{run['moved'][name]['count']:,}" for name in ("conventions", "avenants", "permits")
        )
        audit = sum(count for key, count in run["written"].items() if key.startswith("audit "))
        emails = sum(count for key, count in run["written"].items() if key.startswith("email "))
        lines.append(
            f"| {size.conventions:,} | {moved} | {audit:,} | {emails:,} | {size.sweep.seconds:.2f} | "
            f"{size.sweep_floor.seconds:.2f} | {ratio(size.sweep, size.sweep_floor):.2f}x | "
            f"{size.sweep.queries} / {size.sweep_floor.queries} | "
            f"{mib(size.sweep)} / {mib(size.sweep_floor)} |"
        )
    return lines


def plan_table(sizes: list[Size]) -> list[str]:
    lines = [
        "| conventions | outbox rows | files read | project (s) | floor (s) | ratio | "
        "queries (project / floor) | peak MiB (project / floor) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for size in sizes:
        run = size.plan.runs[0]
        lines.append(
            f"| {size.conventions:,} | {run['created']:,} | {run.get('files', 0):,} | "
            f"{size.plan.seconds:.2f} | "
            f"{size.plan_floor.seconds:.2f} | {ratio(size.plan, size.plan_floor):.2f}x | "
            f"{size.plan.queries} / {size.plan_floor.queries} | {mib(size.plan)} / {mib(size.plan_floor)} |"
        )
    return lines


def costs(sizes: list[Size]) -> list[str]:
    """Where the project's time goes at the largest size: SQL against Python, the slowest statements."""
    size = sizes[-1]
    lines = []
    for label, side in (("Sweep", size.sweep), ("Planning", size.plan)):
        python = side.seconds - side.sql_seconds
        lines.append(
            f"{label} at {size.conventions:,} (median run): {side.seconds:.2f} s, of which "
            f"{side.sql_seconds:.2f} s waiting on PostgreSQL and {python:.2f} s in Python; "
            f"{side.queries} queries; resident {side.baseline:.0f} MiB before the job, "
            f"peak {side.peak:.0f} MiB. "
            "Statements taking the most time (all the runs of one shape):"
        )
        lines += [f"- {spent:.2f} s in {count:,} x `{sql}...`" for spent, count, sql in side.slowest]
        lines.append("")
    return lines


def delivery_lines(delivery: Delivery) -> list[str]:
    project, raw = delivery.project, delivery.raw
    per_email = project.queries / max(delivery.prepared, 1)
    lines = [
        f"{delivery.prepared:,} pending emails (reminders of the loaded data), to a local aiosmtpd sink in "
        "its own process; medians of the runs.",
        "",
        "| sender | emails received | time (s) | emails/s | queries per email | peak MiB |",
        "|---|---|---|---|---|---|",
        f"| `outbox_deliver()` loop, one process | {project.runs[0]['received']:,} | {project.seconds:.2f} | "
        f"{delivery.prepared / project.seconds:,.0f} | {per_email:.1f} | {project.peak:.0f} |",
        f"| bare `smtplib` loop, one connection, the same messages | {raw.runs[0]['received']:,} | "
        f"{raw.seconds:.2f} | {delivery.prepared / raw.seconds:,.0f} | 0 | {raw.peak:.0f} |",
    ]
    workers = delivery.workers
    if "seconds" in workers:
        lines.append(
            f"| two Celery workers in parallel (`deliver_outbox_task`) | {workers['received']:,} | "
            f"{workers['seconds']:.2f} | {workers['received'] / workers['seconds']:,.0f} | | |"
        )
    lines += ["", f"Throughput ratio (project / smtplib): **{delivery.ratio:.2f}x** (target at least 0.5x)."]
    if project.runs and "slowest" in project.runs[0]:
        python = project.seconds - project.sql_seconds
        lines.append(
            f"The project's loop spends {project.sql_seconds:.0f} s waiting on PostgreSQL and {python:.0f} s "
            "in Python (median run); the statements taking the most time:"
        )
        lines += [f"- {spent:.2f} s in {count:,} x `{sql}...`" for spent, count, sql in project.slowest]
    if "seconds" in workers:
        once = workers["duplicates"] == 0 and workers["distinct"] == delivery.prepared
        lines.append(
            f"Two workers: {workers['distinct']:,} distinct Message-IDs, {workers['duplicates']} duplicates, "
            f"{workers['sent_rows']:,} rows sent: each email exactly once: **{'yes' if once else 'NO'}**."
        )
    else:
        lines.append(f"Two workers: not measured ({workers.get('error', 'skipped')}).")
    return lines


def pages_lines(pages: dict[str, Any], where: str) -> list[str]:
    lines = [
        f"{where}: {pages['conventions']:,} conventions, organisation {pages['organisation']} has "
        f"{pages['organisation_conventions']:,}. Django's test Client in one process (a warm-up request, "
        "then the median of the runs; the time includes the test client's own work).",
        "",
        "| persona | page | status | median (ms) | queries |",
        "|---|---|---|---|---|",
    ]
    for page in pages["pages"]:
        if "median_ms" not in page:
            lines.append(f"| {page['persona']} | {page['page']} (`{page['url']}`) | {page['status']} | | |")
            continue
        lines.append(
            f"| {page['persona']} | {page['page']} (`{page['url']}`) | {page['status']} | "
            f"{page['median_ms']:.0f} | {page['queries']} |"
        )
    lines += ["", "No access: the admin is for operators; an organisation's members are not staff."]
    return lines


def targets(
    sizes: list[Size],
    delivery: Delivery | None,
    pages: dict[str, Any] | None,
    load: dict[str, Any] | None = None,
) -> list[tuple[bool, str]]:
    """Each target of issue 10 with whether it is met, at the largest size measured."""
    found: list[tuple[bool, str]] = []
    if sizes and sizes[0].sweep.runs:
        found += job_targets(sizes, "sweep", "sweep", SWEEP_MAX_RATIO)
        found += job_targets(sizes, "planning", "plan", PLAN_MAX_RATIO)
    if delivery is not None and delivery.project.runs:
        value = delivery.ratio
        found.append(
            (value >= DELIVERY_MIN_RATIO, f"delivery at least {DELIVERY_MIN_RATIO}x smtplib: {value:.2f}x")
        )
        workers = delivery.workers
        once = workers.get("duplicates") == 0 and workers.get("distinct") == delivery.prepared
        counted = f"{workers.get('distinct')} distinct, {workers.get('duplicates')} duplicates"
        found.append((once, f"two workers deliver each email exactly once: {counted}"))
    for page in (page for page in (pages or {}).get("pages", []) if "median_ms" in page):
        name = f"{page['persona']}, {page['page']}"
        fast = page["status"] == 200 and page["median_ms"] <= PAGE_MAX_MS
        found.append((fast, f"{name}: {page['median_ms']:.0f} ms (status {page['status']})"))
        found.append((page["queries"] <= PAGE_MAX_QUERIES, f"{name}: {page['queries']} queries"))
    if load is not None:
        if "error" in load:
            found.append((False, f"no error under load: not measured ({load['error']})"))
        for result in load.get("results", []):
            found.append((
                result["failed"] == 0 and result["requests"] > 0,
                f"no error under load, {result['who']}: {result['failed']} failed of {result['requests']:,}",
            ))  # fmt: skip
    return found


def job_targets(sizes: list[Size], label: str, name: str, limit: float) -> list[tuple[bool, str]]:
    top = sizes[-1]
    value = ratio(getattr(top, name), getattr(top, f"{name}_floor"))
    counts = [getattr(size, name).queries for size in sizes]
    peaks = [round(getattr(size, name).peak) for size in sizes]
    return [
        (value <= limit, f"{label} at most {limit}x its floor at {top.conventions:,}: {value:.2f}x"),
        (len(set(counts)) == 1, f"{label} query count constant across sizes: {counts}"),
        (max(peaks) < MEMORY_MAX_MIB, f"{label} peak memory under {MEMORY_MAX_MIB:.0f} MiB: {peaks} MiB"),
    ]


def render(results: Results) -> str:
    meta, sizes, delivery, pages, rules = (
        results.meta,
        results.sizes,
        results.delivery,
        results.pages,
        results.rules,
    )
    lines = [
        "# Benchmarks",
        "",
        f"`make bench` (bench/run.py, bench/scale.py). Run of {meta['date']} on {meta['machine']}. "
        "PostgreSQL's JIT is off in every benchmark session (`SET jit = off` through PGOPTIONS): on these "
        "long statements it can compile for longer than it runs.",
        "",
        f"Command: `{meta['command']}`. Data: bench/generate.py around {meta['today']}, each figure the "
        f"median of {meta['runs']} runs, each run a fresh process; project and floor measured alternately in "
        "the same run.",
        "",
    ]
    if meta.get("note"):
        lines += [str(meta["note"]), ""]
    if sizes and sizes[0].sweep.runs:
        lines += sweep_section(sizes) + plan_section(sizes)
    if delivery is not None:
        lines += ["## Delivery", "", *delivery_lines(delivery), ""]
    if pages is not None:
        lines += ["## Pages and API", "", *pages_lines(pages, meta["pages_where"]), ""]
    if results.load_test is not None:
        lines += ["## Loopback load", "", *load_lines(results.load_test), ""]
    if results.rules is not None:
        rules = results.rules
        lines += [
            "## Rule engine",
            "",
            f"{rules['per_second']:,.0f} evaluations/s ({rules['micro']:,.0f} µs each) of a typical "
            "convention; "
            f"{rules['runs']:,} results kept: {rules['peak_mb']:.1f} MB traced (tracemalloc).",
            "",
        ]
    found = targets(sizes, delivery, pages, results.load_test)
    if found:
        lines += ["## Targets (issue 10)", ""]
        lines += [f"- {'met' if ok else '**missed**'}: {text}" for ok, text in found]
        lines.append("")
    lines += reproduce_section() + [HISTORY, ""]
    return "\n".join(lines)


def sweep_section(sizes: list[Size]) -> list[str]:
    loaded = ", ".join(
        f"{size.conventions:,} ({size.loaded.get('conventions_due', 0):,} conventions, "
        f"{size.loaded.get('avenants_due', 0):,} avenants, "
        f"{size.loaded.get('permits_due', 0):,} permits due; "
        f"loaded in {size.load_seconds:.0f} s)"
        for size in sizes
    )
    return [
        "## Deadline sweep with its event emails, against its floor",
        "",
        f"Sizes: {loaded}. Project: `sweep_deadlines(today=...)` (state changes, hash-chained audit rows, "
        "event emails through the files_swept signal). Floor: one SQL statement per kind of file "
        "(`UPDATE ... RETURNING` feeding the INSERTs of the audit rows, of the event emails, of the "
        "extensions and carte de séjour applications the accepted avenants open, and the move of the chain "
        "heads). The floor hashes each audit row with PostgreSQL's sha256() over the same content, but over "
        "the chain head's hash rather than its predecessor's (one statement cannot chain): the same work, "
        "not a verifiable chain. Checked after every run (the bench stops otherwise): the same files moved "
        "(their ids), the same audit rows (counted by transition; the same organisation, sequence, subject "
        "and transition on each) and emails (counted by kind and status; the same idempotency keys, which "
        "name the file, kind, deadline, point and recipient), the same applications and documents.",
        "",
        *sweep_table(sizes),
        "",
    ]


def plan_section(sizes: list[Size]) -> list[str]:
    return [
        "## Reminder planning, against its floor",
        "",
        "Project: `reminders_plan(today=..., enqueue=False)`. Floor: one `INSERT ... SELECT ... ON CONFLICT "
        "DO NOTHING` that computes every planned kind (14 kinds, from the stored deadline columns and each "
        "organisation's lead times) for every recipient (members by role and preference, the intern for "
        "their kinds). Checked after every run (the bench stops otherwise): as many outbox rows of every "
        "kind and status, with the same idempotency keys. "
        "The floor's `rule` and `source` texts are shorter stand-ins for the engine's explanations.",
        "",
        *plan_table(sizes),
        "",
        "Each run is a transaction rolled back, then a VACUUM of the written tables, so every run starts "
        "from the same data; its time (wall clock, in the job's process) excludes the rollback, as it would "
        "exclude a commit, on both sides; "
        "queries counted by `connection.execute_wrapper` (what CaptureQueriesContext counts, without keeping "
        "the SQL text); peak memory is the process's resident high-water mark (VmHWM, Django included).",
        "",
        "### Where the project's time goes",
        "",
        *costs(sizes),
    ]


def reproduce_section() -> list[str]:
    return [
        "## How to reproduce",
        "",
        "```",
        "make bench                                    # 10k, 100k, 1M: 10 to 35 minutes on 2 cores",
        "make bench BENCH_SIZES=10000 BENCH_RUNS=1     # a quick look",
        "make bench CHECK=1                            # exit 1 listing each target missed",
        "```",
        "",
        "The bench uses its own database (BENCH_DATABASE_URL, default `hostportal_bench`, created and "
        "migrated if missing, emptied for each size) and Redis db 12 (BENCH_BROKER_URL) for the two workers; "
        "BENCH_PAGES_DATABASE_URL runs the pages and the load test on another loaded database (the pages "
        "read only; the load test opens two sessions there, and deletes them). A single job can be run by "
        "hand: `python bench/scale.py sweep --today 2026-12-01 --profile /tmp/sweep.prof` (with "
        "DATABASE_URL) prints its RESULT line and the cProfile's top entries.",
        "",
    ]


# --- the command line ------------------------------------------------------------------------------------
@dataclass
class Args:
    sizes: list[int]
    runs: int
    today: dt.date
    only: set[str]
    check: bool
    write: bool
    output: Path
    profile: str
    results: Path
    render: str
    resume: bool

    def profile_for(self, name: str) -> list[str]:
        return (
            ["--profile", f"{self.profile}-{name}.prof"] if self.profile and name in ("sweep", "plan") else []
        )


def parse(argv: list[str] | None) -> Args:
    env = os.environ.get
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=env("BENCH_SIZES", "10000,100000,1000000"))
    parser.add_argument("--runs", type=int, default=int(env("BENCH_RUNS", "3")))
    parser.add_argument("--today", type=dt.date.fromisoformat, default=env("BENCH_TODAY", "2026-12-01"))
    parser.add_argument("--only", default=env("BENCH_ONLY", ",".join(SECTIONS)))
    parser.add_argument("--check", action="store_true", default=env("BENCH_CHECK", "") not in ("", "0"))
    parser.add_argument("--no-write", action="store_true", help="print the report only")
    parser.add_argument("--output", default=env("BENCH_OUTPUT", str(BASE_DIR / "docs" / "benchmarks.md")))
    parser.add_argument("--profile", default="", help="cProfile each project run to <prefix>-<job>.prof")
    parser.add_argument("--results", default=str(BASE_DIR / "var" / "bench" / "results.json"))
    parser.add_argument("--render", default="", help="render the report of a results file, measure nothing")
    parser.add_argument(
        "--resume", action="store_true", help="keep what the results file holds, measure the rest"
    )
    ns = parser.parse_args(argv)
    only = {part.strip() for part in ns.only.split(",") if part.strip()}
    if only - set(SECTIONS):
        parser.error(f"unknown sections {sorted(only - set(SECTIONS))}; choose among {SECTIONS}")
    today = ns.today if isinstance(ns.today, dt.date) else dt.date.fromisoformat(ns.today)
    sizes = sorted(int(part) for part in ns.sizes.split(",") if part.strip())
    output, results = Path(ns.output), Path(ns.results)
    return Args(
        sizes,
        ns.runs,
        today,
        only,
        ns.check,
        not ns.no_write,
        output,
        ns.profile,
        results,
        ns.render,
        ns.resume,
    )


def prepare_environment() -> str:
    """The bench's database (created and migrated if missing) and broker; JIT off in every session."""
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE)
    name = urlsplit(url).path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(
            f"The bench empties every table of {name!r}: give it a database whose name says bench."
        )
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("CELERY_BROKER_URL", os.environ.get("BENCH_BROKER_URL", DEFAULT_BROKER))
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    os.environ["PGOPTIONS"] = f"{os.environ.get('PGOPTIONS', '')} -c jit=off".strip()
    create_database(url, name)
    subprocess.run(  # noqa: S603
        [sys.executable, str(BASE_DIR / "manage.py"), "migrate", "--noinput", "-v0"], cwd=BASE_DIR, check=True
    )
    return url


def create_database(url: str, name: str) -> None:
    import psycopg

    parts = urlsplit(url)
    server = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            log(f"Creating the database {name}")
            conn.execute(f'CREATE DATABASE "{name}"')


def command_line(args: Args) -> str:
    parts = ["make bench", f"BENCH_SIZES={','.join(map(str, args.sizes))}", f"BENCH_RUNS={args.runs}"]
    for name in ("BENCH_DATABASE_URL", "BENCH_PAGES_DATABASE_URL", "BENCH_ONLY"):
        if os.environ.get(name):
            parts.append(f"{name}={os.environ[name]}")
    return " ".join(parts)


@dataclass
class Results:
    """Everything one run measured, kept as JSON (var/bench/results.json) so the report can be rendered
    again (--render) without measuring again."""

    meta: dict[str, Any]
    sizes: list[Size] = field(default_factory=list)
    delivery: Delivery | None = None
    pages: dict[str, Any] | None = None
    rules: dict[str, float] | None = None
    load_test: dict[str, Any] | None = None

    def dump(self) -> str:
        return json.dumps(asdict(self), indent=1, default=str)

    @classmethod
    def load(cls, text: str) -> Results:
        data = json.loads(text)

        def side(raw: dict[str, Any]) -> Side:
            return Side(list(raw["runs"]))

        sizes = [
            Size(
                raw["conventions"],
                raw["loaded"],
                raw["load_seconds"],
                side(raw["sweep"]),
                side(raw["sweep_floor"]),
                side(raw["plan"]),
                side(raw["plan_floor"]),
            )  # fmt: skip
            for raw in data["sizes"]
        ]
        delivery = data.get("delivery")
        if delivery is not None:
            delivery = Delivery(
                delivery["prepared"], side(delivery["project"]), side(delivery["raw"]), delivery["workers"]
            )
        return cls(data["meta"], sizes, delivery, data.get("pages"), data.get("rules"), data.get("load_test"))


def measure_all(args: Args, results: Results) -> None:
    """Measure what `results` does not hold yet (all of it, or what a run stopped before: --resume),
    keeping the results file up to date after each part."""
    prepare_environment()
    setup_django()
    pages_url = os.environ.get("BENCH_PAGES_DATABASE_URL", os.environ["DATABASE_URL"])
    where = f"The database {urlsplit(pages_url).path.lstrip('/')}" + (
        " (BENCH_PAGES_DATABASE_URL, read-only)" if os.environ.get("BENCH_PAGES_DATABASE_URL") else ""
    )
    results.meta = results.meta or {
        "date": f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC", "machine": machine(),
        "command": command_line(args), "today": args.today.isoformat(), "runs": args.runs,
        "pages_where": where,
    }  # fmt: skip
    done = {size.conventions for size in results.sizes}
    if args.only & {"sweep", "planning"}:
        for conventions in (size for size in args.sizes if size not in done):
            results.sizes.append(measure_size(conventions, args))
            results.sizes.sort(key=lambda size: size.conventions)
            keep(results, args)
    if "delivery" in args.only and results.delivery is None:
        if scalar("SELECT count(*) FROM conventions_convention") != args.sizes[-1]:
            load(Size(args.sizes[-1]), args)
        results.delivery = bench_delivery(args)
        keep(results, args)
    if "pages" in args.only and results.pages is None:
        runs = os.environ.get("BENCH_PAGE_RUNS", "5")
        results.pages = job("pages", "--runs", runs, env={"DATABASE_URL": pages_url}, today=args.today)
        keep(results, args)
    if "load" in args.only and results.load_test is None:
        results.load_test = load_test(pages_url)
        keep(results, args)
    if "rules" in args.only and results.rules is None:
        results.rules = bench_rules()
        keep(results, args)


def load_test(url: str) -> dict[str, Any]:
    """bench/load.py on `url`: its RESULT, or why it could not run."""
    seconds = os.environ.get("BENCH_LOAD_SECONDS", "30")
    log(f"Load test: 20 connections for {seconds} s, manager then operator")
    done = subprocess.run(  # noqa: S603
        [sys.executable, str(LOAD), "--result", "--connections", "20", "--seconds", seconds],
        cwd=BASE_DIR, env={**os.environ, "DATABASE_URL": url}, capture_output=True, text=True,
    )  # fmt: skip
    line = next((line for line in done.stdout.splitlines() if line.startswith(RESULT)), None)
    if line is None:
        return {"error": (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]}
    return dict(json.loads(line[len(RESULT) :]))


def load_lines(load: dict[str, Any]) -> list[str]:
    if "error" in load:
        return [f"Not measured: {load['error']}"]
    lines = [
        f"bench/load.py: gunicorn as the image runs it (hostportal/gunicorn_conf.py, 2 workers), `wrk` with "
        f"{load['connections']} connections for {load['seconds']} s on loopback, on the pages' database. "
        f"The manager's paths in turn: {', '.join(f'`{path}`' for path in load['paths'])}; the operator's: "
        f"{', '.join(f'`{path}`' for path in load['operator_paths'])}. Failed: non-2xx answers, socket "
        "errors and timeouts (10 s).",
        "",
        "| who | requests | per second | failed | p50 (ms) | p99 (ms) |",
        "|---|---|---|---|---|---|",
    ]
    for result in load["results"]:
        per_second = result["requests"] / result["seconds"] if result["seconds"] else 0.0
        lines.append(
            f"| {result['who']} | {result['requests']:,} | {per_second:.0f} | {result['failed']} | "
            f"{result['p50_ms']:.0f} | {result['p99_ms']:.0f} |"
        )
    return lines + ["", "20 clients queue on 2 cores: the latencies are those of the queue, not of a page."]


def keep(results: Results, args: Args) -> None:
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(results.dump())


def measure_size(conventions: int, args: Args) -> Size:
    size = Size(conventions)
    load(size, args)
    log(f"{conventions:,} conventions loaded in {size.load_seconds:.0f} s: {size.loaded}")
    sides = (size.sweep, size.sweep_floor)
    measure_pair("sweep", ("sweep", "sweep-floor"), sides, ("moved", "written", "fingerprints"), args)
    sides = (size.plan, size.plan_floor)
    measure_pair("planning", ("plan", "plan-floor"), sides, ("written", "fingerprints"), args)
    return size


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.render:
        results = Results.load(Path(args.render).read_text())
    else:
        results = Results.load(args.results.read_text()) if args.resume else Results(meta={})
        measure_all(args, results)
        log(f"Results kept in {args.results}")
    report = render(results)
    print(report)
    if args.write:
        args.output.write_text(report)
        log(f"Written to {args.output}")
    found = targets(results.sizes, results.delivery, results.pages, results.load_test)
    missed = [text for ok, text in found if not ok]
    if args.check and missed:
        print("\nTargets missed:\n" + "\n".join(f"- {text}" for text in missed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
