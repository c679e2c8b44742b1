"""The portal's lists of interns and conventions, and their export to CSV and Excel (thin views over
conventions.lists; the current organisation only, never a passport number)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

import tablib
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from conventions.lists import (
    DEADLINE_FILTERS,
    ConventionFilters,
    conventions_list,
    days_left,
    interns_list,
)
from conventions.models import Convention, ConventionState, Intern
from conventions.models.common import CATEGORY_CHOICES, PROGRAMME_CHOICES
from hostportal.models import Organisation
from hostportal.permissions import can_write
from hostportal.portal.context import current_organisation
from hostportal.selectors import organisations_for_user

PER_PAGE = 50
DEADLINE_KINDS = {
    "filing": gettext_lazy("Filing deadline"),
    "documents": gettext_lazy("Documents due"),
    "silence": pgettext_lazy("next deadline", "Silence deadline (administration)"),
}
DEADLINE_CHOICES = [
    ("7", gettext_lazy("Within 7 days")),
    ("30", gettext_lazy("Within 30 days")),
    ("past", gettext_lazy("Past")),
]
STATE_LABELS = dict(ConventionState.choices)
SORT_COLUMNS = [
    ("name", gettext_lazy("Name")),
    ("start", gettext_lazy("Start date")),
    ("state", gettext_lazy("State")),
    ("deadline", gettext_lazy("Next deadline")),
]


def _organisation(request: HttpRequest) -> Organisation:
    organisation = current_organisation(request)
    if organisation is None:  # a user of no organisation has no list to see
        raise Http404
    return organisation


def _filters(request: HttpRequest, default_sort: str) -> ConventionFilters:
    get = request.GET
    return ConventionFilters(
        search=get.get("q", "").strip(),
        state=get.get("state", ""),
        category=get.get("category", ""),
        programme=get.get("programme", ""),
        deadline=get.get("deadline", "") if get.get("deadline", "") in DEADLINE_FILTERS else "",
        sort=get.get("sort", default_sort) or default_sort,
    )


def _page(request: HttpRequest, rows: QuerySet[Any]) -> Page[Any]:
    return Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))


def _decorate(rows: Iterable[Any], today: dt.date) -> None:
    """Add what the templates and exports show: days left, which deadline, the state's label."""
    for row in rows:
        row.days_left = days_left(row.next_deadline, today)
        row.days_late = -row.days_left if row.days_left is not None and row.days_left < 0 else 0
        row.deadline_label = DEADLINE_KINDS.get(row.next_deadline_kind, "")
        state = getattr(row, "latest_state", None) if isinstance(row, Intern) else row.state
        row.state_label = STATE_LABELS.get(state, "") if state else ""


def _sort_links(request: HttpRequest, current: str) -> list[dict[str, Any]]:
    """Each sortable header: its link (same filters, this column, the other direction when it is current)."""
    links = []
    for key, label in SORT_COLUMNS:
        query = request.GET.copy()
        query.pop("page", None)
        query["sort"] = f"-{key}" if current == key else key
        direction = "ascending" if current == key else "descending" if current == f"-{key}" else ""
        links.append({"key": key, "label": label, "query": query.urlencode(), "direction": direction})
    return links


def _context(request: HttpRequest, organisation: Organisation, **extra: Any) -> dict[str, Any]:
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "organisation": organisation,
        "organisations": list(organisations_for_user(request.user).order_by("name")),
        "can_import": can_write(request.user, organisation.pk),
        "query": query.urlencode(),
        **extra,
    }


@login_required
def conventions_page(request: HttpRequest) -> HttpResponse:
    """The organisation's conventions: filters, search, sortable columns, 50 a page."""
    organisation = _organisation(request)
    today = timezone.localdate()
    filters = _filters(request, "deadline")
    page = _page(request, conventions_list(request.user, organisation.pk, filters=filters, today=today))
    _decorate(page, today)
    context = _context(
        request,
        organisation,
        page=page,
        filters=filters,
        sort_links=_sort_links(request, filters.sort),
        states=ConventionState.choices,
        categories=CATEGORY_CHOICES,
        programmes=PROGRAMME_CHOICES,
        deadlines=DEADLINE_CHOICES,
        today=today,
    )
    return render(request, "portal/lists/conventions.html", context)


@login_required
def interns_page(request: HttpRequest) -> HttpResponse:
    """The organisation's interns with their latest convention and soonest deadline, 50 a page."""
    organisation = _organisation(request)
    today = timezone.localdate()
    filters = _filters(request, "name")
    rows = interns_list(request.user, organisation.pk, search=filters.search, sort=filters.sort)
    page = _page(request, rows)
    _decorate(page, today)
    context = _context(
        request, organisation, page=page, filters=filters, sort_links=_sort_links(request, filters.sort)
    )
    return render(request, "portal/lists/interns.html", context)


# --- export ------------------------------------------------------------------------------------------------

Column = tuple[Any, Callable[[Any], Any]]


def _text(value: Any) -> str:
    """A cell as text; a leading = + - @ is neutralised so that a spreadsheet never runs it as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


CONVENTION_COLUMNS: list[Column] = [
    (gettext_lazy("Convention no."), lambda c: c.pk),
    (Intern._meta.get_field("last_name").verbose_name, lambda c: _text(c.intern.last_name)),
    (Intern._meta.get_field("first_name").verbose_name, lambda c: _text(c.intern.first_name)),
    (Intern._meta.get_field("nationality").verbose_name, lambda c: str(c.intern.nationality.name)),
    (Convention._meta.get_field("category").verbose_name, lambda c: str(c.get_category_display())),
    (Convention._meta.get_field("programme").verbose_name, lambda c: str(c.get_programme_display())),
    (
        Convention._meta.get_field("sending_establishment").verbose_name,
        lambda c: _text(c.sending_establishment),
    ),
    (Convention._meta.get_field("tutor_name").verbose_name, lambda c: _text(c.tutor_name)),
    (Convention._meta.get_field("start_date").verbose_name, lambda c: c.start_date),
    (Convention._meta.get_field("effective_end_date").verbose_name, lambda c: c.effective_end_date),
    (gettext_lazy("State"), lambda c: str(c.state_label)),
    (gettext_lazy("Next deadline"), lambda c: c.next_deadline),
    (gettext_lazy("Which deadline"), lambda c: str(c.deadline_label)),
    (gettext_lazy("Days left"), lambda c: c.days_left),
    (Convention._meta.get_field("decision_reference").verbose_name, lambda c: _text(c.decision_reference)),
]
# The passport number is left out on purpose: an export leaves the application and its safeguards.
INTERN_COLUMNS: list[Column] = [
    (gettext_lazy("Intern no."), lambda i: i.pk),
    (Intern._meta.get_field("last_name").verbose_name, lambda i: _text(i.last_name)),
    (Intern._meta.get_field("first_name").verbose_name, lambda i: _text(i.first_name)),
    (Intern._meta.get_field("nationality").verbose_name, lambda i: str(i.nationality.name)),
    (Intern._meta.get_field("date_of_birth").verbose_name, lambda i: i.date_of_birth),
    (Intern._meta.get_field("email").verbose_name, lambda i: _text(i.email)),
    (Intern._meta.get_field("country_of_residence").verbose_name, lambda i: str(i.country_of_residence.name)),
    (gettext_lazy("Latest convention starts"), lambda i: i.latest_start),
    (gettext_lazy("State"), lambda i: str(i.state_label)),
    (gettext_lazy("Next deadline"), lambda i: i.next_deadline),
    (gettext_lazy("Which deadline"), lambda i: str(i.deadline_label)),
    (gettext_lazy("Days left"), lambda i: i.days_left),
]
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def dataset(rows: Iterable[Any], columns: list[Column], title: str) -> tablib.Dataset:
    """The rows as a table whose headers are in the reader's language; dates stay dates (ISO in CSV)."""
    data = tablib.Dataset(headers=[str(label) for label, _get in columns], title=title[:31])
    for row in rows:
        data.append([get(row) for _label, get in columns])
    return data


def export_response(data: tablib.Dataset, file_format: str, name: str) -> HttpResponse:
    if file_format == "xlsx":
        content: bytes = data.export("xlsx")
    else:
        file_format = "csv"
        # The BOM lets Excel open the UTF-8 file with its accents right.
        content = ("\ufeff" + data.export("csv")).encode("utf-8")
    response = HttpResponse(content, content_type=FORMATS[file_format])
    response["Content-Disposition"] = (
        f'attachment; filename="{name}-{timezone.localdate():%Y-%m-%d}.{file_format}"'
    )
    return response


@login_required
def conventions_export(request: HttpRequest) -> HttpResponse:
    """The current filtered list of conventions (every page), as CSV or Excel."""
    organisation = _organisation(request)
    today = timezone.localdate()
    rows = list(
        conventions_list(request.user, organisation.pk, filters=_filters(request, "deadline"), today=today)
    )
    _decorate(rows, today)
    data = dataset(rows, CONVENTION_COLUMNS, _("Conventions"))
    return export_response(data, request.GET.get("format", "csv"), "conventions")


@login_required
def interns_export(request: HttpRequest) -> HttpResponse:
    """The current filtered list of interns (every page, no passport number), as CSV or Excel."""
    organisation = _organisation(request)
    today = timezone.localdate()
    filters = _filters(request, "name")
    rows = list(interns_list(request.user, organisation.pk, search=filters.search, sort=filters.sort))
    _decorate(rows, today)
    data = dataset(rows, INTERN_COLUMNS, _("Interns"))
    return export_response(data, request.GET.get("format", "csv"), "interns")
