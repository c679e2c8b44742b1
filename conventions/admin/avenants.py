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
from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from conventions import services
from conventions.admin.base import ServiceAdminMixin, ServiceModelForm
from conventions.admin.display import (
    AUDIT_DESCRIPTION,
    AUDIT_TITLE,
    NEXT_DEADLINE,
    PROCEDURE_TITLE,
    WHY_TITLE,
    days_left,
    reader_language,
    render_audit_trail,
    render_why,
)
from conventions.admin.filters import NextDeadlineFilter, OrganisationFilter, OverdueFilter
from conventions.admin.history import ReadOnlyHistoryMixin
from conventions.admin.transitions import TransitionAdminMixin
from conventions.models import Avenant, Channel, ConventionState
from conventions.rules import CheckInputError
from conventions.transitions import AVENANT_ACTIONS
from hostportal.admin import TenantAdmin

ADMIN = Channel.ADMIN

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
        ("organisation", OrganisationFilter),
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
        fieldsets: list[tuple[str | Promise | None, dict[str, Any]]] = [
            (None, {"fields": ["convention", "requested_end_date", "reason"]})
        ]
        if obj is not None:
            fieldsets += [
                (PROCEDURE_TITLE, {"fields": PROCEDURE_FIELDS}),
                (WHY_TITLE, {"fields": ["why_these_dates"]}),
                (AUDIT_TITLE, {"fields": ["audit_trail"]}),
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
        notice = gettext("No implicit acceptance exists for this avenant. Why: %(rule)s (%(source)s).")
        return [notice % {"rule": why.text(reader_language()), "source": why.source}]

    def service_save(self, request: HttpRequest, form: Any) -> Avenant:
        if not form.instance._state.adding:
            return form.instance
        data = form.cleaned_data
        return services.avenant_create(
            actor=request.user, convention=data["convention"], requested_end_date=data["requested_end_date"],
            reason=data["reason"], channel=ADMIN,
        )  # fmt: skip

    @admin.display(description=_("Intern"), ordering="convention__intern__last_name")
    def intern(self, obj: Avenant) -> str:
        return str(obj.convention.intern)

    @admin.display(description=_("Days left"), ordering="next_deadline")
    def days_left(self, obj: Any) -> int | None:
        return days_left(getattr(obj, "next_deadline", None), timezone.localdate())

    @admin.display(description=WHY_TITLE)
    def why_these_dates(self, obj: Avenant) -> SafeString:
        return render_why(lambda today: services.avenant_evaluate(obj, today=today), timezone.localdate())

    @admin.display(description=AUDIT_DESCRIPTION)
    def audit_trail(self, obj: Avenant) -> SafeString:
        return render_audit_trail(obj)
