"""notifications.services: the only write path of the outbox (plan, events, claim, deliver, digest)."""

from notifications.services.calendars import calendar_token_create, calendar_token_revoke
from notifications.services.delivery import (
    DeliveryReport,
    outbox_claim_next,
    outbox_compose,
    outbox_deliver,
    outbox_reclaim,
    outbox_send_claimed,
)
from notifications.services.digests import DigestReport, digests_send
from notifications.services.events import notifications_on_transition
from notifications.services.outbox import enqueue_delivery, idempotency_key, notification_resend
from notifications.services.planning import PlanReport, reminders_plan

__all__ = [
    "DeliveryReport",
    "DigestReport",
    "PlanReport",
    "calendar_token_create",
    "calendar_token_revoke",
    "digests_send",
    "enqueue_delivery",
    "idempotency_key",
    "notification_resend",
    "notifications_on_transition",
    "outbox_claim_next",
    "outbox_compose",
    "outbox_deliver",
    "outbox_reclaim",
    "outbox_send_claimed",
    "reminders_plan",
]
