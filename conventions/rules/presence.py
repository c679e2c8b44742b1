"""RULES §3 and §4: how the Code de l'éducation counts the length of a student stage.

D124-6: 7 hours of presence make a day and 22 days make a month, so "more than 2 months" (the
gratification of L124-6) is more than 308 hours and "6 months" (the limit of L124-5) is 924 hours. When
the weekly hours are known, presence is estimated from a regular schedule without absence; otherwise the
calendar-month rule of RULES 1.1 stands in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from . import sources
from .base import Explanation, fr_date, fr_number
from .months import add_months, inclusive_days, stay_exceeds_months

HOURS_PER_DAY = 7  # D124-6
DAYS_PER_MONTH = 22  # D124-6


def hours_for_months(months: int) -> int:
    """D124-6: N months of presence = N x 22 days x 7 hours (2 months: 308; 6 months: 924)."""
    return months * DAYS_PER_MONTH * HOURS_PER_DAY


def presence_hours(*, weekly_hours: Decimal, start: date, end: date) -> int:
    """floor(weekly_hours x inclusive days / 7): a regular schedule without absence (an estimate)."""
    return int((weekly_hours * inclusive_days(start, end)) // 7)


@dataclass(frozen=True)
class LengthVerdict:
    """Whether a stage is longer than N months as D124-6 counts it, and why."""

    exceeds: bool
    explanation: Explanation


def longer_than(*, months: int, start: date, end: date, weekly_hours: Decimal | None) -> LengthVerdict:
    """More than `months` months of presence: by the hours when weekly_hours is known, else by the month
    rule (end >= start + N months)."""
    if weekly_hours is not None:
        hours, limit = (
            presence_hours(weekly_hours=weekly_hours, start=start, end=end),
            hours_for_months(months),
        )
        days = inclusive_days(start, end)
        verdict = "more" if hours > limit else "not more"
        verdict_fr = "au-delà" if hours > limit else "dans la limite"
        rule = (
            f"estimated presence {hours} hours ({weekly_hours} h a week x {days} days / 7, a regular "
            f"schedule without absence): {verdict} than {limit} hours ({months} months of 22 days of 7 hours)"
        )
        rule_fr = (
            f"présence estimée à {hours} heures ({fr_number(weekly_hours)} h par semaine x {days} jours / 7, "
            f"horaire régulier sans absence) : {verdict_fr} de {limit} heures ({months} mois de 22 jours de "
            f"7 heures)"
        )
        return LengthVerdict(hours > limit, Explanation(rule, sources.PRESENCE, rule_fr))
    exceeds = stay_exceeds_months(start, end, months)
    limit_day = add_months(start, months)
    verdict = "on or after" if exceeds else "before"
    shown = fr_date(limit_day)
    verdict_fr = f"le {shown} ou après" if exceeds else f"avant le {shown}"
    rule = (
        f"weekly hours not given, so the calendar-month rule stands in for the presence count: the stage "
        f"{start} to {end} ends {verdict} {limit_day}"
    )
    rule_fr = (
        f"horaire hebdomadaire non renseigné, la règle des mois calendaires remplace le décompte de "
        f"présence : le stage du {fr_date(start)} au {fr_date(end)} se termine {verdict_fr}"
    )
    # No text counts a student stage in calendar months: this stand-in cites no source of its own.
    return LengthVerdict(exceeds, Explanation(rule, "", rule_fr))
