"""Vocabulary shared by every rule module: enums and the small value objects rules return.

Pure module: no Django, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum


class Category(StrEnum):
    """The three kinds of stagiaire of CESEDA R426-16 (1°, 2°, 3°)."""

    ENTREPRISE = "entreprise"
    FORMATION_CONTINUE = "formation_continue"
    HOPITAL = "hopital"


class Programme(StrEnum):
    """Cooperation programme that shortens the deadlines (CESEDA R426-20 al. 3)."""

    EU = "eu"
    INTERGOVERNMENTAL = "intergovernmental"


class Regime(StrEnum):
    """Which procedure applies to the intern (RULES §1, evaluated in this order)."""

    EU_CITIZEN = "eu_citizen"
    SHORT_STAY = "short_stay"
    ALGERIAN_AGREEMENT = "algerian_agreement"
    CANADIAN_EXEMPTION = "canadian_exemption"
    STANDARD = "standard"


class Kind(StrEnum):
    """What is submitted to the prefect: the convention itself or an avenant extending it."""

    CONVENTION = "convention"
    AVENANT = "avenant"


class SilenceOutcome(StrEnum):
    """What the prefect's silence means once the silence deadline has passed."""

    REFUSED = "refused"
    ACCEPTED = "accepted"


class WarningCode(StrEnum):
    """Warning codes of RULES §6. Never rename them: clients match on them."""

    ALGERIAN_AGREEMENT = "algerian_agreement"
    SCHENGEN_90_DAYS = "schengen_90_days"
    ICT_REGIME = "ict_regime"
    PARAMETER_CHANGES_DURING_STAY = "parameter_changes_during_stay"
    GRATIFICATION_BELOW_MINIMUM = "gratification_below_minimum"
    DURATION_EXCEEDS_LIMIT = "duration_exceeds_limit"
    SHORT_STAY_EXTENDED = "short_stay_extended"
    AVENANT_NOT_PROVIDED = "avenant_not_provided"
    ACKNOWLEDGMENT_DIFFERS = "acknowledgment_differs"
    DOCUMENTS_DUE_DATE_MISSING = "documents_due_date_missing"
    DOCUMENTS_REQUESTED_AFTER_SILENCE = "documents_requested_after_silence"
    PARAMETER_UNKNOWN = "parameter_unknown"
    EXTENSION_LIMIT_REACHED = "extension_limit_reached"
    HOSPITAL_TOTAL_EXCEEDS_24_MONTHS = "hospital_total_exceeds_24_months"


# The French words of the enums, for the French explanations (the JSON contract keeps the English values).
CATEGORY_FR: dict[Category, str] = {
    Category.ENTREPRISE: "stage étudiant en entreprise",
    Category.FORMATION_CONTINUE: "formation professionnelle continue",
    Category.HOPITAL: "stage en établissement de santé",
}
PROGRAMME_FR: dict[Programme, str] = {
    Programme.EU: "programme de l’Union européenne",
    Programme.INTERGOVERNMENTAL: "programme intergouvernemental",
}
REGIME_FR: dict[Regime, str] = {
    Regime.EU_CITIZEN: "citoyen de l’UE/EEE/Suisse",
    Regime.SHORT_STAY: "court séjour",
    Regime.ALGERIAN_AGREEMENT: "accord franco-algérien",
    Regime.CANADIAN_EXEMPTION: "exemption canadienne",
    Regime.STANDARD: "régime général",
}


@dataclass(frozen=True)
class Explanation:
    """How a value was obtained ("start date 2026-09-01 minus 2 months") and its legal source.

    `rule_fr` is the same sentence in French, with the same facts (dates as `fr_date`, amounts as `fr_eur`,
    enums in French words: `CATEGORY_FR`, `PROGRAMME_FR`, `REGIME_FR`). It is mandatory so that no rule
    builds an English-only explanation (tests/rules/test_explanations_fr.py checks every one the engine
    builds); `text(language)` picks it, still falling back to English should it be empty.
    """

    rule: str
    source: str
    rule_fr: str

    def text(self, language: str) -> str:
        return self.rule_fr if language == "fr" and self.rule_fr else self.rule


def fr_date(day: date) -> str:
    """A date as French readers write it: 01/03/2027 (formatted by hand: strftime costs several times more,
    and every evaluation writes a dozen French dates in its explanations)."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


@dataclass(frozen=True)
class RuleWarning:
    """A warning shown to the user; never a refusal.

    `message` is the English sentence of the RULES §6 JSON contract (`CheckResult.to_json` writes only
    `code` and `message`); `message_fr` is the same facts in French for the HR portal, and
    `text(language)` picks it, falling back to English as `Explanation.text` does.
    """

    code: str
    message: str
    message_fr: str = ""

    def text(self, language: str) -> str:
        return self.message_fr if language == "fr" and self.message_fr else self.message


@dataclass(frozen=True)
class ExplainedDate:
    """A computed date (or None when it cannot be known yet) with the reason for it."""

    value: date | None
    explanation: Explanation


@dataclass(frozen=True)
class ExplainedAmount:
    """A legal minimum amount in EUR with the parameter row it comes from."""

    value: Decimal
    explanation: Explanation


@dataclass(frozen=True)
class SourcedWarning:
    """A warning together with the legal source of the rule that raised it (feeds `sources`)."""

    warning: RuleWarning
    source: str


SOURCE_SEPARATOR = "; "  # an Explanation may cite several sources: "CESEDA R426-20 al. 2; Seed"
CENT = Decimal("0.01")


def eur(amount: Decimal) -> str:
    """An amount with exactly 2 decimals ("615.00"), as in the JSON contract and the messages."""
    return str(amount.quantize(CENT, rounding=ROUND_HALF_UP))


def fr_number(value: Decimal) -> str:
    """A decimal as French readers write it, with a decimal comma: 38,5 (no thousands separator; fixed-point
    even for a Decimal held in exponent form)."""
    return format(value, "f").replace(".", ",")


def fr_eur(amount: Decimal) -> str:
    """An amount with exactly 2 decimals and a decimal comma ("615,00"): `eur` for French texts."""
    return fr_number(amount.quantize(CENT, rounding=ROUND_HALF_UP))


def split_sources(source: str) -> list[str]:
    return [part.strip() for part in source.split(SOURCE_SEPARATOR) if part.strip()]


def sourced_warning(code: WarningCode, message: str, source: str, *, message_fr: str) -> SourcedWarning:
    """A warning with its source. `message_fr` is required so that no rule raises an English-only warning:
    the same facts in French (dates as `fr_date`, amounts as `fr_eur`)."""
    return SourcedWarning(RuleWarning(code=code.value, message=message, message_fr=message_fr), source)
