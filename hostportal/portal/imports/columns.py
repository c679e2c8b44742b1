"""The columns of each import, under their label in French and in English, and the header check."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from conventions.models import Convention, Intern
from conventions.models.common import CATEGORY_CHOICES, PROGRAMME_CHOICES
from hostportal.portal.imports.reading import (
    ImportFileError,
    choice_parser,
    parse_bool,
    parse_country,
    parse_date,
    parse_decimal,
    parse_text,
    plain,
)

# --- the columns of each import -------------------------------------------------------------------


@dataclass(frozen=True)
class ImportColumn:
    name: str
    label: Any
    parse: Callable[[Any], Any] = parse_text
    required: bool = False  # the column must be in the header row


def _label(model: Any, name: str) -> Any:
    return model._meta.get_field(name).verbose_name


INTERN_COLUMNS = [
    ImportColumn("last_name", _label(Intern, "last_name"), required=True),
    ImportColumn("first_name", _label(Intern, "first_name"), required=True),
    ImportColumn("nationality", _label(Intern, "nationality"), parse_country, required=True),
    ImportColumn("date_of_birth", _label(Intern, "date_of_birth"), parse_date, required=True),
    ImportColumn("email", _label(Intern, "email")),
    ImportColumn(
        "country_of_residence", _label(Intern, "country_of_residence"), parse_country, required=True
    ),
    ImportColumn("passport_number", _label(Intern, "passport_number")),
    ImportColumn("passport_expires_on", _label(Intern, "passport_expires_on"), parse_date),
    ImportColumn(
        "language",
        _label(Intern, "language"),
        choice_parser(Intern._meta.get_field("language").choices or []),
    ),
    ImportColumn("notify_intern", _label(Intern, "notify_intern"), parse_bool),
]
# How a convention names its intern: the email, or the last name, first name and date of birth.
INTERN_KEYS = [
    ImportColumn("intern_email", gettext_lazy("intern’s email")),
    ImportColumn("intern_last_name", gettext_lazy("intern’s last name")),
    ImportColumn("intern_first_name", gettext_lazy("intern’s first name")),
    ImportColumn("intern_date_of_birth", gettext_lazy("intern’s date of birth"), parse_date),
]
CONVENTION_COLUMNS = [
    *INTERN_KEYS,
    ImportColumn("category", _label(Convention, "category"), choice_parser(CATEGORY_CHOICES), required=True),
    ImportColumn("programme", _label(Convention, "programme"), choice_parser(PROGRAMME_CHOICES)),
    ImportColumn("same_group", _label(Convention, "same_group"), parse_bool),
    ImportColumn("sending_establishment", _label(Convention, "sending_establishment")),
    ImportColumn("tutor_name", _label(Convention, "tutor_name")),
    ImportColumn("tutor_email", _label(Convention, "tutor_email")),
    ImportColumn("start_date", _label(Convention, "start_date"), parse_date, required=True),
    ImportColumn("end_date", _label(Convention, "end_date"), parse_date, required=True),
    ImportColumn("weekly_hours", _label(Convention, "weekly_hours"), parse_decimal),
    ImportColumn("hourly_gratification_eur", _label(Convention, "hourly_gratification_eur"), parse_decimal),
    ImportColumn("monthly_resources_eur", _label(Convention, "monthly_resources_eur"), parse_decimal),
]
KINDS: dict[str, list[ImportColumn]] = {"interns": INTERN_COLUMNS, "conventions": CONVENTION_COLUMNS}


def _normal(header: Any) -> str:
    return re.sub(r"\s+", " ", plain(header).replace("'", "’")).casefold().rstrip(" *")


def _header_names(columns: list[ImportColumn]) -> dict[str, ImportColumn]:
    """Each column under its code and its label in French and in English."""
    names = {}
    for column in columns:
        names[_normal(column.name)] = column
        for language in ("fr", "en"):
            with translation.override(language):
                names[_normal(column.label)] = column
    return names


def match_headers(headers: list[Any], columns: list[ImportColumn]) -> list[ImportColumn | None]:
    """The column of each header cell (None for an empty header); unknown or missing columns raise."""
    names = _header_names(columns)
    found = [names.get(_normal(h)) if plain(h) else None for h in headers]
    unknown = [plain(h) for h, c in zip(headers, found, strict=True) if plain(h) and c is None]
    missing = [str(c.label) for c in columns if c.required and c not in found]
    problems = []
    if unknown:
        problems.append(_("unknown columns: %(names)s") % {"names": ", ".join(f"“{n}”" for n in unknown)})
    if missing:
        problems.append(_("missing columns: %(names)s") % {"names": ", ".join(f"“{n}”" for n in missing)})
    if len({c for c in found if c}) < len([c for c in found if c]):
        problems.append(_("a column appears twice"))
    if problems:
        message = _("The header row does not match the template (%(problems)s). Download the template.")
        raise ImportFileError(message % {"problems": "; ".join(problems)})
    return found
