"""Portal pages of the webhook endpoints and their delivery log. Thin: reads through the notifications
selectors, every write through notifications.services.webhooks (audited, channel "web").

Managers see the page (create an endpoint, its secret shown once; edit its events; disable, enable,
delete; resend a delivery); editors and viewers get the 403 page that says why; another organisation's
endpoint or delivery is a 404, as if it did not exist.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from hostportal.models import AuditEntry, Organisation
from hostportal.permissions import can_manage
from hostportal.portal.members import _base_context, _forbidden, _report, manager_only
from notifications.models import WebhookDelivery, WebhookEndpoint
from notifications.selectors import webhook_deliveries_for_user, webhook_endpoints_for_user
from notifications.services.webhooks import (
    RESENDABLE,
    webhook_delivery_resend,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_update,
)
from notifications.webhooks import TRANSITION_STATES, WEBHOOK_EVENTS, WILDCARD

WEB = AuditEntry.Channel.WEB
LOG_SIZE = 50
GROUPS = {
    "convention": gettext_lazy("Conventions"),
    "avenant": gettext_lazy("Avenants"),
    "visa": gettext_lazy("Visas"),
    "permit": gettext_lazy("Cartes de séjour"),
    "deadline": gettext_lazy("Deadlines (the reminder points)"),
}


def _event_groups(chosen: list[str]) -> list[dict[str, Any]]:
    """The event checkboxes, grouped by kind of file, with the chosen ones ticked."""
    every = WILDCARD in chosen
    kinds = [*TRANSITION_STATES, "deadline"]
    return [
        {
            "kind": kind,
            "label": GROUPS[kind],
            "events": [
                {"name": name, "checked": every or name in chosen}
                for name in WEBHOOK_EVENTS
                if name.split(".", 1)[0] == kind
            ],
        }
        for kind in kinds
    ]


def _posted_events(request: HttpRequest) -> list[str]:
    return [WILDCARD] if request.POST.get("all_events") else request.POST.getlist("events")


def _render(
    request: HttpRequest,
    organisation: Organisation,
    *,
    secret: str = "",
    new_endpoint: WebhookEndpoint | None = None,
    posted: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    endpoints = list(
        webhook_endpoints_for_user(request.user)
        .filter(organisation=organisation)
        .order_by("-created_at", "-pk")
    )
    deliveries = list(
        webhook_deliveries_for_user(request.user)
        .filter(organisation=organisation)
        .select_related("endpoint")[:LOG_SIZE]
    )
    posted = posted or {}
    context = _base_context(request, organisation) | {
        "endpoints": [
            {
                "endpoint": endpoint,
                "groups": _event_groups(endpoint.events),
                "every": WILDCARD in endpoint.events,
            }
            for endpoint in endpoints
        ],
        "deliveries": [
            {"delivery": row, "resendable": row.status in RESENDABLE and row.endpoint.is_active}
            for row in deliveries
        ],
        "new_groups": _event_groups(posted.get("events", [])),
        "posted": posted,
        "errors": errors or {},
        "secret": secret,
        "new_endpoint": new_endpoint,
    }
    return render(request, "portal/webhooks/webhooks.html", context, status=status)


@manager_only
def webhooks(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    """The endpoints and the recent deliveries of the current organisation."""
    return _render(request, organisation)


@require_POST
@manager_only
def webhook_create(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    """Create an endpoint; the answer shows its secret, once (it is never shown again)."""
    url, description = request.POST.get("url", ""), request.POST.get("description", "")
    events = _posted_events(request)
    posted: dict[str, Any] = {"url": url, "description": description, "events": events}
    try:
        endpoint, secret = webhook_endpoint_create(
            actor=request.user, organisation=organisation, url=url, events=events, description=description,
            channel=WEB,
        )  # fmt: skip
    except ValidationError as error:
        _report(request, error)
        return _render(request, organisation, posted=posted, errors=error.message_dict, status=400)
    messages.success(request, _("The webhook is created. Copy its secret now: it will not be shown again."))
    return _render(request, organisation, secret=secret, new_endpoint=endpoint)


def _endpoint_or_404(request: HttpRequest, pk: int) -> WebhookEndpoint:
    found = webhook_endpoints_for_user(request.user).select_related("organisation").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def _back() -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("portal:webhooks"))


def _change(request: HttpRequest, endpoint: WebhookEndpoint, done: str, **changes: Any) -> HttpResponse:
    if not can_manage(request.user, endpoint.organisation_id):
        return _forbidden(request, endpoint.organisation)
    try:
        webhook_endpoint_update(actor=request.user, endpoint=endpoint, channel=WEB, **changes)
    except ValidationError as error:
        _report(request, error)
    except PermissionDenied:
        return _forbidden(request, endpoint.organisation)
    else:
        messages.success(request, done)
    return _back()


@login_required
@require_POST
def webhook_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the address, the description and the events of an endpoint."""
    endpoint = _endpoint_or_404(request, pk)
    return _change(
        request, endpoint, _("The webhook is saved."),
        url=request.POST.get("url", endpoint.url), description=request.POST.get("description", ""),
        events=_posted_events(request),
    )  # fmt: skip


@login_required
@require_POST
def webhook_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    """Disable an active endpoint, or enable a disabled one (its failure count starts again at 0)."""
    endpoint = _endpoint_or_404(request, pk)
    if endpoint.is_active:
        return _change(
            request, endpoint, _("The webhook is disabled: nothing is sent to it."), is_active=False
        )
    done = _("The webhook is enabled: the waiting deliveries are sent.")
    return _change(request, endpoint, done, is_active=True)


@login_required
@require_POST
def webhook_delete(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _endpoint_or_404(request, pk)
    if not can_manage(request.user, endpoint.organisation_id):
        return _forbidden(request, endpoint.organisation)
    webhook_endpoint_delete(actor=request.user, endpoint=endpoint, channel=WEB)
    messages.success(request, _("The webhook is deleted, with its delivery log."))
    return _back()


@login_required
@require_POST
def webhook_resend(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a delivery again (same id and body, a new signature)."""
    delivery: WebhookDelivery | None = (
        webhook_deliveries_for_user(request.user).select_related("organisation").filter(pk=pk).first()
    )
    if delivery is None:
        raise Http404
    if not can_manage(request.user, delivery.organisation_id):
        return _forbidden(request, delivery.organisation)
    try:
        webhook_delivery_resend(actor=request.user, delivery=delivery, channel=WEB)
    except ValidationError as error:
        _report(request, error)
    else:
        messages.success(request, _("The delivery will be sent again in a moment."))
    return _back()
