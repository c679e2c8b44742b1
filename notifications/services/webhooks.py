"""Webhook endpoints (create, update, delete), deliveries (resend) and the outbox rows events write.

The management services are atomic, lock the row they change, check that the actor manages the
organisation (None is the system), validate everything before writing, and leave one AuditEntry with the
actor, the channel and the old and new values - never the secret. A bad input raises
ValidationError({field: message}) whose message names the field as the user sees it.

The event writers (`webhooks_on_transition`, `webhooks_on_sweep`, `webhooks_for_reminders`) run in the
transaction of the change and write the rows set-based: one read of the files when needed, one read of the
subscribed endpoints, one INSERT ... ON CONFLICT DO NOTHING per 1000 rows; delivery is enqueued on commit.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from hostportal.models import AuditEntry, Organisation
from hostportal.permissions import can_manage
from notifications.facts import MODELS, File
from notifications.models import (
    WebhookDelivery,
    WebhookEndpoint,
    WebhookStatus,
    new_webhook_secret,
    validate_webhook_url,
)
from notifications.rules import DueReminder, FileType, ReminderKind
from notifications.services.outbox import ENQUEUE_FAST
from notifications.webhooks import (
    WEBHOOK_EVENT_SET,
    WEBHOOK_EVENTS,
    WILDCARD,
    deadline_event,
    subscribes,
    transition_event,
)

logger = logging.getLogger(__name__)
INSERT_BATCH = 1000
RESENDABLE = (WebhookStatus.SENT, WebhookStatus.FAILED, WebhookStatus.CANCELLED)
URL_MAX = 500
DESCRIPTION_MAX = 200


class AuditAction:
    """AuditEntry.action values of the webhooks (the column is free text; hostportal lists its own)."""

    CREATED = "webhook_created"
    UPDATED = "webhook_updated"
    DELETED = "webhook_deleted"
    DISABLED = "webhook_disabled"
    RESENT = "webhook_delivery_resent"


# --- checks ---------------------------------------------------------------------------------------------
def _require_manager(actor: Any, organisation_id: int) -> None:
    if actor is not None and not can_manage(actor, organisation_id):
        raise PermissionDenied(_("Only the organisation’s managers may manage its webhooks."))


def clean_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        raise ValidationError({"url": _("URL: enter the address to call (https://…).")})
    if len(url) > URL_MAX:
        raise ValidationError({"url": _("URL: at most %(max)s characters.") % {"max": URL_MAX}})
    try:
        validate_webhook_url(url)
    except ValidationError as exc:
        raise ValidationError({"url": exc.messages}) from exc
    return url


def clean_events(events: Any) -> list[str]:
    """Known event names, without duplicates, in the order of WEBHOOK_EVENTS ("*" means every event)."""
    if isinstance(events, str) or not isinstance(events, Iterable):
        raise ValidationError({"events": _("Events: give a list of event names.")})
    names = [str(name).strip() for name in events]
    unknown = [name for name in names if name not in WEBHOOK_EVENT_SET and name != WILDCARD]
    if unknown:
        raise ValidationError(
            {"events": _("Events: « %(value)s » is not a known event.") % {"value": ", ".join(unknown)}}
        )
    if not names:
        raise ValidationError({"events": _("Events: choose at least one event.")})
    if WILDCARD in names:
        return [WILDCARD]
    return [name for name in WEBHOOK_EVENTS if name in names]


def clean_description(description: str) -> str:
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        raise ValidationError(
            {"description": _("Description: at most %(max)s characters.") % {"max": DESCRIPTION_MAX}}
        )
    return description


CLEANERS = {"url": clean_url, "events": clean_events, "description": clean_description}


def _cleaned(values: dict[str, Any]) -> dict[str, Any]:
    """Every given field cleaned; one ValidationError naming every wrong field (nothing written)."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        try:
            cleaned[name] = CLEANERS[name](value)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _audit(
    endpoint: WebhookEndpoint, actor: Any, channel: str, action: str, changes: dict[str, list[Any]]
) -> None:
    AuditEntry.record(
        organisation_id=endpoint.organisation_id,
        actor=actor,
        channel=channel[:16],  # the column's width (an API token's name may be longer)
        action=action,
        target_label=endpoint.url,
        changes=changes,
    )


def _locked_endpoint(endpoint: WebhookEndpoint | int) -> WebhookEndpoint:
    pk = endpoint.pk if isinstance(endpoint, WebhookEndpoint) else endpoint
    return WebhookEndpoint.objects.select_for_update().get(pk=pk)


# --- management services --------------------------------------------------------------------------------
@transaction.atomic
def webhook_endpoint_create(
    *,
    actor: Any,
    organisation: Organisation,
    url: str,
    events: list[str],
    description: str = "",
    channel: str,
) -> tuple[WebhookEndpoint, str]:
    """A new active endpoint of `organisation`; returns it and its secret (show it once, it is not shown
    again). PermissionDenied unless the actor manages the organisation."""
    _require_manager(actor, organisation.pk)
    cleaned = _cleaned({"url": url, "events": events, "description": description})
    url, events, description = cleaned["url"], cleaned["events"], cleaned["description"]
    secret = new_webhook_secret()
    endpoint = WebhookEndpoint.objects.create(
        organisation=organisation,
        url=url,
        events=events,
        description=description,
        secret=secret,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _audit(
        endpoint, actor, channel, AuditAction.CREATED,
        {"url": [None, url], "events": [None, events], "description": [None, description]},
    )  # fmt: skip
    return endpoint, secret


@transaction.atomic
def webhook_endpoint_update(
    *,
    actor: Any,
    endpoint: WebhookEndpoint | int,
    channel: str,
    url: str | None = None,
    events: list[str] | None = None,
    is_active: bool | None = None,
    description: str | None = None,
) -> WebhookEndpoint:
    """Change what is given (None leaves a field alone). Re-enabling resets the failure count; disabling
    leaves the pending deliveries to be cancelled when their turn comes."""
    instance = _locked_endpoint(endpoint)
    _require_manager(actor, instance.organisation_id)
    given = {"url": url, "events": events, "description": description}
    wanted: dict[str, Any] = _cleaned({name: value for name, value in given.items() if value is not None})
    if is_active is not None:
        wanted["is_active"] = bool(is_active)
    changes = {
        name: [getattr(instance, name), value]
        for name, value in wanted.items()
        if getattr(instance, name) != value
    }
    if not changes:
        return instance
    for name, value in wanted.items():
        setattr(instance, name, value)
    if "is_active" in changes:
        if instance.is_active:
            instance.failure_count, instance.failing_since = 0, None
            instance.disabled_at, instance.disabled_reason = None, ""
        else:
            instance.disabled_at = timezone.now()
            instance.disabled_reason = _("Disabled by %(user)s.") % {"user": _actor_label(actor)}
    instance.save()
    _audit(instance, actor, channel, AuditAction.UPDATED, changes)
    return instance


def _actor_label(actor: Any) -> str:
    return actor.get_username() if getattr(actor, "is_authenticated", False) else "system"


@transaction.atomic
def webhook_endpoint_delete(*, actor: Any, endpoint: WebhookEndpoint | int, channel: str) -> None:
    """Delete the endpoint and its delivery log (the audit entry keeps its URL and events)."""
    instance = _locked_endpoint(endpoint)
    _require_manager(actor, instance.organisation_id)
    _audit(
        instance, actor, channel, AuditAction.DELETED,
        {"url": [instance.url, None], "events": [instance.events, None]},
    )  # fmt: skip
    instance.delete()


@transaction.atomic
def webhook_delivery_resend(*, actor: Any, delivery: WebhookDelivery | int, channel: str) -> WebhookDelivery:
    """Put a sent, failed or cancelled delivery back in the queue (same id, same body, new signature);
    sent after commit. ValidationError when it is already queued or its endpoint is disabled."""
    pk = delivery.pk if isinstance(delivery, WebhookDelivery) else delivery
    row = WebhookDelivery.objects.select_for_update().select_related("endpoint").get(pk=pk)
    _require_manager(actor, row.organisation_id)
    if row.status not in RESENDABLE:
        raise ValidationError({"status": _("Status: this delivery is already waiting to be sent.")})
    if not row.endpoint.is_active:
        raise ValidationError({"endpoint": _("Endpoint: it is disabled; enable it before resending.")})
    now = timezone.now()
    old_status = row.status
    WebhookDelivery.objects.filter(pk=row.pk).update(
        status=WebhookStatus.PENDING, attempts=0, next_attempt_at=now, last_error="", claim_token=None,
        claimed_at=None, sent_at=None, resend_count=F("resend_count") + 1, updated_at=now,
    )  # fmt: skip
    _audit(
        row.endpoint, actor, channel, AuditAction.RESENT,
        {"delivery": [row.pk, row.pk], "event": [row.event, row.event], "status": [old_status, "pending"]},
    )  # fmt: skip
    enqueue_webhook_delivery()
    row.refresh_from_db()
    return row


# --- outbox rows ----------------------------------------------------------------------------------------
def enqueue_webhook_delivery() -> None:
    """Ask a worker to deliver once the transaction commits; a broker that is down loses nothing (the
    beat's next run sends the committed rows)."""

    def send() -> None:
        from notifications.tasks import deliver_webhooks_task

        try:
            deliver_webhooks_task.apply_async(**ENQUEUE_FAST)
        except Exception:
            logger.warning("Could not enqueue the webhook delivery; the periodic job will send it.")

    transaction.on_commit(send)


def organisations_with_deadline_webhooks() -> set[int]:
    """The organisations with an active endpoint that subscribes to a "deadline.*" event (one query): the
    planning keeps the due reminders of their files only, for webhooks_for_reminders."""
    deadline_events = {event for kind in ReminderKind if (event := deadline_event(kind)) is not None}
    rows = WebhookEndpoint.objects.filter(is_active=True).values_list("organisation_id", "events")
    return {
        organisation_id
        for organisation_id, events in rows
        if any(subscribes(list(events or []), event) for event in deadline_events)
    }


def _endpoints_by_organisation(organisation_ids: Iterable[int]) -> dict[int, list[tuple[int, list[str]]]]:
    """The active endpoints of these organisations (one query): {organisation: [(endpoint, events)]}."""
    found: dict[int, list[tuple[int, list[str]]]] = defaultdict(list)
    rows = WebhookEndpoint.objects.filter(organisation_id__in=set(organisation_ids), is_active=True)
    for pk, organisation_id, events in rows.values_list("pk", "organisation_id", "events"):
        found[organisation_id].append((pk, list(events or [])))
    return found


def _insert(rows: list[WebhookDelivery], enqueue: bool = True) -> int:
    """INSERT ... ON CONFLICT DO NOTHING on the idempotency key (a replay inserts nothing); enqueue delivery
    on commit. Returns the number of candidate rows."""
    if not rows:
        return 0
    WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=INSERT_BATCH)
    if enqueue:
        enqueue_webhook_delivery()
    return len(rows)


def _file_fields(file_type: FileType) -> list[str]:
    """(pk, organisation, version, convention, intern) of a file, read in one query."""
    if file_type == FileType.CONVENTION:
        return ["pk", "organisation_id", "version", "id", "intern_id"]
    return ["pk", "organisation_id", "version", "convention_id", "convention__intern_id"]


def _transition_rows(
    file_type: FileType,
    files: list[tuple[int, int, int, int, int]],
    event: str,
    transition: str,
    source: str,
    target: str,
    today: dt.date,
    now: dt.datetime,
    endpoints: dict[int, list[tuple[int, list[str]]]],
) -> list[WebhookDelivery]:
    rows: list[WebhookDelivery] = []
    for pk, organisation_id, version, convention_id, intern_id in files:
        data = {
            "file_type": file_type.value, "id": pk, "convention_id": convention_id, "intern_id": intern_id,
            "transition": transition, "from_state": source, "state": target, "version": version,
            "on": today.isoformat(),
        }  # fmt: skip
        for endpoint_id, events in endpoints.get(organisation_id, []):
            if subscribes(events, event):
                rows.append(
                    WebhookDelivery(
                        endpoint_id=endpoint_id,
                        organisation_id=organisation_id,
                        event=event,
                        idempotency_key=f"{event}.{file_type}-{pk}.v{version}.{transition}.e{endpoint_id}"[
                            :200
                        ],
                        file_type=file_type.value,
                        object_id=pk,
                        payload=data,
                        next_attempt_at=now,
                    )  # fmt: skip
                )
    return rows


def webhooks_on_transition(
    *, file_type: FileType, instance: Any, transition: str, source: str, target: str, today: dt.date
) -> int:
    """The deliveries of one file's transition (the receiver of `file_transitioned`): one query when no
    endpoint of the organisation subscribes, three when one does. Returns the number of rows written."""
    event = transition_event(file_type.value, target)
    if event is None:
        return 0
    endpoints = _endpoints_by_organisation([instance.organisation_id])
    if not any(subscribes(events, event) for _, events in endpoints.get(instance.organisation_id, [])):
        return 0
    manager: Any = MODELS[file_type]._default_manager
    files = list(manager.filter(pk=instance.pk).values_list(*_file_fields(file_type)))
    rows = _transition_rows(
        file_type, files, event, transition, source, target, today, timezone.now(), endpoints
    )
    return _insert(rows)


def webhooks_on_sweep(
    *, file_type: FileType, ids: list[int], transition: str, source: str, target: str, today: dt.date
) -> int:
    """The deliveries of the sweep's implicit decisions: one read of the files, one of the endpoints,
    one INSERT per 1000 rows, whatever the number of files."""
    event = transition_event(file_type.value, target)
    if event is None or not ids:
        return 0
    if not WebhookEndpoint.objects.filter(is_active=True).exists():
        return 0  # the usual case on a small install: one cheap query
    manager: Any = MODELS[file_type]._default_manager
    files = list(manager.filter(pk__in=list(ids)).values_list(*_file_fields(file_type)))
    endpoints = _endpoints_by_organisation(organisation_id for _, organisation_id, _, _, _ in files)
    rows = _transition_rows(
        file_type, files, event, transition, source, target, today, timezone.now(), endpoints
    )
    return _insert(rows)


def webhooks_for_reminders(
    due: list[tuple[File, DueReminder]], now: dt.datetime, enqueue: bool = True
) -> int:
    """Deadline events of the reminder planning: one per (file, reminder point, endpoint), the same key
    as the email's without the recipient, so planning twice inserts nothing."""
    if not due:
        return 0
    endpoints = _endpoints_by_organisation(file.ref.organisation_id for file, _ in due)
    rows: list[WebhookDelivery] = []
    for file, reminder in due:
        event = deadline_event(reminder.kind)
        ref = file.ref
        if event is None:
            continue
        for endpoint_id, events in endpoints.get(ref.organisation_id, []):
            if not subscribes(events, event):
                continue
            data = {
                "file_type": ref.file_type.value, "id": ref.pk, "convention_id": ref.convention_id,
                "intern_id": ref.intern_id, "deadline": reminder.deadline.on.isoformat(),
                "days_left": reminder.days_left, "due_on": reminder.due_on.isoformat(),
                "why": reminder.deadline.explanation.rule, "source": reminder.deadline.explanation.source,
            }  # fmt: skip
            key = (
                f"{event}.{ref.file_type}-{ref.pk}.{reminder.deadline.on:%Y%m%d}.{reminder.due_on:%Y%m%d}"
                f".e{endpoint_id}"
            )
            rows.append(
                WebhookDelivery(
                    endpoint_id=endpoint_id,
                    organisation_id=ref.organisation_id,
                    event=event,
                    idempotency_key=key[:200],
                    file_type=ref.file_type.value,
                    object_id=ref.pk,
                    payload=data,
                    next_attempt_at=now,
                )  # fmt: skip
            )
    return _insert(rows, enqueue)
