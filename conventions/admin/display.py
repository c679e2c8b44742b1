"""Read-only blocks of the change pages: "why these dates" (the rule engine) and the audit trail.

Every row of "why these dates" is a value with the engine's Explanation (its rule and its legal source):
the CheckResult of a convention or an avenant, and the dates the services store outside it (a visa's OFII
deadline, a carte de séjour's filing window and silence deadline), computed by the same engine functions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, DateField, F, Q, When
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from conventions.models import TransitionLog
from conventions.rules import (
    CheckInputError,
    CheckResult,
    ExplainedDate,
    Explanation,
    format_amount,
    permit_filing_window,
    residence_permit_silence_deadline,
    sources,
    vls_ts_validation_deadline,
)

Row = dict[str, str]
# The admin is in English for now; the French portal will pass "fr" (Explanation.rule_fr).
LANGUAGE = "en"

# The values of a CheckResult worth explaining to an auditor, in reading order.
RESULT_ROWS = [
    ("regime", "Regime"),
    ("validation_required", "Validation required"),
    ("filing_deadline", "Filing deadline"),
    ("late_filing", "Late filing"),
    ("silence_days", "Silence delay (days)"),
    ("silence_deadline", "Silence deadline"),
    ("silence_outcome", "Outcome of silence"),
    ("minimum_monthly_resources_eur", "Minimum monthly resources (EUR)"),
    ("minimum_hourly_gratification_eur", "Minimum hourly gratification (EUR)"),
    ("resources_sufficient", "Resources sufficient"),
    ("presence_hours", "Presence (hours, estimated)"),
]


def display_value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format_amount(value) or "—"
    return str(getattr(value, "value", value))


def row(name: str, label: str, value: Any, why: Explanation | None, language: str = LANGUAGE) -> Row:
    return {
        "name": name,
        "label": label,
        "value": display_value(value),
        "rule": why.text(language) if why else "",
        "source": why.source if why else "",
    }


def date_row(name: str, label: str, date: ExplainedDate, language: str = LANGUAGE) -> Row:
    return row(name, label, date.value, date.explanation, language)


def why_rows(result: CheckResult, language: str = LANGUAGE) -> list[Row]:
    rows = []
    for name, label in RESULT_ROWS:
        value = getattr(result, name)
        why: Explanation | None = result.explanations.get(name)
        if value is not None or why is not None:
            rows.append(row(name, label, value, why, language))
    return rows


# --- the dates the services store outside the CheckResult, each from its engine function ------------------


def ofii_rows(arrived_on: dt.date | None) -> list[Row]:
    """The VLS-TS validation with the OFII, 3 months after arrival (CESEDA R431-16)."""
    name, label = "ofii_validation_deadline", "OFII validation deadline"
    if arrived_on is None:
        why = Explanation(
            "3 months after the intern's arrival in France: known once the arrival is recorded",
            sources.VLS_TS_VALIDATION,
        )
        return [row(name, label, None, why)]
    return [date_row(name, label, vls_ts_validation_deadline(arrived_on=arrived_on))]


def filing_window_rows(expires_on: dt.date | None) -> list[Row]:
    """The carte de séjour filing window, 120 to 60 days before the visa expires (CESEDA R431-5)."""
    labels = [
        ("filing_opens_on", "Carte de séjour: filing opens"),
        ("filing_deadline", "Carte de séjour: filing deadline"),
    ]
    if expires_on is None:
        why = Explanation(
            "120 to 60 days before the long-stay visa expires: known once the visa is issued with its expiry",
            sources.PERMIT_FILING_WINDOW,
        )
        return [row(name, label, None, why) for name, label in labels]
    dates = permit_filing_window(expires_on=expires_on)
    return [date_row(name, label, date) for (name, label), date in zip(labels, dates, strict=True)]


def permit_silence_rows(filed_on: dt.date | None, complete_on: dt.date | None) -> list[Row]:
    """Silence kept 90 days after the complete application is a refusal (CESEDA R426-17)."""
    name, label = "silence_deadline", "Silence deadline (implicit refusal after it)"
    if filed_on is None:
        why = Explanation(
            "90 days after the complete application (the filing date unless a later complete date is "
            "recorded): known once the application is filed",
            sources.RESIDENCE_PERMIT_SILENCE,
        )
        return [row(name, label, None, why)]
    deadline = residence_permit_silence_deadline(filed_on=filed_on, complete_on=complete_on)
    return [date_row(name, label, deadline)]


def render_why(evaluate: Callable[[dt.date], CheckResult], today: dt.date) -> SafeString:
    """Evaluate the rules for `today` and render each value with its rule and source."""
    try:
        result = evaluate(today)
    except (CheckInputError, ValueError) as exc:
        return render_to_string("admin/conventions/why_these_dates.html", {"error": str(exc)})
    context = {
        "rows": why_rows(result),
        "warnings": result.warnings,
        "sources": result.sources,
        "today": today,
    }
    return render_to_string("admin/conventions/why_these_dates.html", context)


def render_explained_rows(rows: list[Row], today: dt.date) -> SafeString:
    return render_to_string("admin/conventions/why_these_dates.html", {"rows": rows, "today": today})


def render_audit_trail(obj: Any) -> SafeString:
    """The TransitionLog rows of one file (generic relation), oldest first."""
    if obj is None or obj.pk is None:
        return render_to_string("admin/conventions/audit_trail.html", {"entries": []})
    entries = TransitionLog.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk
    ).order_by("created_at", "pk")
    return render_to_string("admin/conventions/audit_trail.html", {"entries": list(entries)})


# The next deadline that matters for a file: filing for a draft that needs a validation (its filing
# deadline is null otherwise), the administration's silence deadline for a submitted one.
NEXT_DEADLINE = Case(
    When(state="draft", then=F("filing_deadline")),
    When(state="submitted", then=F("silence_deadline")),
    default=None,
    output_field=DateField(),
)


def overdue_q(today: dt.date) -> Q:
    return Q(state="draft", validation_required=True, filing_deadline__lt=today) | Q(
        state="submitted", silence_deadline__lt=today
    )


def days_left(next_deadline: dt.date | None, today: dt.date) -> int | None:
    """Days to the next deadline; negative when it is past (overdue)."""
    return None if next_deadline is None else (next_deadline - today).days
