"""Read-only blocks of the change pages: "why these dates" (the rule engine) and the audit trail."""

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
from conventions.rules import CheckInputError, CheckResult, Explanation, format_amount

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


def why_rows(result: CheckResult) -> list[dict[str, str]]:
    rows = []
    for name, label in RESULT_ROWS:
        value = getattr(result, name)
        why: Explanation | None = result.explanations.get(name)
        if value is None and why is None:
            continue
        rows.append(
            {
                "name": name,
                "label": label,
                "value": display_value(value),
                "rule": why.rule if why else "",
                "source": why.source if why else "",
            }
        )
    return rows


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


def render_explained_rows(rows: list[dict[str, str]], today: dt.date) -> SafeString:
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
