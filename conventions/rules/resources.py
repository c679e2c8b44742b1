"""RULES §3: which minimum applies, whether the declared amount meets it, and the related warnings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from . import sources
from .base import (
    Category,
    ExplainedAmount,
    Explanation,
    Programme,
    SourcedWarning,
    WarningCode,
    eur,
    sourced_warning,
)
from .months import add_months, stay_exceeds_months
from .parameters import (
    ENTREPRISE_MONTHLY_MINIMUM,
    HOSPITAL_HOURLY_GRATIFICATION_MINIMUM,
    SMIC_MONTHLY_GROSS,
    ParameterValue,
    parameter_change_during,
    parameter_in_force,
    parameter_label,
)

# Code de l'éducation L124-6: gratification owed for a stage of more than 2 months (RULES 1.1 month rule).
GRATIFICATION_MONTHS = 2

MONTHLY_KEYS: dict[Category, str] = {
    Category.ENTREPRISE: ENTREPRISE_MONTHLY_MINIMUM,
    Category.FORMATION_CONTINUE: SMIC_MONTHLY_GROSS,
}


@dataclass(frozen=True)
class Sufficiency:
    """`value` is None when the amount the category's minimum is about was not given."""

    value: bool | None
    explanation: Explanation | None


def _in_force(parameters: Sequence[ParameterValue], key: str, start_date: date) -> ExplainedAmount:
    row = parameter_in_force(parameters, key, start_date)
    rule = (
        f"{parameter_label(key)} in force on start date "
        f"{start_date}: {eur(row.value)} EUR (effective from {row.effective_from})"
    )
    return ExplainedAmount(row.value, Explanation(rule=rule, source=row.source))


def gratification_owed(*, category: Category, start_date: date, stay_end: date) -> bool:
    """L124-6: student stages (entreprise) of more than 2 months must pay the hourly gratification."""
    return category == Category.ENTREPRISE and stay_exceeds_months(start_date, stay_end, GRATIFICATION_MONTHS)


def hourly_key(*, category: Category, start_date: date, stay_end: date) -> str | None:
    """The hourly minimum applies to hopital, and to entreprise stages of more than 2 months."""
    owed = gratification_owed(category=category, start_date=start_date, stay_end=stay_end)
    if category == Category.HOPITAL or owed:
        return HOSPITAL_HOURLY_GRATIFICATION_MINIMUM
    return None


def minimum_monthly_resources(
    *, category: Category, start_date: date, parameters: Sequence[ParameterValue]
) -> ExplainedAmount | None:
    """RULES §3: 615 EUR for entreprise, the gross monthly SMIC for formation_continue, none for hopital."""
    key = MONTHLY_KEYS.get(Category(category))
    return None if key is None else _in_force(parameters, key, start_date)


def minimum_hourly_gratification(
    *, category: Category, start_date: date, stay_end: date, parameters: Sequence[ParameterValue]
) -> ExplainedAmount | None:
    """RULES §3: 15 % of the hourly social-security ceiling (hopital; entreprise over 2 months)."""
    key = hourly_key(category=Category(category), start_date=start_date, stay_end=stay_end)
    if key is None:
        return None
    amount = _in_force(parameters, key, start_date)
    if category == Category.ENTREPRISE:
        limit = add_months(start_date, GRATIFICATION_MONTHS)
        rule = (
            f"{amount.explanation.rule}; owed because the stage ends on or after {limit} (more than 2 months)"
        )
        return ExplainedAmount(
            amount.value, Explanation(rule, f"{sources.GRATIFICATION}; {amount.explanation.source}")
        )
    return amount


def _compare(label: str, given: Decimal | None, minimum: ExplainedAmount | None) -> Sufficiency:
    if given is None or minimum is None:
        return Sufficiency(None, None)
    verdict = ">=" if given >= minimum.value else "<"
    rule = f"{label} {eur(given)} EUR {verdict} minimum {eur(minimum.value)} EUR"
    return Sufficiency(given >= minimum.value, Explanation(rule=rule, source=minimum.explanation.source))


def resources_sufficient(
    *,
    category: Category,
    programme: Programme | None,
    monthly_resources_eur: Decimal | None,
    hourly_gratification_eur: Decimal | None,
    minimum_monthly: ExplainedAmount | None,
    minimum_hourly: ExplainedAmount | None,
) -> Sufficiency:
    """RULES §3: compare the amount the category's minimum is about (monthly, or hourly for hopital).

    Null when that amount was not given, except entreprise with a programme: presumed met.
    """
    if category == Category.ENTREPRISE and programme is not None:
        rule = f"entreprise stage under a {programme} programme: resources presumed sufficient"
        return Sufficiency(True, Explanation(rule=rule, source=sources.ENTREPRISE_PRESUMED))
    if category == Category.HOPITAL:
        return _compare("hourly gratification", hourly_gratification_eur, minimum_hourly)
    return _compare("monthly resources", monthly_resources_eur, minimum_monthly)


def gratification_warning(
    *, category: Category, hourly_gratification_eur: Decimal | None, minimum_hourly: ExplainedAmount | None
) -> SourcedWarning | None:
    """L124-6: an entreprise stage of more than 2 months paying less than the hourly minimum."""
    if category != Category.ENTREPRISE or minimum_hourly is None or hourly_gratification_eur is None:
        return None
    if hourly_gratification_eur >= minimum_hourly.value:
        return None
    message = (
        f"hourly gratification {eur(hourly_gratification_eur)} EUR is below the legal minimum "
        f"{eur(minimum_hourly.value)} EUR owed for a stage of more than 2 months"
    )
    return sourced_warning(WarningCode.GRATIFICATION_BELOW_MINIMUM, message, sources.GRATIFICATION)


def parameter_change_warnings(
    *, keys: Sequence[str], start_date: date, stay_end: date, parameters: Sequence[ParameterValue]
) -> list[SourcedWarning]:
    """RULES §3: warn when a newer value of a minimum used here takes effect during the stay."""
    found: list[SourcedWarning] = []
    for key in keys:
        row = parameter_change_during(parameters, key, start_date, stay_end)
        if row is None:
            continue
        current = parameter_in_force(parameters, key, start_date)
        message = (
            f"{parameter_label(key)} changes from {eur(current.value)} to {eur(row.value)} EUR on "
            f"{row.effective_from}, during the stay (ending {stay_end}); the value in force on the start "
            f"date {start_date} is used"
        )
        found.append(sourced_warning(WarningCode.PARAMETER_CHANGES_DURING_STAY, message, row.source))
    return found
