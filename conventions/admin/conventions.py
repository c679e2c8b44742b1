"""Convention admin: deadlines and days left, the rules' "why", the audit trail, transition buttons.

Created and edited through conventions.services (convention_create / convention_update with the version
the user loaded), moved only by the transition buttons; state, regime and deadlines are read-only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from conventions import explain, services
from conventions.admin.base import ServiceAdminMixin, VersionedServiceModelForm
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
from conventions.admin.documents import DocumentFormsetMixin, DocumentItemInline
from conventions.admin.filters import NextDeadlineFilter, OrganisationFilter, OverdueFilter, StartYearFilter
from conventions.admin.history import ReadOnlyHistoryMixin
from conventions.admin.transitions import TransitionAdminMixin
from conventions.models import Channel, Convention, ConventionState, VisaApplication
from conventions.rules import CheckInputError
from conventions.selectors import overlapping_conventions
from conventions.services.conventions import EDITABLE_FIELDS, RULE_INPUT_FIELDS
from conventions.transitions import CONVENTION_ACTIONS
from hostportal.admin import TenantAdmin

ADMIN = Channel.ADMIN
# Which deadline the "next deadline" of a file is (conventions.selectors.NEXT_DEADLINE).
NEXT_DEADLINE_WORDS = {
    ConventionState.DRAFT: _("Filing deadline"),
    ConventionState.DOCUMENTS_REQUESTED: _("Documents due"),
    ConventionState.SUBMITTED: _("Silence deadline"),
}

STAGE_FIELDS = [
    "sending_establishment", "tutor_name", "tutor_email", "start_date", "end_date", "weekly_hours",
    "hourly_gratification_eur", "monthly_resources_eur",
]  # fmt: skip
PROCEDURE_FIELDS = [
    "state", "regime", "validation_required", "filing_deadline", "silence_deadline", "days_left",
    "received_on", "acknowledged_decision_on", "documents_requested_on", "documents_due_on",
    "documents_received_on", "decision_on", "decision_reference", "effective_end_date", "version",
    "created_by",
]  # fmt: skip


class ConventionForm(VersionedServiceModelForm):
    pass


@admin.register(Convention)
class ConventionAdmin(
    DocumentFormsetMixin,
    TransitionAdminMixin,
    ServiceAdminMixin,
    ReadOnlyHistoryMixin,
    SimpleHistoryAdmin,
    TenantAdmin,
):
    form = ConventionForm
    transition_actions = CONVENTION_ACTIONS
    transition_subject = "convention"
    # Short enough for 1366 px: the next deadline says which one it is.
    list_display = ["__str__", "organisation", "category", "state", "next_deadline_kind", "days_left"]
    list_filter = [
        "state", "category", ("organisation", OrganisationFilter), OverdueFilter,
        NextDeadlineFilter, "regime", StartYearFilter,
    ]  # fmt: skip
    # Never the passport number (see InternAdmin).
    search_fields = [
        "intern__first_name", "intern__last_name", "intern__nationality", "organisation__name",
        "decision_reference", "sending_establishment", "tutor_name",
    ]  # fmt: skip
    list_select_related = ["intern", "organisation"]

    def transition_hint(self, obj: Convention) -> str:
        missing = obj.missing_for_submission()
        if obj.state == ConventionState.DRAFT and obj.validation_required and missing:
            labels = ", ".join(
                str(getattr(Convention._meta.get_field(name), "verbose_name", name)) for name in missing
            )
            return gettext("To file this convention with the administration, fill in: %(fields)s.") % {
                "fields": labels
            }
        return ""

    def get_inlines(self, request: HttpRequest, obj: Any) -> list[Any]:
        return [] if obj is None else [DocumentItemInline]  # the service creates the checklist

    def get_queryset(self, request: HttpRequest) -> QuerySet[Convention]:
        return super().get_queryset(request).annotate(next_deadline=NEXT_DEADLINE)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        head = ["organisation", "intern", "category", "programme", "same_group"]
        if obj is None or self.has_change_permission(request, obj):
            head.append("expected_version")
        fieldsets: list[tuple[str | Promise | None, dict[str, Any]]] = [
            (None, {"fields": head}),
            (_("Stage"), {"fields": STAGE_FIELDS}),
        ]
        if obj is not None:
            fieldsets += [
                (PROCEDURE_TITLE, {"fields": PROCEDURE_FIELDS}),
                (_("Avenants"), {"fields": ["avenant_list"]}),
                (_("Long-stay visa (VLS-TS)"), {"fields": ["visa_step"]}),
                (WHY_TITLE, {"fields": ["why_these_dates"]}),
                (AUDIT_TITLE, {"fields": ["audit_trail"]}),
            ]
        return fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        readonly = [
            "organisation",
            "intern",
            *PROCEDURE_FIELDS,
            "avenant_list",
            "visa_step",
            "why_these_dates",
            "audit_trail",
        ]
        if obj.is_final:
            readonly += sorted(EDITABLE_FIELDS)
        elif obj.state != ConventionState.DRAFT:
            # Once filed, the administration examines these values (services.convention_update refuses).
            readonly += sorted(RULE_INPUT_FIELDS)
        return readonly

    def service_save(self, request: HttpRequest, form: Any) -> Convention:
        data = form.cleaned_data
        if form.instance._state.adding:
            return services.convention_create(
                actor=request.user, organisation=data["organisation"], intern=data["intern"], channel=ADMIN,
                **{name: data[name] for name in EDITABLE_FIELDS if name in data},
            )  # fmt: skip
        changes = {name: data[name] for name in form.changed_data if name in EDITABLE_FIELDS}
        if not changes:
            return form.instance
        return services.convention_update(
            actor=request.user, convention=form.instance.pk, expected_version=data.get("expected_version"),
            channel=ADMIN, **changes,
        )  # fmt: skip

    @admin.display(description=_("Days left"), ordering="next_deadline")
    def days_left(self, obj: Any) -> int | None:
        """To the filing deadline of a draft, the silence deadline of a submitted file; < 0 = overdue."""
        return days_left(getattr(obj, "next_deadline", None), timezone.localdate())

    @admin.display(description=_("Next deadline"), ordering="next_deadline")
    def next_deadline_kind(self, obj: Any) -> str:
        """Which deadline "days left" counts to, with its date."""
        day = getattr(obj, "next_deadline", None)
        if day is None:
            return "—"
        return f"{NEXT_DEADLINE_WORDS.get(obj.state, '')} ({date_format(day, 'SHORT_DATE_FORMAT')})"

    @admin.display(description=_("Avenants"))
    def avenant_list(self, obj: Convention) -> str:
        avenants = list(obj.avenants.order_by("created_at", "pk"))
        if not avenants:
            return gettext("No avenant.")
        rows = [
            (
                reverse("admin:conventions_avenant_change", args=[a.pk], current_app=self.admin_site.name),
                gettext("Extension to %(end)s")
                % {"end": date_format(a.requested_end_date, "SHORT_DATE_FORMAT")},
                a.get_state_display(),
            )
            for a in avenants
        ]
        # A constant separator; each item is escaped by format_html_join.
        return format_html_join(mark_safe("<br>"), '<a href="{}">{}</a> — {}', rows)  # noqa: S308

    def page_notices(self, obj: Convention) -> list[str]:
        """The rules' warnings and the intern's overlapping stays, at the top of the page."""
        language = reader_language()
        try:
            result = services.convention_evaluate(obj, today=timezone.localdate())
        except (CheckInputError, ValueError):
            return []  # the "why these dates" block says what is wrong
        notices = [explain.warning_text(w, language) for w in result.warnings]
        return notices + explain.overlap_warnings(overlapping_conventions(obj))

    @admin.display(description=_("Visa step"))
    def visa_step(self, obj: Convention) -> str:
        visa = VisaApplication.objects.filter(convention=obj).first()
        if visa is None:
            return gettext("Opens when the convention is validated (a long-stay visa is then applied for).")
        url = reverse(
            "admin:conventions_visaapplication_change", args=[visa.pk], current_app=self.admin_site.name
        )
        deadline = visa.ofii_validation_deadline
        ofii = ""
        if deadline:
            ofii = gettext(", OFII validation by %(date)s") % {
                "date": date_format(deadline, "SHORT_DATE_FORMAT")
            }
        return format_html('<a href="{}">{}</a>: {}{}', url, visa, visa.get_state_display(), ofii)

    @admin.display(description=WHY_TITLE)
    def why_these_dates(self, obj: Convention) -> SafeString:
        return render_why(lambda today: services.convention_evaluate(obj, today=today), timezone.localdate())

    @admin.display(description=AUDIT_DESCRIPTION)
    def audit_trail(self, obj: Convention) -> SafeString:
        return render_audit_trail(obj)
