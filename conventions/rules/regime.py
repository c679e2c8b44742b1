"""RULES §1: who is concerned. The first matching row of the table gives the regime."""

from __future__ import annotations

from datetime import date

from . import sources
from .base import Category, Explanation, Regime, SourcedWarning, WarningCode, sourced_warning
from .months import add_months, inclusive_days, stay_exceeds_months

SHORT_STAY_MONTHS = 3
SCHENGEN_DAYS = 90

# EU member states (TEU art. 52), the other EEA states (EEA Agreement: IS, LI, NO) and Switzerland
# (EU-Swiss Agreement on the free movement of persons, 1999). Nationals need no convention validation.
EU_EEA_CH: frozenset[str] = frozenset(
    {
        "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
        "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
        "IS", "LI", "NO",
        "CH",
    }
)  # fmt: skip
ALGERIA = "DZ"
CANADA = "CA"
# Seed: "Vous êtes canadien : votre convention n'a pas à être validée" appears only under "Formation
# continue" and "Stage en hôpital public", never under "Stage en entreprise".
CANADIAN_EXEMPT_CATEGORIES: frozenset[Category] = frozenset({Category.FORMATION_CONTINUE, Category.HOPITAL})

VALIDATION_REQUIRED: dict[Regime, bool] = {
    Regime.EU_CITIZEN: False,
    Regime.SHORT_STAY: False,
    Regime.ALGERIAN_AGREEMENT: True,
    Regime.CANADIAN_EXEMPTION: False,
    Regime.STANDARD: True,
}


def _stay_text(start_date: date, end_date: date) -> str:
    limit = add_months(start_date, SHORT_STAY_MONTHS)
    if end_date >= limit:
        return f"stay {start_date} to {end_date} is more than 3 months (end on or after {limit})"
    return f"stay {start_date} to {end_date} is not more than 3 months (end before {limit})"


def _match(nationality: str, category: Category, long_stay: bool) -> tuple[Regime, str]:
    """The first row of the RULES §1 table that matches, with the source of that row."""
    if nationality in EU_EEA_CH:
        return Regime.EU_CITIZEN, sources.EU_CITIZEN
    if not long_stay:
        return Regime.SHORT_STAY, sources.SHORT_STAY
    if nationality == ALGERIA:
        return Regime.ALGERIAN_AGREEMENT, sources.ALGERIAN_AGREEMENT
    if nationality == CANADA and category in CANADIAN_EXEMPT_CATEGORIES:
        return Regime.CANADIAN_EXEMPTION, sources.CANADIAN_EXEMPTION
    return Regime.STANDARD, sources.STANDARD


def _regime_text(regime: Regime, nationality: str, category: Category, stay: str) -> str:
    texts = {
        Regime.EU_CITIZEN: f"nationality {nationality} is an EU/EEA state or Switzerland",
        Regime.SHORT_STAY: f"nationality {nationality} is not EU/EEA/CH and the {stay}: short-stay visa",
        Regime.ALGERIAN_AGREEMENT: f"the {stay} and nationality is DZ: Franco-Algerian agreement",
        Regime.CANADIAN_EXEMPTION: f"the {stay}, nationality is CA and category is {category}",
        Regime.STANDARD: f"the {stay}, nationality {nationality}, category {category}",
    }
    required = "validation required" if VALIDATION_REQUIRED[regime] else "no validation required"
    return f"{texts[regime]}: regime {regime}, {required}"


def determine_regime(
    *, nationality: str, category: Category, start_date: date, end_date: date
) -> tuple[Regime, bool, Explanation]:
    """RULES §1: (regime, validation_required, explanation). `nationality` is ISO 3166-1 alpha-2."""
    nationality = nationality.upper()
    category = Category(category)
    long_stay = stay_exceeds_months(start_date, end_date, SHORT_STAY_MONTHS)
    regime, source = _match(nationality, category, long_stay)
    text = _regime_text(regime, nationality, category, _stay_text(start_date, end_date))
    return regime, VALIDATION_REQUIRED[regime], Explanation(rule=text, source=source)


def schengen_warning(start_date: date, end_date: date) -> SourcedWarning | None:
    """RULES 1.1: warn when "more than 90 days" (inclusive count) and "more than 3 months" disagree.

    Late-January/February starts can exceed 90 days without exceeding 3 calendar months; long months
    give the reverse. A short-stay visa is capped at 90 days in 180 (Schengen Borders Code art. 6).
    """
    days = inclusive_days(start_date, end_date)
    over_days = days > SCHENGEN_DAYS
    over_months = stay_exceeds_months(start_date, end_date, SHORT_STAY_MONTHS)
    if over_days == over_months:
        return None
    months_text = "more" if over_months else "not more"
    message = (
        f"the stay {start_date} to {end_date} counts {days} days but is {months_text} than 3 calendar "
        f"months: the 90-day short-stay limit and the 3-month rule disagree, check the visa with the "
        f"consulate"
    )
    return sourced_warning(WarningCode.SCHENGEN_90_DAYS, message, sources.SCHENGEN)


def algerian_warning() -> SourcedWarning:
    message = (
        "Algerian nationals receive a certificat de résidence « stagiaire » under the Franco-Algerian "
        "agreement of 27 December 1968 instead of the carte de séjour; consulates still ask for a "
        "validated convention"
    )
    return sourced_warning(WarningCode.ALGERIAN_AGREEMENT, message, sources.ALGERIAN_AGREEMENT)


def ict_warning() -> SourcedWarning:
    """RULES §1 (R426-16 2°): a same-group placement belongs to the "stagiaire ICT" permit (L421-30)."""
    message = (
        "the host company is in the same group as the employer: this placement falls under the "
        "« stagiaire ICT » permit (CESEDA L421-30), not under a stagiaire convention"
    )
    return sourced_warning(WarningCode.ICT_REGIME, message, sources.ICT)


def short_stay_extended_warning(
    *, start_date: date, end_date: date, new_end_date: date
) -> SourcedWarning | None:
    """RULES §1: an avenant may not turn a stay of 3 months or less into a longer one."""
    if stay_exceeds_months(start_date, end_date, SHORT_STAY_MONTHS):
        return None
    if not stay_exceeds_months(start_date, new_end_date, SHORT_STAY_MONTHS):
        return None
    message = (
        f"the convention {start_date} to {end_date} is not more than 3 months but the avenant to "
        f"{new_end_date} makes the stay more than 3 months: that needs a new convention and a long-stay "
        f"visa, not an avenant"
    )
    return sourced_warning(WarningCode.SHORT_STAY_EXTENDED, message, sources.SHORT_STAY)


def avenant_not_provided_warning() -> SourcedWarning:
    """RULES §2: R426-21 provides the avenant procedure only for R426-16 2° and 3° (not entreprise)."""
    message = (
        "CESEDA R426-21 provides the avenant procedure (15 days, silence means acceptance) only for "
        "continuing-training and hospital stages: for a company stage no implicit decision is promised, "
        "obtain an explicit answer from the administration"
    )
    return sourced_warning(WarningCode.AVENANT_NOT_PROVIDED, message, sources.ENTREPRISE_AVENANT)
