"""The tamper-evident audit chain: one hash chain per organisation over both audit tables.

Every audit row (conventions' TransitionLog, hostportal's AuditEntry) carries `sequence` (1, 2, 3, ... per
organisation, gapless across both tables), `previous_hash` (the entry_hash of sequence - 1, GENESIS_HASH for
the first) and `entry_hash` = SHA-256 over (previous hash, organisation id, sequence, a canonical JSON of
the entry's content). The head of each chain (last sequence, last hash) lives in AuditChain; a writer locks
it in its own transaction, so two writers of one organisation queue up instead of forking the chain, and a
deleted tail is seen because the head still names it.

`write_sealed` is the only way a row reaches an audit table: it locks the heads (one query whatever the
number of organisations), numbers and hashes the rows in Python, inserts them (one INSERT) and moves the
heads (one UPDATE). The hash format is frozen: changing `content` or `entry_hash` breaks every existing
chain, so a new field of an audit table stays out of the hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any, TypeVar

from django.db import connection, models, transaction

from hostportal.models import AuditChain

GENESIS_HASH = "0" * 64


S = TypeVar("S", bound=models.Model)


@dataclass(frozen=True)
class Head:
    """The end of one organisation's chain."""

    sequence: int
    hash: str


def iso(value: dt.datetime) -> str:
    """An instant as UTC ISO 8601 with microseconds: the same text whatever the zone it was given in."""
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def content(
    *,
    table: str,
    created_at: dt.datetime,
    actor_id: int | None,
    actor_label: str,
    channel: str,
    action: str,
    subject: str,
    source: str = "",
    target: str = "",
    comment: str = "",
    changes: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The hashed content of one entry. Frozen (see the module docstring); `changes` goes through JSON so
    the value hashed is the value the database gives back (tuples become lists)."""
    return {
        "table": table,
        "created_at": iso(created_at),
        "actor_id": actor_id,
        "actor": actor_label,
        "channel": channel,
        "action": action,
        "object": subject,
        "source": source,
        "target": target,
        "comment": comment,
        "changes": json.loads(json.dumps(changes)) if changes else {},
    }


def entry_hash(previous: str, organisation_id: int, sequence: int, entry: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the link: previous hash, organisation, sequence and the canonical JSON content."""
    canonical = json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    text = f"{previous}\n{organisation_id}\n{sequence}\n{canonical}"
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def lock_heads(organisation_ids: Iterable[int]) -> dict[int, Head]:
    """Lock the chain heads of these organisations until the end of the transaction and return them.

    One statement: an INSERT ... ON CONFLICT DO UPDATE creates a missing head and row-locks an existing one
    (a second writer waits here until the first commits, then reads the head it left). The organisations
    are taken in id order so two set-based writers lock them in the same order and never deadlock.
    """
    ids = sorted(set(organisation_ids))
    if not ids:
        return {}
    table = connection.ops.quote_name(AuditChain._meta.db_table)
    values = ", ".join(["(%s, 0, %s)"] * len(ids))
    params: list[Any] = []
    for organisation_id in ids:
        params += [organisation_id, GENESIS_HASH]
    sql = (
        f"INSERT INTO {table} (organisation_id, last_sequence, last_hash) VALUES {values} "  # noqa: S608
        f"ON CONFLICT (organisation_id) DO UPDATE SET last_sequence = {table}.last_sequence "
        "RETURNING organisation_id, last_sequence, last_hash"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0]: Head(row[1], row[2]) for row in cursor.fetchall()}


def seal_one(entry: Any, heads: dict[int, Head]) -> None:
    """Number and hash one entry after its organisation's head in `heads` (locked), and move that head."""
    head = heads[entry.organisation_id]
    entry.actor_ref = entry.actor_id  # kept as a plain number: deleting the user nulls actor_id only
    entry.sequence = head.sequence + 1
    entry.previous_hash = head.hash
    entry.entry_hash = entry_hash(head.hash, entry.organisation_id, entry.sequence, entry.audit_content())
    heads[entry.organisation_id] = Head(entry.sequence, entry.entry_hash)


def seal(entries: Sequence[Any], heads: dict[int, Head]) -> dict[int, Head]:
    """Number and hash `entries` in their order after `heads` (locked by the caller); return the new heads."""
    heads = dict(heads)
    for entry in entries:
        seal_one(entry, heads)
    return heads


HEADS_PER_UPDATE = 10_000  # 3 parameters a head: well under PostgreSQL's 65,535 and SQLite's 32,766


def _move_heads(before: dict[int, Head], after: dict[int, Head]) -> None:
    """The heads that moved, in one UPDATE ... FROM (VALUES ...) (PostgreSQL and SQLite): Django's
    bulk_update builds a CASE of two WHENs per head, which costs more to build than to run for the
    thousand organisations of one sweep."""
    moved = [(pk, head.sequence, head.hash) for pk, head in after.items() if head != before.get(pk)]
    table = connection.ops.quote_name(AuditChain._meta.db_table)
    key = connection.ops.quote_name(AuditChain._meta.get_field("organisation").column)
    with connection.cursor() as cursor:
        for start in range(0, len(moved), HEADS_PER_UPDATE):
            chunk = moved[start : start + HEADS_PER_UPDATE]
            values = ", ".join(["(%s, %s, %s)"] * len(chunk))
            cursor.execute(
                f"UPDATE {table} SET last_sequence = CAST(moved.column2 AS bigint), "  # noqa: S608 (names)
                f"last_hash = moved.column3 FROM (VALUES {values}) AS moved "
                f"WHERE {table}.{key} = CAST(moved.column1 AS bigint)",
                [value for head in chunk for value in head],
            )


def write_sealed(model: type[S], entries: Sequence[S]) -> list[S]:
    """Chain and insert audit rows of one table, in their order: 3 queries whatever their number.

    Call it in the transaction of the change (it opens one otherwise): the heads stay locked until that
    transaction ends, so the rows and the heads commit or roll back together. No savepoint (two queries
    saved on every audited write): a failure here fails the change it records, as it must.
    """
    if not entries:
        return []
    with transaction.atomic(savepoint=False):
        before = lock_heads(entry.organisation_id for entry in entries)  # type: ignore[attr-defined]
        after = seal(entries, before)
        created = model._default_manager.bulk_create(entries)
        _move_heads(before, after)
    return created


class SealingInBackground:
    """`write_sealed` for many rows, sealed by a thread while the caller's transaction does other work.

    Made after the caller's last row lock: it locks the chain heads (one query, in the caller's thread and
    transaction), then a thread numbers and hashes `entries` (pure Python: no query, their content types
    in Django's cache) into a spool kept out of memory. `write()` waits for it and writes every row with
    one COPY and moves the heads: the hashing overlaps the caller's own statements (the sweep's event
    emails) instead of adding to them. `entries` are objects with the model's attribute names (a model
    instance or a light row with an `audit_content()` method), all of the organisations given.
    """

    def __init__(self, model: type[models.Model], organisation_ids: Iterable[int], entries: Iterable[Any]):
        from hostportal.bulk import Spool

        self.model = model
        self.fields = [field for field in model._meta.concrete_fields if not field.primary_key]
        self.before = lock_heads(organisation_ids)
        self.heads = dict(self.before)
        self.sealed = Spool()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._seal, args=(entries,), name="audit-seal", daemon=True)
        self.thread.start()

    def _seal(self, entries: Iterable[Any]) -> None:
        names = [field.attname for field in self.fields]
        json_fields = {field.attname for field in self.fields if isinstance(field, models.JSONField)}
        try:
            for entry in entries:
                seal_one(entry, self.heads)
                self.sealed.add(
                    tuple(
                        json.dumps(getattr(entry, name)) if name in json_fields else getattr(entry, name)
                        for name in names
                    )
                )
        except BaseException as exc:  # handed to write(), in the caller's thread
            self.error = exc

    def join(self) -> None:
        self.thread.join()

    def write(self) -> int:
        """Wait for the sealing, then one COPY of the rows and one UPDATE of the heads; the row count."""
        from hostportal.bulk import copy_rows

        self.join()
        if self.error is not None:
            raise self.error
        written = self.sealed.count
        if written:
            columns = [str(field.column) for field in self.fields]
            copy_rows(self.model._meta.db_table, columns, self.sealed.rows())
            _move_heads(self.before, self.heads)
        return written


def write_one(entry: S) -> S:
    """`write_sealed` for one row."""
    return write_sealed(type(entry), [entry])[0]


@dataclass(frozen=True)
class Link:
    """One audit row as the verifier reads it."""

    table: str
    pk: int
    sequence: int
    previous_hash: str
    entry_hash: str
    content: dict[str, Any]


@dataclass(frozen=True)
class Finding:
    """One break of an organisation's chain, naming the row where it shows."""

    organisation_id: int
    table: str
    pk: int | None
    sequence: int
    problem: str


def link_of(table: str, row: Any) -> Link:
    return Link(table, row.pk, row.sequence, row.previous_hash, row.entry_hash, row.audit_content())


def _sealed(organisation_id: int, link: Link) -> bool:
    return entry_hash(link.previous_hash, organisation_id, link.sequence, link.content) == link.entry_hash


def verify_chain(organisation_id: int, links: Iterable[Link], head: Head | None) -> list[Finding]:
    """Walk one organisation's chain (links sorted by sequence) and return every break found.

    Edited: a row's content or sequence no longer gives its hash. Deleted: a gap in the sequence, or a head
    past the last row. Reordered or inserted: a row whose previous hash is not its predecessor's hash, two
    rows with one sequence, or a row past the head.
    """
    findings: list[Finding] = []
    previous, last = GENESIS_HASH, 0

    def found(link: Link, problem: str) -> None:
        findings.append(Finding(organisation_id, link.table, link.pk, link.sequence, problem))

    for sequence, group in groupby(links, key=lambda link: link.sequence):
        rows = list(group)
        gap = sequence != last + 1
        if gap:
            found(rows[0], f"deleted: sequence {last + 1} to {sequence - 1} missing before this entry")
        if len(rows) > 1:
            for row in rows:
                found(row, f"inserted or forked: {len(rows)} entries share this sequence")
        for row in rows:
            if not _sealed(organisation_id, row):
                found(row, "edited: its content or sequence no longer gives its hash")
        chosen = next(
            (r for r in rows if _sealed(organisation_id, r) and r.previous_hash == previous), rows[0]
        )
        if not gap and chosen.previous_hash != previous:
            found(chosen, f"reordered or inserted: it does not follow the entry of sequence {last}")
        if head is not None and sequence > head.sequence:
            found(chosen, f"inserted: past the chain head (sequence {head.sequence})")
        previous, last = chosen.entry_hash, sequence
    findings += _check_head(organisation_id, head, last, previous)
    return findings


def _check_head(organisation_id: int, head: Head | None, last: int, previous: str) -> list[Finding]:
    """The head names the last entry written: a shorter chain lost its tail."""

    def finding(problem: str) -> list[Finding]:
        return [Finding(organisation_id, "audit_chain", None, last, problem)]

    if head is None:
        return finding("no chain head: entries written outside the chain") if last else []
    if head.sequence > last:
        return finding(f"deleted: sequence {last + 1} to {head.sequence} missing at the end of the chain")
    if head.sequence == last and head.hash != previous:
        return finding("the chain head's hash is not the hash of the last entry")
    return []
