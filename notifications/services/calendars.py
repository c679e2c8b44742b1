"""Calendar feed tokens: created and revoked by the organisation's managers and editors."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from conventions.services.conventions import require_writer
from hostportal.models import Membership, Organisation
from notifications.models import CalendarToken


def calendar_token_create(
    *, actor: Any, organisation: Organisation, label: str = "", language: str = Membership.Language.FR
) -> CalendarToken:
    """A new secret feed URL for `organisation`. PermissionDenied for a viewer or an outsider."""
    require_writer(actor, organisation.pk)
    if language not in Membership.Language.values:
        raise ValidationError({"language": f"{language!r} is not a language: use fr or en."})
    return CalendarToken.objects.create(
        organisation=organisation, label=label, language=language, created_by=actor
    )


def calendar_token_revoke(
    *, actor: Any, token: CalendarToken | int, now: dt.datetime | None = None
) -> CalendarToken:
    """Revoke the feed URL: it answers 404 from now on. Revoking twice keeps the first date."""
    instance = CalendarToken.objects.get(pk=token.pk if isinstance(token, CalendarToken) else token)
    require_writer(actor, instance.organisation_id)
    if instance.revoked_at is None:
        instance.revoked_at = now or timezone.now()
        instance.save(update_fields=["revoked_at"])
    return instance
