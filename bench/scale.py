"""Issue 10's measurements: each daily job against its SQL floor, each run in a fresh process.

`bench/run.py` (`make bench`) loads the data (bench/generate.py) and runs every measurement here as
`python bench/scale.py <job> ...` in a new process, which prints one line "RESULT {json}". A new process per
run gives every figure its own peak memory (VmHWM, the process's resident high-water mark: the whole process,
Django and its imports included; `baseline_mib` is the resident size just before the job) and keeps one
run's caches out of the next. Not ru_maxrss: Linux carries the parent's high-water mark over fork and exec,
so a child of a large parent would report the parent's size.

Jobs:
- `sweep`: conventions.services.sweep_deadlines(today=...), with everything it writes (state changes, the
  hash-chained audit rows, the event emails through the files_swept signal). `sweep-floor`: one SQL
  statement per kind of file (conventions, avenants, carte de séjour applications) that writes the same
  rows: UPDATE ... RETURNING feeding the INSERTs of the audit rows, the event emails, the extensions and the
  applications the accepted avenants open, and the move of the chain heads.
- `plan`: notifications.services.reminders_plan(today=..., enqueue=False). `plan-floor`: one
  INSERT ... SELECT that writes the same outbox rows (every planned kind, every recipient).
- `deliver`: outbox_deliver() in a loop until nothing is left, to the SMTP sink named by EMAIL_URL;
  `smtp-raw`: the messages the sink received, sent again by a bare smtplib loop over one connection;
  `sink`: the SMTP server (aiosmtpd) both talk to, in its own process.
- `pages`: the admin, portal and API lists with Django's test Client, inside a transaction rolled back.

The sweep and the planning run inside a transaction that is rolled back (a private exception), so every run
starts from the same data; the time stops before the rollback, so it excludes what a COMMIT would cost, on
both sides alike. Queries are counted by connection.execute_wrapper: the count CaptureQueriesContext gives,
without keeping the text of every multi-row INSERT (at 1M conventions that text alone weighs hundreds of
MB and would be the peak measured). The wrapper also times each statement: a result says how much of the
time is SQL and names the slowest statements. PostgreSQL's JIT is off in every session (run.py sets
PGOPTIONS="-c jit=off"; each result reports `SHOW jit`): compiling the long expressions of these statements
can take longer than running them.
"""

# ruff: noqa: S608 - the SQL here is built from this module's constants and the models' metadata, never from
# input; the values all go as query parameters.
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import pickle
import re
import resource
import signal
import smtplib
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
RESULT = "RESULT "
TOP = 5  # statement shapes kept per run, by total time
SHAPE = 110  # characters of a statement that name its shape
MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


def setup_django() -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hostportal.settings")
    import django

    django.setup()


# --- what a process measures ------------------------------------------------------------------------------
def status_mib(name: str) -> float:
    """A size of /proc/self/status (VmRSS, VmHWM), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def rss_mib() -> float:
    """The resident size now, in MiB."""
    return status_mib("VmRSS")


def peak_mib() -> float:
    """The peak resident size of this process so far (VmHWM; ru_maxrss where /proc is missing), in MiB."""
    return status_mib("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Queries:
    """Counts and times every statement sent through Django's connection (an execute_wrapper), and sums the
    time by statement shape (its first characters: the kind of statement and its table)."""

    active: bool = True
    count: int = 0
    seconds: float = 0.0
    shapes: dict[str, list[float]] = field(default_factory=dict)

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if not self.active:
            return execute(sql, params, many, context)
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - start
            self.count += 1
            self.seconds += spent
            shape = self.shapes.setdefault(" ".join(str(sql)[:400].split())[:SHAPE], [0, 0.0])
            shape[0] += 1
            shape[1] += spent

    def summary(self) -> dict[str, Any]:
        top = sorted(self.shapes.items(), key=lambda item: item[1][1], reverse=True)[:TOP]
        return {
            "queries": self.count,
            "sql_seconds": self.seconds,
            "slowest": [[round(seconds, 4), int(count), sql] for sql, (count, seconds) in top],
        }


class Rollback(Exception):
    """Raised to roll back the measured transaction."""


def scalar(sql: str, params: Any = None) -> Any:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params or {})
        row = cursor.fetchone()
        return row[0] if row else None


def rows(sql: str, params: Any = None) -> list[tuple[Any, ...]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params or {})
        return list(cursor.fetchall())


def written() -> Counter[str]:
    """What the jobs write, counted: audit rows by transition, emails by kind and status, applications."""
    found: Counter[str] = Counter()
    for transition, count in rows("SELECT transition, count(*) FROM conventions_transitionlog GROUP BY 1"):
        found[f"audit {transition}"] = count
    for kind, status, count in rows(
        "SELECT kind, status, count(*) FROM notifications_notification GROUP BY 1, 2"
    ):
        found[f"email {kind} {status}"] = count
    found["permit applications"] = scalar("SELECT count(*) FROM conventions_residencepermitapplication")
    found["documents"] = scalar("SELECT count(*) FROM conventions_documentitem")
    return found


def fingerprints() -> dict[str, str]:
    """Not only as many rows, the same ones: md5 of the outbox keys (file, kind, deadline, point, recipient)
    and of the audit rows' places (organisation, sequence, subject, transition)."""
    keys = (
        "SELECT md5(string_agg(idempotency_key, ',' ORDER BY idempotency_key)) "
        "FROM notifications_notification"
    )
    places = (
        "SELECT md5(string_agg(concat_ws(':', organisation_id, sequence, content_type_id, object_id, "
        "transition), ',' ORDER BY organisation_id, sequence)) FROM conventions_transitionlog"
    )
    return {"email keys": scalar(keys) or "", "audit places": scalar(places) or ""}


def difference(after: Counter[str], before: Counter[str]) -> dict[str, int]:
    return {key: after[key] - before[key] for key in sorted(after | before) if after[key] != before[key]}


def measure(
    job: Callable[[], Any], summarise: Callable[[Any], dict[str, Any]], profile: str = ""
) -> dict[str, Any]:
    """Run `job` in a transaction rolled back afterwards; its time, queries, peak memory and writes."""
    from django.db import connection, transaction

    result: dict[str, Any] = {"jit": scalar("SHOW jit"), "baseline_mib": rss_mib()}
    before = written()
    queries = Queries()
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
    try:
        with transaction.atomic():
            with connection.execute_wrapper(queries):
                start = time.perf_counter()
                if profiler is not None:
                    profiler.enable()
                outcome = job()
                if profiler is not None:
                    profiler.disable()
                result["seconds"] = time.perf_counter() - start
                result["peak_mib"] = peak_mib()
                queries.active = False
            result |= queries.summary() | summarise(outcome)
            result["written"] = difference(written(), before)
            result["fingerprints"] = fingerprints()
            raise Rollback
    except Rollback:
        pass
    if profiler is not None:
        _print_profile(profiler, profile)
    return result


def _print_profile(profiler: Any, path: str) -> None:
    import io
    import pstats

    profiler.dump_stats(path)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
    print(out.getvalue(), file=sys.stderr)


def digest(ids: Iterable[int]) -> dict[str, Any]:
    """The moved files, comparable between the project and the floor: count and md5 of the sorted ids."""
    ordered = sorted(ids)
    return {"count": len(ordered), "md5": hashlib.md5(",".join(map(str, ordered)).encode()).hexdigest()}  # noqa: S324


# --- shared SQL: who receives an email, how a row of the outbox looks --------------------------------------
ROLES = """array_remove(ARRAY[
    CASE WHEN coalesce(rs.notify_managers, true) THEN 'manager' END,
    CASE WHEN coalesce(rs.notify_editors, true) THEN 'editor' END,
    CASE WHEN coalesce(rs.notify_viewers, false) THEN 'viewer' END], NULL)"""
# notifications.services.audience: active members with an address, not "off", in a role the organisation
# notifies (managers and editors when it has no settings row); "digest" members get rows for the digest.
MEMBERS = f"""members AS (
  SELECT ms.organisation_id, ms.user_id, u.email, ms.language, ms.email_preference = 'digest' AS digest
  FROM hostportal_membership AS ms JOIN auth_user AS u ON u.id = ms.user_id
  LEFT JOIN notifications_remindersettings AS rs ON rs.organisation_id = ms.organisation_id
  WHERE u.is_active AND u.email <> '' AND ms.email_preference <> 'off' AND ms.role = ANY({ROLES}))"""


def recipients(due: str) -> str:
    """Every (file, kind) row of `due` times its recipients: the members, and the intern for their kinds."""
    return f"""(
  SELECT d.*, r.user_id, NULL::bigint AS recipient_intern_id, r.email, r.language, r.digest,
         'user-' || r.user_id AS recipient_key
  FROM {due} AS d JOIN members AS r ON r.organisation_id = d.organisation_id
  UNION ALL
  SELECT d.*, NULL::int, i.id, i.email, i.language, false, 'intern-' || i.id
  FROM {due} AS d JOIN conventions_intern AS i ON i.id = d.intern_id
  WHERE d.kind = ANY(%(intern_kinds)s) AND i.notify_intern AND i.email <> ''
) AS x"""


def insert_outbox(due: str, params: dict[str, Any]) -> str:
    """INSERT the outbox rows of `due` (file_type, object_id, organisation_id, convention_id, intern_id,
    kind, deadline, due_on, rule, source) for every recipient; the key as outbox.idempotency_key."""
    from bench.generate import insert
    from notifications.models import Notification

    key = (
        "x.file_type || '-' || x.object_id || '.' || x.kind || '.' || "
        "coalesce(to_char(x.deadline, 'YYYYMMDD'), 'none') || '.' || to_char(x.due_on, 'YYYYMMDD') || '.' "
        "|| x.recipient_key"
    )
    values = {
        "organisation_id": "x.organisation_id", "idempotency_key": key, "kind": "x.kind",
        "file_type": "x.file_type", "object_id": "x.object_id", "convention_id": "x.convention_id",
        "deadline": "x.deadline", "due_on": "x.due_on", "days_left": "x.deadline - %(today)s::date",
        "rule": "x.rule", "source": "left(x.source, 300)", "recipient_user_id": "x.user_id",
        "recipient_intern_id": "x.recipient_intern_id", "recipient_email": "x.email",
        "language": "x.language",
        "status": "CASE WHEN x.digest THEN 'awaiting_digest' ELSE 'pending' END",
        "next_attempt_at": "%(now)s", "created_at": "%(now)s", "updated_at": "%(now)s",
    }  # fmt: skip
    sql = insert(Notification, values, recipients(due), params)
    return f"{sql} ON CONFLICT (idempotency_key) DO NOTHING RETURNING 1"


def common_params(today: dt.date, now: dt.datetime) -> dict[str, Any]:
    from notifications.rules import INTERN_KINDS

    return {"today": today, "now": now, "intern_kinds": sorted(kind.value for kind in INTERN_KINDS)}


# --- the sweep's floor ----------------------------------------------------------------------------------
def chain(entries: str, params: dict[str, Any]) -> str:
    """CTEs that number, hash and insert the audit rows of `entries` and move the chain heads.

    `entries` has organisation_id, content_type_id, object_id, transition, source_state, target_state,
    comment, changes (jsonb), subject, ord. Each row gets the next sequence of its organisation and a
    SHA-256 (PostgreSQL's sha256()) over the head's hash, the organisation, the sequence and a JSON of the
    same content hostportal.audit hashes; previous_hash names the row before. One statement cannot feed a
    hash into the next row's, so every hash of a statement covers the head's hash, not its predecessor's:
    the same work and columns as the project, not a chain that hostportal.audit.verify_chain accepts.
    """
    from bench.generate import insert
    from conventions.models import TransitionLog

    content = (
        "jsonb_build_object('table', 'transition_log', 'created_at', %(now_iso)s, 'actor_id', NULL, "
        "'actor', %(sweep_label)s, 'channel', %(sweep_channel)s, 'action', n.transition, "
        "'object', n.subject, 'source', n.source_state, 'target', n.target_state, 'comment', n.comment, "
        "'changes', n.changes)::text"
    )
    values = {
        "organisation_id": "organisation_id", "content_type_id": "content_type_id", "object_id": "object_id",
        "transition": "transition", "source_state": "source_state", "target_state": "target_state",
        "actor_label": "%(sweep_label)s", "channel": "%(sweep_channel)s", "comment": "comment",
        "changes": "changes", "created_at": "%(now)s", "sequence": "sequence",
        "previous_hash": "previous_hash", "entry_hash": "entry_hash",
    }  # fmt: skip
    return f"""numbered AS (
  SELECT e.*, coalesce(h.last_sequence, 0)
           + row_number() OVER (PARTITION BY e.organisation_id ORDER BY e.ord, e.object_id) AS sequence,
         coalesce(h.last_hash, %(genesis)s) AS head_hash
  FROM {entries} AS e LEFT JOIN hostportal_auditchain AS h ON h.organisation_id = e.organisation_id
), sealed AS (
  SELECT n.*, encode(sha256(convert_to(concat_ws(chr(10), n.head_hash, n.organisation_id, n.sequence,
         {content}), 'UTF8')), 'hex') AS entry_hash
  FROM numbered AS n
), linked AS (
  SELECT s.*, coalesce(lag(s.entry_hash) OVER (PARTITION BY s.organisation_id ORDER BY s.sequence),
         s.head_hash) AS previous_hash
  FROM sealed AS s
), logs AS ({insert(TransitionLog, values, "linked", params)} RETURNING 1
), heads AS (
  INSERT INTO hostportal_auditchain (organisation_id, last_sequence, last_hash)
  SELECT DISTINCT ON (organisation_id) organisation_id, sequence, entry_hash FROM linked
  ORDER BY organisation_id, sequence DESC
  ON CONFLICT (organisation_id) DO UPDATE SET last_sequence = EXCLUDED.last_sequence,
    last_hash = EXCLUDED.last_hash
  RETURNING 1
)"""


def cancel(file_type: str, key: str) -> str:
    """notifications.services.outbox.outbox_cancel_stopped for the moved files (one UPDATE)."""
    return f"""cancelled AS (
  UPDATE notifications_notification AS o SET status = 'cancelled', last_error = %(reason_{key})s,
    updated_at = %(now)s
  WHERE o.file_type = '{file_type}' AND o.object_id IN (SELECT id FROM moved)
    AND o.kind = ANY(%(stopped_{key})s) AND o.status IN ('pending', 'awaiting_digest')
  RETURNING 1
)"""


MOVED = "SELECT count(*), md5(string_agg(id::text, ',' ORDER BY id)) FROM moved"
SILENCE_RULE = (
    "'received on ' || m.received_on || ': no answer within 2 months, silence deadline ' "
    "|| m.silence_deadline"
)


def sweep_conventions_sql(params: dict[str, Any]) -> str:
    due = f"""mail_due AS (
  SELECT 'convention'::text AS file_type, m.id AS object_id, m.organisation_id, m.id AS convention_id,
         m.intern_id, 'refused_by_silence'::text AS kind, m.silence_deadline AS deadline,
         %(today)s::date AS due_on, {SILENCE_RULE} AS rule, %(silence_source)s::text AS source
  FROM moved AS m)"""
    return f"""WITH moved AS (
  UPDATE conventions_convention AS c SET state = 'refused_by_silence', decision_on = c.silence_deadline + 1,
    version = c.version + 1, updated_at = %(now)s
  WHERE c.state = 'submitted' AND c.silence_deadline < %(today)s
  RETURNING c.id, c.organisation_id, c.intern_id, c.silence_deadline, c.received_on
), {cancel("convention", "convention")}, entries AS (
  SELECT m.organisation_id, %(ct_convention)s::int AS content_type_id, m.id AS object_id,
         'refuse_by_silence'::text AS transition, 'submitted'::text AS source_state,
         'refused_by_silence'::text AS target_state,
         'Implicit decision: no answer by the silence deadline ' || m.silence_deadline || '.' AS comment,
         '{{}}'::jsonb AS changes, 'conventions.convention#' || m.id AS subject, 0 AS ord
  FROM moved AS m
), {chain("entries", params)}, {MEMBERS}, {due}, mails AS ({insert_outbox("mail_due", params)})
{MOVED}"""


def sweep_avenants_sql(params: dict[str, Any]) -> str:
    """Accepted by silence (not a company stage's, R426-21): the convention's end date in force moves, the
    carte de séjour application and its checklist open, the "file the carte de séjour" email goes out."""
    from bench.generate import insert
    from conventions.models import DocumentItem, ResidencePermitApplication

    permit = {
        "avenant_id": "v.id", "convention_id": "v.convention_id", "organisation_id": "v.organisation_id",
        "stamp_amount_eur": "%(stamp)s", "filing_opens_on": "v.expires_on - %(opens_days)s",
        "filing_deadline": "v.expires_on - %(deadline_days)s", "created_at": "%(now)s",
        "updated_at": "%(now)s",
    }  # fmt: skip
    document = {
        "organisation_id": "o.organisation_id", "convention_id": "o.convention_id",
        "permit_application_id": "o.id", "step": "'residence_permit'", "code": "d.code", "label": "d.label",
        "created_at": "%(now)s", "updated_at": "%(now)s",
    }  # fmt: skip
    opened = insert(
        ResidencePermitApplication, permit,
        "visa AS v WHERE NOT EXISTS (SELECT 1 FROM conventions_residencepermitapplication AS p "
        "WHERE p.avenant_id = v.id)", params,
    )  # fmt: skip
    items = "unnest(%(codes)s::text[], %(labels)s::text[]) AS d(code, label)"
    checklist = insert(DocumentItem, document, f"opened AS o CROSS JOIN {items}", params)
    due = """mail_due AS (
  SELECT 'avenant'::text AS file_type, v.id AS object_id, v.organisation_id, v.convention_id, v.intern_id,
         'permit_to_file'::text AS kind,
         CASE WHEN v.expires_on IS NULL THEN v.previous_end_date ELSE v.expires_on - %(deadline_days)s END
           AS deadline,
         %(today)s::date AS due_on,
         CASE WHEN v.expires_on IS NULL THEN 'the avenant is accepted: apply for the carte de séjour before '
           || 'the stay in force ends on ' || v.previous_end_date
         ELSE 'visa expiry ' || v.expires_on || ' minus 60 days (last day to file)' END AS rule,
         %(permit_source)s::text AS source
  FROM visa AS v LEFT JOIN conventions_residencepermitapplication AS p ON p.avenant_id = v.id
  WHERE p.id IS NULL OR p.state = 'to_file')"""
    return f"""WITH moved AS (
  UPDATE conventions_avenant AS a SET state = 'accepted_by_silence', decision_on = a.silence_deadline + 1,
    version = a.version + 1, updated_at = %(now)s
  FROM conventions_convention AS c
  WHERE c.id = a.convention_id AND a.state = 'submitted' AND a.silence_deadline < %(today)s
    AND c.category <> 'entreprise'
  RETURNING a.id, a.organisation_id, a.convention_id, a.silence_deadline, a.previous_end_date,
    a.requested_end_date, c.effective_end_date AS old_end, c.state AS convention_state, c.intern_id
), {cancel("avenant", "avenant")}, extended AS (
  UPDATE conventions_convention AS c SET effective_end_date = m.requested_end_date, updated_at = %(now)s
  FROM moved AS m WHERE c.id = m.convention_id
  RETURNING 1
), entries AS (
  SELECT m.organisation_id, %(ct_avenant)s::int AS content_type_id, m.id AS object_id,
         'accept_by_silence'::text AS transition, 'submitted'::text AS source_state,
         'accepted_by_silence'::text AS target_state,
         'Implicit decision: no answer by the silence deadline ' || m.silence_deadline || '.' AS comment,
         '{{}}'::jsonb AS changes, 'conventions.avenant#' || m.id AS subject, 0 AS ord
  FROM moved AS m
  UNION ALL
  SELECT m.organisation_id, %(ct_convention)s::int, m.convention_id, 'extend', m.convention_state,
         m.convention_state, 'Extended by avenant #' || m.id || '.',
         jsonb_build_object('effective_end_date',
           jsonb_build_array(m.old_end::text, m.requested_end_date::text)),
         'conventions.convention#' || m.convention_id, 1
  FROM moved AS m WHERE m.old_end <> m.requested_end_date
), {chain("entries", params)}, visa AS (
  SELECT m.*, vi.expires_on FROM moved AS m
  LEFT JOIN conventions_visaapplication AS vi ON vi.convention_id = m.convention_id
), opened AS ({opened} RETURNING id, organisation_id, convention_id
), checklist AS ({checklist} RETURNING 1
), {MEMBERS}, {due}, mails AS ({insert_outbox("mail_due", params)})
{MOVED}"""


def sweep_permits_sql(params: dict[str, Any]) -> str:
    return f"""WITH moved AS (
  UPDATE conventions_residencepermitapplication AS p SET state = 'refused_by_silence',
    decision_on = p.silence_deadline + 1, version = p.version + 1, updated_at = %(now)s
  WHERE p.state = 'filed' AND p.silence_deadline < %(today)s
  RETURNING p.id, p.organisation_id, p.silence_deadline
), {cancel("permit", "permit")}, entries AS (
  SELECT m.organisation_id, %(ct_permit)s::int AS content_type_id, m.id AS object_id,
         'refuse_by_silence'::text AS transition, 'filed'::text AS source_state,
         'refused_by_silence'::text AS target_state,
         'Implicit decision: no answer by the silence deadline ' || m.silence_deadline || '.' AS comment,
         '{{}}'::jsonb AS changes, 'conventions.residencepermitapplication#' || m.id AS subject, 0 AS ord
  FROM moved AS m
), {chain("entries", params)}
{MOVED}"""


def sweep_params(today: dt.date, now: dt.datetime) -> dict[str, Any]:
    from django.contrib.contenttypes.models import ContentType

    from conventions.models import Avenant, Convention, ResidencePermitApplication
    from conventions.rules.dates import PERMIT_FILING_DEADLINE_DAYS, PERMIT_FILING_OPENS_DAYS
    from conventions.rules.documents import RESIDENCE_PERMIT_DOCUMENTS, RESIDENCE_PERMIT_STAMP_EUR
    from conventions.services.avenants import SWEEP_ACTOR_LABEL
    from hostportal.audit import GENESIS_HASH, iso
    from notifications.rules import FileType, kinds_stopped_by

    params = common_params(today, now) | {
        "now_iso": iso(now), "sweep_label": SWEEP_ACTOR_LABEL, "sweep_channel": "sweep",
        "genesis": GENESIS_HASH, "silence_source": "CESEDA R426-20 al. 2; Seed; CRPA L231-4",
        "permit_source": "CESEDA R431-5 1°, R431-2", "stamp": RESIDENCE_PERMIT_STAMP_EUR,
        "opens_days": PERMIT_FILING_OPENS_DAYS, "deadline_days": PERMIT_FILING_DEADLINE_DAYS,
        "codes": [item.code for item in RESIDENCE_PERMIT_DOCUMENTS],
        "labels": [item.label_en for item in RESIDENCE_PERMIT_DOCUMENTS],
    }  # fmt: skip
    for key, model, file_type, target in (
        ("convention", Convention, FileType.CONVENTION, "refused_by_silence"),
        ("avenant", Avenant, FileType.AVENANT, "accepted_by_silence"),
        ("permit", ResidencePermitApplication, FileType.PERMIT, "refused_by_silence"),
    ):
        params[f"ct_{key}"] = ContentType.objects.get_for_model(model).pk
        params[f"stopped_{key}"] = sorted(kind.value for kind in kinds_stopped_by(file_type, target))
        params[f"reason_{key}"] = f"Stopped: the {file_type} moved to {target} on {today:%Y-%m-%d}."
    return params


def sweep_floor(params: dict[str, Any]) -> dict[str, Any]:
    """The three statements (their parameters, content type ids included, are read before the clock)."""
    from django.db import connection

    moved: dict[str, Any] = {}
    with connection.cursor() as cursor:
        for name, build in (
            ("conventions", sweep_conventions_sql),
            ("avenants", sweep_avenants_sql),
            ("permits", sweep_permits_sql),
        ):
            cursor.execute(build(params), params)
            count, md5 = cursor.fetchone()
            moved[name] = {"count": count, "md5": md5 or hashlib.md5(b"").hexdigest()}  # noqa: S324
    return moved


def sweep_project(today: dt.date) -> Any:
    from conventions.services import sweep_deadlines

    return sweep_deadlines(today=today)


def sweep_summary(report: Any) -> dict[str, Any]:
    names = [("conventions", "conventions_refused"), ("avenants", "avenants_accepted")]
    names.append(("permits", "permits_refused"))
    return {"moved": {name: digest(getattr(report, field, [])) for name, field in names}}


# --- the planning's floor ---------------------------------------------------------------------------------
LEADS = (
    "filing", "silence", "avenant_filing", "convention_end", "permit_silence", "document_expiry",
    "documents_due", "explicit_answer", "ofii_validation", "permit_filing",
)  # fmt: skip


@dataclass(frozen=True)
class Due:
    """One planned kind as SQL: the rows (`f` the file, `c` its convention, `s` the lead times, `h` the
    horizon) it applies to, its deadline, its lead times and whether it repeats daily once late."""

    kind: str
    file_type: str
    source: str
    where: str
    deadline: str
    leads: str | None
    daily: str = "false"
    rule: str = "''"
    convention: str = "c.id"
    intern: str = "c.intern_id"

    def sql(self) -> str:
        return (
            f"SELECT '{self.file_type}'::text AS file_type, f.id AS object_id, f.organisation_id, "
            f"{self.convention} AS convention_id, {self.intern} AS intern_id, '{self.kind}'::text AS kind, "
            f"{self.deadline} AS deadline, {point(self.deadline, self.leads, self.daily)} AS due_on, "
            f"{self.rule} AS rule, %(source_{self.kind})s::text AS source "
            f"FROM {self.source} JOIN s ON s.organisation_id = f.organisation_id CROSS JOIN horizon AS h "
            f"WHERE {self.where}"
        )


def point(deadline: str, leads: str | None, daily: str) -> str:
    """notifications.rules.due_on in SQL: the latest lead point on or before today; today once late if the
    kind repeats daily; NULL when nothing is due."""
    before = (
        f"(SELECT max({deadline} - p) FROM unnest({leads}) AS p WHERE {deadline} - p <= %(today)s::date)"
        if leads
        else "NULL::date"
    )
    late = f"CASE WHEN {daily} THEN %(today)s::date END"
    return f"CASE WHEN %(today)s::date > {deadline} THEN {late} ELSE {before} END"


CONVENTION = "conventions_convention AS f"
WINDOW = "BETWEEN %(today)s::date AND h.until"
DOCUMENTS_REQUESTED = (
    "f.state = 'documents_requested' AND f.documents_requested_on IS NOT NULL "
    f"AND f.documents_due_on {WINDOW}"
)
DOCUMENTS_RULE = "'documents requested on ' || f.documents_requested_on || ', due by ' || f.documents_due_on"


def conventions_due() -> list[Due]:
    own = {"convention": "f.id", "intern": "f.intern_id"}
    extension = (
        "CASE f.category WHEN 'entreprise' THEN f.effective_end_date + 1 < (f.start_date + "
        "make_interval(months => %(entreprise_months)s))::date WHEN 'formation_continue' THEN "
        "f.effective_end_date + 1 < (f.start_date + make_interval(months => %(training_months)s))::date "
        "ELSE NOT EXISTS (SELECT 1 FROM conventions_avenant AS a WHERE a.convention_id = f.id AND "
        "a.state = ANY(%(avenant_accepted)s)) END"
    )
    drafts = "f.state = 'draft' AND f.validation_required AND f.filing_deadline <= h.until"
    return [
        Due("filing_due", "convention", CONVENTION, drafts, "f.filing_deadline", "s.filing",
            rule="'start date ' || f.start_date || ' minus 2 months (filing deadline)'", **own),
        Due("filing_late", "convention", CONVENTION, drafts, "f.filing_deadline", None, "s.late_daily",
            rule="'start date ' || f.start_date || ' minus 2 months (filing deadline)'", **own),
        Due("silence_due", "convention", CONVENTION, f"f.state = 'submitted' AND f.silence_deadline {WINDOW}",
            "f.silence_deadline", "s.silence", rule="'received on ' || f.received_on || ' plus 2 months'",
            **own),
        Due("documents_due", "convention", CONVENTION, DOCUMENTS_REQUESTED, "f.documents_due_on",
            "s.documents_due", rule=DOCUMENTS_RULE, **own),
        Due("convention_end", "convention", CONVENTION,
            f"f.state = 'validated' AND f.effective_end_date {WINDOW} AND NOT EXISTS (SELECT 1 FROM "
            "conventions_avenant AS a WHERE a.convention_id = f.id AND a.state = ANY(%(avenant_open)s)) "
            f"AND {extension}",
            "f.effective_end_date", "s.convention_end",
            rule="'end date in force ' || f.effective_end_date || '; to extend the stage, file an avenant "
            "by ' || (f.effective_end_date - 15) || ' (15 days before the end)'", **own),
        Due("passport_expiry", "convention",
            f"{CONVENTION} JOIN conventions_intern AS i ON i.id = f.intern_id",
            f"f.state = ANY(%(active)s) AND i.passport_expires_on {WINDOW} "
            "AND i.passport_expires_on <= f.effective_end_date",
            "i.passport_expires_on", "s.document_expiry",
            rule="'the passport expires on ' || i.passport_expires_on || ', before the end of the stage on ' "
            "|| f.effective_end_date", **own),
    ]  # fmt: skip


def other_files_due() -> list[Due]:
    avenant = "conventions_avenant AS f JOIN conventions_convention AS c ON c.id = f.convention_id"
    permit = (
        "conventions_residencepermitapplication AS f "
        "JOIN conventions_convention AS c ON c.id = f.convention_id "
        "LEFT JOIN conventions_visaapplication AS v ON v.convention_id = c.id"
    )
    visa = "conventions_visaapplication AS f JOIN conventions_convention AS c ON c.id = f.convention_id"
    document = "conventions_documentitem AS f JOIN conventions_convention AS c ON c.id = f.convention_id"
    return [
        Due("avenant_filing_due", "avenant", avenant,
            f"f.state = 'draft' AND f.validation_required AND f.filing_deadline {WINDOW}",
            "f.filing_deadline", "s.avenant_filing",
            rule="'end date ' || f.previous_end_date || ' minus 15 days'"),
        Due("avenant_documents_due", "avenant", avenant, DOCUMENTS_REQUESTED, "f.documents_due_on",
            "s.documents_due", rule=DOCUMENTS_RULE),
        Due("avenant_explicit_answer", "avenant", avenant,
            "f.state IN ('submitted', 'documents_requested') AND c.category = 'entreprise' "
            f"AND f.received_on IS NOT NULL AND f.previous_end_date {WINDOW}",
            "f.previous_end_date", "s.explicit_answer",
            rule="'avenant of a company stage received on ' || f.received_on || ': obtain the explicit "
            "answer before the stage in force ends on ' || f.previous_end_date"),
        Due("permit_silence_due", "permit", permit,
            f"f.state = 'filed' AND f.filed_on IS NOT NULL AND f.silence_deadline {WINDOW}",
            "f.silence_deadline", "s.permit_silence", rule="'filed on ' || f.filed_on || ' plus 90 days'"),
        Due("permit_filing_opens", "permit", permit,
            f"f.state = 'to_file' AND v.expires_on IS NOT NULL AND f.filing_opens_on {WINDOW}",
            "(v.expires_on - %(opens_days)s)", "ARRAY[0]",
            rule="'visa expiry ' || v.expires_on || ' minus 120 days (the filing window opens)'"),
        Due("permit_filing_due", "permit", permit,
            "f.state = 'to_file' AND v.expires_on IS NOT NULL AND f.filing_deadline <= h.until",
            "(v.expires_on - %(deadline_days)s)", "s.permit_filing", "true",
            rule="'visa expiry ' || v.expires_on || ' minus 60 days (last day to file)'"),
        Due("ofii_validation_due", "visa", visa,
            "f.state = 'issued' AND f.ofii_validated_on IS NULL AND f.arrived_on IS NOT NULL "
            "AND f.ofii_validation_deadline <= h.until",
            "f.ofii_validation_deadline", "s.ofii_validation", "true",
            rule="'arrived on ' || f.arrived_on || ' plus 3 months'"),
        Due("document_expiry", "document", document,
            f"f.expires_on {WINDOW} AND c.state = ANY(%(active)s) AND NOT f.code = ANY(%(passport_codes)s) "
            "AND f.status <> 'rejected' AND f.expires_on <= c.effective_end_date",
            "f.expires_on", "s.document_expiry",
            rule="f.label || ' expires on ' || f.expires_on || ', before the end of the stage on ' "
            "|| c.effective_end_date"),
    ]  # fmt: skip


def plan_floor_sql(params: dict[str, Any]) -> str:
    leads = ",\n    ".join(
        f"array_remove(string_to_array(coalesce(rs.{name}_lead_days, %(default_{name})s), ','), '')::int[] "
        f"AS {name}"
        for name in LEADS
    )
    every = " || ".join(f"s.{name}" for name in LEADS)
    kinds = "\n  UNION ALL\n  ".join(due.sql() for due in [*conventions_due(), *other_files_due()])
    return f"""WITH s AS (
  SELECT o.id AS organisation_id, coalesce(rs.late_filing_daily, %(default_late_filing_daily)s) AS late_daily,
    {leads}
  FROM hostportal_organisation AS o
  LEFT JOIN notifications_remindersettings AS rs ON rs.organisation_id = o.id
), horizon AS (
  SELECT %(today)s::date + greatest(%(default_longest)s, max(x)) AS until FROM s, unnest({every}) AS x
), due AS (
  SELECT * FROM (
  {kinds}
  ) AS u WHERE u.due_on IS NOT NULL
), {MEMBERS}
{insert_outbox("due", params)}"""


def plan_params(today: dt.date, now: dt.datetime) -> dict[str, Any]:
    from conventions.models.avenants import AVENANT_ACCEPTED_STATES, AVENANT_OPEN_STATES
    from conventions.rules.dates import PERMIT_FILING_DEADLINE_DAYS, PERMIT_FILING_OPENS_DAYS
    from conventions.rules.durations import ENTREPRISE_MAX_MONTHS, TRAINING_TOTAL_MAX_MONTHS
    from notifications.rules import (
        ACTIVE_CONVENTION_STATES,
        DEFAULT_LEAD_TIMES,
        PASSPORT_DOCUMENT_CODES,
    )

    params = common_params(today, now) | {
        "default_late_filing_daily": DEFAULT_LEAD_TIMES.late_filing_daily,
        "default_longest": DEFAULT_LEAD_TIMES.longest(),
        "avenant_open": [str(state) for state in AVENANT_OPEN_STATES],
        "avenant_accepted": [str(state.value) for state in AVENANT_ACCEPTED_STATES],
        "active": sorted(ACTIVE_CONVENTION_STATES), "passport_codes": sorted(PASSPORT_DOCUMENT_CODES),
        "entreprise_months": ENTREPRISE_MAX_MONTHS, "training_months": TRAINING_TOTAL_MAX_MONTHS,
        "opens_days": PERMIT_FILING_OPENS_DAYS, "deadline_days": PERMIT_FILING_DEADLINE_DAYS,
    }  # fmt: skip
    for name in LEADS:
        params[f"default_{name}"] = ",".join(str(days) for days in getattr(DEFAULT_LEAD_TIMES, name))
    for due in [*conventions_due(), *other_files_due()]:
        params[f"source_{due.kind}"] = f"floor: {due.kind.replace('_', ' ')}"
    return params


def plan_floor(params: dict[str, Any]) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(plan_floor_sql(params), params)
        return int(cursor.rowcount)


def plan_project(today: dt.date) -> Any:
    from notifications.services import reminders_plan

    return reminders_plan(today=today, enqueue=False)


def plan_summary(report: Any) -> dict[str, Any]:
    if isinstance(report, int):
        return {"created": report}
    return {"created": report.created, "files": report.files}


# --- delivery ---------------------------------------------------------------------------------------------
def outbox_prepare(today: dt.date, count: int) -> int:
    """Leave exactly `count` pending emails in the outbox (committed): the planning floor's rows (valid
    reminders of the loaded data), the surplus deleted, or copied under new keys when too few."""
    from django.db import connection
    from django.utils import timezone

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE notifications_notification")
    plan_floor(plan_params(today, timezone.now()))
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM notifications_notification WHERE id NOT IN (SELECT id FROM "
            "notifications_notification WHERE status = 'pending' ORDER BY id LIMIT %s)",
            [count],
        )
        have = scalar("SELECT count(*) FROM notifications_notification")
        if 0 < have < count:
            _copy_rows(cursor, count - have, -(-count // have))
    return int(scalar("SELECT count(*) FROM notifications_notification WHERE status = 'pending'"))


def _copy_rows(cursor: Any, missing: int, copies: int) -> None:
    from notifications.models import Notification

    columns = [
        str(f.column) for f in Notification._meta.concrete_fields if f.column not in ("id", "idempotency_key")
    ]
    listed = ", ".join(columns)
    cursor.execute(
        f"INSERT INTO notifications_notification ({listed}, idempotency_key) "
        f"SELECT {listed}, idempotency_key || '.copy' || g FROM notifications_notification "
        "CROSS JOIN generate_series(1, %s) AS g ORDER BY g, id LIMIT %s",
        [copies, missing],
    )


def outbox_reset() -> None:
    """Every row back to pending and due, as planned: the same 10,000 emails for every run."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE notifications_notification SET status = 'pending', attempts = 0, claim_token = NULL, "
            "claimed_at = NULL, sent_at = NULL, last_error = '', subject = '', text_body = '', "
            "next_attempt_at = now() - interval '1 minute', updated_at = now()"
        )
        cursor.execute("VACUUM ANALYZE notifications_notification")


def deliver_all(profile: str = "") -> dict[str, Any]:
    """outbox_deliver() until nothing is left (each call: one connection, NOTIFICATIONS_BATCH_SIZE rows)."""
    import cProfile

    from django.db import connection

    from notifications.services import outbox_deliver

    totals: Counter[str] = Counter()
    queries = Queries()
    baseline = rss_mib()
    profiler = cProfile.Profile() if profile else None
    with connection.execute_wrapper(queries):
        start = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        while True:
            report = outbox_deliver()
            totals.update({"sent": report.sent, "cancelled": report.cancelled, "retry": report.retry})
            totals.update({"failed": report.failed, "lost_claim": report.lost_claim, "calls": 1})
            if report.handled == 0 or report.transport_error:
                break
        if profiler is not None:
            profiler.disable()
        seconds = time.perf_counter() - start
    if profiler is not None:
        _print_profile(profiler, profile)
    found = {"seconds": seconds, "peak_mib": peak_mib(), "baseline_mib": baseline, **totals}
    return found | queries.summary() | {"jit": scalar("SHOW jit")}


def smtp_raw(port: int, path: str) -> dict[str, Any]:
    """The floor of delivery: the same messages, sent by smtplib over one connection, nothing else."""
    messages = pickle.loads(Path(path).read_bytes())  # noqa: S301 (our own file)
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for sender, to, data in messages:
            smtp.sendmail(sender, to, data)
    return {"seconds": time.perf_counter() - start, "sent": len(messages), "peak_mib": peak_mib()}


class Recorder:
    """aiosmtpd handler: keeps each accepted message as bytes (no parsing, so the sink costs little)."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd hook)
        with self.lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 Message accepted"


def sink(port: int, path: str) -> None:
    """Serve SMTP on `port` until SIGTERM, then write what was received to `path` (pickle)."""
    import logging

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    controller.start()
    print("READY", flush=True)
    stop.wait()
    controller.stop()
    Path(path).write_bytes(pickle.dumps(recorder.messages))


def message_ids(messages: list[tuple[str, list[str], bytes]]) -> Counter[str]:
    found: Counter[str] = Counter()
    for _, _, data in messages:
        match = MESSAGE_ID.search(data)
        found[match.group(1).decode() if match else "(none)"] += 1
    return found


# --- pages -------------------------------------------------------------------------------------------------
PAGES = (
    ("admin conventions", "/admin/conventions/convention/"),
    ("admin interns", "/admin/conventions/intern/"),
    ("portal dashboard", "/"),
    ("portal conventions", "/conventions/"),
    ("portal interns", "/interns/"),
    ("API conventions", "/api/v1/conventions/"),
    ("API interns", "/api/v1/interns/"),
)


def operator_user() -> Any:
    """An active superuser of the database, or one created for the run (rolled back with it)."""
    import uuid

    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    found = users.filter(is_superuser=True, is_active=True).order_by("pk").first()
    return found or users.create_superuser(f"bench-operator-{uuid.uuid4().hex[:8]}", "op@bench.example", None)


def pages(runs: int) -> dict[str, Any]:
    """Median time and queries of each page for the manager of the first organisation and an operator
    (a superuser); everything, the logins included, rolled back."""
    from django.conf import settings
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from hostportal.models import Membership

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    found: list[dict[str, Any]] = []
    info: dict[str, Any] = {}
    try:
        with transaction.atomic():
            first = scalar("SELECT min(id) FROM hostportal_organisation")
            info["organisation"] = first
            info["organisation_conventions"] = scalar(
                "SELECT count(*) FROM conventions_convention WHERE organisation_id = %s", [first]
            )
            info["conventions"] = scalar("SELECT count(*) FROM conventions_convention")
            manager = Membership.objects.filter(organisation_id=first, role="manager").order_by("pk").first()
            operator = operator_user()
            personas = [("operator", operator)]
            if manager is not None:
                personas.insert(0, (f"manager of organisation {first}", manager.user))
            for persona, user in personas:
                client = Client()
                client.force_login(user)
                for label, url in PAGES:
                    if url.startswith("/admin/") and not user.is_staff:
                        found.append({"persona": persona, "page": label, "url": url, "status": "no access"})
                        continue  # the admin is the operators' (a member is not staff): nothing to measure
                    client.get(url)  # warm-up: templates, caches, the planner's statistics
                    times, counts, status = [], [], 0
                    for _ in range(runs):
                        with CaptureQueriesContext(connection) as queries:
                            start = time.perf_counter()
                            response = client.get(url)
                            times.append(time.perf_counter() - start)
                        counts.append(len(queries.captured_queries))
                        status = response.status_code
                    found.append({
                        "persona": persona, "page": label, "url": url, "status": status,
                        "median_ms": statistics.median(times) * 1000, "queries": max(counts),
                    })  # fmt: skip
            raise Rollback
    except Rollback:
        pass
    return {"pages": found, "peak_mib": peak_mib(), **info}


def floor(
    run: Callable[[dict[str, Any]], Any], params: dict[str, Any], summarise: Callable[[Any], dict[str, Any]]
) -> dict[str, Any]:
    return measure(lambda: run(params), summarise)


# --- command line ----------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "job", choices=["sweep", "sweep-floor", "plan", "plan-floor", "deliver", "smtp-raw", "sink", "pages"]
    )
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date(2026, 12, 1))
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--file", default="")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--profile", default="", help="write a cProfile of the job here (sweep, plan, deliver)"
    )
    args = parser.parse_args(argv)
    if args.job == "sink":
        sink(args.port, args.file)
        return 0
    if args.job == "smtp-raw":
        print(RESULT + json.dumps(smtp_raw(args.port, args.file)), flush=True)
        return 0
    setup_django()
    from django.utils import timezone

    now = timezone.now()
    jobs: dict[str, Callable[[], dict[str, Any]]] = {
        "sweep": lambda: measure(lambda: sweep_project(args.today), sweep_summary, args.profile),
        "sweep-floor": lambda: floor(
            sweep_floor, sweep_params(args.today, now), lambda moved: {"moved": moved}
        ),
        "plan": lambda: measure(lambda: plan_project(args.today), plan_summary, args.profile),
        "plan-floor": lambda: floor(plan_floor, plan_params(args.today, now), plan_summary),
        "deliver": lambda: deliver_all(args.profile),
        "pages": lambda: pages(args.runs),
    }
    print(RESULT + json.dumps(jobs[args.job](), default=str), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
