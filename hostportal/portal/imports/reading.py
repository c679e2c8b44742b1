"""Reading an uploaded table (CSV with comma or semicolon, or .xlsx) and its cells, with tablib."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

import tablib
from django.utils import translation
from django.utils.translation import gettext as _
from django_countries import countries

MAX_BYTES = 1024 * 1024
MAX_ROWS = 2000
MAX_CELL = 500


class ImportFileError(Exception):
    """The file as a whole cannot be used (not a table, empty, wrong headers): one message, no rows."""


# --- reading cells --------------------------------------------------------------------------------


def plain(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():  # Excel stores 12345678 as 12345678.0
        value = int(value)
    return "" if value is None else str(value).strip()


def parse_text(value: Any) -> str:
    return plain(value)


def parse_date(value: Any) -> dt.date:
    """ISO (2031-05-01) or day first (01/05/2031), never month first: a date cannot be misread."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = plain(value)
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()  # noqa: DTZ007 (a calendar date, no time)
        except ValueError:
            continue
    raise ValueError(
        _("“%(value)s” is not a date: write it as 2031-05-01 or 01/05/2031 (day first).") % {"value": text}
    )


def parse_decimal(value: Any) -> Decimal:
    text = plain(value).replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError(_("“%(value)s” is not a number.") % {"value": plain(value)}) from None


TRUE_WORDS = {"1", "yes", "y", "true", "oui", "o", "vrai", "x"}
FALSE_WORDS = {"0", "no", "n", "false", "non", "faux"}


def parse_bool(value: Any) -> bool:
    text = plain(value).casefold()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError(_("“%(value)s” is not yes or no (oui / non).") % {"value": plain(value)})


def parse_country(value: Any) -> str:
    """An ISO code (SN) or a country's name in French or English (Sénégal, Senegal)."""
    text = plain(value)
    if text.upper() in dict(countries):
        return text.upper()
    for language in ("fr", "en"):
        with translation.override(language):
            for code, name in countries:
                if str(name).casefold() == text.casefold():
                    return str(code)
    raise ValueError(
        _("“%(value)s” is not a known country (write its name or its ISO code, e.g. SN).") % {"value": text}
    )


def choice_parser(choices: Iterable[Any]) -> Callable[[Any], str]:
    """A code, or its label in French or English."""

    def parse(value: Any) -> str:
        text = plain(value).casefold()
        for code, label in choices:
            labels = {code.casefold()}
            for language in ("fr", "en"):
                with translation.override(language):
                    labels.add(str(label).casefold())
            if text in labels:
                return code
        allowed = ", ".join(code for code, _label in choices)
        raise ValueError(
            _("“%(value)s” is not one of: %(allowed)s.") % {"value": plain(value), "allowed": allowed}
        )

    return parse


# --- reading the file -----------------------------------------------------------------------------


def _decode(content: bytes) -> str:
    if b"\x00" in content:
        raise ImportFileError(_("This file is not a CSV or Excel (.xlsx) file."))
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")  # a CSV saved by Excel for Windows in French


def read_table(name: str, content: bytes) -> tuple[list[Any], list[list[Any]]]:
    """The header row and the data rows (empty rows dropped) of a CSV (comma or semicolon) or an .xlsx."""
    if not content.strip():
        raise ImportFileError(_("The file is empty."))
    if len(content) > MAX_BYTES:
        raise ImportFileError(_("The file is too large (at most 1 MB)."))
    data = tablib.Dataset()
    try:
        if content[:4] == b"PK\x03\x04" or name.lower().endswith(".xlsx"):
            data.load(content, format="xlsx")
        else:
            text = _decode(content)
            first = text.splitlines()[0] if text.splitlines() else ""
            data.load(text, format="csv", delimiter=";" if first.count(";") > first.count(",") else ",")
    except ImportFileError:
        raise
    except csv.Error:
        raise ImportFileError(
            _("The file could not be read: a cell is too long or a quote is not closed.")
        ) from None
    except Exception:  # noqa: BLE001 (openpyxl and tablib raise many kinds; all mean "not a readable table")
        raise ImportFileError(
            _("The file could not be read: save it as CSV (UTF-8) or Excel (.xlsx).")
        ) from None
    rows = [list(row) for row in data if any(plain(cell) for cell in row)]
    if not data.headers or not any(plain(h) for h in data.headers):
        raise ImportFileError(_("The file is empty."))
    if not rows:
        raise ImportFileError(_("The file has a header row but no data rows."))
    if len(rows) > MAX_ROWS:
        raise ImportFileError(_("The file has too many rows (at most %(max)s).") % {"max": MAX_ROWS})
    return list(data.headers), rows
