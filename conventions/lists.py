"""Read queries of the portal's lists: interns and conventions of one organisation, filtered, searched,
sorted and annotated with their next deadline (a selectors module: no writes, always scoped to the user).

The search covers names, the sending establishment (school), the tutor, the nationality (country name in
the reader's language or in English, or its ISO code) and the references (decision reference, convention
id). It never looks at the passport number: personal data that must not be searchable (RGPD, and a list
filtered on it would reveal it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Case,
    CharField,
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import translation
from django_countries import countries

from conventions.models import Convention, ConventionState, Intern
from conventions.selectors import NEXT_DEADLINE, conventions_for_user, interns_for_user

# The next deadline that matters for a file, and which one it is: the filing deadline of a draft that
# needs a validation (null otherwise), the documents' due date while the administration waits for them,
# the administration's silence deadline for a filed one.
NEXT_DEADLINE_KIND = Case(
    When(
        state=ConventionState.DRAFT,
        validation_required=True,
        filing_deadline__isnull=False,
        then=Value("filing"),
    ),
    When(state=ConventionState.DOCUMENTS_REQUESTED, documents_due_on__isnull=False, then=Value("documents")),
    When(state=ConventionState.SUBMITTED, silence_deadline__isnull=False, then=Value("silence")),
    default=Value(""),
    output_field=CharField(),
)

DEADLINE_FILTERS = ("7", "30", "past")
CONVENTION_SORTS = {
    "name": ("intern__last_name", "intern__first_name", "pk"),
    "start": ("start_date", "pk"),
    "state": ("state", "pk"),
    "deadline": ("next_deadline", "pk"),
}
INTERN_SORTS = {
    "name": ("last_name", "first_name", "pk"),
    "start": ("latest_start", "pk"),
    "state": ("latest_state", "pk"),
    "deadline": ("next_deadline", "pk"),
}
# Longer searches are cut: nobody types 100 characters, and the ILIKE patterns stay small.
MAX_SEARCH = 100


@dataclass(frozen=True)
class ConventionFilters:
    """What the user asked for; unknown values are ignored (a hand-edited URL never breaks the page)."""

    search: str = ""
    state: str = ""
    category: str = ""
    programme: str = ""
    deadline: str = ""
    sort: str = "deadline"


def country_codes(text: str) -> list[str]:
    """ISO codes whose name (in the reader's language or in English) contains `text`, or equal to it."""
    needle = text.strip().casefold()
    if len(needle) < 2:
        return []
    codes = {code for code, name in countries if needle in str(name).casefold()}
    with translation.override("en"):
        codes |= {code for code, name in countries if needle in str(name).casefold()}
    if len(needle) == 2 and needle.upper() in dict(countries):
        codes.add(needle.upper())
    return sorted(codes)


def _reference_q(text: str, prefix: str = "") -> Q:
    """The decision reference, and the convention id when the text is a number ("12" or "#12")."""
    query = Q(**{f"{prefix}decision_reference__icontains": text})
    number = text.lstrip("#")
    if number.isdigit() and len(number) < 10:
        query |= Q(**{f"{prefix}pk": int(number)})
    return query


def _intern_name_q(text: str, prefix: str) -> Q:
    query = Q()
    for word in text.split():
        query &= Q(**{f"{prefix}first_name__icontains": word}) | Q(**{f"{prefix}last_name__icontains": word})
    return query


def convention_search_q(text: str) -> Q:
    """A convention matches on its intern's names, nationality, its school, tutor and references."""
    query = (
        _intern_name_q(text, "intern__")
        | Q(sending_establishment__icontains=text)
        | Q(tutor_name__icontains=text)
        | _reference_q(text)
    )
    codes = country_codes(text)
    return query | Q(intern__nationality__in=codes) if codes else query


def intern_search_q(text: str) -> Q:
    """An intern matches on names, nationality, and the school, tutor and references of any convention."""
    matching = Convention.objects.filter(intern=OuterRef("pk")).filter(
        Q(sending_establishment__icontains=text) | Q(tutor_name__icontains=text) | _reference_q(text)
    )
    query = _intern_name_q(text, "") | Q(Exists(matching))
    codes = country_codes(text)
    return query | Q(nationality__in=codes) if codes else query


def _deadline_q(deadline: str, today: dt.date) -> Q:
    if deadline == "past":
        return Q(next_deadline__lt=today)
    if deadline in DEADLINE_FILTERS:
        return Q(next_deadline__gte=today, next_deadline__lte=today + dt.timedelta(days=int(deadline)))
    return Q()


def _ordering(sorts: dict[str, tuple[str, ...]], sort: str) -> list[Any]:
    """A column's ordering, "-column" descending; deadlines without a date go last either way."""
    descending = sort.startswith("-")
    fields = sorts.get(sort.lstrip("-"), next(iter(sorts.values())))
    return [
        (F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_last=True)) for name in fields
    ]


def conventions_list(
    user: Any, organisation_id: int, *, filters: ConventionFilters, today: dt.date
) -> QuerySet[Convention]:
    """The organisation's conventions the user may read, annotated with `next_deadline` and
    `next_deadline_kind` ("filing", "documents", "silence" or ""), filtered and sorted (one query)."""
    rows = (
        conventions_for_user(user)
        .filter(organisation_id=organisation_id)
        .annotate(next_deadline=NEXT_DEADLINE, next_deadline_kind=NEXT_DEADLINE_KIND)
    )
    if filters.search:
        rows = rows.filter(convention_search_q(filters.search[:MAX_SEARCH]))
    if filters.state in ConventionState.values:
        rows = rows.filter(state=filters.state)
    if filters.category:
        rows = rows.filter(category=filters.category)
    if filters.programme:
        rows = rows.filter(programme=filters.programme)
    rows = rows.filter(_deadline_q(filters.deadline, today))
    return rows.order_by(*_ordering(CONVENTION_SORTS, filters.sort))


def _latest(field: str) -> Subquery:
    latest = Convention.objects.filter(intern=OuterRef("pk")).order_by("-start_date", "-pk")
    return Subquery(latest.values(field)[:1])


def _soonest(expression: Any, output: Any) -> Subquery:
    soonest = (
        Convention.objects.filter(intern=OuterRef("pk"))
        .annotate(deadline=NEXT_DEADLINE, kind=NEXT_DEADLINE_KIND)
        .filter(deadline__isnull=False)
        .order_by("deadline", "pk")
    )
    return Subquery(soonest.values(expression)[:1], output_field=output)


def interns_list(
    user: Any, organisation_id: int, *, search: str = "", sort: str = "name"
) -> QuerySet[Intern]:
    """The organisation's interns the user may read, each with its latest convention (`latest_start`,
    `latest_state`, `latest_convention_id`) and its soonest deadline (`next_deadline`,
    `next_deadline_kind`, `next_deadline_convention_id`): one query whatever the number of interns."""
    rows = (
        interns_for_user(user)
        .filter(organisation_id=organisation_id)
        .annotate(
            latest_start=_latest("start_date"),
            latest_state=_latest("state"),
            latest_convention_id=_latest("pk"),
            next_deadline=_soonest("deadline", DateField()),
            next_deadline_kind=_soonest("kind", CharField()),
        )
    )
    if search:
        rows = rows.filter(intern_search_q(search[:MAX_SEARCH]))
    return rows.order_by(*_ordering(INTERN_SORTS, sort))


def days_left(next_deadline: dt.date | None, today: dt.date) -> int | None:
    """Days to the deadline; negative when it is past."""
    return None if next_deadline is None else (next_deadline - today).days


def intern_matches(
    user: Any,
    organisation_id: int,
    *,
    email: str = "",
    last_name: str = "",
    first_name: str = "",
    date_of_birth: dt.date | None = None,
) -> list[Intern]:
    """The organisation's interns (that the user may read) with this email (case-insensitive), or else this
    last name, first name and date of birth: how an import names an intern. At most 2 rows, enough to tell
    "unknown" from "ambiguous"."""
    interns = interns_for_user(user).filter(organisation_id=organisation_id)
    if email:
        interns = interns.filter(email__iexact=email)
    elif date_of_birth is None:
        return []
    else:
        interns = interns.filter(
            last_name__iexact=last_name, first_name__iexact=first_name, date_of_birth=date_of_birth
        )
    return list(interns.order_by("pk")[:2])
