"""Read queries for the dashboard's timeline and indicators, scoped by organisation id.

The caller (the portal) resolves the organisation the user may see; every query here filters on it.
Each function runs a fixed number of queries whatever the number of files: aggregates and ordering are
done in SQL, and the rows read are bounded (a `limit`, or the two middle values for the median).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Case,
    Count,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Least, RowNumber

from conventions.models import Convention, Intern, ResidencePermitApplication
from conventions.models.avenants import AVENANT_OPEN_STATES
from conventions.models.conventions import ConventionState
from conventions.selectors import overdue_q

# A decision was taken (explicitly or by silence) on a filed convention.
DECIDED_STATES = [ConventionState.VALIDATED, ConventionState.REFUSED, ConventionState.REFUSED_BY_SILENCE]
# No stay happens after these: they leave the timeline.
NO_STAY_STATES = [ConventionState.REFUSED, ConventionState.REFUSED_BY_SILENCE, ConventionState.WITHDRAWN]
FAR_FUTURE = dt.date(9999, 12, 31)  # sorts the stays without a pending deadline last (Least ignores none)


@dataclass(frozen=True)
class TimelineRow:
    """One stay and its pending deadlines (kind keys as in hostportal.portal.timeline.KINDS)."""

    convention_id: int
    intern_name: str
    state: str
    start: dt.date
    end: dt.date
    requested_end: dt.date | None
    deadlines: tuple[tuple[str, dt.date], ...]


def _date_subquery(queryset: QuerySet[Any], name: str) -> Subquery:
    return Subquery(queryset.values(name)[:1], output_field=DateField())


def _permit_date(organisation_id: int, state: str, name: str) -> Case:
    """The date `name` of the stay's latest carte de séjour application in `state`. The lookup runs only
    for the stays that have one (a hashed list of the organisation's few applications in that state), not
    for every stay of the window."""
    permits = ResidencePermitApplication.objects.filter(state=state)
    latest = permits.filter(convention=OuterRef("pk")).order_by("-pk")
    having = permits.filter(organisation_id=organisation_id).values("convention_id")
    return Case(
        When(pk__in=having, then=_date_subquery(latest, name)), default=None, output_field=DateField()
    )


def _joined(organisation_id: int) -> dict[str, FilteredRelation]:
    """The stay's open avenant (at most one: avenant_one_open_per_convention) and its visa while the OFII
    validation is pending, as one join each rather than a subquery per stay and kind. Every file carries
    its convention's organisation: on that organisation's rows only, PostgreSQL hashes a few rows."""
    return {
        "open_avenant": FilteredRelation(
            "avenants",
            condition=Q(avenants__state__in=AVENANT_OPEN_STATES, avenants__organisation_id=organisation_id),
        ),
        "pending_visa": FilteredRelation(
            "visa",
            condition=Q(
                visa__organisation_id=organisation_id,
                visa__state="issued",
                visa__ofii_validated_on__isnull=True,
            ),
        ),
    }


# Each pending deadline of a stay, by the state that makes it pending (None otherwise), as SQL expressions
# over the stay and its `_joined` rows: the columns the rule engine stores (filing/silence deadlines,
# OFII, the permit's window).
def _deadline_expressions(organisation_id: int) -> dict[str, Any]:
    def when(condition: Q, value: Any) -> Case:
        return Case(When(condition, then=value), default=None, output_field=DateField())

    return {
        "filing": when(Q(state="draft", validation_required=True), F("filing_deadline")),
        "silence": when(Q(state="submitted"), F("silence_deadline")),
        "documents": Coalesce(
            when(Q(state="documents_requested"), F("documents_due_on")),
            when(Q(open_avenant__state="documents_requested"), F("open_avenant__documents_due_on")),
        ),
        "avenant_filing": when(
            Q(open_avenant__state="draft", open_avenant__validation_required=True),
            F("open_avenant__filing_deadline"),
        ),
        "avenant_silence": when(Q(open_avenant__state="submitted"), F("open_avenant__silence_deadline")),
        "ofii": F("pending_visa__ofii_validation_deadline"),
        "permit_opens": _permit_date(organisation_id, "to_file", "filing_opens_on"),
        "permit_filing": _permit_date(organisation_id, "to_file", "filing_deadline"),
        "permit_silence": _permit_date(organisation_id, "filed", "silence_deadline"),
    }


# "permit_opens" is not a task (the window opening): it is drawn but does not make a stay urgent.
URGENT_KINDS = (
    "filing",
    "silence",
    "documents",
    "avenant_filing",
    "avenant_silence",
    "ofii",
    "permit_filing",
)


def _stays(organisation_id: int, start: dt.date, end: dt.date) -> QuerySet[Convention]:
    """The stays that overlap the window, and the drafts still to file whose stay starts after it."""
    in_window = Q(start_date__lte=end, effective_end_date__gte=start)
    to_file = Q(state="draft", validation_required=True, filing_deadline__lte=end, start_date__gt=end)
    return (
        Convention.objects.filter(organisation_id=organisation_id)
        .exclude(state__in=NO_STAY_STATES)
        .filter(in_window | to_file)
    )


def _intern(name: str) -> Subquery:
    return Subquery(Intern.objects.filter(pk=OuterRef("intern_id")).order_by().values(name)[:1])


def timeline_rows(
    organisation_id: int, *, start: dt.date, end: dt.date, limit: int = 25
) -> tuple[list[TimelineRow], int]:
    """The `limit` stays of the window closest to a pending deadline (the earliest first, late ones
    included), and how many stays the window holds in all. One query: every stay of the window is read
    for its nearest urgent deadline (with its `_joined` rows) and counted, but what is only shown (the
    intern's name, the carte de séjour's other dates) are subqueries outside the sort key, which
    PostgreSQL evaluates after the limit, for the kept rows only (on hp_gen's 10,000-convention
    organisation: 4,342 stays, from about 95 ms to 30 ms)."""
    kinds = _deadline_expressions(organisation_id)
    nearest = Least(*(Coalesce(F(f"d_{kind}"), Value(FAR_FUTURE)) for kind in URGENT_KINDS))
    rows = (
        _stays(organisation_id, start, end)
        .annotate(**_joined(organisation_id))
        .annotate(**{f"d_{kind}": expression for kind, expression in kinds.items()})
        .annotate(
            nearest=nearest,
            requested_end=F("open_avenant__requested_end_date"),
            first_name=_intern("first_name"),
            last_name=_intern("last_name"),
            total=Window(Count("pk")),  # every stay of the window, counted before the limit: no 2nd query
        )
        .order_by("nearest", "start_date", "pk")
        .values(
            "pk", "state", "start_date", "effective_end_date", "requested_end", "first_name", "last_name",
            "total", *(f"d_{kind}" for kind in kinds),
        )[:limit]
    )  # fmt: skip
    found = list(rows)
    return [_row(row, list(kinds)) for row in found], found[0]["total"] if found else 0


def _row(row: dict[str, Any], kinds: list[str]) -> TimelineRow:
    return TimelineRow(
        convention_id=row["pk"],
        intern_name=f"{row['first_name']} {row['last_name'].upper()}",  # as Intern.__str__
        state=row["state"],
        start=row["start_date"],
        end=row["effective_end_date"],
        requested_end=row["requested_end"],
        deadlines=tuple((kind, row[f"d_{kind}"]) for kind in kinds if row[f"d_{kind}"] is not None),
    )


@dataclass(frozen=True)
class Kpis:
    """The dashboard's indicators over one organisation's conventions."""

    decided: int  # validated, refused or refused by silence
    refused_by_silence: int
    timed: int  # decided ones with both a filing (received_on) and a decision date
    median_days: float | None  # from received_on to decision_on, over the timed ones
    overdue: int  # drafts past their filing deadline (validation needed), submitted past their silence one
    by_state: dict[str, int] = field(default_factory=dict)  # every state, 0 included

    @property
    def median_rounded(self) -> int | None:
        """For the plural of "day" (a median of two middle values can be a half day)."""
        return None if self.median_days is None else round(self.median_days)

    @property
    def refused_by_silence_percent(self) -> int | None:
        return None if not self.decided else round(100 * self.refused_by_silence / self.decided)


def kpis(organisation_id: int, *, today: dt.date) -> Kpis:
    """The counts (by state too) in one aggregate query, then the median in one more (only when a
    decided file has both dates)."""
    conventions = Convention.objects.filter(organisation_id=organisation_id)
    timed = Q(state__in=DECIDED_STATES, received_on__isnull=False, decision_on__isnull=False)
    counts = conventions.aggregate(
        decided=Count("pk", filter=Q(state__in=DECIDED_STATES)),
        refused_by_silence=Count("pk", filter=Q(state=ConventionState.REFUSED_BY_SILENCE)),
        timed=Count("pk", filter=timed),
        overdue=Count("pk", filter=overdue_q(today)),
        **{f"state_{state.value}": Count("pk", filter=Q(state=state.value)) for state in ConventionState},
    )
    by_state = {state.value: counts.pop(f"state_{state.value}") for state in ConventionState}
    median = _median_days(conventions.filter(timed)) if counts["timed"] else None
    return Kpis(median_days=median, by_state=by_state, **counts)


def _median_days(decided: QuerySet[Convention]) -> float | None:
    """The median delay: the mean of the one or two middle values of the sorted delays, picked in SQL by
    their rank (window functions: the same query on SQLite and PostgreSQL, two rows read at most)."""
    delay = ExpressionWrapper(F("decision_on") - F("received_on"), output_field=DurationField())
    ranked = decided.annotate(
        delay=delay,
        rank=Window(RowNumber(), order_by=[F("delay").asc(), F("pk").asc()]),
        n=Window(Count("pk")),
    )
    # rank is 1-based: n = 4 keeps ranks 2 and 3; n = 3 keeps rank 2 (integer division on both databases).
    middle = list(
        ranked.filter(rank__gte=(F("n") + 1) / 2, rank__lte=(F("n") + 2) / 2).values_list("delay", flat=True)
    )
    return sum(value.days for value in middle) / len(middle) if middle else None


def late_files(overdue: int, late_items: list[tuple[str, int, str]]) -> int:
    """Files late: the overdue conventions (counted in SQL) plus the other files act_now reports late.

    `late_items` are (file type, pk, deadline kind) of act_now's late rows; a late convention filing is
    already among the overdue conventions, so it is not counted twice."""
    others = {
        (file_type, pk) for file_type, pk, kind in late_items if (file_type, kind) != ("convention", "filing")
    }
    return overdue + len(others)
