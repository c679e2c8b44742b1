"""What the API reads and writes: the stored facts, every computed date with its why, and the actions
allowed now (the registry of conventions.transitions, as the portal's buttons).

Serializers only turn JSON into values: the services judge (their ValidationError names the field).
Unknown fields are refused rather than ignored, so a typo never silently does nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from conventions.models import (
    Avenant,
    Convention,
    DocumentItem,
    Intern,
    ResidencePermitApplication,
    TransitionLog,
    VisaApplication,
)
from conventions.services import load_parameters
from conventions.services.corrections import correctable_fields
from conventions.transitions import REGISTRY, available_actions
from hostportal.api import why
from hostportal.api.permissions import can_write
from hostportal.models import AuditEntry
from notifications.models import Notification

# Dates the API accepts: a typo like 0202 or 20266 is refused here rather than overflowing a computation.
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2199, 12, 31)

# Each kind of file: its URL prefix and its route names (hyphens, as in URLs).
KIND_PREFIX = {
    "convention": "conventions",
    "avenant": "avenants",
    "visa": "visas",
    "permit": "residence-permit-applications",
}


def url_name(action_name: str) -> str:
    return action_name.replace("_", "-")


def absolute(request: Any, path: str) -> str:
    return str(request.build_absolute_uri(path)) if request is not None else path


class BoundedDateField(serializers.DateField):
    def to_internal_value(self, value: Any) -> dt.date:
        day: dt.date = super().to_internal_value(value)
        if not MIN_DATE <= day <= MAX_DATE:
            raise serializers.ValidationError(
                _("Date out of range: give a date between %(min)s and %(max)s.")
                % {"min": MIN_DATE.isoformat(), "max": MAX_DATE.isoformat()}
            )
        return day


class StrictMixin:
    """Refuse unknown and read-only fields instead of ignoring them."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            fields: Any = self.fields  # type: ignore[attr-defined]
            writable = {name for name, field in fields.items() if not field.read_only}
            unknown = sorted(str(name) for name in data if name not in writable)
            if unknown:
                raise serializers.ValidationError(
                    {name: [_("This field is unknown or cannot be written.")] for name in unknown}
                )
        return super().to_internal_value(data)  # type: ignore[misc]


class StrictModelSerializer(StrictMixin, serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateField: BoundedDateField,
    }


class ActionSerializer(serializers.Serializer):
    """One action allowed now: POST its `url` with the fields of its form (docs/api.md)."""

    name = serializers.CharField()
    label = serializers.CharField()
    help = serializers.CharField()
    method = serializers.CharField()
    url = serializers.URLField()
    fields = serializers.ListField(child=serializers.CharField())


class WhySerializer(serializers.Serializer):
    """A computed value and why: its rule and its legal source, in the caller's language."""

    name = serializers.CharField()
    label = serializers.CharField()
    value = serializers.JSONField(allow_null=True)
    display = serializers.CharField()
    rule = serializers.CharField()
    source = serializers.CharField()


class WarningSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


def actions_of(kind: str, obj: Any, context: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The registry's actions allowed now for the caller, and the correction, with their URLs."""
    request = context.get("request")
    if request is None or not can_write(request, obj.organisation_id):
        return []
    _subject, actions = REGISTRY[kind]
    prefix = KIND_PREFIX[kind]
    found = [
        {
            "name": url_name(action.name),
            "label": str(action.label),
            "help": str(action.help),
            "method": "POST",
            "url": absolute(request, reverse(f"api:{prefix}-{url_name(action.name)}", args=[obj.pk])),
            "fields": [name for name in action.form_class.base_fields if name != "expected_version"],
        }
        for action in available_actions(obj, request.user, actions, writer=True)
    ]
    model = type(obj)
    if correctable_fields(model):
        found.append(
            {
                "name": "correct",
                "label": _("Correct a recorded fact"),
                "help": _("A reference, an amount or a date that was wrong or missing; the state stays."),
                "method": "POST",
                "url": absolute(request, reverse(f"api:{prefix}-correct", args=[obj.pk])),
                "fields": [*sorted(correctable_fields(model)), "reason"],
            }
        )
    return found


class FileSerializerMixin:
    """state_label, actions and url for the files of the registry."""

    kind = ""

    def context_parameters(self) -> Any:
        context: dict[str, Any] = self.context  # type: ignore[attr-defined]
        if "parameters" not in context:
            context["parameters"] = load_parameters()  # once per request, whatever the page size
        return context["parameters"]

    def today(self) -> dt.date:
        return timezone.localdate()

    @extend_schema_field(ActionSerializer(many=True))
    def get_actions(self, obj: Any) -> list[dict[str, Any]]:
        return actions_of(self.kind, obj, self.context)  # type: ignore[attr-defined]

    def get_state_label(self, obj: Any) -> str:
        return str(obj.get_state_display())

    def get_url(self, obj: Any) -> str:
        path = reverse(f"api:{KIND_PREFIX[self.kind]}-detail", args=[obj.pk])
        return absolute(self.context.get("request"), path)  # type: ignore[attr-defined]


# --- interns ----------------------------------------------------------------------------------------------
class InternSerializer(StrictModelSerializer):
    url = serializers.SerializerMethodField()
    organisation = serializers.IntegerField(
        source="organisation_id",
        required=False,
        help_text="The organisation's id; a token's own organisation by default. Set on creation only.",
    )
    passport_number = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=20, help_text="Write-only."
    )
    passport_number_masked = serializers.CharField(source="masked_passport_number", read_only=True)

    class Meta:
        model = Intern
        fields = [
            "id",
            "url",
            "organisation",
            "first_name",
            "last_name",
            "nationality",
            "date_of_birth",
            "email",
            "country_of_residence",
            "passport_number",
            "passport_number_masked",
            "passport_expires_on",
            "notify_intern",
            "language",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["version", "created_at", "updated_at"]

    def get_url(self, obj: Intern) -> str:
        return absolute(self.context.get("request"), reverse("api:interns-detail", args=[obj.pk]))


class InternUpdateSerializer(InternSerializer):
    organisation = serializers.IntegerField(source="organisation_id", read_only=True)


# --- conventions and avenants -----------------------------------------------------------------------------
CONVENTION_WRITABLE = [
    "category",
    "programme",
    "same_group",
    "sending_establishment",
    "tutor_name",
    "tutor_email",
    "start_date",
    "end_date",
    "weekly_hours",
    "hourly_gratification_eur",
    "monthly_resources_eur",
]
CONVENTION_READ = [
    "effective_end_date",
    "received_on",
    "documents_requested_on",
    "documents_due_on",
    "documents_received_on",
    "acknowledged_decision_on",
    "decision_on",
    "decision_reference",
    "regime",
    "validation_required",
    "filing_deadline",
    "silence_deadline",
    "state",
    "version",
    "created_at",
    "updated_at",
]


class ConventionSerializer(FileSerializerMixin, StrictModelSerializer):
    kind = "convention"
    url = serializers.SerializerMethodField()
    organisation = serializers.IntegerField(source="organisation_id", read_only=True)
    intern = serializers.IntegerField(source="intern_id", help_text="The intern's id (set on creation).")
    visa = serializers.SerializerMethodField()
    state_label = serializers.SerializerMethodField()
    explanations = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta:
        model = Convention
        fields = [
            "id",
            "url",
            "organisation",
            "intern",
            *CONVENTION_WRITABLE,
            *CONVENTION_READ,
            "state_label",
            "visa",
            "explanations",
            "warnings",
            "actions",
        ]
        read_only_fields = CONVENTION_READ

    def _result(self, obj: Convention) -> Any:
        cache: dict[int, Any] = self.context.setdefault("_results", {})
        if obj.pk not in cache:
            cache[obj.pk] = why.evaluate(obj, self.today(), self.context_parameters())
        return cache[obj.pk]

    @extend_schema_field(WhySerializer(many=True))
    def get_explanations(self, obj: Convention) -> list[dict[str, Any]]:
        result = self._result(obj)
        return why.result_rows(result) if result is not None else []

    @extend_schema_field(WarningSerializer(many=True))
    def get_warnings(self, obj: Convention) -> list[dict[str, str]]:
        return why.warnings(self._result(obj))

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_visa(self, obj: Convention) -> int | None:
        visa = getattr(obj, "visa", None)
        return visa.pk if visa is not None else None


class ConventionUpdateSerializer(ConventionSerializer):
    intern = serializers.IntegerField(source="intern_id", read_only=True)


AVENANT_READ = [
    "previous_end_date",
    "received_on",
    "documents_requested_on",
    "documents_due_on",
    "documents_received_on",
    "acknowledged_decision_on",
    "decision_on",
    "decision_reference",
    "prior_extensions",
    "validation_required",
    "filing_deadline",
    "silence_deadline",
    "state",
    "version",
    "created_at",
    "updated_at",
]


class AvenantSerializer(FileSerializerMixin, StrictModelSerializer):
    kind = "avenant"
    url = serializers.SerializerMethodField()
    organisation = serializers.IntegerField(source="organisation_id", read_only=True)
    convention = serializers.IntegerField(source="convention_id", help_text="The validated convention's id.")
    state_label = serializers.SerializerMethodField()
    explanations = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta:
        model = Avenant
        fields = [
            "id",
            "url",
            "organisation",
            "convention",
            "requested_end_date",
            "reason",
            *AVENANT_READ,
            "state_label",
            "explanations",
            "warnings",
            "actions",
        ]
        read_only_fields = AVENANT_READ

    def _result(self, obj: Avenant) -> Any:
        cache: dict[int, Any] = self.context.setdefault("_avenant_results", {})
        if obj.pk not in cache:
            cache[obj.pk] = why.evaluate(obj, self.today(), self.context_parameters())
        return cache[obj.pk]

    @extend_schema_field(WhySerializer(many=True))
    def get_explanations(self, obj: Avenant) -> list[dict[str, Any]]:
        result = self._result(obj)
        return why.result_rows(result) if result is not None else []

    @extend_schema_field(WarningSerializer(many=True))
    def get_warnings(self, obj: Avenant) -> list[dict[str, str]]:
        return why.warnings(self._result(obj))


# --- visas and cartes de séjour ---------------------------------------------------------------------------
class VisaSerializer(FileSerializerMixin, serializers.ModelSerializer):
    kind = "visa"
    url = serializers.SerializerMethodField()
    organisation = serializers.IntegerField(source="organisation_id", read_only=True)
    convention = serializers.IntegerField(source="convention_id", read_only=True)
    state_label = serializers.SerializerMethodField()
    explanations = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta:
        model = VisaApplication
        fields = [
            "id",
            "url",
            "organisation",
            "convention",
            "consulate",
            "applied_on",
            "decision_on",
            "decision_reference",
            "valid_from",
            "expires_on",
            "arrived_on",
            "ofii_validated_on",
            "ofii_validation_deadline",
            "state",
            "state_label",
            "version",
            "created_at",
            "updated_at",
            "explanations",
            "actions",
        ]
        read_only_fields = fields

    @extend_schema_field(WhySerializer(many=True))
    def get_explanations(self, obj: VisaApplication) -> list[dict[str, Any]]:
        return why.visa_rows(obj)


class PermitSerializer(FileSerializerMixin, serializers.ModelSerializer):
    kind = "permit"
    url = serializers.SerializerMethodField()
    organisation = serializers.IntegerField(source="organisation_id", read_only=True)
    convention = serializers.IntegerField(source="convention_id", read_only=True)
    avenant = serializers.IntegerField(source="avenant_id", read_only=True)
    state_label = serializers.SerializerMethodField()
    explanations = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta:
        model = ResidencePermitApplication
        fields = [
            "id",
            "url",
            "organisation",
            "convention",
            "avenant",
            "prefecture",
            "filed_on",
            "complete_on",
            "filing_opens_on",
            "filing_deadline",
            "silence_deadline",
            "decision_on",
            "decision_reference",
            "stamp_amount_eur",
            "stamp_paid_on",
            "card_valid_until",
            "state",
            "state_label",
            "version",
            "created_at",
            "updated_at",
            "explanations",
            "actions",
        ]
        read_only_fields = fields

    @extend_schema_field(WhySerializer(many=True))
    def get_explanations(self, obj: ResidencePermitApplication) -> list[dict[str, Any]]:
        visa = getattr(obj.convention, "visa", None)
        return why.permit_rows(obj, visa.expires_on if visa is not None else None)


# --- documents ----------------------------------------------------------------------------------------------
class DocumentSerializer(StrictModelSerializer):
    url = serializers.SerializerMethodField()
    organisation = serializers.IntegerField(source="organisation_id", read_only=True)
    convention = serializers.IntegerField(source="convention_id", read_only=True)
    permit_application = serializers.IntegerField(
        source="permit_application_id", read_only=True, allow_null=True
    )
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    step_label = serializers.CharField(source="get_step_display", read_only=True)
    has_file = serializers.SerializerMethodField()
    file_url = serializers.SerializerMethodField()

    class Meta:
        model = DocumentItem
        fields = [
            "id",
            "url",
            "organisation",
            "convention",
            "permit_application",
            "step",
            "step_label",
            "code",
            "label",
            "status",
            "status_label",
            "rejection_reason",
            "expires_on",
            "has_file",
            "file_url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["step", "code", "label", "created_at", "updated_at"]

    def get_url(self, obj: DocumentItem) -> str:
        return absolute(self.context.get("request"), reverse("api:documents-detail", args=[obj.pk]))

    def get_has_file(self, obj: DocumentItem) -> bool:
        return bool(obj.file)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_file_url(self, obj: DocumentItem) -> str | None:
        if not obj.file:
            return None
        return absolute(self.context.get("request"), reverse("api:documents-file", args=[obj.pk]))


class DocumentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="PDF, JPEG or PNG, at most 10 MiB.")


# --- read-only: notifications and the audit trail ---------------------------------------------------------
class NotificationSerializer(serializers.ModelSerializer):
    organisation = serializers.IntegerField(source="organisation_id", read_only=True)
    convention = serializers.IntegerField(source="convention_id", read_only=True, allow_null=True)

    class Meta:
        model = Notification
        fields = [
            "id",
            "organisation",
            "kind",
            "file_type",
            "object_id",
            "convention",
            "deadline",
            "due_on",
            "days_left",
            "rule",
            "source",
            "language",
            "status",
            "attempts",
            "sent_at",
            "subject",
            "created_at",
        ]
        read_only_fields = fields


class TransitionLogSerializer(serializers.ModelSerializer):
    organisation = serializers.IntegerField(source="organisation_id", read_only=True)
    file_type = serializers.CharField(source="content_type.model", read_only=True)
    channel_label = serializers.CharField(source="get_channel_display", read_only=True)

    class Meta:
        model = TransitionLog
        fields = [
            "id",
            "organisation",
            "file_type",
            "object_id",
            "transition",
            "source_state",
            "target_state",
            "actor_label",
            "channel",
            "channel_label",
            "comment",
            "changes",
            "created_at",
        ]
        read_only_fields = fields


class AuditEntrySerializer(serializers.ModelSerializer):
    organisation = serializers.IntegerField(source="organisation_id", read_only=True)
    # An open list (tokens, webhooks... add theirs): a name, not an enum clients would have to update.
    action = serializers.CharField(read_only=True)

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "organisation",
            "actor_label",
            "channel",
            "action",
            "target_label",
            "changes",
            "created_at",
        ]
        read_only_fields = fields


# --- check ------------------------------------------------------------------------------------------------
class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details (application/problem+json)."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    instance = serializers.CharField()
    errors = serializers.DictField(child=serializers.CharField(), required=False)
