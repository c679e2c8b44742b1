"""The case page: every fact of an intern's stay on one page, from the convention to the carte de séjour.

Thin: reads through the selectors and conventions.explain, writes through the services and the shared
registry of actions (conventions.transitions). Another organisation's file is a 404 like a missing one; a
viewer reads everything and is offered no button (a viewer's post is refused by the services).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from conventions import explain, services
from conventions.models import (
    Avenant,
    Convention,
    DocumentItem,
    DocumentStatus,
    ResidencePermitApplication,
    TransitionLog,
    VisaApplication,
)
from conventions.rules import CheckInputError, CheckResult
from conventions.selectors import overlapping_conventions
from conventions.services.corrections import correctable_fields
from conventions.transitions import REGISTRY, TransitionAction, available_actions

# Audit entries in plain words: the registry's labels, and the steps no button makes.
OTHER_STEPS = {
    "create": gettext_lazy("Created"),
    "correct": gettext_lazy("Corrected"),
    "refuse_by_silence": gettext_lazy("Refused by silence (no answer by the deadline)"),
    "accept_by_silence": gettext_lazy("Accepted by silence (no answer by the deadline)"),
    "issue": gettext_lazy("Visa issued"),
    "grant": gettext_lazy("Card granted"),
    "extend": gettext_lazy("End date extended by the avenant"),
}
KIND_WORDS = {
    "convention": gettext_lazy("Convention"),
    "avenant": gettext_lazy("Avenant"),
    "visa": gettext_lazy("Long-stay visa"),
    "permit": gettext_lazy("Carte de séjour"),
}
MODEL_KIND = {
    Convention: "convention",
    Avenant: "avenant",
    VisaApplication: "visa",
    ResidencePermitApplication: "permit",
}
KIND_MODEL = {kind: model for model, kind in MODEL_KIND.items()}


def language() -> str:
    return (translation.get_language() or "fr")[:2]


def step_words(kind: str, transition: str) -> str:
    """What an audit entry's transition means, as a reader says it ("Documents demandés")."""
    _subject, actions = REGISTRY[kind]
    for action in actions:
        if action.name == transition:
            return str(action.label)
    return str(OTHER_STEPS.get(transition, transition.replace("_", " ")))


@dataclass
class Button:
    label: str
    url: str
    help: str
    is_event: bool


@dataclass
class FileBlock:
    """One file of the stay (the convention, an avenant, the visa, a carte de séjour application)."""

    kind: str
    obj: Any
    rows: list[dict[str, str]]
    buttons: list[Button]
    correct_url: str = ""
    notices: list[str] = field(default_factory=list)
    result: CheckResult | None = None

    @property
    def title(self) -> str:
        return str(KIND_WORDS[self.kind])


def action_url(kind: str, obj: Any, action: TransitionAction) -> str:
    return reverse("portal:file-action", args=[kind, obj.pk, action.name])


def buttons_for(kind: str, obj: Any, user: Any, writer: bool) -> list[Button]:
    if not writer:
        return []
    _subject, actions = REGISTRY[kind]
    return [
        Button(str(a.label), action_url(kind, obj, a), str(a.help), a.is_event)
        for a in available_actions(obj, user, actions, writer=True)
    ]


def correct_url(kind: str, obj: Any, writer: bool) -> str:
    if not writer or not correctable_fields(KIND_MODEL[kind]):
        return ""
    return reverse("portal:file-correct", args=[kind, obj.pk])


def evaluate(evaluate_fn: Any, today: dt.date) -> tuple[CheckResult | None, str]:
    try:
        return evaluate_fn(today), ""
    except (CheckInputError, ValueError) as exc:
        return None, str(exc)


def warning_text(warning: Any) -> str:
    return explain.warning_text(warning, language())


def overlapping(convention: Convention) -> list[Convention]:
    return overlapping_conventions(convention)


def overlap_warnings(convention: Convention, others: list[Convention]) -> list[str]:
    return explain.overlap_warnings(others)


def avenant_notice(result: CheckResult | None) -> list[str]:
    """A required avenant with no silence outcome has no implicit decision: the engine says why."""
    if result is None:
        return []
    why = result.explanations.get("silence_deadline")
    if not result.validation_required or result.silence_outcome is not None or why is None:
        return []
    return [
        _("No implicit acceptance exists for this avenant: %(why)s (%(source)s).")
        % {"why": why.text(language()), "source": why.source}
    ]


def audit_entries(files: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    """Every audit row of the stay's files, oldest first, in plain words: one query, joined to the content
    types by name (no separate content-type lookup, warm cache or not)."""
    by_model: dict[str, tuple[str, set[int]]] = {}
    for kind, obj in files:
        by_model.setdefault(type(obj)._meta.model_name or "", (kind, set()))[1].add(obj.pk)
    if not by_model:
        return []
    query = Q()
    for model_name, (_kind, ids) in by_model.items():
        query |= Q(content_type__app_label="conventions", content_type__model=model_name, object_id__in=ids)
    entries = (
        TransitionLog.objects.filter(query)
        .annotate(model_name=F("content_type__model"))
        .order_by("created_at", "pk")
    )
    return [audit_row(by_model[entry.model_name][0], entry) for entry in entries]


def audit_row(kind: str, entry: TransitionLog) -> dict[str, Any]:
    model = KIND_MODEL[kind]
    states = dict(getattr(model._meta.get_field("state"), "choices", None) or [])
    return {
        "entry": entry,
        "what": step_words(kind, entry.transition),
        "file": str(KIND_WORDS[kind]),
        "source": str(states.get(entry.source_state, "")) if entry.source_state else "",
        "target": str(states.get(entry.target_state, entry.target_state)),
        "channel": entry.get_channel_display(),
        "changes": [
            {"field": field_words(model, name), "old": old or "—", "new": new or "—"}
            for name, (old, new) in (entry.changes or {}).items()
        ],
    }


def field_words(model: Any, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001  (a field renamed since the entry was written)
        return name


def documents_by_step(convention: Convention) -> list[tuple[str, list[DocumentItem]]]:
    steps: dict[str, list[DocumentItem]] = {}
    labels: dict[str, str] = {}
    for item in convention.document_items.all():
        steps.setdefault(item.step, []).append(item)
        labels[item.step] = str(item.get_step_display())
    return [(labels[step], items) for step, items in steps.items()]


def convention_block(
    convention: Convention, user: Any, writer: bool, today: dt.date, parameters: Any = None
) -> FileBlock:
    result, error = evaluate(
        lambda day: services.convention_evaluate(convention, today=day, parameters=parameters), today
    )
    rows = explain.why_rows(result, language()) if result is not None else []
    block = FileBlock(
        "convention",
        convention,
        rows,
        buttons_for("convention", convention, user, writer),
        correct_url("convention", convention, writer),
    )
    if error:
        block.notices.append(_("The rules cannot be evaluated for this file: %(error)s") % {"error": error})
    block.result = result
    return block


def avenant_blocks(
    avenants: list[Avenant], user: Any, writer: bool, today: dt.date, parameters: Any = None
) -> list[FileBlock]:
    blocks = []
    for avenant in avenants:
        result, _error = evaluate(
            lambda day, a=avenant: services.avenant_evaluate(a, today=day, parameters=parameters), today
        )
        rows = explain.why_rows(result, language()) if result is not None else []
        block = FileBlock(
            "avenant",
            avenant,
            rows,
            buttons_for("avenant", avenant, user, writer),
            correct_url("avenant", avenant, writer),
            avenant_notice(result),
        )
        block.result = result
        blocks.append(block)
    return blocks


def visa_block(visa: VisaApplication | None, user: Any, writer: bool) -> FileBlock | None:
    if visa is None:
        return None
    rows = [
        *explain.ofii_rows(visa.arrived_on, language()),
        *explain.filing_window_rows(visa.expires_on, language()),
    ]
    return FileBlock(
        "visa", visa, rows, buttons_for("visa", visa, user, writer), correct_url("visa", visa, writer)
    )


def permit_blocks(
    permits: list[ResidencePermitApplication], visa: VisaApplication | None, user: Any, writer: bool
) -> list[FileBlock]:
    expires = visa.expires_on if visa else None
    return [
        FileBlock(
            "permit",
            permit,
            [
                *explain.filing_window_rows(expires, language()),
                *explain.permit_silence_rows(permit.filed_on, permit.complete_on, language()),
            ],
            buttons_for("permit", permit, user, writer),
            correct_url("permit", permit, writer),
        )
        for permit in permits
    ]


def case_context(convention: Convention, user: Any, writer: bool) -> dict[str, Any]:
    """Everything the case page shows, in a bounded number of queries whatever the file's history."""
    today = timezone.localdate()
    parameters = services.load_parameters()  # once for every evaluation of the page
    avenants = list(convention.avenants.order_by("created_at", "pk"))
    for avenant in avenants:
        avenant.convention = convention  # evaluated against the convention already loaded
    visa = getattr(convention, "visa", None)
    permits = list(convention.permit_applications.order_by("created_at", "pk"))
    main = convention_block(convention, user, writer, today, parameters)
    others = overlapping(convention)
    result = main.result
    warnings = [warning_text(w) for w in (result.warnings if result is not None else [])]
    warnings += overlap_warnings(convention, others)
    avenant_list = avenant_blocks(avenants, user, writer, today, parameters)
    files: list[tuple[str, Any]] = [("convention", convention), *(("avenant", a) for a in avenants)]
    files += [("visa", visa)] if visa else []
    files += [("permit", p) for p in permits]
    return {
        "convention": convention,
        "intern": convention.intern,
        "today": today,
        "main": main,
        "warnings": warnings,
        "notices": main.notices,
        "avenants": avenant_list,
        "avenant_warnings": [
            warning_text(w) for b in avenant_list if b.result is not None for w in b.result.warnings
        ],
        "visa": visa_block(visa, user, writer),
        "permits": permit_blocks(permits, visa, user, writer),
        "documents": documents_by_step(convention),
        "audit": audit_entries(files),
        "writer": writer,
        "can_extend": writer
        and convention.state == "validated"
        and not any(a.state in ("draft", "submitted", "documents_requested") for a in avenants),
        "statuses": DocumentStatus.choices,
    }
