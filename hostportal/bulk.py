"""Set-based writes of many rows: a spool that keeps them out of memory, and one COPY to load them.

The daily jobs (the sweep, the reminder planning) compute their rows in Python, file by file, while a
server-side cursor streams the files: the rows cannot be sent while that cursor is open on the same
connection, and keeping 200,000 of them as Python objects costs hundreds of MB. `Spool` pickles them in
chunks to a temporary file (in memory up to SPOOL_MEMORY bytes, on disk beyond); `copy_rows` then loads
them in one statement: COPY ... FROM STDIN on PostgreSQL, one executemany elsewhere (SQLite, `make run`).
Whatever the number of rows, a fixed number of statements, and the process never holds more than a chunk.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import Any

from django.db import connection
from django.db.models import Model
from django.db.models.expressions import RawSQL

CHUNK = 2000  # rows pickled together: fewer, larger writes to the spool
SPOOL_MEMORY = 8 * 1024 * 1024  # bytes kept in memory before the spool moves to a file on disk


class Spool:
    """An append-only sequence of row tuples, read back once in order."""

    def __init__(self) -> None:
        self._file = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY)  # noqa: SIM115 (closed in rows())
        self._chunk: list[tuple[Any, ...]] = []
        self.count = 0

    def add(self, row: tuple[Any, ...]) -> None:
        self._chunk.append(row)
        self.count += 1
        if len(self._chunk) >= CHUNK:
            self._flush()

    def _flush(self) -> None:
        if self._chunk:
            pickle.dump(self._chunk, self._file, protocol=pickle.HIGHEST_PROTOCOL)
            self._chunk = []

    def rows(self) -> Iterator[tuple[Any, ...]]:
        """Every row added, in order; the spool is emptied and closed once they are all read."""
        self._flush()
        self._file.seek(0)
        try:
            while True:
                try:
                    chunk = pickle.load(self._file)  # noqa: S301 (our own file, written above)
                except EOFError:
                    return
                yield from chunk
        finally:
            self._file.close()


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Load `rows` (tuples in `columns` order) into `table` in one statement.

    PostgreSQL: COPY FROM STDIN, fed row by row (psycopg dumps the values; a JSON column takes its JSON
    text); `rows` may be a generator, as long as it makes no query (COPY holds the connection: such a query
    raises RuntimeError rather than waiting for ever). It goes through the connection's execute wrappers
    like any statement, so query counters and timers see it. Elsewhere (SQLite): one executemany per CHUNK
    rows.
    """
    listed = ", ".join(quote(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = f"COPY {quote(table)} ({listed}) FROM STDIN"

            def copy(sql: str, params: Any, many: bool, context: Any) -> None:
                with (
                    connection.wrap_database_errors,
                    cursor.cursor.copy(sql) as stream,
                    connection.execute_wrapper(_no_query_during_copy),
                ):
                    for row in rows:
                        stream.write_row(row)

            # Django's own execute path (its wrappers; CaptureQueriesContext's log when it is on), then COPY.
            debug = getattr(cursor, "debug_sql", None)
            if debug is None:
                cursor._execute_with_wrappers(sql, None, False, executor=copy)
            else:
                with debug(sql):
                    cursor._execute_with_wrappers(sql, None, False, executor=copy)
        else:
            marks = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {quote(table)} ({listed}) VALUES ({marks})"  # noqa: S608 (names, not input)
            batches = iter(rows)
            while batch := list(islice(batches, CHUNK)):  # SQLite (`make run`): bounded batches
                cursor.executemany(sql, batch)


def copy_new(model: type[Model], rows: Iterable[Mapping[str, Any]], now: Any) -> None:
    """Insert new rows of `model` given as {attname: value} in one COPY (`copy_rows`), without a model
    instance per row: the other fields take their defaults, auto_now(_add) fields take `now`, and every
    value goes through the field's own database preparation, as bulk_create would do it (a value the rows
    do not give is the same for every row, prepared once, unless its default is a callable such as uuid4:
    called for each row)."""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    stamped = {
        field.attname
        for field in fields
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    }
    per_row = {field.attname for field in fields if callable(field.default)} - stamped
    constant = {
        field.attname: field.get_db_prep_save(
            now if field.attname in stamped else field.get_default(), connection
        )
        for field in fields
        if field.attname not in per_row
    }

    # Per field: its name, its preparation, the default to call for each row (or None), the prepared constant.
    plan = []
    for field in fields:
        make = field.get_default if field.attname in per_row else None
        plan.append((field.attname, field.get_db_prep_save, make, constant.get(field.attname)))

    def prepared(row: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple(
            prep(row[name], connection) if name in row else prep(make(), connection) if make else value
            for name, prep, make, value in plan
        )

    copy_rows(model._meta.db_table, [str(field.column) for field in fields], (prepared(row) for row in rows))


def _no_query_during_copy(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
    """COPY holds the connection until its last row: a query made while the rows are produced (a cache
    miss...) would wait for ever. Fail loudly instead; the caller must prepare what its rows need first."""
    raise RuntimeError(f"A query ran while COPY held the connection (prepare it before the rows): {sql[:80]}")


def whole_results() -> None:
    """Plan this transaction's server-side cursors for reading every row: PostgreSQL's default
    (cursor_tuple_fraction = 0.1) prefers plans that give the first rows fast; the daily jobs read all."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL cursor_tuple_fraction = 1.0")


def among(ids: list[int]) -> Any:
    """The right side of `pk__in` for many ids: one array parameter on PostgreSQL (not 100,000 of them);
    the plain list elsewhere."""
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", (ids,))
    return ids


def temporary_table(name: str, columns: Sequence[tuple[str, str]]) -> None:
    """Create an empty temporary table for this transaction's rows (dropped by `drop_table`).

    `columns` are (name, type) in types both PostgreSQL and SQLite read (bigint, integer, text, date,
    boolean). The caller drops it when done, so one transaction can use the same name twice.
    """
    listed = ", ".join(f"{quote(column)} {kind}" for column, kind in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {quote(name)} ({listed})")


def drop_table(name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {quote(name)}")
