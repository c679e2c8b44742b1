"""Webhook events and signatures: what an endpoint may subscribe to, how a body is signed and verified.

Pure (no ORM, no settings): the names are a public contract (docs/webhooks.md) and `verify_signature` is
the function receivers copy.

Events:
* transitions: "<kind>.<target_state>" for conventions, avenants, visas and carte de séjour applications
  (e.g. "convention.submitted", "convention.validated", "avenant.refused", "permit.granted");
* implicit decisions of the nightly sweep: "convention.refused_by_silence", "avenant.accepted_by_silence",
  "permit.refused_by_silence" (the same "<kind>.<state>" names, also sent for a sweep);
* deadlines: "deadline.<reminder kind>" when the reminder planning finds a reminder due for a file
  (e.g. "deadline.filing_due" 30, 14, 7 days before the filing deadline, per the organisation's lead times).
"""

from __future__ import annotations

import hashlib
import hmac
import time

# The states a file can move to (the values of conventions' FSM fields; this module imports no model).
TRANSITION_STATES: dict[str, tuple[str, ...]] = {
    "convention": (
        "submitted", "documents_requested", "validated", "refused", "refused_by_silence", "not_required",
        "withdrawn", "draft",
    ),
    "avenant": (
        "submitted", "documents_requested", "validated", "refused", "accepted_by_silence", "withdrawn",
        "draft",
    ),
    "visa": ("applied", "issued", "refused", "to_apply"),
    "permit": ("filed", "granted", "refused", "refused_by_silence", "to_file"),
}  # fmt: skip
IMPLICIT_DECISIONS = (
    "convention.refused_by_silence",
    "avenant.accepted_by_silence",
    "permit.refused_by_silence",
)
# Reminder kinds (notifications.rules.ReminderKind values) planned by lead time, as deadline events.
DEADLINE_KINDS = (
    "filing_due", "filing_late", "silence_due", "avenant_filing_due", "convention_end", "permit_silence_due",
    "passport_expiry", "document_expiry", "documents_due", "avenant_documents_due", "avenant_explicit_answer",
    "ofii_validation_due", "permit_filing_opens", "permit_filing_due",
)  # fmt: skip

WEBHOOK_EVENTS: tuple[str, ...] = (
    *(f"{kind}.{state}" for kind, states in TRANSITION_STATES.items() for state in states),
    *(f"deadline.{kind}" for kind in DEADLINE_KINDS),
)
WEBHOOK_EVENT_SET = frozenset(WEBHOOK_EVENTS)
WILDCARD = "*"  # subscribes to every event, present and future

SIGNATURE_HEADER = "Hostportal-Signature"
EVENT_HEADER = "Hostportal-Event"
DELIVERY_HEADER = "Hostportal-Delivery"
REPLAY_WINDOW_SECONDS = 300  # a signature older (or newer) than 5 minutes is refused by the receiver


def transition_event(file_type: str, target_state: str) -> str | None:
    """The event of a file moving to `target_state`, or None when it is not one (documents...)."""
    event = f"{file_type}.{target_state}"
    return event if event in WEBHOOK_EVENT_SET else None


def deadline_event(reminder_kind: str) -> str | None:
    event = f"deadline.{reminder_kind}"
    return event if event in WEBHOOK_EVENT_SET else None


def subscribes(events: list[str], event: str) -> bool:
    return event in events or WILDCARD in events


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The `Hostportal-Signature` value: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_signature(
    secret: str, header: str, body: bytes, now: float | None = None, tolerance: int = REPLAY_WINDOW_SECONDS
) -> bool:
    """True when `header` signs `body` with `secret` and its timestamp is within `tolerance` seconds of now.

    Copy this function into a receiver (it needs only the standard library). Compare with the raw body
    bytes as received, before any JSON parsing. Several v1= values are accepted (secret rotation).
    """
    now = time.time() if now is None else now
    try:
        items = [part.split("=", 1) for part in header.split(",")]
        timestamp = int(next(value for key, value in items if key.strip() == "t"))
        signatures = [value.strip() for key, value in items if key.strip() == "v1"]
    except (ValueError, StopIteration):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    return any(hmac.compare_digest(expected, candidate) for candidate in signatures)
