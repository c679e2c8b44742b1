"""Intern admin: the passport number is personal data, shown masked and never rendered back.

Editors may type a new number (blank keeps the stored one); lists, search, history and the change form
only ever show `masked_passport_number`. Created and edited through conventions.services.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from conventions.admin.base import ServiceAdminMixin, VersionedServiceModelForm
from conventions.admin.filters import OrganisationFilter, ScopedCountryFilter
from conventions.admin.history import ReadOnlyHistoryMixin
from conventions.models import Intern
from conventions.services.interns import INTERN_FIELDS, intern_create, intern_update
from hostportal.admin import TenantAdmin

IDENTITY = ["first_name", "last_name", "nationality", "date_of_birth", "email", "country_of_residence"]


class InternForm(VersionedServiceModelForm):
    new_passport_number = forms.CharField(
        label=_("Passport number"),
        required=False,
        max_length=20,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("Type the number to set it; leave blank to keep the stored one (shown masked)."),
    )

    # The service requires a passport outside the EU/EEA and Switzerland only (services.interns).
    service_field_map = {"passport_number": "new_passport_number"}

    class Meta:
        model = Intern
        exclude = ["passport_number"]

    def clean_new_passport_number(self) -> str:
        value: str = self.cleaned_data.get("new_passport_number") or ""
        return value.replace(" ", "").upper()


@admin.register(Intern)
class InternAdmin(ServiceAdminMixin, ReadOnlyHistoryMixin, SimpleHistoryAdmin, TenantAdmin):
    form = InternForm
    list_display = ["__str__", "organisation", "nationality", "masked_passport_number", "passport_expires_on"]
    list_filter = [("nationality", ScopedCountryFilter), ("organisation", OrganisationFilter)]
    # Never the passport number: a search on it would tell who holds a given passport.
    search_fields = ["first_name", "last_name", "email", "organisation__name"]
    list_select_related = ["organisation"]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            passport = ["new_passport_number", "passport_expires_on"]
        else:
            passport = ["masked_passport_number", "passport_expires_on"]
            if self.has_change_permission(request, obj):
                passport.append("new_passport_number")
        head = ["organisation", *IDENTITY]
        if obj is not None and self.has_change_permission(request, obj):
            head.append("expected_version")
        return [
            (None, {"fields": head}),
            (_("Passport"), {"fields": passport}),
            (_("Reminders"), {"fields": ["notify_intern", "language"]}),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [] if obj is None else ["organisation", "masked_passport_number"]

    @admin.display(description=_("Passport number"))
    def masked_passport_number(self, obj: Intern) -> str:
        return obj.masked_passport_number

    def service_save(self, request: HttpRequest, form: Any) -> Intern:
        data = form.cleaned_data
        fields = {name: data[name] for name in INTERN_FIELDS if name in data}
        if data.get("new_passport_number"):
            fields["passport_number"] = data["new_passport_number"]
        if form.instance._state.adding:
            return intern_create(actor=request.user, organisation=data["organisation"], **fields)
        changes = {name: value for name, value in fields.items() if name in form.changed_data}
        if "passport_number" in fields:
            changes["passport_number"] = fields["passport_number"]
        if not changes:
            return form.instance
        return intern_update(
            actor=request.user,
            intern=form.instance.pk,
            expected_version=data.get("expected_version"),
            **changes,
        )
