"""RULES §1: who is concerned. The first matching row of the table gives the regime."""

from __future__ import annotations

from datetime import date

from . import sources
from .base import (
    CATEGORY_FR,
    REGIME_FR,
    Category,
    Explanation,
    Regime,
    SourcedWarning,
    WarningCode,
    fr_date,
    sourced_warning,
)
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


def _stay_text(start_date: date, end_date: date) -> tuple[str, str]:
    """The 3-month test of RULES 1.1, in English and in French."""
    limit = add_months(start_date, SHORT_STAY_MONTHS)
    stay_fr = f"le séjour du {fr_date(start_date)} au {fr_date(end_date)}"
    if end_date >= limit:
        return (
            f"stay {start_date} to {end_date} is more than 3 months (end on or after {limit})",
            f"{stay_fr} dépasse 3 mois (fin le {fr_date(limit)} ou après)",
        )
    return (
        f"stay {start_date} to {end_date} is not more than 3 months (end before {limit})",
        f"{stay_fr} ne dépasse pas 3 mois (fin avant le {fr_date(limit)})",
    )


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


def regime_name_fr(regime: Regime) -> str:
    """« régime général », « régime « court séjour » »...: the regime as French readers name it."""
    return REGIME_FR[regime] if regime == Regime.STANDARD else f"régime « {REGIME_FR[regime]} »"


def _regime_text_fr(regime: Regime, nationality: str, category: Category, stay_fr: str) -> str:
    """The French sentence of `_regime_text`: the same facts, the category and the regime in French words."""
    category_fr = CATEGORY_FR[category]
    texts = {
        Regime.EU_CITIZEN: f"nationalité {nationality}, un État de l’UE, de l’EEE ou la Suisse",
        Regime.SHORT_STAY: (
            f"nationalité {nationality} hors UE/EEE/Suisse et {stay_fr} : visa de court séjour"
        ),
        Regime.ALGERIAN_AGREEMENT: f"{stay_fr} et nationalité DZ",
        Regime.CANADIAN_EXEMPTION: f"{stay_fr}, nationalité CA et catégorie « {category_fr} »",
        Regime.STANDARD: f"{stay_fr}, nationalité {nationality}, catégorie « {category_fr} »",
    }
    required = (
        "validation de la convention requise"
        if VALIDATION_REQUIRED[regime]
        else "pas de validation de la convention"
    )
    return f"{texts[regime]} ; {regime_name_fr(regime)}, {required}"


def determine_regime(
    *, nationality: str, category: Category, start_date: date, end_date: date
) -> tuple[Regime, bool, Explanation]:
    """RULES §1: (regime, validation_required, explanation). `nationality` is ISO 3166-1 alpha-2."""
    nationality = nationality.upper()
    category = Category(category)
    long_stay = stay_exceeds_months(start_date, end_date, SHORT_STAY_MONTHS)
    regime, source = _match(nationality, category, long_stay)
    stay, stay_fr = _stay_text(start_date, end_date)
    text = _regime_text(regime, nationality, category, stay)
    text_fr = _regime_text_fr(regime, nationality, category, stay_fr)
    return regime, VALIDATION_REQUIRED[regime], Explanation(rule=text, source=source, rule_fr=text_fr)


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
    lasts_fr = "dure plus" if over_months else "ne dure pas plus"
    message_fr = (
        f"le séjour du {fr_date(start_date)} au {fr_date(end_date)} compte {days} jours mais {lasts_fr} de 3 "
        f"mois calendaires : la limite de 90 jours du court séjour et la règle des 3 mois divergent, "
        f"vérifier le visa auprès du consulat"
    )
    return sourced_warning(WarningCode.SCHENGEN_90_DAYS, message, sources.SCHENGEN, message_fr=message_fr)


def algerian_warning() -> SourcedWarning:
    message = (
        "Algerian nationals receive a certificat de résidence « stagiaire » under the Franco-Algerian "
        "agreement of 27 December 1968 instead of the carte de séjour; consulates still ask for a "
        "validated convention"
    )
    message_fr = (
        "les ressortissants algériens reçoivent un certificat de résidence « stagiaire » en application de "
        "l’accord franco-algérien du 27 décembre 1968, et non la carte de séjour ; les consulats demandent "
        "tout de même une convention visée"
    )
    return sourced_warning(
        WarningCode.ALGERIAN_AGREEMENT, message, sources.ALGERIAN_AGREEMENT, message_fr=message_fr
    )


def ict_warning() -> SourcedWarning:
    """RULES §1 (R426-16 2°): a same-group placement belongs to the "stagiaire ICT" permit (L421-30)."""
    message = (
        "the host company is in the same group as the employer: this placement falls under the "
        "« stagiaire ICT » permit (CESEDA L421-30), not under a stagiaire convention"
    )
    message_fr = (
        "l’entreprise d’accueil appartient au même groupe que l’employeur : ce stage relève du titre de "
        "séjour « stagiaire ICT » (CESEDA L421-30), et non d’une convention de stage"
    )
    return sourced_warning(WarningCode.ICT_REGIME, message, sources.ICT, message_fr=message_fr)


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
    message_fr = (
        f"la convention du {fr_date(start_date)} au {fr_date(end_date)} ne dure pas plus de 3 mois mais "
        f"l’avenant jusqu’au {fr_date(new_end_date)} porte le séjour à plus de 3 mois : il faut une nouvelle "
        f"convention et un visa de long séjour, et non un avenant"
    )
    return sourced_warning(
        WarningCode.SHORT_STAY_EXTENDED, message, sources.SHORT_STAY, message_fr=message_fr
    )


def avenant_not_provided_warning() -> SourcedWarning:
    """RULES §2: R426-21 provides the avenant procedure only for R426-16 2° and 3° (not entreprise)."""
    message = (
        "CESEDA R426-21 provides the avenant procedure (15 days, silence means acceptance) only for "
        "continuing-training and hospital stages: for a company stage no implicit decision is promised, "
        "obtain an explicit answer from the administration"
    )
    message_fr = (
        "l’article R426-21 du CESEDA ne prévoit la procédure d’avenant (15 jours, le silence vaut "
        "acceptation) que pour la formation continue et les stages hospitaliers : pour un stage en "
        "entreprise, aucune décision implicite n’est prévue, obtenir une réponse explicite de "
        "l’administration"
    )
    return sourced_warning(
        WarningCode.AVENANT_NOT_PROVIDED, message, sources.ENTREPRISE_AVENANT, message_fr=message_fr
    )
