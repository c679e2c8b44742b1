"""Carte de séjour applications: opened by the services when an avenant is accepted, then filed, completed
and decided through the buttons (services.permit_file, permit_record_complete, permit_record_decision).

Filed from 120 to 60 days before the long-stay visa expires (CESEDA R431-5); 90 days of silence after the
complete application mean refusal (R426-17).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Case, DateField, F, QuerySet, When
from django.http import HttpRequest
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from conventions.admin.display import (
    AUDIT_DESCRIPTION,
    AUDIT_TITLE,
    WHY_TITLE,
    days_left,
    filing_window_rows,
    permit_silence_rows,
    render_audit_trail,
    render_explained_rows,
)
from conventions.admin.documents import DocumentFormsetMixin, PermitDocumentItemInline
from conventions.admin.filters import NextDeadlineFilter, OrganisationFilter
from conventions.admin.transitions import TransitionAdminMixin
from conventions.models import PermitState, ResidencePermitApplication, VisaApplication
from conventions.rules import RESIDENCE_PERMIT_STAMP_EUR
from conventions.transitions import PERMIT_ACTIONS
from hostportal.admin import TenantAdmin

STAMP_SOURCE = _("Seed (service-public.fr): 75 EUR in tax stamps, asked when the card is granted")

FIELDS: list[Any] = [
    "organisation", "convention", "avenant", "state", "filing_opens_on", "filing_deadline", "prefecture",
    "filed_on", "complete_on", "silence_deadline", "days_left", "decision_on", "decision_reference",
    "stamp_amount_eur", "stamp_paid_on", "card_valid_until", "version",
]  # fmt: skip

# The next date that matters: the last day to file while to file, the silence deadline once filed.
NEXT_DEADLINE = Case(
    When(state=PermitState.TO_FILE, then=F("filing_deadline")),
    When(state=PermitState.FILED, then=F("silence_deadline")),
    output_field=DateField(),
)


@admin.register(ResidencePermitApplication)
class ResidencePermitApplicationAdmin(DocumentFormsetMixin, TransitionAdminMixin, TenantAdmin):
    transition_actions = PERMIT_ACTIONS
    transition_subject = "permit"
    inlines = [PermitDocumentItemInline]
    list_display = [
        "__str__", "organisation", "state", "filing_deadline", "filed_on", "silence_deadline", "days_left",
        "stamp_amount_eur", "prefecture",
    ]  # fmt: skip
    list_filter = ["state", ("organisation", OrganisationFilter), NextDeadlineFilter]
    search_fields = ["convention__intern__first_name", "convention__intern__last_name", "prefecture"]
    fieldsets = [
        (None, {"fields": FIELDS}),
        (WHY_TITLE, {"fields": ["why_these_dates"]}),
        (AUDIT_TITLE, {"fields": ["audit_trail"]}),
    ]
    readonly_fields = [*FIELDS, "why_these_dates", "audit_trail"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ResidencePermitApplication]:
        return (
            super()
            .get_queryset(request)
            .select_related("convention__intern", "organisation")
            .annotate(next_deadline=NEXT_DEADLINE)
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # opened by the services when an avenant is accepted

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Every field is read-only: saving the page saves its checklist (the inline) only."""

    @admin.display(description=_("Days left"), ordering="next_deadline")
    def days_left(self, obj: Any) -> int | None:
        """To the filing deadline while to file, to the silence deadline once filed; < 0 = past."""
        return days_left(getattr(obj, "next_deadline", None), timezone.localdate())

    @admin.display(description=WHY_TITLE)
    def why_these_dates(self, obj: ResidencePermitApplication) -> SafeString:
        visa = VisaApplication.objects.filter(convention_id=obj.convention_id).first()
        rows = [
            *filing_window_rows(visa.expires_on if visa else None),
            *permit_silence_rows(obj.filed_on, obj.complete_on),
            {"name": "stamp", "label": str(_("Tax stamp (EUR)")), "value": str(RESIDENCE_PERMIT_STAMP_EUR),
             "rule": "", "source": str(STAMP_SOURCE)},
        ]  # fmt: skip
        return render_explained_rows(rows, timezone.localdate())

    @admin.display(description=AUDIT_DESCRIPTION)
    def audit_trail(self, obj: ResidencePermitApplication) -> SafeString:
        return render_audit_trail(obj)
