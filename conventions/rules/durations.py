"""RULES §4: maximum durations. They only warn: the prefect, not this engine, refuses.

"More than N months" uses the month rule of RULES 1.1 (end >= start + N calendar months), except for
student stages (entreprise), counted in hours of presence (D124-6) when the weekly hours are known.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from . import sources
from .base import Category, SourcedWarning, WarningCode, fr_date, sourced_warning
from .months import add_days, add_months, inclusive_days, stay_exceeds_months
from .presence import longer_than

ENTREPRISE_MAX_MONTHS = 6  # Code de l'éducation L124-5: 6 months with the same host per school year
TRAINING_INITIAL_MAX_MONTHS = 12  # formation_continue, old R313-10-3
TRAINING_TOTAL_MAX_MONTHS = 18  # formation_continue with its extension, old R313-10-3
HOSPITAL_MAX_MONTHS = 6  # hopital: the initial stage, and separately its extension, old R313-10-3


# What a duration warning is about, in English and in French.
INITIAL_STAGE = ("the initial stage", "le stage initial")
WITH_EXTENSION = ("the stage with its extension", "le stage avec sa prolongation")
EXTENSION = ("the extension", "la prolongation")
SAME_HOST = ("the stage with the same host", "le stage chez le même organisme d’accueil")


def _over(what: tuple[str, str], start: date, end: date, months: int, source: str) -> SourcedWarning | None:
    if not stay_exceeds_months(start, end, months):
        return None
    limit_day = add_months(start, months)
    message = (
        f"{what[0]} {start} to {end} is more than {months} months (it ends on or after "
        f"{limit_day}); the limit is {months} months"
    )
    message_fr = (
        f"{what[1]} du {fr_date(start)} au {fr_date(end)} dure plus de {months} mois (fin le "
        f"{fr_date(limit_day)} ou après) ; la limite est de {months} mois"
    )
    return sourced_warning(WarningCode.DURATION_EXCEEDS_LIMIT, message, source, message_fr=message_fr)


def _entreprise(
    start: date, end: date, new_end: date | None, weekly_hours: Decimal | None
) -> SourcedWarning | None:
    # L124-5 counts every stage with the same host in the school year: with an avenant, the whole stay;
    # the 6 months are months of presence (D124-6: 924 hours) when the weekly hours are known.
    what = SAME_HOST if new_end is None else WITH_EXTENSION
    last = new_end or end
    verdict = longer_than(months=ENTREPRISE_MAX_MONTHS, start=start, end=last, weekly_hours=weekly_hours)
    if not verdict.exceeds:
        return None
    why = verdict.explanation
    message = f"{what[0]} {start} to {last} is more than {ENTREPRISE_MAX_MONTHS} months: {why.rule}"
    message_fr = (
        f"{what[1]} du {fr_date(start)} au {fr_date(last)} dure plus de {ENTREPRISE_MAX_MONTHS} mois : "
        f"{why.rule_fr}"
    )
    source = "; ".join(part for part in (sources.ENTREPRISE_DURATION, why.source) if part)
    return sourced_warning(WarningCode.DURATION_EXCEEDS_LIMIT, message, source, message_fr=message_fr)


def _training(start: date, end: date, new_end: date | None) -> list[SourcedWarning | None]:
    source = sources.TRAINING_DURATION
    found = [_over(INITIAL_STAGE, start, end, TRAINING_INITIAL_MAX_MONTHS, source)]
    if new_end is not None:
        found.append(_over(WITH_EXTENSION, start, new_end, TRAINING_TOTAL_MAX_MONTHS, source))
    return found


def _hospital(start: date, end: date, new_end: date | None) -> list[SourcedWarning | None]:
    source = sources.TRAINING_DURATION
    found = [_over(INITIAL_STAGE, start, end, HOSPITAL_MAX_MONTHS, source)]
    if new_end is not None:
        # The extension is the days after the current end date, up to the requested new end date.
        found.append(_over(EXTENSION, add_days(end, 1), new_end, HOSPITAL_MAX_MONTHS, source))
    return found


def extension_limit_warning(*, category: Category, prior_extensions: int) -> SourcedWarning | None:
    """formation_continue can be extended once (old R313-10-3): an avenant after an accepted one warns."""
    if Category(category) != Category.FORMATION_CONTINUE or prior_extensions < 1:
        return None
    message = (
        f"this stage was already extended {prior_extensions} time(s): a continuing-training stage can be "
        f"extended only once"
    )
    message_fr = (
        f"ce stage a déjà été prolongé {prior_extensions} fois : un stage de formation continue ne peut "
        f"être prolongé qu’une seule fois"
    )
    return sourced_warning(
        WarningCode.EXTENSION_LIMIT_REACHED, message, sources.TRAINING_DURATION, message_fr=message_fr
    )


def duration_warnings(
    *,
    category: Category,
    start_date: date,
    end_date: date,
    new_end_date: date | None = None,
    weekly_hours: Decimal | None = None,
    immigration_law: bool = True,
) -> list[SourcedWarning]:
    """`duration_exceeds_limit` warnings; `new_end_date` is the end requested by an avenant.

    The CESEDA limits (formation_continue, hopital) are immigration law: `immigration_law=False` (EU/EEA/
    Swiss nationals, RULES §1) leaves only the Code de l'éducation limit of entreprise stages.
    """
    category = Category(category)
    if category == Category.ENTREPRISE:
        found = [_entreprise(start_date, end_date, new_end_date, weekly_hours)]
    elif not immigration_law:
        found = []
    elif category == Category.FORMATION_CONTINUE:
        found = _training(start_date, end_date, new_end_date)
    else:
        found = _hospital(start_date, end_date, new_end_date)
    return [warning for warning in found if warning is not None]


HOSPITAL_TOTAL_MAX_MONTHS = 24  # hopital: every hospital stage of one intern together, old R313-10-3


def _hospital_total_fr(count: int, total_days: int, first: date, limit: date) -> str:
    """The French `hospital_total_exceeds_24_months` sentence (French agrees in number: no "stage(s)")."""
    if count == 1:
        stages = f"le stage hospitalier de ce stagiaire compte {total_days} jours de présence : commencé le"
        ends = "il se termine"
    else:
        stages = (
            f"les {count} stages hospitaliers de ce stagiaire totalisent {total_days} jours de présence : "
            f"mis bout à bout à partir du"
        )
        ends = "ils se terminent"
    return (
        f"{stages} {fr_date(first)}, {ends} le {fr_date(limit)} ou après, au-delà des "
        f"{HOSPITAL_TOTAL_MAX_MONTHS} mois autorisés au total"
    )


def hospital_total_warning(stays: Sequence[tuple[date, date]]) -> SourcedWarning | None:
    """`hospital_total_exceeds_24_months` when the intern's hospital stages total more than 24 months.

    `stays` are (first day, last day) of every hospital stage of the intern that counts (the services pass
    the conventions that are not withdrawn or refused, with their end date in force or requested). Laid end
    to end from the first start, their days of presence are compared with the month rule of RULES 1.1:
    more than 24 months when the last day falls on or after first start + 24 months.
    """
    if not stays:
        return None
    first = min(start for start, _ in stays)
    total_days = sum(inclusive_days(start, end) for start, end in stays)
    limit = add_months(first, HOSPITAL_TOTAL_MAX_MONTHS)
    if add_days(first, total_days - 1) < limit:
        return None
    message = (
        f"the {len(stays)} hospital stage(s) of this intern total {total_days} days of presence: laid end to "
        f"end from {first} they end on or after {limit}, more than the {HOSPITAL_TOTAL_MAX_MONTHS} months "
        f"allowed in all"
    )
    message_fr = _hospital_total_fr(len(stays), total_days, first, limit)
    code, source = WarningCode.HOSPITAL_TOTAL_EXCEEDS_24_MONTHS, sources.TRAINING_DURATION
    return sourced_warning(code, message, source, message_fr=message_fr)
