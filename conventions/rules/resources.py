"""RULES §3: which minimum applies, whether the declared amount meets it, and the related warnings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from . import sources
from .base import (
    CATEGORY_FR,
    PROGRAMME_FR,
    Category,
    ExplainedAmount,
    Explanation,
    Programme,
    SourcedWarning,
    WarningCode,
    eur,
    fr_date,
    fr_eur,
    sourced_warning,
)
from .parameters import (
    ENTREPRISE_MONTHLY_MINIMUM,
    HOSPITAL_HOURLY_GRATIFICATION_MINIMUM,
    SMIC_MONTHLY_GROSS,
    ParameterValue,
    first_row,
    parameter_change_during,
    parameter_in_force,
    parameter_label,
)
from .presence import LengthVerdict, longer_than

# Code de l'éducation L124-6: gratification owed for a stage of more than 2 months (of presence, D124-6).
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


def amount_in_force(
    parameters: Sequence[ParameterValue], key: str, start_date: date
) -> ExplainedAmount | None:
    """The value of `key` in force on the start date with its row, or None before the table's first row."""
    row = parameter_in_force(parameters, key, start_date)
    if row is None:
        return None
    backdated = row.effective_from > start_date
    since = "applied to every date" if backdated else f"effective from {row.effective_from}"
    since_fr = (
        "valeur appliquée à toute date"
        if backdated
        else f"valeur applicable depuis le {fr_date(row.effective_from)}"
    )
    rule = f"{parameter_label(key)} in force on start date {start_date}: {eur(row.value)} EUR ({since})"
    rule_fr = (
        f"{parameter_label(key, 'fr')} en vigueur le {fr_date(start_date)}, date de début du stage : "
        f"{fr_eur(row.value)} EUR ({since_fr})"
    )
    return ExplainedAmount(row.value, Explanation(rule=rule, source=row.source, rule_fr=rule_fr))


def parameter_unknown_warning(
    parameters: Sequence[ParameterValue], key: str, start_date: date
) -> SourcedWarning:
    """RULES §3: a date before the first row of a table has no value; nothing is guessed."""
    first = first_row(parameters, key)
    message = (
        f"no value of the table « {parameter_label(key)} » ({key}) is known for the start date {start_date}: "
        f"its first row takes effect on {first.effective_from}; the minimum is not given"
    )
    message_fr = (
        f"aucune valeur de la table « {parameter_label(key, 'fr')} » ({key}) n’est connue pour la date de "
        f"début {fr_date(start_date)} : sa première ligne prend effet le {fr_date(first.effective_from)} ; "
        f"le minimum n’est pas indiqué"
    )
    return sourced_warning(
        WarningCode.PARAMETER_UNKNOWN, message, sources.PARAMETER_UNKNOWN, message_fr=message_fr
    )


def gratification_owed(
    *, category: Category, start_date: date, stay_end: date, weekly_hours: Decimal | None
) -> LengthVerdict | None:
    """L124-6 (counted as D124-6): whether a student stage (entreprise) is longer than 2 months.

    None for the other categories, which the Code de l'éducation does not concern.
    """
    if Category(category) != Category.ENTREPRISE:
        return None
    return longer_than(months=GRATIFICATION_MONTHS, start=start_date, end=stay_end, weekly_hours=weekly_hours)


def hourly_key(*, category: Category, owed: LengthVerdict | None, immigration_law: bool = True) -> str | None:
    """The hourly minimum: hopital (CESEDA, not for EU citizens) and entreprise stages over 2 months."""
    if (Category(category) == Category.HOPITAL and immigration_law) or (owed is not None and owed.exceeds):
        return HOSPITAL_HOURLY_GRATIFICATION_MINIMUM
    return None


def owed_gratification_amount(amount: ExplainedAmount, owed: LengthVerdict) -> ExplainedAmount:
    """The hourly minimum of an entreprise stage, explained by why the gratification is owed."""
    why = amount.explanation
    rule = f"{why.rule}; owed because the stage is longer than 2 months: {owed.explanation.rule}"
    rule_fr = f"{why.rule_fr} ; gratification due car le stage dépasse 2 mois : {owed.explanation.rule_fr}"
    source = "; ".join(part for part in (sources.GRATIFICATION, owed.explanation.source, why.source) if part)
    return ExplainedAmount(amount.value, Explanation(rule=rule, source=source, rule_fr=rule_fr))


# What is compared with the minimum: the English label, then the French label and its French verdicts,
# agreed in gender and number (« ressources mensuelles … inférieures », « gratification … inférieure »).
MONTHLY_RESOURCES = ("monthly resources", "ressources mensuelles", "égales ou supérieures", "inférieures")
HOURLY_GRATIFICATION = ("hourly gratification", "gratification horaire", "égale ou supérieure", "inférieure")


def _compare(
    label: tuple[str, str, str, str], given: Decimal | None, minimum: ExplainedAmount | None
) -> Sufficiency:
    if given is None or minimum is None:
        return Sufficiency(None, None)
    enough = given >= minimum.value
    verdict = ">=" if enough else "<"
    rule = f"{label[0]} {eur(given)} EUR {verdict} minimum {eur(minimum.value)} EUR"
    rule_fr = f"{label[1]} de {fr_eur(given)} EUR, {label[2] if enough else label[3]} au minimum de "
    rule_fr += f"{fr_eur(minimum.value)} EUR"
    why = Explanation(rule=rule, source=minimum.explanation.source, rule_fr=rule_fr)
    return Sufficiency(given >= minimum.value, why)


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

    Null when that amount (or the minimum) is not known, except entreprise with a programme: presumed met.
    """
    if category == Category.ENTREPRISE and programme is not None:
        rule = f"entreprise stage under a {programme} programme: resources presumed sufficient"
        rule_fr = (
            f"{CATEGORY_FR[Category.ENTREPRISE]} dans le cadre d’un {PROGRAMME_FR[Programme(programme)]} : "
            f"ressources présumées suffisantes"
        )
        return Sufficiency(True, Explanation(rule=rule, source=sources.ENTREPRISE_PRESUMED, rule_fr=rule_fr))
    if category == Category.HOPITAL:
        return _compare(HOURLY_GRATIFICATION, hourly_gratification_eur, minimum_hourly)
    return _compare(MONTHLY_RESOURCES, monthly_resources_eur, minimum_monthly)


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
    message_fr = (
        f"la gratification horaire de {fr_eur(hourly_gratification_eur)} EUR est inférieure au minimum "
        f"légal de {fr_eur(minimum_hourly.value)} EUR dû pour un stage de plus de 2 mois"
    )
    return sourced_warning(
        WarningCode.GRATIFICATION_BELOW_MINIMUM, message, sources.GRATIFICATION, message_fr=message_fr
    )


def parameter_change_warnings(
    *, keys: Sequence[str], start_date: date, stay_end: date, parameters: Sequence[ParameterValue]
) -> list[SourcedWarning]:
    """RULES §3: warn when a newer value of a minimum used here takes effect during the stay."""
    found: list[SourcedWarning] = []
    for key in keys:
        row = parameter_change_during(parameters, key, start_date, stay_end)
        current = parameter_in_force(parameters, key, start_date)
        if row is None or current is None:
            continue
        message = (
            f"{parameter_label(key)} changes from {eur(current.value)} to {eur(row.value)} EUR on "
            f"{row.effective_from}, during the stay (ending {stay_end}); the value in force on the start "
            f"date {start_date} is used"
        )
        message_fr = (
            f"{parameter_label(key, 'fr')} passe de {fr_eur(current.value)} à {fr_eur(row.value)} EUR le "
            f"{fr_date(row.effective_from)}, pendant le stage (qui se termine le {fr_date(stay_end)}) ; "
            f"la valeur en vigueur à la date de début {fr_date(start_date)} est retenue"
        )
        found.append(
            sourced_warning(
                WarningCode.PARAMETER_CHANGES_DURING_STAY, message, row.source, message_fr=message_fr
            )
        )
    return found
