"""Running an import: every row through its service, in one transaction, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from conventions.lists import intern_matches
from conventions.models import Channel, Convention, Intern
from conventions.services import convention_create
from conventions.services.interns import intern_create
from hostportal.models import Organisation
from hostportal.portal.imports.columns import INTERN_KEYS, KINDS, ImportColumn, match_headers
from hostportal.portal.imports.reading import MAX_CELL, plain, read_table

# --- running an import ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    message: str


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    created: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    committed: bool = False


def parse_row(
    cells: list[Any], columns: list[ImportColumn | None], number: int
) -> tuple[dict[str, Any], list[RowError]]:
    """The service's keyword arguments of one row (empty cells left out), or the errors of its cells."""
    values: dict[str, Any] = {}
    errors = []
    for cell, column in zip(cells, columns, strict=False):
        if column is None or not plain(cell):
            continue
        if len(plain(cell)) > MAX_CELL:
            errors.append(
                RowError(
                    number,
                    str(column.label),
                    _("This cell is too long (at most %(max)s characters).") % {"max": MAX_CELL},
                )
            )
            continue
        try:
            values[column.name] = column.parse(cell)
        except ValueError as exc:
            errors.append(RowError(number, str(column.label), str(exc)))
    return values, errors


def _labels(kind: str) -> dict[str, str]:
    model = Intern if kind == "interns" else Convention
    labels = {f.name: str(f.verbose_name) for f in model._meta.fields}
    return labels | {c.name: str(c.label) for c in KINDS[kind]}


def validation_errors(exc: ValidationError, number: int, kind: str) -> list[RowError]:
    """A service's ValidationError as report lines naming the column as the user sees it."""
    labels = _labels(kind)
    if not hasattr(exc, "error_dict"):
        return [RowError(number, "—", message) for message in exc.messages]
    return [
        RowError(number, labels.get(name, "—") if name != "__all__" else "—", message)
        for name, errors in exc.error_dict.items()
        for message in ValidationError(errors).messages
    ]


def _find_intern(values: dict[str, Any], actor: Any, organisation: Organisation) -> Intern:
    """The one intern of the organisation the row names; unknown or ambiguous is a ValidationError."""
    keys = {column.name: values.pop(column.name, None) for column in INTERN_KEYS}
    if keys["intern_email"]:
        found = intern_matches(actor, organisation.pk, email=keys["intern_email"])
        described = keys["intern_email"]
    elif keys["intern_last_name"] and keys["intern_first_name"] and keys["intern_date_of_birth"]:
        found = intern_matches(
            actor,
            organisation.pk,
            last_name=keys["intern_last_name"],
            first_name=keys["intern_first_name"],
            date_of_birth=keys["intern_date_of_birth"],
        )
        described = f"{keys['intern_first_name']} {keys['intern_last_name']}"
    else:
        message = _("Name the intern: their email, or their last name, first name and date of birth.")
        raise ValidationError({"intern_email": message})
    if not found:
        raise ValidationError(
            {
                "intern_email": _("No intern “%(who)s” in %(organisation)s: import the intern first.")
                % {"who": described, "organisation": organisation.name}
            }
        )
    if len(found) > 1:
        raise ValidationError(
            {
                "intern_email": _("Several interns match “%(who)s”: name the intern by their email.")
                % {"who": described}
            }
        )
    return found[0]


def _check_new_intern(values: dict[str, Any], actor: Any, organisation: Organisation) -> None:
    """A second intern with the same email, or the same names and birth date, could not be named later."""
    email = values.get("email", "")
    if email and intern_matches(actor, organisation.pk, email=email):
        raise ValidationError(
            {
                "email": _("An intern with this email already exists in %(organisation)s.")
                % {"organisation": organisation.name}
            }
        )
    same = intern_matches(
        actor,
        organisation.pk,
        last_name=values.get("last_name", ""),
        first_name=values.get("first_name", ""),
        date_of_birth=values.get("date_of_birth"),
    )
    if same:
        raise ValidationError(
            _("This intern already exists in %(organisation)s (same names and date of birth).")
            % {"organisation": organisation.name}
        )


def _create(kind: str, values: dict[str, Any], actor: Any, organisation: Organisation) -> str:
    """Create one row through its service; returns how the preview names it."""
    if kind == "interns":
        _check_new_intern(values, actor, organisation)
        return str(intern_create(actor=actor, organisation=organisation, **values))
    intern = _find_intern(values, actor, organisation)
    convention = convention_create(
        actor=actor, organisation=organisation, intern=intern, channel=Channel.WEB, **values
    )
    return f"{intern} — {convention.start_date:%Y-%m-%d} → {convention.end_date:%Y-%m-%d}"


def run_import(
    *, kind: str, actor: Any, organisation: Organisation, name: str, content: bytes, commit: bool
) -> ImportReport:
    """Parse and create every row in one transaction; roll it all back on any error or when not `commit`.

    Raises ImportFileError when the file itself is unusable; PermissionDenied from the services for a
    viewer (the view checks first)."""
    headers, rows = read_table(name, content)
    columns = match_headers(headers, KINDS[kind])
    report = ImportReport(kind=kind, rows=len(rows))
    with transaction.atomic():
        for index, cells in enumerate(rows):
            number = index + 2  # the spreadsheet's row number: row 1 is the header
            values, errors = parse_row(cells, columns, number)
            report.errors += errors
            if errors:
                continue
            try:
                with transaction.atomic():  # a savepoint: the next rows still get checked
                    report.created.append(_create(kind, values, actor, organisation))
            except ValidationError as exc:
                report.errors += validation_errors(exc, number, kind)
        report.committed = commit and not report.errors
        if not report.committed:
            transaction.set_rollback(True)
    return report
