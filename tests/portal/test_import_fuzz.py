"""Fuzzing the import (issue 9 item 5): random bytes, random CSV text and hostile cells never raise anything
but the reader's own clear errors (ImportFileError for the file, ValueError for a cell) and, through the
services, a report of row errors (malformed files with their messages: tests/portal/test_import_export.py)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conventions.models import Convention
from hostportal.portal.imports.columns import CONVENTION_COLUMNS
from hostportal.portal.imports.reading import (
    ImportFileError,
    parse_bool,
    parse_country,
    parse_date,
    parse_decimal,
    read_table,
)
from hostportal.portal.imports.run import run_import
from tests.factories import InternFactory

settings.register_profile(
    "import-fuzz",
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
PROFILE = settings(settings.get_profile("import-fuzz"))

NAMES = st.sampled_from(["file.csv", "file.xlsx", "FILE.XLSX", "data.txt", ""])
CSV_ALPHABET = st.sampled_from(
    [",", ";", '"', "\n", "\r", "\t", " ", "a", "é", "1", "-", "/", "\x00", "\u2028"]
)
CSV_TEXT = st.one_of(st.text(), st.text(alphabet=CSV_ALPHABET, max_size=400))
BYTES = st.one_of(
    st.binary(max_size=2000),
    st.binary(max_size=2000).map(lambda b: b"PK\x03\x04" + b),  # looks like an .xlsx (a zip) but is not
    CSV_TEXT.map(lambda t: t.encode("utf-8", errors="surrogatepass")),
    CSV_TEXT.map(lambda t: t.encode("cp1252", errors="replace")),
)


def read(name: str, content: bytes) -> None:
    try:
        headers, rows = read_table(name, content)
    except ImportFileError as exc:
        assert str(exc)
    else:
        assert headers and rows and all(isinstance(row, list) for row in rows)


@PROFILE
@given(NAMES, BYTES)
def test_any_bytes_are_a_table_or_an_import_file_error(name: str, content: bytes) -> None:
    read(name, content)


@PROFILE
@given(st.lists(st.lists(st.text(max_size=60), min_size=1, max_size=8), min_size=1, max_size=30))
def test_any_well_quoted_csv_is_read_back(table: list[list[str]]) -> None:
    out = io.StringIO()
    csv.writer(out).writerows(table)
    read("file.csv", out.getvalue().encode("utf-8", errors="surrogatepass"))


CELLS = st.one_of(
    st.text(max_size=80),
    st.sampled_from(["NaN", "-Infinity", "1e999999", "0001-01-01", "9999-12-31", "31/12/9999", "00/00/0000",
                     "2026-02-30", "-0", "1,5", "1 000,50", "oui", "X", "sn", "Sénégal", "\u00a0"]),
    st.integers(), st.floats(), st.none(), st.dates(), st.booleans(),
)  # fmt: skip


@PROFILE
@given(CELLS)
def test_a_cell_is_parsed_or_refused_with_a_value_error(cell: Any) -> None:
    for parse in (parse_date, parse_decimal, parse_bool, parse_country):
        try:
            parse(cell)
        except ValueError as exc:
            assert str(exc)


# --- the whole import, through the services ----------------------------------------------------

HEADER = ["intern’s email", *(str(column.label) for column in CONVENTION_COLUMNS)]
DATES = st.one_of(
    st.dates().map(dt.date.isoformat),
    st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2029, 12, 31)).map(lambda d: f"{d:%d/%m/%Y}"),
    st.sampled_from(["0001-01-01", "9999-12-31", "1899-12-31", "2201-01-01", "2027-02-29"]),
)
NUMBERS = st.one_of(
    st.sampled_from(
        ["", "NaN", "Infinity", "-1", "1e26", "1e999999", "99999999999", "-0", "48", "0.4", "35"]
    ),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
)
ROWS = st.lists(
    st.tuples(
        st.sampled_from(["awa@mail.example", "nobody@mail.example", ""]),
        st.sampled_from(["entreprise", "hopital", "formation_continue", "stage", ""]),
        st.sampled_from(["", "eu", "intergovernmental", "x"]),
        st.sampled_from(["", "oui", "non", "peut-être"]),
        st.text(max_size=30),
        st.text(max_size=30),
        st.sampled_from(["", "tutor@mail.example", "not an email"]),
        DATES,
        DATES,
        NUMBERS,
        NUMBERS,
        NUMBERS,
    ),
    min_size=1,
    max_size=4,
)


@pytest.mark.django_db
@settings(settings.get_profile("import-fuzz"), max_examples=60)
@given(rows=ROWS)
def test_a_convention_import_of_hostile_rows_reports_or_refuses_never_crashes(
    alice: Any, acme: Any, rows: list[tuple[str, ...]]
) -> None:
    if not acme.interns.filter(email="awa@mail.example").exists():
        InternFactory(organisation=acme, email="awa@mail.example")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    try:
        report = run_import(
            kind="conventions", actor=alice, organisation=acme, name="c.csv", content=out.getvalue().encode(),
            commit=False,
        )  # fmt: skip
    except ImportFileError:
        return
    assert report.rows == len(rows) and not report.committed
    assert all(error.message for error in report.errors)
    assert not Convention.objects.exists()  # a preview writes nothing
