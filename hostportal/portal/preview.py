"""The live preview: what the rules say of a convention or an avenant as it is typed, before it is saved.

The same engine and the same bridge as the stored files (services.convention_evaluate, avenant_evaluate:
the check_convention contract's engine), on an unsaved copy; nothing is written. `blocking` says the
stay will fail as typed (resources below the legal minimum, a duration or extension beyond the limit,
another stay of the intern at the same time): saving it then asks for a confirmation.
"""

from __future__ import annotations

import datetime as dt
from copy import copy
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from conventions import explain, services
from conventions.models import Avenant, Convention, Intern
from conventions.rules import CheckInputError, CheckResult, WarningCode
from hostportal.portal import caseinfo

# Warnings that mean the administration will refuse, or the stay cannot go ahead as typed.
BLOCKING = frozenset(
    {
        WarningCode.GRATIFICATION_BELOW_MINIMUM,
        WarningCode.DURATION_EXCEEDS_LIMIT,
        WarningCode.SHORT_STAY_EXTENDED,
        WarningCode.EXTENSION_LIMIT_REACHED,
        WarningCode.HOSPITAL_TOTAL_EXCEEDS_24_MONTHS,
    }
)


@dataclass
class Answer:
    rows: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    blocking: bool = False
    error: str = ""


def _answer(result: CheckResult, extra: list[str]) -> Answer:
    warnings = [caseinfo.warning_text(w) for w in result.warnings]
    if result.resources_sufficient is False:
        warnings.insert(
            0, _("The resources are below the legal minimum: the administration will refuse the stay.")
        )
    blocking = (
        result.resources_sufficient is False
        or any(w.code in BLOCKING for w in result.warnings)
        or bool(extra)
    )
    return Answer(explain.why_rows(result, caseinfo.language()), warnings + extra, blocking)


def draft_convention(data: dict[str, Any], intern: Intern, existing: Convention | None) -> Convention:
    convention = (
        copy(existing)
        if existing is not None
        else Convention(intern=intern, organisation=intern.organisation)
    )
    for name in (
        "category",
        "programme",
        "same_group",
        "start_date",
        "end_date",
        "weekly_hours",
        "hourly_gratification_eur",
        "monthly_resources_eur",
    ):
        value = data.get(name)
        setattr(convention, name, value if value is not None else ("" if name == "programme" else value))
    if existing is None or existing.state == "draft":
        convention.effective_end_date = convention.end_date
    return convention


def evaluate_draft(data: dict[str, Any], intern: Intern, existing: Convention | None) -> Answer:
    convention = draft_convention(data, intern, existing)
    try:
        result = services.convention_evaluate(convention, today=timezone.localdate())
    except (CheckInputError, ValueError) as exc:
        return Answer(error=str(exc), blocking=True)
    others = caseinfo.overlapping(convention)
    return _answer(result, caseinfo.overlap_warnings(convention, others))


def evaluate_avenant(convention: Convention, requested_end_date: dt.date) -> Answer:
    accepted = convention.avenants.filter(state="accepted").count()
    avenant = Avenant(
        organisation_id=convention.organisation_id,
        convention=convention,
        previous_end_date=convention.effective_end_date,
        requested_end_date=requested_end_date,
        prior_extensions=accepted,
    )
    try:
        result = services.avenant_evaluate(avenant, today=timezone.localdate())
    except (CheckInputError, ValueError) as exc:
        return Answer(error=str(exc), blocking=True)
    return _answer(result, [])
