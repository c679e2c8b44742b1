"""Read-only blocks of the change pages: "why these dates" (the rule engine) and the audit trail.

Every row of "why these dates" is a value with the engine's Explanation (its rule and its legal source):
the CheckResult of a convention or an avenant, and the dates the services store outside it (a visa's OFII
deadline, a carte de séjour's filing window and silence deadline), computed by the same engine functions.
Both blocks speak the reader's language: the explanations' French text (Explanation.rule_fr) for a French
reader, and the audit trail in plain words (no transition or state code names).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.template.loader import render_to_string
from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from conventions import explain
from conventions.explain import Row
from conventions.models import TransitionLog
from conventions.rules import CheckInputError, CheckResult
from conventions.selectors import NEXT_DEADLINE, days_left, overdue_q  # noqa: F401  (used by the admin)
from conventions.transitions import REGISTRY

# The titles the change pages share.
PROCEDURE_TITLE = _("Procedure (computed, changed by transitions only)")
WHY_TITLE = _("Why these dates")
AUDIT_TITLE = _("Audit trail")
AUDIT_DESCRIPTION = _("State changes")


def reader_language() -> str:
    """The active language as the rule engine knows it: "fr" or "en" (the explanations follow the reader)."""
    return (get_language() or settings.LANGUAGE_CODE).split("-")[0]


def why_rows(result: CheckResult, language: str | None = None) -> list[Row]:
    return explain.why_rows(result, language or reader_language())


def ofii_rows(arrived_on: dt.date | None, language: str | None = None) -> list[Row]:
    return explain.ofii_rows(arrived_on, language or reader_language())


def filing_window_rows(expires_on: dt.date | None, language: str | None = None) -> list[Row]:
    return explain.filing_window_rows(expires_on, language or reader_language())


def permit_silence_rows(
    filed_on: dt.date | None, complete_on: dt.date | None, language: str | None = None
) -> list[Row]:
    return explain.permit_silence_rows(filed_on, complete_on, language or reader_language())


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


# What happened, as an audit trail says it (past tense): the services log the transition's code name.
AUDIT_LABELS: dict[str, Promise] = {
    "create": pgettext_lazy("audit trail", "Created"),
    "submit": pgettext_lazy("audit trail", "Filed with the administration"),
    "mark_not_required": pgettext_lazy("audit trail", "Closed: no validation required"),
    "request_documents": pgettext_lazy("audit trail", "Documents requested by the administration"),
    "receive_documents": pgettext_lazy("audit trail", "Documents received by the administration"),
    "set_documents_due": pgettext_lazy("audit trail", "Documents' due date set"),
    "record_acknowledgment": pgettext_lazy("audit trail", "Acknowledgment of receipt recorded"),
    "validate": pgettext_lazy("audit trail", "Validated by the administration"),
    "refuse": pgettext_lazy("audit trail", "Refused"),
    "withdraw": pgettext_lazy("audit trail", "Withdrawn"),
    "refuse_by_silence": pgettext_lazy("audit trail", "Refused by silence (implicit decision)"),
    "accept_by_silence": pgettext_lazy("audit trail", "Accepted by silence (implicit decision)"),
    "apply": pgettext_lazy("audit trail", "Applied at the consulate"),
    "issue": pgettext_lazy("audit trail", "Visa issued"),
    "record_arrival": pgettext_lazy("audit trail", "Arrival in France recorded"),
    "record_ofii_validation": pgettext_lazy("audit trail", "OFII validation recorded"),
    "set_validity": pgettext_lazy("audit trail", "Visa validity corrected"),
    "file": pgettext_lazy("audit trail", "Filed at the préfecture"),
    "record_complete": pgettext_lazy("audit trail", "Application complete"),
    "grant": pgettext_lazy("audit trail", "Card granted"),
    "extend": pgettext_lazy("audit trail", "End date in force extended by an avenant"),
}


def logged_transition_names() -> set[str]:
    """Every transition name the product writes to the audit log: the audit labels and the actions."""
    return set(AUDIT_LABELS) | {action.name for _subject, actions in REGISTRY.values() for action in actions}


def transition_label(name: str) -> str:
    """A logged transition in plain words: its audit label, else its button's label, else its name."""
    if name in AUDIT_LABELS:
        return str(AUDIT_LABELS[name])
    for _subject, actions in REGISTRY.values():
        for action in actions:
            if action.name == name:
                return str(action.label)
    return name.replace("_", " ").capitalize()


def state_labels(model: type[Any]) -> dict[str, str]:
    """The model's states as the reader says them (the `state` field's choices, translated)."""
    try:
        field = model._meta.get_field("state")
    except FieldDoesNotExist:  # a model without states shows its codes as they are
        return {}
    return {str(code): str(label) for code, label in field.flatchoices}


def render_audit_trail(obj: Any) -> SafeString:
    """The TransitionLog rows of one file (generic relation), oldest first, in plain words."""
    if obj is None or obj.pk is None:
        return render_to_string("admin/conventions/audit_trail.html", {"entries": []})
    logs = TransitionLog.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk
    ).order_by("created_at", "pk")
    states = state_labels(type(obj))
    entries = [
        {
            "log": log,
            "transition": transition_label(log.transition),
            "source": states.get(log.source_state, log.source_state) if log.source_state else "",
            "target": states.get(log.target_state, log.target_state),
        }
        for log in logs
    ]
    return render_to_string("admin/conventions/audit_trail.html", {"entries": entries})
