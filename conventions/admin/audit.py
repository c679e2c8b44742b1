"""The transition log: read-only for everyone (written by the services only), scoped to the user.

The log keeps the services' code names (`request_documents`, `submitted`); this page shows them in plain
words in the reader's language, as the audit trail of each file does (conventions.admin.display).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from conventions.admin.display import logged_transition_names, state_labels, transition_label
from conventions.admin.filters import OrganisationFilter
from conventions.models import TransitionLog
from hostportal.admin import TenantAdmin


class TransitionFilter(admin.SimpleListFilter):
    """The transitions, by their plain-words label (never the code name): every name the product logs
    (the audit labels and the registry's actions), without reading the log (a DISTINCT over millions of
    audit rows, issue 10)."""

    title = pgettext_lazy("audit trail", "what happened")
    parameter_name = "transition"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        names = logged_transition_names()
        return sorted(((name, transition_label(name)) for name in names), key=lambda choice: choice[1])

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(transition=value) if value else queryset


def _state(log: TransitionLog, code: str) -> str:
    model = log.content_type.model_class()
    labels = state_labels(model) if model is not None else {}
    return labels.get(code, code) if code else "—"


@admin.register(TransitionLog)
class TransitionLogAdmin(TenantAdmin):
    list_display = [
        "created_at", "subject_link", "what_happened", "source", "target", "actor_label", "channel",
        "organisation",
    ]  # fmt: skip
    list_filter = [
        ("created_at", admin.DateFieldListFilter),
        "channel",
        TransitionFilter,
        "content_type",
        ("organisation", OrganisationFilter),
    ]
    search_fields = ["actor_label", "comment", "transition"]
    # Not a date hierarchy: its day list is a DISTINCT over every audit row (issue 10).
    list_select_related = ["organisation", "content_type"]

    fields = [
        "created_at", "organisation", "subject_link", "what_happened", "source", "target", "actor",
        "actor_label", "channel", "comment",
    ]  # fmt: skip
    readonly_fields = [f for f in fields if isinstance(f, str)]

    @admin.display(description=_("File"))
    def subject_link(self, obj: TransitionLog) -> str:
        label = f"{obj.content_type.name} #{obj.object_id}"
        try:
            url = reverse(
                f"admin:{obj.content_type.app_label}_{obj.content_type.model}_change", args=[obj.object_id]
            )
        except NoReverseMatch:
            return label
        return format_html('<a href="{}">{}</a>', url, label)

    @admin.display(description=pgettext_lazy("audit trail", "What happened"), ordering="transition")
    def what_happened(self, obj: TransitionLog) -> str:
        return transition_label(obj.transition)

    @admin.display(description=pgettext_lazy("audit trail", "From"), ordering="source_state")
    def source(self, obj: TransitionLog) -> str:
        return _state(obj, obj.source_state)

    @admin.display(description=pgettext_lazy("audit trail", "To"), ordering="target_state")
    def target(self, obj: TransitionLog) -> str:
        return _state(obj, obj.target_state)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
