"""Avenant admin: drafted through services.avenant_create, then moved only by the transition buttons.

There is no service to edit an avenant once drafted (withdraw it and draft another), so its change page
is read-only apart from the buttons.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.safestring import SafeString
from simple_history.admin import SimpleHistoryAdmin

from conventions import services
from conventions.admin.base import ServiceAdminMixin, ServiceModelForm
from conventions.admin.display import LANGUAGE, NEXT_DEADLINE, days_left, render_audit_trail, render_why
from conventions.admin.filters import NextDeadlineFilter, OverdueFilter
from conventions.admin.history import ReadOnlyHistoryMixin
from conventions.admin.transitions import (
    ACKNOWLEDGMENT_FIELDS,
    DECISION_FIELDS,
    DOCUMENTS_DUE_FIELDS,
    DOCUMENTS_REQUESTED_FIELDS,
    AcknowledgmentForm,
    CommentForm,
    DecisionForm,
    DocumentsDueForm,
    DocumentsReceivedForm,
    DocumentsRequestedForm,
    ReceivedForm,
    TransitionAction,
    TransitionAdminMixin,
)
from conventions.models import Avenant, Channel, ConventionState
from conventions.rules import CheckInputError
from conventions.services.filing import ACKNOWLEDGEABLE, DOCUMENTS_REQUESTED
from hostportal.admin import TenantAdmin

ADMIN = Channel.ADMIN

AVENANT_ACTIONS = [
    TransitionAction(
        "submit",
        "Submit to the administration",
        ReceivedForm,
        services.avenant_submit,
        help=(
            "15 days of silence from this date accept the avenant (CESEDA R426-21); not for a company "
            "stage, which needs an explicit answer."
        ),
    ),
    TransitionAction(
        "request_documents",
        "Documents requested",
        DocumentsRequestedForm,
        services.avenant_request_documents,
        help="No silence deadline until the documents arrive; then 15 days again (CRPA L114-5).",
        field_map=DOCUMENTS_REQUESTED_FIELDS,
    ),
    TransitionAction(
        "receive_documents",
        "Documents received",
        DocumentsReceivedForm,
        services.avenant_receive_documents,
        field_map={"documents_received_on": "received_on"},
    ),
    TransitionAction(
        "validate",
        "Record validation",
        DecisionForm,
        services.avenant_record_decision,
        fixed={"decision": "validated"},
        help="The convention's end date in force moves and the carte de séjour application opens.",
        field_map=DECISION_FIELDS,
    ),
    TransitionAction(
        "refuse",
        "Record refusal",
        DecisionForm,
        services.avenant_record_decision,
        fixed={"decision": "refused"},
        field_map=DECISION_FIELDS,
    ),
    TransitionAction("withdraw", "Withdraw", CommentForm, services.avenant_withdraw),
    TransitionAction(
        "set_documents_due",
        "Set the documents' due date",
        DocumentsDueForm,
        services.avenant_set_documents_due,
        help="The date the administration set for the documents (kept for the record and the reminders).",
        field_map=DOCUMENTS_DUE_FIELDS,
        states=(DOCUMENTS_REQUESTED,),
    ),
    TransitionAction(
        "record_acknowledgment",
        "Record the acknowledgment of receipt",
        AcknowledgmentForm,
        services.avenant_record_acknowledgment,
        help="The decision date stated on the acknowledgment wins over the computed one (CRPA R112-5).",
        field_map=ACKNOWLEDGMENT_FIELDS,
        states=ACKNOWLEDGEABLE,
    ),
]

PROCEDURE_FIELDS = [
    "organisation", "state", "previous_end_date", "prior_extensions", "validation_required",
    "filing_deadline", "silence_deadline", "days_left", "received_on", "acknowledged_decision_on",
    "documents_requested_on", "documents_due_on", "documents_received_on", "decision_on",
    "decision_reference", "version", "created_by",
]  # fmt: skip


class AvenantForm(ServiceModelForm):
    class Meta:
        model = Avenant
        fields = ["convention", "requested_end_date", "reason"]


@admin.register(Avenant)
class AvenantAdmin(
    TransitionAdminMixin, ServiceAdminMixin, ReadOnlyHistoryMixin, SimpleHistoryAdmin, TenantAdmin
):
    form = AvenantForm
    transition_actions = AVENANT_ACTIONS
    transition_subject = "avenant"
    list_display = [
        "__str__", "intern", "organisation", "state", "previous_end_date", "requested_end_date",
        "filing_deadline", "silence_deadline", "days_left",
    ]  # fmt: skip
    list_filter = [
        "state",
        ("organisation", admin.RelatedOnlyFieldListFilter),
        OverdueFilter,
        NextDeadlineFilter,
    ]
    search_fields = [
        "convention__intern__first_name", "convention__intern__last_name", "organisation__name",
        "decision_reference",
    ]  # fmt: skip
    list_select_related = ["convention__intern", "organisation"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Avenant]:
        return super().get_queryset(request).annotate(next_deadline=NEXT_DEADLINE)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets: list[tuple[str | None, dict[str, Any]]] = [
            (None, {"fields": ["convention", "requested_end_date", "reason"]})
        ]
        if obj is not None:
            fieldsets += [
                ("Procedure (computed, changed by transitions only)", {"fields": PROCEDURE_FIELDS}),
                ("Why these dates", {"fields": ["why_these_dates"]}),
                ("Audit trail", {"fields": ["audit_trail"]}),
            ]
        return fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        return [
            "convention",
            "requested_end_date",
            "reason",
            *PROCEDURE_FIELDS,
            "why_these_dates",
            "audit_trail",
        ]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "convention" and field is not None:
            # Only a validated convention is extended by an avenant (services.avenant_create).
            field.queryset = field.queryset.filter(state=ConventionState.VALIDATED).select_related("intern")
        return field

    def render_change_form(
        self, request: HttpRequest, context: dict[str, Any], add: bool = False, change: bool = False,
        form_url: str = "", obj: Any = None,
    ) -> HttpResponse:  # fmt: skip
        if change:
            # Nothing to save on a drafted avenant: its buttons are the way forward.
            context.update(show_save=False, show_save_and_continue=False, show_save_and_add_another=False)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def page_notices(self, obj: Avenant) -> list[str]:
        """A required avenant without a silence outcome has no implicit decision: the engine says why."""
        try:
            result = services.avenant_evaluate(obj, today=timezone.localdate())
        except (CheckInputError, ValueError):
            return []  # the "why these dates" block says what is wrong
        why = result.explanations.get("silence_deadline")
        if not result.validation_required or result.silence_outcome is not None or why is None:
            return []
        return [f"No implicit acceptance exists for this avenant. Why: {why.text(LANGUAGE)} ({why.source})."]

    def service_save(self, request: HttpRequest, form: Any) -> Avenant:
        if not form.instance._state.adding:
            return form.instance
        data = form.cleaned_data
        return services.avenant_create(
            actor=request.user, convention=data["convention"], requested_end_date=data["requested_end_date"],
            reason=data["reason"], channel=ADMIN,
        )  # fmt: skip

    @admin.display(description="Intern", ordering="convention__intern__last_name")
    def intern(self, obj: Avenant) -> str:
        return str(obj.convention.intern)

    @admin.display(description="Days left", ordering="next_deadline")
    def days_left(self, obj: Any) -> int | None:
        return days_left(getattr(obj, "next_deadline", None), timezone.localdate())

    @admin.display(description="Why these dates")
    def why_these_dates(self, obj: Avenant) -> SafeString:
        return render_why(lambda today: services.avenant_evaluate(obj, today=today), timezone.localdate())

    @admin.display(description="State changes")
    def audit_trail(self, obj: Avenant) -> SafeString:
        return render_audit_trail(obj)
