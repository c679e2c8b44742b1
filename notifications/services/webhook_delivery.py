"""Webhook delivery: claim one row at a time, sign it, POST it, record the outcome.

The claim, lease and retry steps are notifications.services.claims, the same machinery as the email
outbox: two workers never POST one row twice. The one at-least-once window is the same as the emails':
between the receiver's 2xx and the commit of `sent`; a worker killed exactly there POSTs the row again
after the lease, with the same `Hostportal-Delivery` id, so the receiver can drop the duplicate.

* A 2xx is success; anything else (3xx included: redirects are not followed), a timeout or a refused
  connection is a failed attempt, retried with exponential backoff and jitter, failed after
  WEBHOOKS_MAX_ATTEMPTS.
* Each failed attempt counts against the endpoint; a 2xx resets the count. After
  WEBHOOKS_DISABLE_AFTER_FAILURES consecutive failures, or failures for WEBHOOKS_DISABLE_AFTER_HOURS, the
  endpoint is disabled and its managers get an email through the email outbox. Its pending rows wait
  (they are not claimed while it is disabled) and go out when a manager enables it again.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from conventions.services.common import local_today
from hostportal.models import AuditEntry, Membership
from notifications.models import (
    Notification,
    NotificationStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookStatus,
)
from notifications.rules import FileType, ReminderKind
from notifications.services.claims import Claim, ClaimQueue, Outcome
from notifications.services.outbox import enqueue_delivery, outbox_insert
from notifications.webhooks import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, sign

logger = logging.getLogger(__name__)
USER_AGENT = "Hostportal-Webhooks/1"
RESPONSE_SNIPPET = 500  # bytes of a failed answer kept in last_error

WEBHOOKS = ClaimQueue(
    model=WebhookDelivery,
    label="Webhooks",
    lease_setting="WEBHOOKS_CLAIM_LEASE_SECONDS",
    max_attempts_setting="WEBHOOKS_MAX_ATTEMPTS",
    retry_base_setting="WEBHOOKS_RETRY_BASE_SECONDS",
    retry_max_setting="WEBHOOKS_RETRY_MAX_SECONDS",
    jitter=0.2,
    pending=WebhookStatus.PENDING,
    sending=WebhookStatus.SENDING,
    failed=WebhookStatus.FAILED,
    cancelled=WebhookStatus.CANCELLED,
)
ACTIVE_ENDPOINT = Q(endpoint__is_active=True)


@dataclass
class WebhookReport:
    reclaimed: int = 0
    sent: int = 0
    cancelled: int = 0
    retry: int = 0
    failed: int = 0
    lost_claim: int = 0
    disabled: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.cancelled + self.retry + self.failed + self.lost_claim

    def count(self, outcome: Outcome) -> None:
        setattr(self, outcome.value, getattr(self, outcome.value) + 1)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer like any other non-2xx: the receiver must give its final URL."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


# --- the request ----------------------------------------------------------------------------------------
def webhook_body(row: WebhookDelivery) -> bytes:
    """The JSON body: the same bytes on every attempt and resend (only the signature's time changes)."""
    envelope = {
        "id": row.pk,
        "event": row.event,
        "created_at": row.created_at.isoformat(),
        "organisation_id": row.organisation_id,
        "data": row.payload,
    }
    return json.dumps(envelope, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def webhook_headers(row: WebhookDelivery, secret: str, body: bytes, timestamp: int) -> dict[str, str]:
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        EVENT_HEADER: row.event,
        DELIVERY_HEADER: str(row.pk),
        SIGNATURE_HEADER: sign(secret, body, timestamp),
    }


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    """POST and return (status code, error); status None when no answer came (refused, timeout...)."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (http(s) only)
    try:
        with _OPENER.open(request, timeout=settings.WEBHOOKS_TIMEOUT_SECONDS) as response:
            return int(response.status), ""
    except urllib.error.HTTPError as exc:
        snippet = exc.read(RESPONSE_SNIPPET).decode("utf-8", "replace") if exc.fp else ""
        return int(exc.code), f"HTTP {exc.code}: {snippet}".strip()
    except Exception as exc:  # refused, timeout, TLS, DNS: an attempt that got no answer
        reason = getattr(exc, "reason", exc)
        return None, f"{type(exc).__name__}: {reason}"


# --- endpoint health ------------------------------------------------------------------------------------
def _endpoint_succeeded(endpoint_id: int) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint_id, failure_count__gt=0).update(
        failure_count=0, failing_since=None, updated_at=timezone.now()
    )


def _endpoint_failed(endpoint_id: int, error: str) -> bool:
    """Count a failed attempt; disable the endpoint past the limits and tell its managers. True when it
    was disabled now."""
    now = timezone.now()
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().filter(pk=endpoint_id).first()
        if endpoint is None:
            return False
        endpoint.failure_count += 1
        endpoint.failing_since = endpoint.failing_since or now
        too_many = endpoint.failure_count >= settings.WEBHOOKS_DISABLE_AFTER_FAILURES
        too_long = now - endpoint.failing_since >= dt.timedelta(hours=settings.WEBHOOKS_DISABLE_AFTER_HOURS)
        disable = endpoint.is_active and (too_many or too_long)
        if disable:
            endpoint.is_active = False
            endpoint.disabled_at = now
            endpoint.disabled_reason = (
                f"{endpoint.failure_count} failed attempts in a row since "
                f"{endpoint.failing_since:%Y-%m-%d %H:%M} UTC; last: {error}"
            )[:300]
        endpoint.save(
            update_fields=["failure_count", "failing_since", "is_active", "disabled_at", "disabled_reason"]
        )
        if disable:
            AuditEntry.record(
                organisation_id=endpoint.organisation_id, actor=None, channel=AuditEntry.Channel.COMMAND,
                action="webhook_disabled", target_label=endpoint.url,
                changes={"is_active": [True, False], "failure_count": [None, endpoint.failure_count]},
            )  # fmt: skip
            _tell_managers(endpoint, error, now)
            logger.warning("Webhook endpoint %s disabled after repeated failures.", endpoint.pk)
    return disable


def _tell_managers(endpoint: WebhookEndpoint, error: str, now: dt.datetime) -> int:
    """One email per manager (in their language) through the email outbox, sent after commit."""
    managers = (
        Membership.objects.filter(organisation_id=endpoint.organisation_id, role=Membership.Role.MANAGER)
        .exclude(email_preference=Membership.EmailPreference.OFF)
        .exclude(user__email="")
        .filter(user__is_active=True)
        .values_list("user_id", "user__email", "language")
    )
    today = local_today(now)
    rows = [
        Notification(
            organisation_id=endpoint.organisation_id,
            idempotency_key=(
                f"organisation-{endpoint.organisation_id}.webhook_disabled.e{endpoint.pk}"
                f".{endpoint.disabled_at:%Y%m%d%H%M%S}.user-{user_id}"
            ),
            kind=ReminderKind.WEBHOOK_DISABLED,
            file_type=FileType.ORGANISATION,
            object_id=endpoint.pk,
            due_on=today,
            recipient_user_id=user_id,
            recipient_email=email,
            language=language,
            rule=error[:1000],
            status=NotificationStatus.PENDING,
            next_attempt_at=now,
        )  # fmt: skip
        for user_id, email, language in managers
    ]
    created = outbox_insert(rows)
    if created:
        enqueue_delivery()
    return created


# --- one claimed row ------------------------------------------------------------------------------------
def webhook_send_claimed(claim: Claim) -> tuple[Outcome, bool]:
    """Sign and POST one claimed row; record the outcome (only while the claim is ours). Returns the
    outcome and whether this failure disabled the endpoint."""
    row = WebhookDelivery.objects.select_related("endpoint").get(pk=claim.pk)
    if row.claim_token != claim.token:
        return Outcome.LOST_CLAIM, False
    endpoint = row.endpoint
    if not endpoint.is_active:  # disabled between the claim and now: wait for it to be enabled again
        WEBHOOKS.finish(claim, WebhookStatus.PENDING, claimed_at=None, updated_at=timezone.now())
        return Outcome.LOST_CLAIM, False
    body = webhook_body(row)
    headers = webhook_headers(row, endpoint.secret, body, int(time.time()))
    if not WEBHOOKS.renew_lease(claim):
        return Outcome.LOST_CLAIM, False
    status, error = post(endpoint.url, body, headers)
    # --- the at-least-once window: the receiver answered, the row is not `sent` yet ---
    if status is not None and 200 <= status < 300:
        now = timezone.now()
        if not WEBHOOKS.finish(
            claim, WebhookStatus.SENT, sent_at=now, last_status_code=status, last_error="", updated_at=now
        ):
            logger.warning("Webhook %s was delivered after its lease expired.", claim.pk)
        _endpoint_succeeded(endpoint.pk)
        return Outcome.SENT, False
    outcome = WEBHOOKS.fail(claim, error or f"HTTP {status}", last_status_code=status)
    return outcome, _endpoint_failed(endpoint.pk, error or f"HTTP {status}")


def webhooks_deliver(*, limit: int | None = None, now: dt.datetime | None = None) -> WebhookReport:
    """Deliver the due rows of active endpoints, one claim at a time, at most `limit`
    (WEBHOOKS_BATCH_SIZE). A failing endpoint does not stop the others: each row has its own backoff."""
    limit = limit or settings.WEBHOOKS_BATCH_SIZE
    report = WebhookReport(reclaimed=WEBHOOKS.reclaim(now=now))
    while report.handled < limit:
        claim = WEBHOOKS.claim_next(now=now, extra=ACTIVE_ENDPOINT)
        if claim is None:
            break
        outcome, disabled = webhook_send_claimed(claim)
        report.count(outcome)
        report.disabled += int(disabled)
    return report
