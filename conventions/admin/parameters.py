"""Legal parameters (RULES §3): not tenant data. Every member reads them; only operators change them.

Each change is kept by django-simple-history (who, when, old and new value); rows are corrected, not
deleted, so the table always says which value was in force on a given day.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from conventions.admin.history import ReadOnlyHistoryMixin
from conventions.models import LegalParameter
from hostportal.admin import access


@admin.register(LegalParameter)
class LegalParameterAdmin(ReadOnlyHistoryMixin, SimpleHistoryAdmin):
    list_display = ["key", "effective_from", "value", "source", "updated_at"]
    list_filter = ["key"]
    search_fields = ["key", "source"]
    fields = ["key", "effective_from", "value", "source", "created_at", "updated_at"]
    readonly_fields = ["created_at", "updated_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[LegalParameter]:
        return LegalParameter.objects.all()

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access(request).is_member

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access(request).is_member

    def has_add_permission(self, request: HttpRequest) -> bool:
        return access(request).is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access(request).is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
