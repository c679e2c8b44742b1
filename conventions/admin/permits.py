"""Carte de séjour applications: opened by the services when an avenant is accepted, then filed and
decided through the transition buttons (services.permit_file, services.permit_record_decision)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Case, DateField, F, QuerySet, When
from django.http import HttpRequest
from django.utils import timezone
from django.utils.safestring import SafeString

from conventions import services
from conventions.admin.display import days_left, render_audit_trail, render_explained_rows
from conventions.admin.documents import DocumentFormsetMixin, PermitDocumentItemInline
from conventions.admin.filters import NextDeadlineFilter
from conventions.admin.transitions import (
    DECISION_FIELDS,
    DecisionForm,
    PermitFileForm,
    PermitGrantForm,
    TransitionAction,
    TransitionAdminMixin,
)
from conventions.models import PermitState, ResidencePermitApplication
from conventions.rules import RESIDENCE_PERMIT_STAMP_EUR, residence_permit_silence_deadline
from hostportal.admin import TenantAdmin

STAMP_SOURCE = "Seed (service-public.fr): 75 EUR in tax stamps, asked when the card is granted"

PERMIT_ACTIONS = [
    TransitionAction(
        "file",
        "Filed at the préfecture",
        PermitFileForm,
        services.permit_file,
        help="4 months of silence from this date mean refusal (CESEDA R432-1, R432-2).",
    ),
    TransitionAction(
        "grant",
        "Record the card granted",
        PermitGrantForm,
        services.permit_record_decision,
        fixed={"decision": "granted"},
        field_map=DECISION_FIELDS,
    ),
    TransitionAction(
        "refuse",
        "Record refusal",
        DecisionForm,
        services.permit_record_decision,
        fixed={"decision": "refused"},
        field_map=DECISION_FIELDS,
    ),
]

FIELDS: list[Any] = [
    "organisation", "convention", "avenant", "state", "prefecture", "filed_on", "silence_deadline",
    "days_left", "decision_on", "decision_reference", "stamp_amount_eur", "stamp_paid_on", "card_valid_until",
    "version",
]  # fmt: skip


@admin.register(ResidencePermitApplication)
class ResidencePermitApplicationAdmin(DocumentFormsetMixin, TransitionAdminMixin, TenantAdmin):
    transition_actions = PERMIT_ACTIONS
    transition_subject = "permit"
    inlines = [PermitDocumentItemInline]
    list_display = [
        "__str__", "organisation", "state", "filed_on", "silence_deadline", "days_left", "stamp_amount_eur",
        "prefecture",
    ]  # fmt: skip
    list_filter = ["state", ("organisation", admin.RelatedOnlyFieldListFilter), NextDeadlineFilter]
    search_fields = ["convention__intern__first_name", "convention__intern__last_name", "prefecture"]
    fieldsets = [
        (None, {"fields": FIELDS}),
        ("Why these dates", {"fields": ["why_these_dates"]}),
        ("Audit trail", {"fields": ["audit_trail"]}),
    ]
    readonly_fields = [*FIELDS, "why_these_dates", "audit_trail"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ResidencePermitApplication]:
        next_deadline = Case(
            When(state=PermitState.FILED, then=F("silence_deadline")), output_field=DateField()
        )
        return (
            super()
            .get_queryset(request)
            .select_related("convention__intern", "organisation")
            .annotate(next_deadline=next_deadline)
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # opened by the services when an avenant is accepted

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Every field is read-only: saving the page saves its checklist (the inline) only."""

    @admin.display(description="Days left", ordering="next_deadline")
    def days_left(self, obj: Any) -> int | None:
        return days_left(getattr(obj, "next_deadline", None), timezone.localdate())

    @admin.display(description="Why these dates")
    def why_these_dates(self, obj: ResidencePermitApplication) -> SafeString:
        stamp = str(RESIDENCE_PERMIT_STAMP_EUR)
        rows = [
            {"name": "stamp", "label": "Tax stamp (EUR)", "value": stamp, "rule": "", "source": STAMP_SOURCE}
        ]
        if obj.filed_on is not None:
            silence = residence_permit_silence_deadline(filed_on=obj.filed_on)
            rows.insert(
                0,
                {"name": "silence_deadline", "label": "Silence deadline", "value": str(silence.value),
                 "rule": silence.explanation.rule, "source": silence.explanation.source},
            )  # fmt: skip
        return render_explained_rows(rows, timezone.localdate())

    @admin.display(description="State changes")
    def audit_trail(self, obj: ResidencePermitApplication) -> SafeString:
        return render_audit_trail(obj)
