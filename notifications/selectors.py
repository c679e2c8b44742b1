"""Read queries of the notifications app, scoped to what the user may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from conventions.rules.base import Explanation
from hostportal.selectors import organisations_for_user
from notifications import facts
from notifications.calendar import FEED_LABELS
from notifications.facts import FileRef
from notifications.models import CalendarToken, Notification, WebhookDelivery, WebhookEndpoint
from notifications.rules import DeadlineKind, act_now_deadlines, days_left


def notifications_for_user(user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(organisation__in=organisations_for_user(user))


def calendar_tokens_for_user(user: Any) -> QuerySet[CalendarToken]:
    return CalendarToken.objects.filter(organisation__in=organisations_for_user(user))


def webhook_endpoints_for_user(user: Any) -> QuerySet[WebhookEndpoint]:
    """The webhook endpoints of the user's organisations (any role may read them; managers change them)."""
    return WebhookEndpoint.objects.filter(organisation__in=organisations_for_user(user))


def webhook_deliveries_for_user(user: Any) -> QuerySet[WebhookDelivery]:
    """The webhook delivery log of the user's organisations, newest first."""
    return WebhookDelivery.objects.filter(organisation__in=organisations_for_user(user)).order_by(
        "-created_at", "-pk"
    )


def active_calendar_token(token: str) -> CalendarToken | None:
    """The token's row when it exists and is not revoked (the URL is the credential)."""
    if not token or len(token) > 64:
        return None
    return (
        CalendarToken.objects.select_related("organisation")
        .filter(token=token, revoked_at__isnull=True)
        .first()
    )


@dataclass(frozen=True)
class ActNow:
    """One thing to do: which deadline of which file, when, and why (the rule engine's explanation)."""

    kind: DeadlineKind
    on: dt.date
    days_left: int
    explanation: Explanation
    file: FileRef

    def label(self, language: str) -> str:
        return FEED_LABELS.get(language, FEED_LABELS["en"])[self.kind]

    @property
    def days_late(self) -> int:
        return -self.days_left

    @property
    def urgency(self) -> str:
        """late (past), soon (within 7 days) or later: a word, so colour is never the only sign."""
        if self.days_left < 0:
            return "late"
        return "soon" if self.days_left <= 7 else "later"


def act_now(organisation_id: int, today: dt.date, horizon: int = 60) -> list[ActNow]:
    """Every deadline of the organisation's files to act on within `horizon` days or already late and
    still actionable, most urgent first. A fixed number of queries (one per kind of file), whatever the
    number of files, reading only the files whose stored deadlines fall in that window; the deadlines and
    their why come from the same rules as the reminders."""
    until = today + dt.timedelta(days=horizon)
    rows = [
        ActNow(kind, deadline.on, days_left(deadline.on, today), deadline.explanation, file.ref)
        for file in facts.files_of_organisation(organisation_id, today, act_by=until)
        for kind, deadline in act_now_deadlines(file.facts, today, horizon)
    ]
    return sorted(rows, key=lambda row: (row.on, row.file.intern_name, row.kind.value))
