"""Checklist items (RULES §5): the services create them; members update status, file and expiry.

Saved through conventions.services.documents.document_item_update, in the list page, the item page and
the inlines of a convention or a carte de séjour application. The form checks the rejection reason first
so that the message lands on the field.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from conventions.admin.base import (
    SERVICE_ERRORS,
    ServiceAdminMixin,
    ServiceModelForm,
    ServiceRaceError,
    ServiceRaceMessageMixin,
    error_messages,
)
from conventions.admin.filters import OrganisationFilter
from conventions.models import DocumentItem, DocumentStatus
from conventions.services.documents import document_item_update
from hostportal.admin import TenantAdmin, TenantInline

EDITABLE = ["status", "rejection_reason", "file", "expires_on"]
ACCEPTED = ".pdf,.jpg,.jpeg,.png"


class DownloadLink:
    """The stored file as the widget shows it: its name, linked to the authorised download view (the
    files are not served from MEDIA_URL: only members of the organisation may read them)."""

    def __init__(self, name: str, url: str) -> None:
        self.name, self.url = name, url

    def __str__(self) -> str:
        return self.name.rsplit("/", 1)[-1]


class DownloadFileInput(forms.ClearableFileInput):
    def __init__(self, *args: Any, download_url: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.download_url = download_url

    def format_value(self, value: Any) -> Any:
        if self.is_initial(value) and self.download_url:
            return DownloadLink(str(value.name), self.download_url)
        return super().format_value(value)


class DocumentItemForm(ServiceModelForm):
    class Meta:
        model = DocumentItem
        fields = EDITABLE
        widgets = {"rejection_reason": forms.Textarea(attrs={"rows": 2, "cols": 40})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and "file" in self.fields:
            url = reverse("portal:document-download", args=[self.instance.pk])
            self.fields["file"].widget = DownloadFileInput(
                download_url=url, attrs={"accept": ".pdf,.jpg,.jpeg,.png"}
            )
        if "file" in self.fields:
            # The service stores the file under a short random name: the name sent may be of any length.
            cast(forms.FileField, self.fields["file"]).max_length = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == DocumentStatus.REJECTED and not (data.get("rejection_reason") or "").strip():
            self.add_error(
                "rejection_reason", _("Say why the document was rejected: the reason is required.")
            )
        return data


class DocumentItemInline(TenantInline):
    model = DocumentItem
    form = DocumentItemForm
    fk_name = "convention"
    fields = ["step", "label", "status", "rejection_reason", "file", "expires_on"]
    readonly_fields = ["step", "label"]
    verbose_name_plural = _("Documents (checklists of the VLS-TS and the carte de séjour)")


class PermitDocumentItemInline(DocumentItemInline):
    fk_name = "permit_application"


def changed_fields(form: forms.ModelForm) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in EDITABLE if name in form.changed_data}


def save_document_form(request: HttpRequest, form: forms.ModelForm) -> None:
    """Send what the member changed on one checklist line to the service (nothing else is written)."""
    changed = changed_fields(form)
    if not changed or form.instance.pk is None:
        return
    try:
        document_item_update(actor=request.user, item=form.instance.pk, **changed)
    except SERVICE_ERRORS as exc:
        raise ServiceRaceError(" ".join(error_messages(exc))) from exc


class DocumentFormsetMixin(ServiceRaceMessageMixin):
    """For the admins that show checklist inlines: the inline lines are saved through the service."""

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not DocumentItem:
            super().save_formset(request, form, formset, change)  # type: ignore[misc]
            return
        # What formset.save() would have set: the admin's change message reads these.
        formset.new_objects, formset.deleted_objects, formset.changed_objects = [], [], []
        for line in formset.forms:
            save_document_form(request, line)
            if changed_fields(line):
                formset.changed_objects.append((line.instance, list(changed_fields(line))))


@admin.register(DocumentItem)
class DocumentItemAdmin(ServiceAdminMixin, TenantAdmin):
    form = DocumentItemForm
    list_display = ["label", "convention", "intern", "step", "status", "expires_on", "organisation"]
    list_filter = ["step", "status", "expires_on", ("organisation", OrganisationFilter)]
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

    @admin.display(description=_("Intern"), ordering="convention__intern__last_name")
    def intern(self, obj: DocumentItem) -> str:
        return str(obj.convention.intern)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # checklists come with their convention or their carte de séjour application

    def service_save(self, request: HttpRequest, form: Any) -> DocumentItem:
        return document_item_update(actor=request.user, item=form.instance.pk, **changed_fields(form))
