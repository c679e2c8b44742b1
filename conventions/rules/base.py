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


@dataclass(frozen=True)
class Explanation:
    """How a value was obtained ("start date 2026-09-01 minus 2 months") and its legal source.

    `rule_fr` is the same sentence in French where the value reaches French readers (the deadlines quoted
    in emails and calendar feeds); `text(language)` picks it, falling back to English.
    """

    rule: str
    source: str
    rule_fr: str = ""

    def text(self, language: str) -> str:
        return self.rule_fr if language == "fr" and self.rule_fr else self.rule


def fr_date(day: date) -> str:
    """A date as French readers write it: 01/03/2027 (formatted by hand: strftime costs several times more,
    and every evaluation writes a dozen French dates in its explanations)."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


@dataclass(frozen=True)
class RuleWarning:
    """A warning shown to the user; never a refusal."""

    code: str
    message: str


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


def split_sources(source: str) -> list[str]:
    return [part.strip() for part in source.split(SOURCE_SEPARATOR) if part.strip()]


def sourced_warning(code: WarningCode, message: str, source: str) -> SourcedWarning:
    return SourcedWarning(RuleWarning(code=code.value, message=message), source)
