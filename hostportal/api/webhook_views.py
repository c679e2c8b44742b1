"""/api/v1/webhooks/ and /api/v1/webhook-deliveries/: an organisation's managers register the URLs the
product calls back, and read (and resend) the delivery log. Thin: notifications.services.webhooks does
the work and the audit (channel "api", named after the token); delivery is docs/webhooks.md."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from conventions.models import Channel
from hostportal.api.base import IDEMPOTENCY_KEY, IF_MATCH, require_if_match, with_etag
from hostportal.api.filters import Filter
from hostportal.api.idempotency import idempotent
from hostportal.api.permissions import require_manage
from hostportal.api.serializers import StrictModelSerializer
from hostportal.api.views import ScopedViewSet, organisation_for_create
from notifications.models import WebhookDelivery, WebhookEndpoint
from notifications.selectors import webhook_deliveries_for_user, webhook_endpoints_for_user
from notifications.services.webhooks import (
    webhook_delivery_resend,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_update,
)
from notifications.webhooks import WEBHOOK_EVENTS, WILDCARD

EVENT_CHOICES = [*WEBHOOK_EVENTS, WILDCARD]


class WebhookEndpointSerializer(StrictModelSerializer):
    organisation = serializers.IntegerField(
        source="organisation_id", required=False, help_text="The organisation's id; the token's by default."
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_CHOICES),
        min_length=1,
        max_length=len(EVENT_CHOICES),
        help_text='Event names (docs/webhooks.md), or ["*"] for every event.',
    )

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "organisation",
            "url",
            "events",
            "description",
            "is_active",
            "failure_count",
            "failing_since",
            "disabled_at",
            "disabled_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "failure_count",
            "failing_since",
            "disabled_at",
            "disabled_reason",
            "created_at",
            "updated_at",
        ]
        # The service checks the address (https, or http to this machine only) and names the field.
        extra_kwargs: dict[str, dict[str, Any]] = {"url": {"validators": []}}


class WebhookEndpointUpdateSerializer(WebhookEndpointSerializer):
    organisation = serializers.IntegerField(source="organisation_id", read_only=True)


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(read_only=True, help_text="Shown once: sign-checks every delivery.")

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    organisation = serializers.IntegerField(source="organisation_id", read_only=True)
    endpoint = serializers.IntegerField(source="endpoint_id", read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "organisation",
            "endpoint",
            "event",
            "file_type",
            "object_id",
            "payload",
            "status",
            "attempts",
            "next_attempt_at",
            "sent_at",
            "last_status_code",
            "last_error",
            "resend_count",
            "created_at",
        ]
        read_only_fields = fields


@extend_schema_view(
    create=extend_schema(
        parameters=[IDEMPOTENCY_KEY],
        request=WebhookEndpointSerializer,
        responses={201: WebhookEndpointCreatedSerializer},
    ),
    partial_update=extend_schema(parameters=[IF_MATCH], request=WebhookEndpointUpdateSerializer),
    destroy=extend_schema(parameters=[IF_MATCH]),
)
class WebhookEndpointViewSet(
    ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    mixins.UpdateModelMixin, mixins.DestroyModelMixin,
):  # fmt: skip
    """The organisation's webhook endpoints: managers create (the secret is returned once), change and
    delete them; every member reads them."""

    serializer_class = WebhookEndpointSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    ordering_fields = ["id", "created_at", "updated_at"]
    filters = {"is_active": Filter("is_active", "bool", description="Active endpoints only (true) or not")}

    def selector(self, user: Any) -> Any:
        return webhook_endpoints_for_user(user)

    def get_serializer_class(self) -> Any:
        return (
            WebhookEndpointUpdateSerializer if self.action == "partial_update" else WebhookEndpointSerializer
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        def run() -> Response:
            body = WebhookEndpointSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            fields = dict(body.validated_data)
            organisation = organisation_for_create(request, fields.pop("organisation_id", None))
            require_manage(request, organisation.pk)
            endpoint, secret = webhook_endpoint_create(
                actor=request.user,
                organisation=organisation,
                url=fields["url"],
                events=fields["events"],
                description=fields.get("description", ""),
                channel=Channel.API,
            )
            if fields.get("is_active") is False:
                endpoint = webhook_endpoint_update(
                    actor=request.user, endpoint=endpoint.pk, is_active=False, channel=Channel.API
                )
            data = WebhookEndpointSerializer(endpoint).data | {"secret": secret}
            return with_etag(Response(data, status=201), endpoint)

        return idempotent(request, run)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        endpoint = self.get_object()
        require_manage(request, endpoint.organisation_id)
        body = WebhookEndpointUpdateSerializer(endpoint, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        with transaction.atomic():
            locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
            require_if_match(request, locked)
            webhook_endpoint_update(
                actor=request.user, endpoint=endpoint.pk, channel=Channel.API, **body.validated_data
            )
        return self.retrieve(request, *args, **kwargs)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        endpoint = self.get_object()
        require_manage(request, endpoint.organisation_id)
        with transaction.atomic():
            locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
            require_if_match(request, locked)
            webhook_endpoint_delete(actor=request.user, endpoint=endpoint.pk, channel=Channel.API)
        return Response(status=204)


class WebhookDeliveryViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """The delivery log (newest first); managers resend a sent, failed or cancelled delivery."""

    serializer_class = WebhookDeliverySerializer
    ordering = ["-created_at", "-id"]
    ordering_fields = ["id", "created_at"]
    filters = {
        "endpoint": Filter("endpoint_id", "int", description="The endpoint's id"),
        "event": Filter("event", description="Event name"),
        "status": Filter("status", description="Delivery status"),
    }

    def selector(self, user: Any) -> Any:
        return webhook_deliveries_for_user(user)

    @extend_schema(request=None, responses={200: WebhookDeliverySerializer}, parameters=[IDEMPOTENCY_KEY])
    @action(detail=True, methods=["post"], url_path="resend", url_name="resend")
    def resend(self, request: Request, pk: str | None = None) -> Response:
        def run() -> Response:
            delivery = self.get_object()
            require_manage(request, delivery.organisation_id)
            resent = webhook_delivery_resend(actor=request.user, delivery=delivery.pk, channel=Channel.API)
            return Response(WebhookDeliverySerializer(resent).data)

        return idempotent(request, run)
