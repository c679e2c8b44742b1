"""The bridge between stored files and the pure rule engine: build its input, store its dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from conventions.models import Avenant, Convention, ConventionState, LegalParameter
from conventions.rules import (
    BUILTIN_PARAMETERS,
    Category,
    CheckInput,
    CheckResult,
    Kind,
    ParameterValue,
    Programme,
    evaluate,
    hospital_total_warning,
)

# A refused or given-up hospital stage never happened: it does not count towards the 24 months (RULES §4).
NOT_COUNTED_STATES = (
    ConventionState.WITHDRAWN,
    ConventionState.REFUSED,
    ConventionState.REFUSED_BY_SILENCE,
)


def load_parameters() -> Sequence[ParameterValue]:
    """The legal parameters in force, from the database (seeded from the built-in table)."""
    rows = [
        ParameterValue(key=row.key, effective_from=row.effective_from, value=row.value, source=row.source)
        for row in LegalParameter.objects.all()
    ]
    return tuple(rows) or BUILTIN_PARAMETERS


def _programme(value: str) -> Programme | None:
    return Programme(value) if value else None


def convention_check_input(convention: Convention, *, today: dt.date) -> CheckInput:
    return CheckInput(
        kind=Kind.CONVENTION,
        category=Category(convention.category),
        nationality=str(convention.intern.nationality),
        start_date=convention.start_date,
        end_date=convention.end_date,
        new_end_date=None,
        programme=_programme(convention.programme),
        received_on=convention.received_on,
        documents_requested_on=convention.documents_requested_on,
        documents_due_on=convention.documents_due_on,
        documents_received_on=convention.documents_received_on,
        acknowledged_decision_on=convention.acknowledged_decision_on,
        monthly_resources_eur=convention.monthly_resources_eur,
        hourly_gratification_eur=convention.hourly_gratification_eur,
        weekly_hours=convention.weekly_hours,
        same_group=convention.same_group,
        today=today,
    )


def avenant_check_input(avenant: Avenant, *, today: dt.date) -> CheckInput:
    convention = avenant.convention
    return CheckInput(
        kind=Kind.AVENANT,
        category=Category(convention.category),
        nationality=str(convention.intern.nationality),
        start_date=convention.start_date,
        end_date=avenant.previous_end_date,
        new_end_date=avenant.requested_end_date,
        programme=_programme(convention.programme),
        received_on=avenant.received_on,
        documents_requested_on=avenant.documents_requested_on,
        documents_due_on=avenant.documents_due_on,
        documents_received_on=avenant.documents_received_on,
        acknowledged_decision_on=avenant.acknowledged_decision_on,
        monthly_resources_eur=convention.monthly_resources_eur,
        hourly_gratification_eur=convention.hourly_gratification_eur,
        weekly_hours=convention.weekly_hours,
        same_group=convention.same_group,
        prior_extensions=avenant.prior_extensions,
        today=today,
    )


def hospital_stays(convention: Convention, *, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The intern's hospital stages that count: this one (start to `end`) and the others as stored.

    The others run to their end date in force; this one is taken as evaluated (a draft's new dates, an
    avenant's requested end), so it is never read back from the database.
    """
    others = Convention.objects.filter(intern_id=convention.intern_id, category=Category.HOPITAL.value)
    if convention.pk is not None:
        others = others.exclude(pk=convention.pk)
    stored = others.exclude(state__in=NOT_COUNTED_STATES).values_list("start_date", "effective_end_date")
    return [(convention.start_date, end), *stored]


def _with_hospital_total(result: CheckResult, convention: Convention, end: dt.date) -> CheckResult:
    """Hospital stages total at most 24 months per intern (RULES §4): the engine sees one file only."""
    if convention.category != Category.HOPITAL.value:
        return result
    found = hospital_total_warning(hospital_stays(convention, end=end))
    return result.with_warnings([found]) if found is not None else result


def convention_evaluate(
    convention: Convention, *, today: dt.date, parameters: Sequence[ParameterValue] | None = None
) -> CheckResult:
    """The full rule evaluation of a convention (dates, money, warnings, and why each date).

    Adds the intern's hospital total to the engine's answer for a hospital stage.
    """
    result = evaluate(
        convention_check_input(convention, today=today), parameters=parameters or load_parameters()
    )
    end = convention.effective_end_date or convention.end_date  # a file being built may not have it yet
    return _with_hospital_total(result, convention, end)


def avenant_evaluate(
    avenant: Avenant, *, today: dt.date, parameters: Sequence[ParameterValue] | None = None
) -> CheckResult:
    """The rule evaluation of an avenant; for a hospital stage, the intern's total with its requested end."""
    result = evaluate(avenant_check_input(avenant, today=today), parameters=parameters or load_parameters())
    return _with_hospital_total(result, avenant.convention, avenant.requested_end_date)


def apply_result(instance: Any, result: CheckResult) -> None:
    """Store what the rules computed in the indexed columns the sweep and the reminders query."""
    if hasattr(instance, "regime"):
        instance.regime = str(result.regime)
    instance.validation_required = result.validation_required
    instance.filing_deadline = result.filing_deadline
    instance.silence_deadline = result.silence_deadline
