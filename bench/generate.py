"""Load N conventions with a realistic mix into PostgreSQL, server-side (issue 10, item 1).

Every big table is written by `INSERT ... SELECT ... FROM generate_series(...)` in chunks of CHUNK
conventions: no row is built in Python. What each row holds is a pure function of its number (md5 of the
number, never random()), so the same N, organisations and `today` give the same data on an empty
database. The mix, against `today`:

- organisations (N/1000 by default) of the three kinds, each with 2 to 4 members (manager, editor, viewers;
  French and English), default reminder settings and an empty audit chain head; organisation 1 also gets
  1 % of all the conventions (10,000 of 1,000,000: the large organisation of the page benchmarks);
- one intern per convention, mostly from outside the EU, passport numbers BN00000001... (never real);
- conventions in every state (STATE_MIX), with start dates from about 2 years before `today` to 1 year
  after, and the columns the rule engine computes (regime, validation_required, filing_deadline,
  silence_deadline) computed here with the engine's own rules (RULES §1, §2): about 10 % are submitted and
  past their silence deadline (the sweep refuses them by silence), 20 % are drafts, of which 5.5 % (of
  all conventions) have a filing reminder due today;
- avenants of validated stages (most in formation_continue and hopital, a few in entreprise), some
  submitted and past their 15 days (the sweep accepts them); accepted ones extend the convention's end
  date in force and have their carte de séjour application (some filed more than 90 days ago);
- a long-stay visa for every validated convention; checklist rows (metadata only, the files do not exist)
  for 10 % of the conventions and for every carte de séjour application.

Usage: python bench/generate.py --conventions 1000000 [--organisations 1000] [--today 2026-12-01]
[--truncate]. Needs PostgreSQL (DATABASE_URL).
"""

from __future__ import annotations

import argparse
import datetime as dt
import enum
import os
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHUNK = 100_000
GENESIS_HASH = "0" * 64  # hostportal.audit.GENESIS_HASH: the head of an empty chain

# Share of each planned state among the conventions: (plan name, stored state, fraction).
STATE_MIX: tuple[tuple[str, str, float], ...] = (
    ("draft_due", "draft", 0.055),  # filing deadline within 30 days or passed: a reminder is due today
    ("draft_later", "draft", 0.125),  # filing deadline more than 30 days away
    ("draft_free", "draft", 0.02),  # needs no validation (to be marked not_required)
    ("submitted_due", "submitted", 0.10),  # silence deadline passed: refused by the next sweep
    ("submitted_running", "submitted", 0.03),
    ("documents_requested", "documents_requested", 0.03),
    ("validated", "validated", 0.35),
    ("refused", "refused", 0.04),
    ("refused_by_silence", "refused_by_silence", 0.07),
    ("not_required", "not_required", 0.12),
    ("withdrawn", "withdrawn", 0.06),
)
# Organisation kinds by organisation number (1, 2, 3, ... cycling): 12 companies, 5 training
# organisations and 3 hospitals in 20.
KIND_PATTERN = "CTHCCTCHCTCCTCHCTCCC"
KIND_OF_LETTER = {
    "C": ("company", "entreprise"),
    "T": ("training", "formation_continue"),
    "H": ("health", "hopital"),
}
ROLES = ("manager", "editor", "viewer", "viewer")  # members 1..4 of an organisation (2 to 4 of them)

NON_EU = [  # nationalities that need a validation on a long stay (repeated = more frequent)
    "SN", "SN", "MA", "MA", "MA", "TN", "TN", "DZ", "DZ", "CN", "CN", "IN", "IN", "BR", "US", "VN", "CM",
    "CI", "LB", "MX", "CO", "JP", "TR", "UA", "EG", "MG", "HT", "GN", "ML", "BJ",
]  # fmt: skip
EU = ["DE", "IT", "ES", "PT", "RO", "PL", "BE", "NL", "GR", "CH"]
FIRST_NAMES = [
    "Aminata", "Moussa", "Fatou", "Youssef", "Salma", "Karim", "Lina", "Wei", "Mei", "Arjun", "Priya",
    "Lucas", "Ana", "Thi", "Minh", "Samuel", "Grace", "Omar", "Nour", "Diego", "Valentina", "Haruto",
    "Yuki", "Emre", "Olena", "Ahmed", "Hery", "Jean", "Mariam", "Kofi",
]  # fmt: skip
LAST_NAMES = [
    "Diop", "Ndiaye", "Benali", "El Idrissi", "Trabelsi", "Haddad", "Zhang", "Li", "Sharma", "Patel",
    "Silva", "Nguyen", "Tran", "Mbarga", "Kouassi", "Khoury", "Hernández", "García", "Sato", "Yılmaz",
    "Kovalenko", "Hassan", "Rakoto", "Pierre", "Camara", "Traoré", "Mensah", "Okafor", "Suzuki", "Costa",
]  # fmt: skip
CITIES = [
    "Dakar", "Casablanca", "Tunis", "Alger", "Pékin", "Bombay", "São Paulo", "Washington", "Hanoï",
    "Yaoundé", "Abidjan", "Beyrouth", "Mexico", "Bogota", "Tokyo",
]  # fmt: skip
ESTABLISHMENTS = [
    "Université Cheikh Anta Diop", "Université Mohammed V", "Université de Tunis El Manar",
    "Tsinghua University", "Indian Institute of Technology Delhi", "Universidade de São Paulo",
    "Hanoi University of Science and Technology", "Université de Yaoundé I", "Université Saint-Joseph",
    "Universidad Nacional Autónoma de México", "CHU de Dakar (employeur)", "Groupe Hospitalier de Tunis",
]  # fmt: skip
PREFECTURES = ["Paris", "Lyon", "Marseille", "Toulouse", "Lille", "Bordeaux", "Nantes", "Strasbourg"]

T = "%(today)s::date"  # the day the data is generated around


class Progress:
    """One line on stderr per step or chunk: "conventions 400,000/1,000,000 12.3 s"."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.started = time.perf_counter()

    def line(self, step: str, done: int, total: int | None = None) -> None:
        if not self.enabled:
            return
        of = f"/{total:,}" if total is not None else ""
        print(f"{step} {done:,}{of} {time.perf_counter() - self.started:.1f} s", file=sys.stderr, flush=True)


# --- SQL helpers -------------------------------------------------------------------------------------------
def byte(h: str, k: int) -> str:
    """Byte k (0..255) of the row's hash column h."""
    return f"get_byte({h}, {k})"


def word(h: str, k: int) -> str:
    """Bytes k and k+1 (0..65535) of the row's hash column h."""
    return f"(get_byte({h}, {k}) * 256 + get_byte({h}, {k + 1}))"


def months(day: str, count: str) -> str:
    """`day` plus `count` calendar months, clamped to the month's end as conventions.rules.add_months."""
    return f"({day} + ({count}) * interval '1 month')::date"


def at(day: str, minutes: str = "0") -> str:
    """A Paris working-hours instant of a calendar day."""
    return f"(({day}) + time '09:00' + ({minutes}) * interval '1 minute') AT TIME ZONE 'Europe/Paris'"


def pick(array: str, index: str) -> str:
    """An element of a text-array parameter, by a non-negative number."""
    return f"(%({array})s::text[])[1 + mod({index}, cardinality(%({array})s::text[]))]"


def state_case() -> str:
    """The plan state of convention i from 16 bits of its hash, by the cumulative shares of STATE_MIX."""
    branches, total = [], 0.0
    for name, _, share in STATE_MIX[:-1]:
        total += share
        branches.append(f"WHEN {word('h', 0)} < {round(total * 65536)} THEN '{name}'")
    return f"CASE {' '.join(branches)} ELSE '{STATE_MIX[-1][0]}' END"


def stored_state() -> str:
    return "CASE pstate " + " ".join(f"WHEN '{n}' THEN '{s}'" for n, s, _ in STATE_MIX) + " END"


def kind_of(number: str, which: int) -> str:
    """Organisation kind (which=0) or convention category (which=1) of organisation number `number`."""
    letter = f"substr('{KIND_PATTERN}', mod({number} - 1, 20)::int + 1, 1)"
    branches = " ".join(f"WHEN '{key}' THEN '{names[which]}'" for key, names in KIND_OF_LETTER.items())
    return f"CASE {letter} {branches} END"


def level(columns: str, inner: str) -> str:
    """One more step of a row's computation: the inner columns plus `columns` (OFFSET 0: computed once)."""
    return f"SELECT q.*, {columns} FROM ({inner}) AS q OFFSET 0"  # noqa: S608


def _default_sql(field: Any, params: dict[str, Any]) -> str:
    """The SQL of a column the generator leaves to its model default (the row's defaults, as Django would)."""
    from django.db import connection

    if field.has_default() or (not field.null and field.empty_strings_allowed):
        if field.unique:
            raise ValueError(f"{field.model.__name__}.{field.name} is unique: the generator must set it")
        value = field.get_default()
        value = value.value if isinstance(value, enum.Enum) else value
        key = f"default_{field.model._meta.db_table}_{field.column}"
        params[key] = field.get_db_prep_save(value, connection)
        return f"%({key})s"
    if field.null:
        return "NULL"
    raise ValueError(f"{field.model.__name__}.{field.name} has no default: the generator must set it")


def insert(model: Any, values: Mapping[str, str], source: str, params: dict[str, Any]) -> str:
    """INSERT INTO the model's table (every concrete column) SELECT `values` FROM `source`.

    Columns not in `values` get their model default, so a column added later with a default needs no
    change here; a new required column without a default stops the generator with its name.
    """
    from django.db import connection

    quote = connection.ops.quote_name
    fields = model._meta.concrete_fields
    unknown = set(values) - {field.column for field in fields}
    if unknown:
        raise ValueError(f"{model.__name__} has no column {sorted(unknown)}")
    columns, exprs = [], []
    for field in fields:
        if field.column not in values and field.primary_key:
            continue
        columns.append(quote(field.column))
        exprs.append(values[field.column] if field.column in values else _default_sql(field, params))
    table = quote(model._meta.db_table)
    return f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(exprs)} FROM {source}"  # noqa: S608


def execute(sql: str, params: Mapping[str, Any]) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def scalar(sql: str, params: Mapping[str, Any] | None = None) -> Any:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params or {})
        return cursor.fetchone()[0]


def max_id(model: Any) -> int:
    from django.db import connection

    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    return int(scalar(f"SELECT coalesce(max({pk}), 0) FROM {table}"))  # noqa: S608


def table(model: Any) -> str:
    from django.db import connection

    return str(connection.ops.quote_name(model._meta.db_table))


# --- organisations, members, settings --------------------------------------------------------------------
def sirets(first: int, count: int) -> list[str]:
    """Valid-looking SIRETs (Luhn on the SIREN and on the whole number), from 90000000x on, never real."""
    from stdnum import luhn

    found = []
    for number in range(first, first + count):
        siren = f"{90_000_000 + number:08d}"[-8:]
        siren += luhn.calc_check_digit(siren)
        found.append(siren + "0001" + luhn.calc_check_digit(siren + "0001"))
    return found


def load_organisations(models: Models, params: dict[str, Any], progress: Progress) -> dict[str, int]:
    params["sirets"] = sirets(params["org_base"] + 1, params["orgs"])
    org = "(%(org_base)s + j)"
    kind = kind_of("j", 0)
    name = (
        f"CASE {kind} WHEN 'company' THEN 'Entreprise ' WHEN 'training' THEN 'Organisme de formation ' "
        f"ELSE 'Centre hospitalier ' END || {pick('cities', 'j')} || ' (bench ' || {org} || ')'"
    )
    counts = {
        "organisations": execute(
            insert(
                models.Organisation,
                {
                    "id": org, "name": name, "kind": kind, "siret": "s.siret",
                    "address": "'1 rue du Banc, 75001 Paris'",
                    "contact_email": f"'contact.o' || {org} || '@bench.example'",
                    "created_at": at(f"{T} - 900"),
                },
                "unnest(%(sirets)s::text[]) WITH ORDINALITY AS s(siret, j)",
                params,
            ),
            params,
        )
    }  # fmt: skip
    counts |= load_members(models, params)
    counts["reminder_settings"] = execute(
        insert(
            models.ReminderSettings,
            {"id": "%(settings_base)s + j", "organisation_id": org, "updated_at": at(f"{T} - 900")},
            "generate_series(1, %(orgs)s) AS j",
            params,
        ),
        params,
    )
    execute(
        insert(
            models.AuditChain,
            {"organisation_id": org, "last_sequence": "0", "last_hash": f"'{GENESIS_HASH}'"},
            "generate_series(1, %(orgs)s) AS j",
            params,
        ),
        params,
    )
    progress.line("organisations", counts["organisations"])
    return counts


MEMBER_SOURCE = "generate_series(1, %(orgs)s) AS j, generate_series(1, 4) AS s WHERE s <= 2 + mod(j * 7, 3)"


def load_members(models: Models, params: dict[str, Any]) -> dict[str, int]:
    user = "%(user_base)s + (j - 1) * 4 + s"
    username = "'bench.o' || (%(org_base)s + j) || '.' || s"
    users = execute(
        insert(
            models.User,
            {
                "id": user, "password": "'!'", "last_login": "NULL", "is_superuser": "false",
                "username": username, "first_name": pick("first_names", "j + s"),
                "last_name": pick("last_names", "j * 3 + s"), "email": f"{username} || '@bench.example'",
                "is_staff": "false", "is_active": "true", "date_joined": at(f"{T} - 900"),
            },
            MEMBER_SOURCE,
            params,
        ),
        params,
    )  # fmt: skip
    role = "CASE s " + " ".join(f"WHEN {n} THEN '{r}'" for n, r in enumerate(ROLES, 1)) + " END"
    memberships = execute(
        insert(
            models.Membership,
            {
                "id": "%(membership_base)s + (j - 1) * 4 + s", "role": role,
                "email_preference": "CASE WHEN s = 2 AND mod(j, 4) = 0 THEN 'digest' ELSE 'immediately' END",
                "language": "CASE WHEN mod(j + s, 3) = 0 THEN 'en' ELSE 'fr' END",
                "created_at": at(f"{T} - 900"), "user_id": user, "organisation_id": "%(org_base)s + j",
            },
            MEMBER_SOURCE,
            params,
        ),
        params,
    )  # fmt: skip
    return {"users": users, "memberships": memberships}


# --- interns and conventions --------------------------------------------------------------------------------
def convention_plan() -> str:
    """Every column of convention i (and of its intern), level by level, for i in [lo, hi]."""
    plan = (
        "SELECT i, decode(md5('c:' || i), 'hex') AS h, decode(md5('d:' || i), 'hex') AS g, "
        "decode(md5('e:' || i), 'hex') AS e "
        "FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) AS i OFFSET 0"
    )
    plan = level(
        f"{state_case()} AS pstate, "
        f"CASE WHEN %(orgs)s = 1 OR {word('h', 2)} < 655 THEN 1 "
        f"ELSE 2 + mod(i, greatest(%(orgs)s - 1, 1)) END AS org, "
        f"CASE WHEN mod({word('h', 10)}, 100) < 6 THEN 'eu' "
        f"WHEN mod({word('h', 10)}, 100) < 12 THEN 'intergovernmental' ELSE '' END AS programme, "
        f"mod({byte('h', 12)}, 10) AS free_kind, mod({byte('h', 13)}, 10) AS withdrawn_kind, "
        f"mod({byte('h', 14)}, 100) < 8 AS late, {word('h', 6)} AS r, {word('h', 8)} AS dur",
        plan,
    )
    plan = level(
        f"{kind_of('org', 1)} AS category, "
        "NOT (pstate IN ('draft_free', 'not_required') OR (pstate = 'withdrawn' AND withdrawn_kind >= 7)) "
        "AS required, CASE WHEN programme = '' THEN 30 ELSE 15 END AS sd, "
        "CASE WHEN programme = '' THEN 2 ELSE 1 END AS fm",
        plan,
    )
    plan = level(_nationality_and_receipt(), plan)
    plan = level(_start_date(), plan)
    plan = level(_end_date_and_request(), plan)
    plan = level(
        f"CASE WHEN pstate = 'submitted_due' AND documents_requested_on IS NOT NULL "
        f"THEN documents_requested_on + floor(({T} - 1 - (received_on + sd)) * {byte('g', 2)} / 256.0)::int "
        f"END AS documents_received_on, "
        f"end_date >= {months('start_date', '3')} AS long_stay",
        plan,
    )
    plan = level(_due_and_regime(), plan)
    plan = level(
        f"CASE WHEN validation_required THEN ({months('start_date', '-fm')}) END AS filing_deadline, "
        "CASE WHEN validation_required AND received_on IS NOT NULL "
        "THEN coalesce(acknowledged_decision_on - 1, received_on + sd) END AS base_deadline",
        plan,
    )
    plan = level(_silence_deadline("base_deadline"), plan)
    plan = level(
        f"CASE WHEN pstate IN ('validated', 'refused') "
        f"THEN received_on + least(3 + mod({byte('g', 5)}, sd - 4), {T} - received_on) "
        f"WHEN pstate = 'refused_by_silence' THEN silence_deadline + 1 END AS decision_on, "
        f"{stored_state()} AS state, "
        f"least(coalesce(received_on, start_date) - 10 - mod({byte('g', 6)}, 60), {T}) AS created_day",
        plan,
    )
    return level(
        "greatest(created_day, coalesce(decision_on, documents_received_on, documents_requested_on, "
        "received_on, created_day)) AS updated_day",
        plan,
    )


def _nationality_and_receipt() -> str:
    """A validation needs a non-EU national on a long stay; files that need none are EU nationals, short
    stays or Canadians in training or hospital (RULES §1). received_on places the file in its procedure."""
    nationality = (
        f"CASE WHEN required THEN {pick('non_eu', word('h', 4))} "
        f"WHEN free_kind = 9 AND category <> 'entreprise' THEN 'CA' "
        f"WHEN free_kind BETWEEN 6 AND 8 THEN {pick('non_eu', word('h', 4))} "
        f"ELSE {pick('eu', word('h', 4))} END AS nationality"
    )
    received = (
        f"CASE pstate WHEN 'submitted_running' THEN {T} - mod(r, sd) "
        f"WHEN 'submitted_due' THEN {T} - sd - 1 - mod(r, 60) "
        f"WHEN 'documents_requested' THEN {T} - 5 - mod(r, 45) "
        f"WHEN 'validated' THEN {T} - 10 - mod(r, 800) WHEN 'refused' THEN {T} - 10 - mod(r, 800) "
        f"WHEN 'refused_by_silence' THEN {T} - 40 - mod(r, 760) "
        f"WHEN 'withdrawn' THEN CASE WHEN withdrawn_kind < 4 THEN {T} - 5 - mod(r, 700) END "
        f"END AS received_on"
    )
    return f"{nationality}, (NOT required AND free_kind BETWEEN 6 AND 8) AS short_stay, {received}"


def _start_date() -> str:
    """Drafts from their filing deadline (due: within 30 days or passed); filed files from their receipt
    (filed on time, 8 % late); the others spread from about 2 years ago to 7 months ahead."""
    slack = byte("h", 15)
    return (
        f"CASE WHEN pstate = 'draft_due' THEN {months(f'{T} - 40 + mod(r, 68)', 'fm')} "
        f"WHEN pstate = 'draft_later' THEN {months(f'{T} + 35 + mod(r, 300)', 'fm')} "
        f"WHEN received_on IS NOT NULL AND late THEN {months('received_on', 'fm')} - 1 - mod({slack}, 20) "
        f"WHEN received_on IS NOT NULL THEN {months('received_on', 'fm')} + mod({slack}, 90) "
        f"WHEN pstate = 'draft_free' THEN {T} + 10 + mod(r, 300) "
        f"ELSE {T} - 700 + mod(r, 900) END AS start_date"
    )


def _end_date_and_request() -> str:
    """Long stays of 3 to 5 months (11 in training), short ones of 20 to 79 days (under 3 months). The
    administration asks for documents of 20 % of the due files (and of every documents_requested one)."""
    span = "CASE WHEN category = 'formation_continue' THEN 9 ELSE 3 END"
    end = (
        f"CASE WHEN short_stay THEN start_date + 20 + mod(dur, 60) "
        f"ELSE {months('start_date', f'3 + mod(dur, {span})')} + mod({byte('e', 6)}, 25) END AS end_date"
    )
    requested = (
        f"CASE WHEN pstate = 'submitted_due' AND mod({byte('g', 0)}, 100) < 20 "
        f"THEN received_on + 1 + mod({byte('g', 1)}, 10) "
        f"WHEN pstate = 'documents_requested' "
        f"THEN received_on + 1 + mod({byte('g', 1)}, least(sd - 1, {T} - received_on)) "
        f"END AS documents_requested_on"
    )
    acknowledged = (
        f"CASE WHEN pstate = 'submitted_due' AND mod({byte('g', 0)}, 100) BETWEEN 20 AND 24 "
        f"THEN received_on + sd + 1 END AS acknowledged_decision_on"
    )
    return f"{end}, {requested}, {acknowledged}"


def _due_and_regime() -> str:
    """documents_due_on, then the regime of RULES §1.1 (first matching row) and whether it needs a
    validation (conventions.rules.regime.VALIDATION_REQUIRED)."""
    due = (
        f"CASE WHEN pstate = 'submitted_due' AND documents_received_on IS NOT NULL "
        f"AND mod({byte('g', 3)}, 2) = 0 THEN documents_received_on + mod({byte('g', 4)}, 10) "
        f"WHEN pstate = 'documents_requested' AND mod({byte('g', 3)}, 4) < 3 "
        f"THEN documents_requested_on + 7 + mod({byte('g', 4)}, 28) END AS documents_due_on"
    )
    regime = (
        "CASE WHEN nationality = ANY(%(eu_eea_ch)s::text[]) THEN 'eu_citizen' "
        "WHEN NOT long_stay THEN 'short_stay' WHEN nationality = 'DZ' THEN 'algerian_agreement' "
        "WHEN nationality = 'CA' AND category IN ('formation_continue', 'hopital') THEN 'canadian_exemption' "
        "ELSE 'standard' END"
    )
    return (
        f"{due}, {regime} AS regime, ({regime}) IN ('algerian_agreement', 'standard') AS validation_required"
    )


def _silence_deadline(base: str) -> str:
    """RULES §2 (conventions.rules.dates.convention_silence_deadline): a request for documents made by the
    base deadline suspends the delay until the documents arrive or the date set for them, whichever is
    first; awaited documents with no date set leave the deadline unknown."""
    return (
        f"CASE WHEN {base} IS NULL THEN NULL "
        f"WHEN documents_requested_on IS NULL OR documents_requested_on > {base} THEN {base} "
        f"WHEN documents_received_on IS NOT NULL AND (documents_due_on IS NULL "
        f"OR documents_received_on <= documents_due_on) "
        f"THEN {base} + (documents_received_on - documents_requested_on) "
        f"WHEN documents_due_on IS NOT NULL THEN {base} + (documents_due_on - documents_requested_on) "
        f"END AS silence_deadline"
    )


def intern_values() -> dict[str, str]:
    eu = "nationality = ANY(%(eu_eea_ch)s::text[])"
    intern = "(%(intern_base)s + i)"
    age = f"-12 * (19 + mod({byte('g', 10)}, 15))"  # 19 to 33 years old at the start
    validity = f"12 * (2 + mod({byte('g', 15)}, 8))"  # the passport runs 2 to 9 years after the start
    created = at("created_day", byte("g", 7))
    return {
        "id": intern, "created_at": created, "updated_at": created,
        "first_name": pick("first_names", byte("g", 8)), "last_name": pick("last_names", byte("g", 9)),
        "nationality": "nationality",
        "date_of_birth": f"{months('start_date', age)} - {byte('g', 11)}",
        "email": f"CASE WHEN mod({byte('g', 12)}, 10) < 4 THEN 'intern' || {intern} || '@bench.example' "
        "ELSE '' END",
        "country_of_residence": "nationality",
        "passport_number": f"CASE WHEN {eu} THEN '' ELSE 'BN' || lpad({intern}::text, 8, '0') END",
        "passport_expires_on": (
            f"CASE WHEN {eu} THEN NULL WHEN mod({word('g', 13)}, 1000) < 15 "
            f"THEN start_date + (end_date - start_date) * {byte('e', 4)} / 256 "
            f"ELSE {months('start_date', validity)} END"
        ),
        "notify_intern": f"mod({byte('g', 12)}, 10) = 0",
        "language": f"CASE WHEN mod({byte('e', 7)}, 10) < 3 THEN 'fr' ELSE 'en' END",
        "organisation_id": "%(org_base)s + org", "version": "1",
    }  # fmt: skip


def convention_values() -> dict[str, str]:
    monthly = f"mod({word('e', 10)}, 700)"
    return {
        "id": "%(conv_base)s + i", "created_at": at("created_day", byte("g", 7)),
        "updated_at": at("updated_day", byte("g", 7)), "organisation_id": "%(org_base)s + org",
        "intern_id": "%(intern_base)s + i", "category": "category", "programme": "programme",
        "same_group": "false", "sending_establishment": pick("establishments", byte("e", 2)),
        "tutor_name": f"{pick('first_names', byte('e', 8))} || ' ' || {pick('last_names', byte('e', 9))}",
        "tutor_email": "'tutor.o' || (%(org_base)s + org) || '@bench.example'",
        "start_date": "start_date", "end_date": "end_date", "effective_end_date": "end_date",
        "weekly_hours": f"CASE WHEN category = 'hopital' THEN 35 ELSE 35 + 4 * mod({byte('e', 0)}, 2) END",
        "hourly_gratification_eur": (
            f"CASE WHEN category = 'hopital' THEN 4.50 + mod({byte('e', 1)}, 150) / 100.0 END"
        ),
        "monthly_resources_eur": (
            f"CASE category WHEN 'entreprise' THEN 800 + {monthly} "
            f"WHEN 'formation_continue' THEN 1900 + {monthly} END"
        ),
        "received_on": "received_on", "documents_requested_on": "documents_requested_on",
        "documents_received_on": "documents_received_on", "documents_due_on": "documents_due_on",
        "acknowledged_decision_on": "acknowledged_decision_on", "decision_on": "decision_on",
        "decision_reference": (
            "CASE WHEN pstate IN ('validated', 'refused') THEN 'PREF-' || (%(conv_base)s + i) ELSE '' END"
        ),
        "regime": "regime", "validation_required": "validation_required",
        "filing_deadline": "filing_deadline", "silence_deadline": "silence_deadline", "state": "state",
        "version": "1", "created_by_id": f"%(user_base)s + (org - 1) * 4 + 1 + mod({byte('e', 3)}, 2)",
    }  # fmt: skip


def load_conventions(models: Models, params: dict[str, Any], chunk: tuple[int, int]) -> int:
    """Interns and conventions i = lo..hi in one statement (the plan is computed once for both)."""
    interns = insert(models.Intern, intern_values(), "plan", params)
    conventions = insert(models.Convention, convention_values(), "plan", params)
    sql = f"WITH plan AS MATERIALIZED ({convention_plan()}), interns AS ({interns}) {conventions}"
    return execute(sql, {**params, "lo": chunk[0], "hi": chunk[1]})


# --- avenants, visas, carte de séjour applications, documents ---------------------------------------------
def validated_in_chunk(models: Models, salt: str) -> str:
    """The validated conventions of the chunk, with their number ci and a hash of it."""
    return (
        f"SELECT c.*, c.id - %(conv_base)s AS ci, c.organisation_id - %(org_base)s AS org, "  # noqa: S608
        f"decode(md5('{salt}:' || (c.id - %(conv_base)s)), 'hex') AS h FROM {table(models.Convention)} AS c "
        f"WHERE c.id BETWEEN %(conv_base)s + %(lo)s AND %(conv_base)s + %(hi)s AND c.state = 'validated' "
        f"OFFSET 0"
    )


def avenant_plan(models: Models) -> str:
    """45 % of the validated formation_continue and hopital stages (3 % of the entreprise ones) ending by
    `today` + 60 days have an avenant, drafted for the convention's end date, in the state its dates allow
    on `today`."""
    extension = f"1 + mod({byte('h', 2)}, 3)"  # 1 to 3 months more
    plan = (
        f"SELECT q.*, {months('end_date', extension)} + mod({byte('h', 3)}, 10) AS new_end, "  # noqa: S608
        f"CASE WHEN mod({byte('h', 5)}, 100) < 10 THEN end_date - 14 + mod({byte('h', 6)}, 10) "
        f"ELSE end_date - 15 - mod({byte('h', 4)}, 21) END AS rec "
        f"FROM ({validated_in_chunk(models, 'a')}) AS q "
        f"WHERE mod({word('h', 0)}, 100) < CASE WHEN category = 'entreprise' THEN 3 ELSE 45 END "
        f"AND end_date <= {T} + 60 OFFSET 0"
    )
    roll, final = f"mod({byte('h', 7)}, 100)", f"mod({byte('h', 8)}, 100)"
    plan = level(
        f"CASE WHEN rec > {T} THEN 'draft' "
        f"WHEN rec + 15 >= {T} THEN CASE WHEN {roll} < 80 THEN 'submitted' "
        f"WHEN {roll} < 95 THEN 'documents_requested' ELSE 'withdrawn' END "
        f"WHEN {T} - (rec + 15) <= 60 AND {roll} < 60 THEN 'submitted' "
        f"WHEN {final} < 45 THEN CASE WHEN category = 'entreprise' THEN 'validated' "
        f"ELSE 'accepted_by_silence' END "
        f"WHEN {final} < 80 THEN 'validated' WHEN {final} < 92 THEN 'refused' ELSE 'withdrawn' END AS pa",
        plan,
    )
    plan = level(
        f"CASE WHEN pa = 'draft' THEN NULL ELSE rec END AS a_received, "
        f"CASE WHEN pa = 'documents_requested' THEN rec + mod({byte('h', 9)}, least(14, {T} - rec) + 1) "
        f"END AS a_requested",
        plan,
    )
    # RULES §2 (avenant_silence_deadline): 15 days from the receipt, restarted by the documents' arrival
    # (none has arrived here: an awaited request leaves it unknown); no implicit decision for entreprise.
    return level(
        f"CASE WHEN a_requested IS NOT NULL AND mod({byte('h', 10)}, 100) < 60 "
        f"THEN a_requested + 10 + mod({byte('h', 11)}, 10) END AS a_due, "
        f"CASE WHEN category = 'entreprise' OR a_received IS NULL OR a_requested IS NOT NULL THEN NULL "
        f"ELSE a_received + 15 END AS a_silence, "
        f"CASE pa WHEN 'accepted_by_silence' THEN rec + 16 "
        f"WHEN 'validated' THEN rec + 2 + mod({byte('h', 12)}, 12) "
        f"WHEN 'refused' THEN rec + 3 + mod({byte('h', 12)}, 11) END AS a_decision, "
        f"greatest(decision_on, least(coalesce(rec, {T}) - mod({byte('h', 13)}, 20), {T})) AS a_created",
        plan,
    )


def load_avenants(models: Models, params: dict[str, Any], chunk: tuple[int, int]) -> int:
    """The chunk's avenants; an accepted one moves its convention's end date in force (same statement)."""
    values = {
        "id": "%(avenant_base)s + ci", "created_at": at("a_created"),
        "updated_at": at("greatest(a_created, coalesce(a_decision, a_requested, a_received, a_created))"),
        "previous_end_date": "end_date", "requested_end_date": "new_end",
        "reason": "'Prolongation du stage (bench)'", "received_on": "a_received",
        "documents_requested_on": "a_requested", "documents_due_on": "a_due", "decision_on": "a_decision",
        "decision_reference": (
            "CASE WHEN pa IN ('validated', 'refused') THEN 'AV-' || (%(avenant_base)s + ci) ELSE '' END"
        ),
        "validation_required": "validation_required",
        "filing_deadline": "CASE WHEN validation_required THEN end_date - 15 END",
        "silence_deadline": "a_silence", "state": "pa", "version": "1", "prior_extensions": "0",
        "created_by_id": "%(user_base)s + (org - 1) * 4 + 1", "organisation_id": "organisation_id",
        "convention_id": "id",
    }  # fmt: skip
    avenants = insert(models.Avenant, values, f"({avenant_plan(models)}) AS p", params)
    sql = (
        f"WITH added AS ({avenants} RETURNING convention_id, requested_end_date, state), "  # noqa: S608
        f"extended AS (UPDATE {table(models.Convention)} AS c "
        f"SET effective_end_date = added.requested_end_date FROM added "
        f"WHERE added.convention_id = c.id AND added.state IN ('validated', 'accepted_by_silence')) "
        f"SELECT count(*) FROM added"
    )
    return int(scalar(sql, {**params, "lo": chunk[0], "hi": chunk[1]}))


def load_visas(models: Models, params: dict[str, Any], chunk: tuple[int, int]) -> int:
    """The long-stay visa of each validated convention, as far as it got by `today` (CESEDA R431-16:
    validated with the OFII within 3 months of arrival; a few are late)."""
    plan = level(
        f"decision_on + 2 + mod({byte('h', 0)}, 10) AS applied, "
        f"decision_on + 7 + mod({byte('h', 0)}, 10) + mod({byte('h', 1)}, 20) AS decided",
        validated_in_chunk(models, "v"),
    )
    plan = level(
        f"CASE WHEN applied > {T} THEN 'to_apply' WHEN decided > {T} THEN 'applied' "
        f"WHEN mod({byte('h', 2)}, 100) < 3 THEN 'refused' ELSE 'issued' END AS vs",
        plan,
    )
    plan = level(
        "CASE WHEN vs = 'issued' THEN greatest(decided + 1, start_date - 10) END AS valid_from", plan
    )
    plan = level(
        f"CASE WHEN valid_from + mod({byte('h', 3)}, 5) <= {T} THEN valid_from + mod({byte('h', 3)}, 5) "
        f"END AS arrived",
        plan,
    )
    validated = f"arrived + 7 + mod({byte('h', 4)}, 60)"
    plan = level(
        f"CASE WHEN {validated} <= {T} AND NOT (mod({byte('h', 5)}, 100) < 2 AND arrived >= {T} - 150) "
        f"THEN {validated} END AS ofii_on",
        plan,
    )
    values = {
        "id": "%(visa_base)s + ci", "created_at": at("decision_on"),
        "updated_at": at(
            "greatest(decision_on, coalesce(ofii_on, arrived, "
            "CASE WHEN vs IN ('issued', 'refused') THEN decided END, "
            "CASE WHEN vs <> 'to_apply' THEN applied END, decision_on))"
        ),
        "consulate": f"'Consulat général de France à ' || {pick('cities', byte('h', 6))}",
        "applied_on": "CASE WHEN vs <> 'to_apply' THEN applied END",
        "decision_on": "CASE WHEN vs IN ('issued', 'refused') THEN decided END",
        "decision_reference": "CASE WHEN vs = 'issued' THEN 'VLS-' || (%(visa_base)s + ci) ELSE '' END",
        "valid_from": "valid_from", "expires_on": "CASE WHEN vs = 'issued' THEN end_date + 30 END",
        "arrived_on": "arrived", "ofii_validated_on": "ofii_on",
        "ofii_validation_deadline": months("arrived", "3"), "state": "vs", "version": "1",
        "convention_id": "id", "organisation_id": "organisation_id",
    }  # fmt: skip
    return execute(
        insert(models.VisaApplication, values, f"({plan}) AS p", params),
        {**params, "lo": chunk[0], "hi": chunk[1]},
    )


def permit_plan(models: Models) -> str:
    """Accepted avenants' carte de séjour applications: to file for 30 days, then filed; 90 days of silence
    after the complete file (CESEDA R426-17) refuse it; some filed ones are past that and due."""
    plan = (
        f"SELECT a.id AS aid, a.convention_id - %(conv_base)s AS ci, a.convention_id, a.organisation_id, "  # noqa: S608
        f"a.decision_on AS ad, a.requested_end_date, v.expires_on, "
        f"decode(md5('p:' || (a.convention_id - %(conv_base)s)), 'hex') AS h "
        f"FROM {table(models.Avenant)} AS a LEFT JOIN {table(models.VisaApplication)} AS v "
        f"ON v.convention_id = a.convention_id "
        f"WHERE a.convention_id BETWEEN %(conv_base)s + %(lo)s AND %(conv_base)s + %(hi)s "
        f"AND a.state IN ('validated', 'accepted_by_silence') OFFSET 0"
    )
    plan = level(
        f"ad + 5 + mod({byte('h', 1)}, 20) AS filed, "
        f"(ad >= {T} - 30 OR mod({byte('h', 0)}, 100) < 5) AS to_file",
        plan,
    )
    plan = level(
        f"CASE WHEN mod({byte('h', 2)}, 100) < 30 "
        f"THEN least(filed + mod({byte('h', 3)}, 10), {T}) END AS complete",
        plan,
    )
    plan = level("coalesce(complete, filed) + 90 AS sil", plan)
    roll = f"mod({byte('h', 4)}, 100)"
    plan = level(
        f"CASE WHEN to_file THEN 'to_file' "
        f"WHEN sil >= {T} THEN CASE WHEN {roll} < 80 THEN 'filed' ELSE 'granted' END "
        f"WHEN {roll} < 25 AND {T} - sil <= 60 THEN 'filed' WHEN {roll} < 75 THEN 'granted' "
        f"WHEN {roll} < 85 THEN 'refused' ELSE 'refused_by_silence' END AS ps",
        plan,
    )
    return level(
        f"CASE WHEN ps IN ('granted', 'refused') THEN least(filed + 20 + mod({byte('h', 5)}, 60), {T}) "
        f"WHEN ps = 'refused_by_silence' THEN sil + 1 END AS p_decision",
        plan,
    )


def load_permits(models: Models, params: dict[str, Any], chunk: tuple[int, int]) -> int:
    filed = "ps <> 'to_file'"
    prefecture = f"'Préfecture de ' || {pick('prefectures', byte('h', 6))}"
    values = {
        "id": "%(permit_base)s + ci", "created_at": at("ad"),
        "updated_at": at(
            f"greatest(ad, coalesce(p_decision, CASE WHEN {filed} THEN coalesce(complete, filed) END, ad))"
        ),
        "prefecture": f"CASE WHEN {filed} THEN {prefecture} ELSE '' END",
        "filed_on": f"CASE WHEN {filed} THEN filed END",
        "complete_on": f"CASE WHEN {filed} THEN complete END",
        "silence_deadline": f"CASE WHEN {filed} THEN sil END", "decision_on": "p_decision",
        "decision_reference": (
            "CASE WHEN ps IN ('granted', 'refused') THEN 'CS-' || (%(permit_base)s + ci) ELSE '' END"
        ),
        "stamp_amount_eur": "75.00", "stamp_paid_on": "CASE WHEN ps = 'granted' THEN p_decision END",
        "card_valid_until": "CASE WHEN ps = 'granted' THEN requested_end_date END", "state": "ps",
        "version": "1", "avenant_id": "aid", "convention_id": "convention_id",
        "organisation_id": "organisation_id", "filing_opens_on": "expires_on - 120",
        "filing_deadline": "expires_on - 60",
    }  # fmt: skip
    return execute(
        insert(models.ResidencePermitApplication, values, f"({permit_plan(models)}) AS p", params),
        {**params, "lo": chunk[0], "hi": chunk[1]},
    )


def document_values(step: str, status: str, expires: str, application: str, slot: str) -> dict[str, str]:
    return {
        "id": f"%(document_base)s + (ci - 1) * 16 + {slot}", "created_at": "created_at",
        "updated_at": "updated_at", "step": f"'{step}'", "code": "d.code", "label": "d.label",
        "status": status,
        "rejection_reason": f"CASE WHEN ({status}) = 'rejected' THEN 'Illegible scan (bench)' ELSE '' END",
        "file": (
            f"CASE WHEN ({status}) = 'missing' THEN '' ELSE 'documents/' || organisation_id || '/' || "
            f"convention_id || '/' || md5('f:' || convention_id || ':{step}:' || d.code) || '.pdf' END"
        ),
        "expires_on": expires, "convention_id": "convention_id", "organisation_id": "organisation_id",
        "permit_application_id": application,
    }  # fmt: skip


def checklist(which: str) -> str:
    """The document list `which` ("vls" or "permit") as rows d(code, label, n)."""
    return (
        f"unnest(%({which}_codes)s::text[], %({which}_labels)s::text[]) WITH ORDINALITY AS d(code, label, n)"
    )


def load_documents(models: Models, params: dict[str, Any], chunk: tuple[int, int]) -> int:
    """The VLS-TS checklist of 10 % of the conventions, and every carte de séjour application's checklist."""
    roll = "mod(get_byte(decode(md5('k:' || ci || ':' || d.n), 'hex'), 0), 100)"
    vls_status = (
        f"CASE WHEN state = 'draft' THEN CASE WHEN {roll} < 35 THEN 'missing' ELSE 'provided' END "
        f"WHEN {roll} < 2 THEN 'rejected' WHEN state IN ('validated', 'not_required') THEN 'verified' "
        f"ELSE 'provided' END"
    )
    vls_source = (
        f"(SELECT c.id AS convention_id, c.id - %(conv_base)s AS ci, c.organisation_id, c.state, "  # noqa: S608
        f"c.created_at, c.updated_at, i.passport_expires_on FROM {table(models.Convention)} AS c "
        f"JOIN {table(models.Intern)} AS i ON i.id = c.intern_id "
        f"WHERE c.id BETWEEN %(conv_base)s + %(lo)s AND %(conv_base)s + %(hi)s "
        f"AND mod(get_byte(decode(md5('k:' || (c.id - %(conv_base)s)), 'hex'), 0), 10) = 0) AS c "
        f"CROSS JOIN {checklist('vls')}"
    )
    vls = document_values(
        "vls_ts", vls_status, "CASE WHEN d.code = 'passport' THEN passport_expires_on END", "NULL", "d.n"
    )
    chunk_params = {**params, "lo": chunk[0], "hi": chunk[1]}
    count = execute(insert(models.DocumentItem, vls, vls_source, params), chunk_params)
    permit_status = (
        f"CASE WHEN state = 'to_file' THEN CASE WHEN {roll} < 50 THEN 'missing' ELSE 'provided' END "
        f"WHEN {roll} < 2 THEN 'rejected' ELSE 'verified' END"
    )
    expires = (
        "CASE d.code WHEN 'expiring_visa' THEN visa_expires_on "
        "WHEN 'passport_pages' THEN passport_expires_on "
        f"WHEN 'address_proof' THEN {months('created_at::date', '6')} END"
    )
    permit_source = (
        f"(SELECT p.id AS permit_id, p.convention_id, p.convention_id - %(conv_base)s AS ci, "  # noqa: S608
        f"p.organisation_id, p.state, p.created_at, p.updated_at, v.expires_on AS visa_expires_on, "
        f"i.passport_expires_on FROM {table(models.ResidencePermitApplication)} AS p "
        f"JOIN {table(models.Convention)} AS c ON c.id = p.convention_id "
        f"JOIN {table(models.Intern)} AS i ON i.id = c.intern_id "
        f"LEFT JOIN {table(models.VisaApplication)} AS v ON v.convention_id = p.convention_id "
        f"WHERE p.convention_id BETWEEN %(conv_base)s + %(lo)s AND %(conv_base)s + %(hi)s) AS c "
        f"CROSS JOIN {checklist('permit')}"
    )
    permit = document_values("residence_permit", permit_status, expires, "permit_id", "4 + d.n")
    return count + execute(insert(models.DocumentItem, permit, permit_source, params), chunk_params)


# --- the whole load ----------------------------------------------------------------------------------------
class Models:
    """The models written, imported once Django is set up."""

    def __init__(self) -> None:
        from django.contrib.auth import get_user_model

        from conventions import models
        from hostportal.models import AuditChain, Membership, Organisation
        from notifications.models import ReminderSettings

        self.Organisation, self.Membership, self.AuditChain = Organisation, Membership, AuditChain
        self.User, self.ReminderSettings = get_user_model(), ReminderSettings
        self.Intern, self.Convention, self.Avenant = models.Intern, models.Convention, models.Avenant
        self.VisaApplication, self.DocumentItem = models.VisaApplication, models.DocumentItem
        self.ResidencePermitApplication = models.ResidencePermitApplication

    def written(self) -> list[Any]:
        return [
            self.Organisation, self.User, self.Membership, self.ReminderSettings, self.AuditChain,
            self.Intern, self.Convention, self.Avenant, self.VisaApplication,
            self.ResidencePermitApplication, self.DocumentItem,
        ]  # fmt: skip


def base_params(models: Models, conventions: int, organisations: int, today: dt.date) -> dict[str, Any]:
    """The parameters every statement shares: `today`, the sizes, the lists, and the first free ids."""
    from conventions.rules import EU_EEA_CH, RESIDENCE_PERMIT_DOCUMENTS, VLS_TS_DOCUMENTS

    bases = {
        "org_base": models.Organisation, "user_base": models.User, "membership_base": models.Membership,
        "settings_base": models.ReminderSettings, "intern_base": models.Intern,
        "conv_base": models.Convention, "avenant_base": models.Avenant, "visa_base": models.VisaApplication,
        "permit_base": models.ResidencePermitApplication, "document_base": models.DocumentItem,
    }  # fmt: skip
    return {
        **{name: max_id(model) for name, model in bases.items()},
        "today": today, "orgs": organisations, "conventions": conventions,
        "eu_eea_ch": sorted(EU_EEA_CH), "non_eu": NON_EU, "eu": EU, "first_names": FIRST_NAMES,
        "last_names": LAST_NAMES, "cities": CITIES, "establishments": ESTABLISHMENTS,
        "prefectures": PREFECTURES,
        "vls_codes": [d.code for d in VLS_TS_DOCUMENTS], "vls_labels": [d.label_en for d in VLS_TS_DOCUMENTS],
        "permit_codes": [d.code for d in RESIDENCE_PERMIT_DOCUMENTS],
        "permit_labels": [d.label_en for d in RESIDENCE_PERMIT_DOCUMENTS],
    }  # fmt: skip


def chunks(total: int) -> Iterable[tuple[int, int]]:
    for lo in range(1, total + 1, CHUNK):
        yield lo, min(lo + CHUNK - 1, total)


def load_chunked(step: str, load: Any, models: Models, params: dict[str, Any], progress: Progress) -> int:
    from django.db import transaction

    count = 0
    for chunk in chunks(params["conventions"]):
        with transaction.atomic():
            count += load(models, params, chunk)
        progress.line(step, chunk[1], params["conventions"])
    return count


def finish(models: Models, progress: Progress) -> None:
    """Sequences after the explicit ids, then fresh planner statistics."""
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models.written()):
            cursor.execute(sql)
        for model in models.written():
            cursor.execute(f"ANALYZE {table(model)}")
    progress.line("sequences and ANALYZE", len(models.written()))


def due_counts(models: Models, today: dt.date) -> dict[str, int]:
    """What the sweep has to move on `today` (an entreprise avenant has no implicit decision)."""

    def due(model: Any, state: str) -> int:
        sql = f"SELECT count(*) FROM {table(model)} WHERE state = %(state)s AND silence_deadline < %(today)s"  # noqa: S608
        return int(scalar(sql, {"state": state, "today": today}))

    return {
        "conventions_due": due(models.Convention, "submitted"),
        "avenants_due": due(models.Avenant, "submitted"),
        "permits_due": due(models.ResidencePermitApplication, "filed"),
    }


@contextmanager
def jit_off() -> Iterator[None]:
    """No JIT for this session while generating: LLVM would spend seconds compiling these long expressions
    for each chunk, and a compilation cannot be cancelled (it never checks for interrupts)."""
    previous = scalar("SELECT current_setting('jit')")
    execute("SELECT set_config('jit', 'off', false)", {})
    try:
        yield
    finally:
        execute("SELECT set_config('jit', %(previous)s, false)", {"previous": previous})


def generate(
    conventions: int, *, organisations: int | None = None, today: dt.date, progress: bool = True
) -> dict[str, int]:
    """Load `conventions` conventions (and their organisations, members, interns, avenants, visas, carte
    de séjour applications and documents) into the default PostgreSQL database; return the row counts
    written and what the sweep has to move on `today`. Deterministic: the same arguments on an empty
    database give the same rows. Django must be set up; needs PostgreSQL (ValueError otherwise)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        raise ValueError(f"The generator needs PostgreSQL, not {connection.vendor}.")
    if conventions < 1:
        raise ValueError("conventions must be at least 1")
    organisations = max(1, organisations if organisations is not None else conventions // 1000)
    with jit_off():
        return load_all(
            Models(), base_params(Models(), conventions, organisations, today), Progress(progress)
        )


def load_all(models: Models, params: dict[str, Any], shown: Progress) -> dict[str, int]:
    counts = load_organisations(models, params, shown)
    counts["conventions"] = load_chunked("conventions", load_conventions, models, params, shown)
    counts["interns"] = counts["conventions"]
    counts["avenants"] = load_chunked("avenants", load_avenants, models, params, shown)
    counts["visas"] = load_chunked("visas", load_visas, models, params, shown)
    counts["permits"] = load_chunked("permits", load_permits, models, params, shown)
    counts["documents"] = load_chunked("documents", load_documents, models, params, shown)
    finish(models, shown)
    return counts | due_counts(models, params["today"])


def truncate(models: Models) -> None:
    """Empty every table the generator writes and those that refer to them (TRUNCATE ... CASCADE)."""
    from django.db import connection

    tables = ", ".join(table(model) for model in models.written())
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conventions", type=int, required=True)
    parser.add_argument("--organisations", type=int, default=None, help="default: conventions / 1000")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=None, help="default: today in Paris")
    parser.add_argument("--truncate", action="store_true", help="empty the tables written first")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hostportal.settings")
    import django

    django.setup()
    from django.utils import timezone

    today = args.today or timezone.localdate()
    if args.truncate:
        truncate(Models())
    started = time.perf_counter()
    counts = generate(
        args.conventions, organisations=args.organisations, today=today, progress=not args.quiet
    )
    for name, count in counts.items():
        print(f"{name}: {count:,}")
    print(f"today: {today}; {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
