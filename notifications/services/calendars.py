"""Calendar feed tokens: created and revoked by the organisation's managers and editors, each audited
(hostportal.models.AuditEntry, STYLE habit 14)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from conventions.services.conventions import require_writer
from hostportal.models import AuditEntry, Membership, Organisation
from notifications.models import CalendarToken


def _token_label(token: CalendarToken) -> str:
    return token.label or f"#{token.pk}"


@transaction.atomic
def calendar_token_create(
    *,
    actor: Any,
    organisation: Organisation,
    label: str = "",
    language: str = Membership.Language.FR,
    channel: str = AuditEntry.Channel.WEB,
) -> CalendarToken:
    """A new secret feed URL for `organisation`, audited. PermissionDenied for a viewer or an outsider."""
    require_writer(actor, organisation.pk)
    if language not in Membership.Language.values:
        raise ValidationError({"language": f"{language!r} is not a language: use fr or en."})
    token = CalendarToken.objects.create(
        organisation=organisation, label=label, language=language, created_by=actor
    )
    AuditEntry.record(
        organisation_id=organisation.pk,
        actor=actor,
        channel=channel,
        action=AuditEntry.Action.CALENDAR_TOKEN_CREATED,
        target_label=_token_label(token),
        changes={"label": [None, label], "language": [None, language]},
    )
    return token


@transaction.atomic
def calendar_token_revoke(
    *,
    actor: Any,
    token: CalendarToken | int,
    now: dt.datetime | None = None,
    channel: str = AuditEntry.Channel.WEB,
) -> CalendarToken:
    """Revoke the feed URL: it answers 404 from now on. Revoking twice keeps the first date (and writes
    one audit entry)."""
    pk = token.pk if isinstance(token, CalendarToken) else token
    instance = CalendarToken.objects.select_for_update().get(pk=pk)
    require_writer(actor, instance.organisation_id)
    if instance.revoked_at is None:
        instance.revoked_at = now or timezone.now()
        instance.save(update_fields=["revoked_at"])
        AuditEntry.record(
            organisation_id=instance.organisation_id,
            actor=actor,
            channel=channel,
            action=AuditEntry.Action.CALENDAR_TOKEN_REVOKED,
            target_label=_token_label(instance),
            changes={"revoked_at": [None, instance.revoked_at.isoformat()]},
        )
    return instance
