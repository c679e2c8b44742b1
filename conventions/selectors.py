"""Read queries of the domain, scoped to what the user may see (STYLE habit 4)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.db.models import Case, DateField, F, Q, QuerySet, When
from django.http import Http404

from conventions.models import (
    Avenant,
    Convention,
    DocumentItem,
    Intern,
    ResidencePermitApplication,
    TransitionLog,
    VisaApplication,
)
from conventions.models.conventions import CONVENTION_OPEN_STATES
from hostportal.selectors import organisations_for_user

if TYPE_CHECKING:
    from conventions.services.sweep import SweepReport


def interns_for_user(user: Any) -> QuerySet[Intern]:
    return Intern.objects.filter(organisation__in=organisations_for_user(user))


def conventions_for_user(user: Any) -> QuerySet[Convention]:
    return Convention.objects.filter(organisation__in=organisations_for_user(user)).select_related(
        "intern", "organisation"
    )


def avenants_for_user(user: Any) -> QuerySet[Avenant]:
    return Avenant.objects.filter(organisation__in=organisations_for_user(user)).select_related(
        "convention__intern", "organisation"
    )


def permits_for_user(user: Any) -> QuerySet[ResidencePermitApplication]:
    return ResidencePermitApplication.objects.filter(organisation__in=organisations_for_user(user))


def visas_for_user(user: Any) -> QuerySet[VisaApplication]:
    return VisaApplication.objects.filter(organisation__in=organisations_for_user(user))


def documents_for_user(user: Any) -> QuerySet[DocumentItem]:
    return DocumentItem.objects.filter(organisation__in=organisations_for_user(user))


def transition_logs_for_user(user: Any) -> QuerySet[TransitionLog]:
    return TransitionLog.objects.filter(organisation__in=organisations_for_user(user))


def convention_get_for_user(user: Any, pk: int) -> Convention:
    """The convention, or Http404 - the same answer for another organisation's file as for a missing one."""
    try:
        return conventions_for_user(user).get(pk=pk)
    except Convention.DoesNotExist as exc:
        raise Http404("No such convention.") from exc


def conventions_due_for_filing(user: Any, *, today: dt.date, within_days: int) -> QuerySet[Convention]:
    """Drafts that need a validation and whose filing deadline falls within `within_days` (or is past)."""
    return conventions_for_user(user).filter(
        state="draft", validation_required=True, filing_deadline__lte=today + dt.timedelta(days=within_days)
    )


def open_conventions(user: Any) -> QuerySet[Convention]:
    return conventions_for_user(user).filter(state__in=CONVENTION_OPEN_STATES)


def describe_files(report: SweepReport) -> Iterator[str]:
    """One line per file the sweep moved (a fixed 3 queries, whatever the number of files)."""
    for convention in Convention.objects.filter(pk__in=report.conventions_refused).select_related("intern"):
        yield (
            f"convention #{convention.pk} ({convention.intern}): refused by silence "
            f"(silence deadline {convention.silence_deadline:%Y-%m-%d})"
        )
    for avenant in Avenant.objects.filter(pk__in=report.avenants_accepted).select_related(
        "convention__intern"
    ):
        yield (
            f"avenant #{avenant.pk} ({avenant.convention.intern}): accepted by silence "
            f"(silence deadline {avenant.silence_deadline:%Y-%m-%d}), "
            f"end date now {avenant.requested_end_date:%Y-%m-%d}"
        )
    permits = ResidencePermitApplication.objects.filter(pk__in=report.permits_refused).select_related(
        "convention__intern"
    )
    for permit in permits:
        yield (
            f"carte de séjour application #{permit.pk} ({permit.convention.intern}): refused by silence "
            f"(silence deadline {permit.silence_deadline:%Y-%m-%d})"
        )


# The next deadline that matters for a convention or an avenant: filing for a draft that needs a
# validation, the date set for the documents while they are awaited (CRPA L114-5), the administration's
# silence deadline once submitted.
NEXT_DEADLINE = Case(
    When(state="draft", validation_required=True, then=F("filing_deadline")),
    When(state="documents_requested", then=F("documents_due_on")),
    When(state="submitted", then=F("silence_deadline")),
    default=None,
    output_field=DateField(),
)


def overdue_q(today: dt.date) -> Q:
    """A draft past its filing deadline, or a submitted file past its silence deadline (the sweep is due)."""
    return Q(state="draft", validation_required=True, filing_deadline__lt=today) | Q(
        state="submitted", silence_deadline__lt=today
    )


def days_left(next_deadline: dt.date | None, today: dt.date) -> int | None:
    """Days to the next deadline; negative when it is past (overdue)."""
    return None if next_deadline is None else (next_deadline - today).days


def overlapping_conventions(convention: Convention) -> list[Convention]:
    """The intern's other conventions whose stay overlaps this one (refused or given-up ones excluded):
    an intern follows one stage at a time."""
    end = convention.effective_end_date or convention.end_date
    return list(
        Convention.objects.filter(
            intern_id=convention.intern_id, start_date__lte=end, effective_end_date__gte=convention.start_date
        )
        .exclude(pk=convention.pk)
        .exclude(state__in=["refused", "refused_by_silence", "withdrawn"])
        .order_by("start_date")
    )
