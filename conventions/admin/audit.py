"""The transition log: read-only for everyone (written by the services only), scoped to the user."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from conventions.models import TransitionLog
from hostportal.admin import TenantAdmin


@admin.register(TransitionLog)
class TransitionLogAdmin(TenantAdmin):
    list_display = [
        "created_at", "subject_link", "transition", "source_state", "target_state", "actor_label", "channel",
        "organisation",
    ]  # fmt: skip
    list_filter = [
        "channel",
        "transition",
        "content_type",
        ("organisation", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["actor_label", "comment", "transition"]
    date_hierarchy = "created_at"
    list_select_related = ["organisation", "content_type"]

    fields = [
        "created_at", "organisation", "subject_link", "transition", "source_state", "target_state", "actor",
        "actor_label", "channel", "comment",
    ]  # fmt: skip
    readonly_fields = [f for f in fields if isinstance(f, str)]

    @admin.display(description="File")
    def subject_link(self, obj: TransitionLog) -> str:
        label = f"{obj.content_type.name} #{obj.object_id}"
        try:
            url = reverse(
                f"admin:{obj.content_type.app_label}_{obj.content_type.model}_change", args=[obj.object_id]
            )
        except NoReverseMatch:
            return label
        return format_html('<a href="{}">{}</a>', url, label)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
