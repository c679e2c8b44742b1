"""The bridge between stored files and the pure rule engine: build its input, store its dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from conventions.models import Avenant, Convention, LegalParameter
from conventions.rules import (
    BUILTIN_PARAMETERS,
    Category,
    CheckInput,
    CheckResult,
    Kind,
    ParameterValue,
    Programme,
    evaluate,
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
        documents_received_on=convention.documents_received_on,
        monthly_resources_eur=convention.monthly_resources_eur,
        hourly_gratification_eur=convention.hourly_gratification_eur,
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
        documents_received_on=avenant.documents_received_on,
        monthly_resources_eur=convention.monthly_resources_eur,
        hourly_gratification_eur=convention.hourly_gratification_eur,
        same_group=convention.same_group,
        today=today,
    )


def convention_evaluate(
    convention: Convention, *, today: dt.date, parameters: Sequence[ParameterValue] | None = None
) -> CheckResult:
    """The full rule evaluation of a convention (dates, money, warnings, and why each date)."""
    return evaluate(
        convention_check_input(convention, today=today), parameters=parameters or load_parameters()
    )


def avenant_evaluate(
    avenant: Avenant, *, today: dt.date, parameters: Sequence[ParameterValue] | None = None
) -> CheckResult:
    return evaluate(avenant_check_input(avenant, today=today), parameters=parameters or load_parameters())


def apply_result(instance: Any, result: CheckResult) -> None:
    """Store what the rules computed in the indexed columns the sweep and the reminders query."""
    if hasattr(instance, "regime"):
        instance.regime = str(result.regime)
    instance.validation_required = result.validation_required
    instance.filing_deadline = result.filing_deadline
    instance.silence_deadline = result.silence_deadline
