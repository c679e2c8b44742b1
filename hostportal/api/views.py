"""The resources of /api/v1/: thin views over the selectors (reads, scoped to the caller's organisations)
and the services (writes, channel "api", audited with the token's name). docs/api.md is the guide."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.filters import OrderingFilter
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from conventions import services
from conventions.models import (
    AvenantState,
    Channel,
    ConventionState,
    DocumentStatus,
    DocumentStep,
    PermitState,
    VisaState,
)
from conventions.models.common import CATEGORY_CHOICES
from conventions.selectors import (
    documents_for_user,
    interns_for_user,
    transition_logs_for_user,
)
from conventions.services.documents import document_item_update
from conventions.services.interns import intern_create, intern_update
from conventions.uploads import content_type_of, download_name
from hostportal.api import serializers as s
from hostportal.api.actions import KIND_SELECTOR
from hostportal.api.base import (
    IDEMPOTENCY_KEY,
    IF_MATCH,
    ApiView,
    conflict_as_precondition,
    etag_of,
    require_if_match,
    scoped,
    with_etag,
)
from hostportal.api.filters import DeclaredFilters, Filter, date_range
from hostportal.api.idempotency import idempotent
from hostportal.api.permissions import managed_organisation_ids, organisation_ids, require_write
from hostportal.models import AuditEntry, Organisation
from notifications.selectors import notifications_for_user


def choices(values: Any) -> tuple[str, ...]:
    return tuple(str(value) for value in values)


class ScopedViewSet(ApiView, viewsets.GenericViewSet):
    """A resource of the caller's organisations; another organisation's row is a 404, as if absent."""

    filter_backends = [DeclaredFilters, OrderingFilter]
    filters: dict[str, Filter] = {}
    ordering = ["-id"]
    lookup_value_regex = "[0-9]{1,18}"

    def selector(self, user: Any) -> Any:
        raise NotImplementedError

    def get_queryset(self) -> Any:
        return scoped(self.request, self.selector(self.request.user))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obj = self.get_object()
        response = Response(self.get_serializer(obj).data)
        return with_etag(response, obj) if hasattr(obj, "version") or hasattr(obj, "updated_at") else response

    def created(self, obj: Any, name: str) -> Response:
        obj = self.get_queryset().get(pk=obj.pk)
        response = Response(self.get_serializer(obj).data, status=201)
        response["Location"] = self.request.build_absolute_uri(reverse(f"api:{name}-detail", args=[obj.pk]))
        return with_etag(response, obj)


def organisation_for_create(request: Request, organisation_id: int | None) -> Organisation:
    """The organisation a new row goes to: the given one (among the caller's), else the caller's only one."""
    allowed = organisation_ids(request)
    if organisation_id is None:
        if len(allowed) != 1:
            raise serializers.ValidationError(
                {"organisation": _("You belong to several organisations: say which one (its id).")}
            )
        organisation_id = allowed[0]
    if organisation_id not in allowed:
        raise serializers.ValidationError({"organisation": _("No such organisation among yours.")})
    require_write(request, organisation_id)
    return Organisation.objects.get(pk=organisation_id)


# --- interns ----------------------------------------------------------------------------------------------
@extend_schema_view(
    create=extend_schema(parameters=[IDEMPOTENCY_KEY]),
    partial_update=extend_schema(parameters=[IF_MATCH], request=s.InternUpdateSerializer),
)
class InternViewSet(
    ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
):  # fmt: skip
    """Interns (personal data: the passport number is write-only and read back masked)."""

    serializer_class = s.InternSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    ordering_fields = ["id", "last_name", "created_at", "updated_at"]
    filters = {
        "nationality": Filter("nationality", description="ISO 3166-1 alpha-2 code"),
        "last_name": Filter("last_name__iexact", description="Last name, exactly (any case)"),
    }

    def selector(self, user: Any) -> Any:
        return interns_for_user(user)

    def get_serializer_class(self) -> Any:
        return s.InternUpdateSerializer if self.action == "partial_update" else s.InternSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        def run() -> Response:
            body = s.InternSerializer(data=request.data, context=self.get_serializer_context())
            body.is_valid(raise_exception=True)
            fields = dict(body.validated_data)
            organisation = organisation_for_create(request, fields.pop("organisation_id", None))
            intern = intern_create(actor=request.user, organisation=organisation, **fields)
            return self.created(intern, "interns")

        return idempotent(request, run)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        intern = self.get_object()
        require_write(request, intern.organisation_id)
        require_if_match(request, intern)
        body = s.InternUpdateSerializer(intern, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        conflict_as_precondition(
            lambda: intern_update(
                actor=request.user, intern=intern.pk, expected_version=intern.version, **body.validated_data
            )
        )
        return self.retrieve(request, *args, **kwargs)


# --- conventions, avenants, visas, cartes de séjour ------------------------------------------------------
CONVENTION_FILTERS = {
    "state": Filter("state", "list", choices(ConventionState.values), "States, comma-separated"),
    "category": Filter("category", "list", choices(c for c, _l in CATEGORY_CHOICES), "Categories"),
    "intern": Filter("intern_id", "int", description="The intern's id"),
    "organisation": Filter("organisation_id", "int", description="The organisation's id"),
    **date_range("filing_deadline", "Filing deadline"),
    **date_range("silence_deadline", "Silence deadline"),
    **date_range("start_date", "Start of the stage"),
}


@extend_schema_view(
    create=extend_schema(parameters=[IDEMPOTENCY_KEY]),
    partial_update=extend_schema(parameters=[IF_MATCH], request=s.ConventionUpdateSerializer),
)
class ConventionViewSet(
    ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
):  # fmt: skip
    """Conventions de stage: each with its deadlines and why, its warnings and the actions allowed now."""

    serializer_class = s.ConventionSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    ordering_fields = ["id", "start_date", "end_date", "created_at", "updated_at"]
    filters = CONVENTION_FILTERS

    def selector(self, user: Any) -> Any:
        return KIND_SELECTOR["convention"](user)

    def get_serializer_class(self) -> Any:
        return s.ConventionUpdateSerializer if self.action == "partial_update" else s.ConventionSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        def run() -> Response:
            body = s.ConventionSerializer(data=request.data, context=self.get_serializer_context())
            body.is_valid(raise_exception=True)
            fields = dict(body.validated_data)
            intern = (
                scoped(request, interns_for_user(request.user)).filter(pk=fields.pop("intern_id")).first()
            )
            if intern is None:
                raise serializers.ValidationError({"intern": _("No such intern in your organisation.")})
            require_write(request, intern.organisation_id)
            convention = services.convention_create(
                actor=request.user,
                organisation=intern.organisation,
                intern=intern,
                channel=Channel.API,
                **fields,
            )
            return self.created(convention, "conventions")

        return idempotent(request, run)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        convention = self.get_object()
        require_write(request, convention.organisation_id)
        require_if_match(request, convention)
        body = s.ConventionUpdateSerializer(convention, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        conflict_as_precondition(
            lambda: services.convention_update(
                actor=request.user,
                convention=convention.pk,
                expected_version=convention.version,
                channel=Channel.API,
                **body.validated_data,
            )
        )
        return self.retrieve(request, *args, **kwargs)


@extend_schema_view(create=extend_schema(parameters=[IDEMPOTENCY_KEY]))
class AvenantViewSet(
    ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin
):
    """Avenants extending a validated convention (CESEDA R426-21)."""

    serializer_class = s.AvenantSerializer
    ordering_fields = ["id", "requested_end_date", "created_at", "updated_at"]
    filters = {
        "state": Filter("state", "list", choices(AvenantState.values), "States, comma-separated"),
        "convention": Filter("convention_id", "int", description="The convention's id"),
        **date_range("filing_deadline", "Filing deadline"),
        **date_range("silence_deadline", "Silence deadline"),
    }

    def selector(self, user: Any) -> Any:
        return KIND_SELECTOR["avenant"](user)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        def run() -> Response:
            body = s.AvenantSerializer(data=request.data, context=self.get_serializer_context())
            body.is_valid(raise_exception=True)
            fields = dict(body.validated_data)
            parent = scoped(request, KIND_SELECTOR["convention"](request.user)).filter(
                pk=fields.pop("convention_id")
            )
            convention = parent.first()
            if convention is None:
                raise serializers.ValidationError(
                    {"convention": _("No such convention in your organisation.")}
                )
            require_write(request, convention.organisation_id)
            avenant = services.avenant_create(
                actor=request.user,
                convention=convention.pk,
                requested_end_date=fields["requested_end_date"],
                reason=fields.get("reason", ""),
                channel=Channel.API,
            )
            return self.created(avenant, "avenants")

        return idempotent(request, run)


class VisaViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Long-stay visas (opened when a convention is validated)."""

    serializer_class = s.VisaSerializer
    ordering_fields = ["id", "created_at", "updated_at"]
    filters = {
        "state": Filter("state", "list", choices(VisaState.values), "States, comma-separated"),
        "convention": Filter("convention_id", "int", description="The convention's id"),
        **date_range("ofii_validation_deadline", "OFII validation deadline"),
    }

    def selector(self, user: Any) -> Any:
        return KIND_SELECTOR["visa"](user)


class PermitViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Carte de séjour applications (opened when an avenant is accepted)."""

    serializer_class = s.PermitSerializer
    ordering_fields = ["id", "created_at", "updated_at"]
    filters = {
        "state": Filter("state", "list", choices(PermitState.values), "States, comma-separated"),
        "convention": Filter("convention_id", "int", description="The convention's id"),
        **date_range("filing_deadline", "Filing deadline"),
        **date_range("silence_deadline", "Silence deadline"),
    }

    def selector(self, user: Any) -> Any:
        return KIND_SELECTOR["permit"](user)


# --- documents ----------------------------------------------------------------------------------------------
@extend_schema_view(partial_update=extend_schema(parameters=[IF_MATCH]))
class DocumentViewSet(
    ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin
):
    """The checklists' documents: status, rejection reason, expiry, and the file (members only)."""

    serializer_class = s.DocumentSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    ordering_fields = ["id", "created_at", "updated_at"]
    filters = {
        "convention": Filter("convention_id", "int", description="The convention's id"),
        "step": Filter("step", "list", choices(DocumentStep.values), "Steps, comma-separated"),
        "status": Filter("status", "list", choices(DocumentStatus.values), "Statuses, comma-separated"),
        **date_range("expires_on", "Expiry"),
    }

    def selector(self, user: Any) -> Any:
        return documents_for_user(user)

    def _update(self, request: Request, item: Any, **changes: Any) -> None:
        with transaction.atomic():
            locked = type(item).objects.select_for_update().get(pk=item.pk)
            require_if_match(request, locked)
            document_item_update(actor=request.user, item=item.pk, **changes)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        item = self.get_object()
        require_write(request, item.organisation_id)
        require_if_match(request, item)
        body = s.DocumentSerializer(item, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        self._update(request, item, **body.validated_data)
        return self.retrieve(request, *args, **kwargs)

    @extend_schema(
        methods=["GET"],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
        description="Download the file (members of the organisation only).",
    )
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": s.DocumentUploadSerializer},
        responses={200: s.DocumentSerializer},
        parameters=[IF_MATCH],
        description="Upload the file (multipart/form-data, field `file`): PDF, JPEG or PNG, at most 10 MiB.",
    )
    @action(detail=True, methods=["get", "post"], url_path="file", url_name="file",
            parser_classes=[MultiPartParser, FormParser])  # fmt: skip
    def file(self, request: Request, pk: str | None = None) -> Any:
        item = self.get_object()
        if request.method == "GET":
            return self._download(item)
        require_write(request, item.organisation_id)
        require_if_match(request, item)
        body = s.DocumentUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        # The service checks the size and the content (conventions.uploads), as for the portal and admin.
        self._update(request, item, file=body.validated_data["file"])
        return self.retrieve(request, pk=pk)

    def _download(self, item: Any) -> FileResponse:
        if not item.file:
            raise Http404
        try:
            handle = item.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        name = download_name(item)
        response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type_of(name))
        response["ETag"] = etag_of(item)
        return response


# --- read-only --------------------------------------------------------------------------------------------
class NotificationViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """The reminders and emails planned or sent for the organisation's files (read-only)."""

    serializer_class = s.NotificationSerializer
    ordering_fields = ["id", "due_on", "created_at"]
    filters = {
        "kind": Filter("kind", description="Kind of reminder"),
        "status": Filter("status", description="Delivery status"),
        "convention": Filter("convention_id", "int", description="The convention's id"),
        **date_range("due_on", "Due"),
    }

    def selector(self, user: Any) -> Any:
        return notifications_for_user(user)


class TransitionLogViewSet(ScopedViewSet, mixins.ListModelMixin):
    """The files' audit trail: every transition, event and correction, with its actor and channel."""

    serializer_class = s.TransitionLogSerializer
    ordering = ["-created_at", "-id"]
    ordering_fields = ["id", "created_at"]
    filters = {
        "file_type": Filter(
            "content_type__model",
            "list",
            ("convention", "avenant", "visaapplication", "residencepermitapplication"),
            "Kinds of file",
        ),
        "object_id": Filter("object_id", "int", description="The file's id"),
        "transition": Filter("transition", description="Transition or event name"),
        "channel": Filter("channel", "list", choices(Channel.values), "Channels"),
    }

    def selector(self, user: Any) -> Any:
        return transition_logs_for_user(user).select_related("content_type")


class AuditEntryViewSet(ScopedViewSet, mixins.ListModelMixin):
    """The organisation's audit entries (members, roles, settings, tokens, webhooks): managers only."""

    serializer_class = s.AuditEntrySerializer
    ordering = ["-created_at", "-id"]
    ordering_fields = ["id", "created_at"]
    filters = {
        "action": Filter("action", description="Action"),
        "channel": Filter("channel", "list", choices(AuditEntry.Channel.values), "Channels"),
    }

    def get_queryset(self) -> Any:
        return AuditEntry.objects.filter(organisation_id__in=managed_organisation_ids(self.request))

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if not managed_organisation_ids(request):
            raise PermissionDenied(_("Only the organisation’s managers may do this."))


class RootView(ApiView):
    """The entry point: where each resource lives."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        names = [
            "interns", "conventions", "avenants", "visas", "residence-permit-applications", "documents",
            "notifications", "audit-transitions", "audit-entries", "webhooks", "webhook-deliveries",
        ]  # fmt: skip
        links = {name: request.build_absolute_uri(reverse(f"api:{name}-list")) for name in names}
        links["check"] = request.build_absolute_uri(reverse("api:check"))
        links["schema"] = request.build_absolute_uri(reverse("api:schema"))
        links["docs"] = request.build_absolute_uri(reverse("api:docs"))
        return Response(links)


@extend_schema(exclude=True)
class NotFoundView(ApiView):
    """Any other URL under /api/v1/: a problem+json 404 (and no trailing-slash redirect of a POST)."""

    permission_classes: list[Any] = []
    authentication_classes: list[Any] = []

    def _answer(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise Http404

    get = post = put = patch = delete = head = options = _answer


not_found = NotFoundView.as_view()
