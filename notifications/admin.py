"""Admin of the outbox, the reminder settings, the calendar feeds and each member's email preference.

Scoped like every page (hostportal.admin.TenantAdmin): a member sees their organisations' rows, managers
and editors act on them. The outbox is read-only: its rows change only through the services (resend).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from hostportal.admin import TenantAdmin, access
from hostportal.permissions import can_manage
from hostportal.services import (
    BOOLEAN_SETTINGS,
    LEAD_TIME_FIELDS,
    member_set_preferences,
    reminder_settings_update,
)
from notifications.links import file_url
from notifications.models import (
    CalendarToken,
    EmailPreference,
    Notification,
    ReminderSettings,
    WebhookDelivery,
    WebhookEndpoint,
)
from notifications.rules import FileType
from notifications.services import calendar_token_create, calendar_token_revoke, notification_resend
from notifications.services.webhooks import (
    clean_description,
    clean_events,
    clean_url,
    webhook_delivery_resend,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_update,
)
from notifications.webhooks import WEBHOOK_EVENTS, WILDCARD


@admin.register(Notification)
class NotificationAdmin(TenantAdmin):
    list_display = [
        "created_at", "kind", "recipient_email", "status", "attempts", "due_on", "deadline", "sent_at",
        "short_error",
    ]  # fmt: skip
    list_filter = ["status", "kind", "language"]
    search_fields = ["recipient_email", "idempotency_key", "subject"]
    date_hierarchy = "due_on"
    actions = ["resend"]
    readonly_fields = [
        "organisation", "kind", "file_link", "deadline", "due_on", "days_left", "rule", "source",
        "recipient_email", "recipient_user", "recipient_intern", "language", "digest", "status", "attempts",
        "next_attempt_at", "claimed_at", "sent_at", "last_error", "resend_count", "idempotency_key",
        "message_id", "subject", "text_body", "created_at", "updated_at",
    ]  # fmt: skip
    fields = list(readonly_fields)

    @admin.display(description="Last error")
    def short_error(self, obj: Notification) -> str:
        return obj.last_error[:80]

    @admin.display(description="File")
    def file_link(self, obj: Notification) -> str:
        if obj.file_type == FileType.ORGANISATION:
            return f"digest of {obj.organisation}"
        return format_html(
            '<a href="{}">{} #{}</a>',
            file_url(FileType(obj.file_type), obj.object_id),
            obj.file_type,
            obj.object_id,
        )

    @admin.display(description="Message-ID")
    def message_id(self, obj: Notification) -> str:
        return obj.message_id

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # read-only page; the resend action checks the write role itself

    def get_actions(self, request: HttpRequest) -> Any:
        actions = super().get_actions(request)
        if not access(request).can_write_somewhere:
            actions.pop("resend", None)
        return actions

    @admin.action(description="Send again (failed, sent or cancelled emails)")
    def resend(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        count = notification_resend(actor=request.user, ids=list(queryset.values_list("pk", flat=True)))
        skipped = queryset.count() - count
        self.message_user(request, f"{count} email(s) queued again.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                f"{skipped} email(s) left alone: still pending or being sent, "
                "or in an organisation you only read.",
                messages.WARNING,
            )


@admin.register(ReminderSettings)
class ReminderSettingsAdmin(TenantAdmin):
    list_display = [
        "organisation",
        "filing_lead_days",
        "silence_lead_days",
        "convention_end_lead_days",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["organisation"]}),
        (
            "Lead times (days before the deadline)",
            {
                "fields": [
                    "filing_lead_days",
                    "late_filing_daily",
                    "silence_lead_days",
                    "avenant_filing_lead_days",
                    "convention_end_lead_days",
                    "permit_silence_lead_days",
                    "document_expiry_lead_days",
                    "documents_due_lead_days",
                    "explicit_answer_lead_days",
                    "ofii_validation_lead_days",
                    "permit_filing_lead_days",
                ]
            },
        ),  # fmt: skip
        ("Who gets the reminders", {"fields": ["notify_managers", "notify_editors", "notify_viewers"]}),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["organisation"] if obj is not None else []

    # Managers set the reminders (hostportal.permissions); editors and viewers read them.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return access(request).is_superuser or "manager" in access(request).roles.values()

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return self.has_add_permission(request)
        return access(request).is_manager_of(obj.organisation_id)

    def save_model(self, request: HttpRequest, obj: ReminderSettings, form: Any, change: bool) -> None:
        """Through the service, audited with the channel "admin" (the form has validated the values)."""
        names = [*LEAD_TIME_FIELDS, *BOOLEAN_SETTINGS]
        saved = reminder_settings_update(
            actor=request.user,
            organisation=obj.organisation,
            values={name: form.cleaned_data[name] for name in names if name in form.cleaned_data},
            channel="admin",
        )
        obj.pk, obj.updated_at = saved.pk, saved.updated_at


@admin.register(CalendarToken)
class CalendarTokenAdmin(TenantAdmin):
    list_display = ["organisation", "label", "language", "created_by", "created_at", "revoked_at"]
    list_filter = ["revoked_at"]
    fields = ["organisation", "label", "language", "feed_url", "created_by", "created_at", "revoked_at"]
    readonly_fields = ["feed_url", "created_by", "created_at", "revoked_at"]
    actions = ["revoke"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return (
            [*self.readonly_fields, "organisation", "language"] if obj is not None else self.readonly_fields
        )

    def get_actions(self, request: HttpRequest) -> Any:
        """A read-only member is offered no revoke (issue 9: a viewer was offered it, then told
        "0 revoked" as a success)."""
        actions = super().get_actions(request)
        if not access(request).can_write_somewhere:
            actions.pop("revoke", None)
        return actions

    @admin.display(description=_("Feed URL (subscribe to it; keep it secret)"))
    def feed_url(self, obj: CalendarToken) -> str:
        if obj.pk is None:
            return str(_("Shown once saved."))
        if obj.revoked_at is not None:
            return str(_("Revoked"))
        return settings.SITE_URL + reverse("notifications:calendar_feed", args=[obj.token])

    def save_model(self, request: HttpRequest, obj: CalendarToken, form: Any, change: bool) -> None:
        if change:
            obj.save(update_fields=["label"])
            return
        created = calendar_token_create(
            actor=request.user,
            organisation=obj.organisation,
            label=obj.label,
            language=obj.language,
            channel="admin",
        )
        obj.pk, obj.token, obj.created_by, obj.created_at = (
            created.pk,
            created.token,
            created.created_by,
            created.created_at,
        )

    @admin.action(description=_("Revoke (the URL answers 404 from now on)"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[CalendarToken]) -> None:
        revoked = refused = 0
        for token in queryset.filter(revoked_at__isnull=True):
            if access(request).can_write(token.organisation_id):
                calendar_token_revoke(actor=request.user, token=token, channel="admin")
                revoked += 1
            else:
                refused += 1
        if revoked:
            self.message_user(
                request, _("%(count)s calendar URL(s) revoked.") % {"count": revoked}, messages.SUCCESS
            )
        if refused:
            self.message_user(
                request,
                _("%(count)s calendar URL(s) not revoked: your role is read-only there.")
                % {"count": refused},
                messages.ERROR,
            )
        if not revoked and not refused:
            self.message_user(
                request, _("Nothing to revoke: these URLs were already revoked."), messages.WARNING
            )


@admin.register(EmailPreference)
class EmailPreferenceAdmin(TenantAdmin):
    """Each member chooses their own emails (each reminder, a daily digest, none) and language;
    managers may set them for their members too."""

    list_display = ["user", "organisation", "role", "email_preference", "language"]
    list_editable = ["email_preference", "language"]
    list_filter = ["email_preference", "language", "role"]
    fields = ["user", "organisation", "role", "email_preference", "language"]
    readonly_fields = ["user", "organisation", "role"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return access(request).is_member
        return obj.user_id == request.user.pk or access(request).is_manager_of(obj.organisation_id)

    def save_model(self, request: HttpRequest, obj: EmailPreference, form: Any, change: bool) -> None:
        """Through the service, audited with the channel "admin" (the list's inline edits too)."""
        member_set_preferences(
            actor=request.user,
            membership=obj,
            language=obj.language,
            email_preference=obj.email_preference,
            channel="admin",
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet[EmailPreference]:
        queryset = super().get_queryset(request).select_related("user", "organisation")
        if access(request).is_superuser:
            return queryset
        managed = [org for org, role in access(request).roles.items() if role == "manager"]
        return queryset.filter(user=request.user) | queryset.filter(organisation_id__in=managed)


# --- webhooks ----------------------------------------------------------------------------------------------
EVENT_CHOICES = [(WILDCARD, _("Every event")), *((name, name) for name in WEBHOOK_EVENTS)]


class WebhookEndpointForm(forms.ModelForm):
    """The events as checkboxes; every value is checked by the services' own rules before saving."""

    url = forms.CharField(label=_("URL"), max_length=500)  # checked by the services (https, or local http)
    events = forms.MultipleChoiceField(
        label=_("events"), choices=EVENT_CHOICES, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["organisation", "url", "description", "events", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.user = kwargs.pop("user", None)
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        organisation = data.get("organisation") or getattr(self.instance, "organisation", None)
        if organisation is not None and self.user is not None and not can_manage(self.user, organisation.pk):
            self.add_error("organisation", _("Only the organisation’s managers may manage its webhooks."))
        for name, check in (("url", clean_url), ("events", clean_events), ("description", clean_description)):
            if name in data:
                try:
                    data[name] = check(data[name])
                except ValidationError as error:
                    self.add_error(name, error.message_dict.get(name, error.messages))
        return data


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(TenantAdmin):
    """Managers create, change and delete endpoints, through the services (audited, channel "admin").
    The secret is shown once, in the message after creation; never on the page."""

    form = WebhookEndpointForm
    list_display = ["url", "organisation", "is_active", "failure_count", "disabled_at", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["url", "description"]
    readonly_fields = [
        "failure_count",
        "failing_since",
        "disabled_at",
        "disabled_reason",
        "created_by",
        "created_at",
    ]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)

        class WithUser(form):  # type: ignore[misc, valid-type]
            def __init__(self, *args: Any, **inner: Any) -> None:
                super().__init__(*args, user=request.user, **inner)

        return WithUser

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [*self.readonly_fields, "organisation"] if obj is not None else list(self.readonly_fields)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return access(request).is_superuser or "manager" in access(request).roles.values()

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return self.has_add_permission(request)
        return access(request).is_manager_of(obj.organisation_id)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: WebhookEndpoint, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            saved = webhook_endpoint_update(
                actor=request.user, endpoint=obj.pk, channel="admin", url=data["url"], events=data["events"],
                description=data["description"], is_active=data["is_active"],
            )  # fmt: skip
        else:
            saved, secret = webhook_endpoint_create(
                actor=request.user, organisation=data["organisation"], url=data["url"], events=data["events"],
                description=data["description"], channel="admin",
            )  # fmt: skip
            self.message_user(
                request,
                _("The secret of this webhook, shown only this once (copy it into the receiver): %(secret)s")
                % {"secret": secret},
                messages.WARNING,
            )
        obj.pk, obj.created_at = saved.pk, saved.created_at

    def delete_model(self, request: HttpRequest, obj: WebhookEndpoint) -> None:
        webhook_endpoint_delete(actor=request.user, endpoint=obj.pk, channel="admin")

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        for endpoint in queryset:
            if access(request).is_manager_of(endpoint.organisation_id):
                webhook_endpoint_delete(actor=request.user, endpoint=endpoint.pk, channel="admin")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(TenantAdmin):
    """The delivery log, read-only; managers resend through the service."""

    list_display = [
        "created_at",
        "event",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "short_error",
    ]
    list_filter = ["status", "event"]
    search_fields = ["event", "idempotency_key", "endpoint__url"]
    actions = ["resend"]
    readonly_fields = [
        "organisation", "endpoint", "event", "file_type", "object_id", "payload", "status", "attempts",
        "next_attempt_at", "claimed_at", "sent_at", "last_status_code", "last_error", "resend_count",
        "idempotency_key", "created_at", "updated_at",
    ]  # fmt: skip
    fields = list(readonly_fields)

    @admin.display(description=_("last error"))
    def short_error(self, obj: WebhookDelivery) -> str:
        return obj.last_error[:80]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # read-only page; the resend action goes through the service

    def get_actions(self, request: HttpRequest) -> Any:
        actions = super().get_actions(request)
        if not (access(request).is_superuser or "manager" in access(request).roles.values()):
            actions.pop("resend", None)
        return actions

    @admin.action(description=_("Send again (sent, failed or cancelled deliveries)"))
    def resend(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        done = skipped = 0
        for pk in queryset.values_list("pk", flat=True):
            try:
                webhook_delivery_resend(actor=request.user, delivery=pk, channel="admin")
                done += 1
            except (ValidationError, PermissionDenied):
                skipped += 1
        self.message_user(
            request, _("%(count)s delivery(ies) queued again.") % {"count": done}, messages.SUCCESS
        )
        if skipped:
            self.message_user(
                request,
                _("%(count)s left alone: still waiting, its webhook disabled, or not yours to manage.")
                % {"count": skipped},
                messages.WARNING,
            )
