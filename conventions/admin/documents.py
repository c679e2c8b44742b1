"""Checklist items (RULES §5): the services create them; members update status, file and expiry.

No service owns a checklist item's status yet, so these forms save the row directly; the model's
CheckConstraint (a rejected item needs a reason) is checked here first, with a message on the field.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from conventions.models import DocumentItem, DocumentStatus
from hostportal.admin import TenantAdmin, TenantInline

EDITABLE = ["status", "rejection_reason", "file", "expires_on"]


class DocumentItemForm(forms.ModelForm):
    class Meta:
        model = DocumentItem
        fields = EDITABLE

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == DocumentStatus.REJECTED and not (data.get("rejection_reason") or "").strip():
            self.add_error("rejection_reason", "Say why the document was rejected: the reason is required.")
        return data


class DocumentItemInline(TenantInline):
    model = DocumentItem
    form = DocumentItemForm
    fk_name = "convention"
    fields = ["step", "label", "status", "rejection_reason", "file", "expires_on"]
    readonly_fields = ["step", "label"]
    verbose_name_plural = "Documents (checklists of the VLS-TS and the carte de séjour)"


class PermitDocumentItemInline(DocumentItemInline):
    fk_name = "permit_application"


@admin.register(DocumentItem)
class DocumentItemAdmin(TenantAdmin):
    form = DocumentItemForm
    list_display = ["label", "convention", "intern", "step", "status", "expires_on", "organisation"]
    list_filter = ["step", "status", "expires_on", ("organisation", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["label", "code", "convention__intern__last_name", "convention__intern__first_name"]
    list_select_related = ["convention__intern", "organisation"]
    fields = [
        "organisation",
        "convention",
        "permit_application",
        "step",
        "code",
        "label",
        *EDITABLE,
        "updated_at",
    ]
    readonly_fields = [
        "organisation",
        "convention",
        "permit_application",
        "step",
        "code",
        "label",
        "updated_at",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[DocumentItem]:
        return super().get_queryset(request).select_related("convention__intern", "organisation")

    @admin.display(description="Intern", ordering="convention__intern__last_name")
    def intern(self, obj: DocumentItem) -> str:
        return str(obj.convention.intern)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # checklists come with their convention or their carte de séjour application
