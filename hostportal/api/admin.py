"""The operator's admin of API tokens: created (the secret shown once, in the confirmation message) and
revoked through hostportal.api.services, each with its AuditEntry; nothing else is editable."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hostportal.admin import access
from hostportal.api.models import ApiToken
from hostportal.api.services import api_token_create, api_token_revoke
from hostportal.models import AuditEntry, Organisation
from hostportal.selectors import organisations_for_user


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["organisation", "name", "role"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    form = ApiTokenForm
    list_display = [
        "name",
        "organisation",
        "role",
        "prefix",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["role"]
    readonly_fields = ["prefix", "created_by", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiToken]:
        queryset = super().get_queryset(request).select_related("organisation", "created_by")
        if access(request).is_superuser:
            return queryset
        return queryset.filter(organisation__in=organisations_for_user(request.user))

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "organisation" and field is not None and not access(request).is_superuser:
            managed = [pk for pk in organisations_for_user(request.user).values_list("pk", flat=True)]
            field.queryset = Organisation.objects.filter(
                pk__in=[pk for pk in managed if access(request).is_manager_of(pk)]
            )
        return field

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access(request).is_member

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access(request).is_member

    def has_add_permission(self, request: HttpRequest) -> bool:
        return access(request).is_superuser or any(
            access(request).is_manager_of(pk)
            for pk in organisations_for_user(request.user).values_list("pk", flat=True)
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and self.has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoked, never deleted: the audit trail names it

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        token, secret = api_token_create(
            actor=request.user,
            organisation=form.cleaned_data["organisation"],
            name=form.cleaned_data["name"],
            role=form.cleaned_data["role"],
            channel=AuditEntry.Channel.ADMIN,
        )
        obj.pk = token.pk
        messages.warning(
            request,
            _("The token « %(name)s » is %(secret)s — copy it now: it is shown only once.")
            % {"name": token.name, "secret": secret},
        )

    def log_addition(self, *args: Any, **kwargs: Any) -> Any:
        return None  # the AuditEntry written by the service is the record

    @admin.action(description=gettext_lazy("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            if access(request).is_manager_of(token.organisation_id):
                api_token_revoke(actor=request.user, token=token, channel=AuditEntry.Channel.ADMIN)
        messages.success(request, _("The selected tokens are revoked."))
