"""Read queries of the notifications app, scoped to what the user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from hostportal.selectors import organisations_for_user
from notifications.models import CalendarToken, Notification


def notifications_for_user(user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(organisation__in=organisations_for_user(user))


def calendar_tokens_for_user(user: Any) -> QuerySet[CalendarToken]:
    return CalendarToken.objects.filter(organisation__in=organisations_for_user(user))


def active_calendar_token(token: str) -> CalendarToken | None:
    """The token's row when it exists and is not revoked (the URL is the credential)."""
    if not token or len(token) > 64:
        return None
    return (
        CalendarToken.objects.select_related("organisation")
        .filter(token=token, revoked_at__isnull=True)
        .first()
    )
