"""Long-stay visa (VLS-TS "stagiaire") step: opened by the services when a convention is validated, then
moved by the buttons (services.visa_apply, visa_record_decision) and completed by the events of the
intern's arrival and OFII validation (visa_record_arrival, visa_record_ofii_validation).

After arrival the visa is validated online with the OFII within 3 months (CESEDA R431-16); its expiry dates
the carte de séjour filing window (R431-5).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from conventions.admin.display import (
    AUDIT_DESCRIPTION,
    AUDIT_TITLE,
    WHY_TITLE,
    days_left,
    filing_window_rows,
    ofii_rows,
    render_audit_trail,
    render_explained_rows,
)
from conventions.admin.filters import OrganisationFilter
from conventions.admin.history import ReadOnlyHistoryMixin
from conventions.admin.transitions import TransitionAdminMixin
from conventions.models import VisaApplication
from conventions.transitions import VISA_ACTIONS
from hostportal.admin import TenantAdmin

FIELDS: list[Any] = [
    "organisation", "convention_link", "state", "consulate", "applied_on", "decision_on",
    "decision_reference", "valid_from", "expires_on", "arrived_on", "ofii_deadline", "days_left",
    "ofii_validated", "version",
]  # fmt: skip


@admin.register(VisaApplication)
class VisaApplicationAdmin(
    TransitionAdminMixin, ReadOnlyHistoryMixin, SimpleHistoryAdmin, TenantAdmin
):  # fmt: skip
    transition_actions = VISA_ACTIONS
    transition_subject = "visa"
    list_display = [
        "__str__", "intern", "organisation", "state", "expires_on", "arrived_on", "ofii_deadline",
        "days_left", "ofii_validated",
    ]  # fmt: skip
    list_filter = ["state", ("organisation", OrganisationFilter)]
    search_fields = ["convention__intern__first_name", "convention__intern__last_name", "consulate"]
    list_select_related = ["convention__intern", "organisation"]
    fieldsets = [
        (None, {"fields": FIELDS}),
        (WHY_TITLE, {"fields": ["why_these_dates"]}),
        (AUDIT_TITLE, {"fields": ["audit_trail"]}),
    ]
    readonly_fields = [*FIELDS, "why_these_dates", "audit_trail"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[VisaApplication]:
        return super().get_queryset(request).select_related("convention__intern", "organisation")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # opened by the services when the convention is validated

    def render_change_form(
        self, request: HttpRequest, context: dict[str, Any], add: bool = False, change: bool = False,
        form_url: str = "", obj: Any = None,
    ) -> HttpResponse:  # fmt: skip
        # Every field is read-only: the buttons are the way forward.
        context.update(show_save=False, show_save_and_continue=False, show_save_and_add_another=False)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Every field is read-only: nothing to save outside the services."""

    @admin.display(description=_("Intern"), ordering="convention__intern__last_name")
    def intern(self, obj: VisaApplication) -> str:
        return str(obj.convention.intern)

    @admin.display(description=_("Convention"))
    def convention_link(self, obj: VisaApplication) -> str:
        url = reverse("admin:conventions_convention_change", args=[obj.convention_id])
        return format_html('<a href="{}">{}</a>', url, obj.convention)

    # The model's verbose names would read "Ofii ...": the OFII is an acronym.
    @admin.display(description=_("OFII validation deadline"), ordering="ofii_validation_deadline")
    def ofii_deadline(self, obj: VisaApplication) -> dt.date | None:
        """Computed by the services from the arrival: 3 months later (CESEDA R431-16)."""
        return obj.ofii_validation_deadline

    @admin.display(description=_("Validated with the OFII on"), ordering="ofii_validated_on")
    def ofii_validated(self, obj: VisaApplication) -> dt.date | None:
        return obj.ofii_validated_on

    @admin.display(description=_("Days left (OFII)"), ordering="ofii_validation_deadline")
    def days_left(self, obj: VisaApplication) -> int | None:
        """To the OFII validation deadline while it is still to be done; < 0 = past."""
        if obj.ofii_validated_on is not None:
            return None
        return days_left(obj.ofii_validation_deadline, timezone.localdate())

    @admin.display(description=WHY_TITLE)
    def why_these_dates(self, obj: VisaApplication) -> SafeString:
        rows = [*ofii_rows(obj.arrived_on), *filing_window_rows(obj.expires_on)]
        return render_explained_rows(rows, timezone.localdate())

    @admin.display(description=AUDIT_DESCRIPTION)
    def audit_trail(self, obj: VisaApplication) -> SafeString:
        return render_audit_trail(obj)
