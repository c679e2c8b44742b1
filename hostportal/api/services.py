"""Writes of the API app: tokens created and revoked by managers, each with an AuditEntry (STYLE habit 14).

The secret is returned once by `api_token_create` and never stored: only its SHA-256 digest and its first
characters (to recognise it in a list) are kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hostportal.api.models import ApiToken
from hostportal.models import AuditEntry, Membership, Organisation
from hostportal.permissions import can_manage, role_of

TOKEN_PREFIX = "hp_"  # noqa: S105 - the public prefix, not a secret
PREFIX_LENGTH = 10
# The order of the roles, to cap a token's role at its creator's.
ROLE_RANK: dict[str, int] = {Membership.Role.VIEWER: 0, Membership.Role.EDITOR: 1, Membership.Role.MANAGER: 2}
# AuditEntry.action values (AuditEntry.Action does not list them yet: shown raw until it does).
TOKEN_CREATED = "api_token_created"  # noqa: S105 - an audit action name
TOKEN_REVOKED = "api_token_revoked"  # noqa: S105 - an audit action name


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def lowest_role(*roles: str | None) -> str | None:
    """The weakest of the roles (None, an outsider, is weaker than all)."""
    if any(role not in ROLE_RANK for role in roles):
        return None
    return min(roles, key=lambda role: ROLE_RANK[role or ""]) if roles else None


def _check(actor: Any, organisation: Organisation, name: str, role: str) -> str:
    if actor is not None and not can_manage(actor, organisation.pk):
        raise PermissionDenied(_("Only the organisation’s managers may create or revoke API tokens."))
    cleaned = (name or "").strip()
    errors = {}
    if not cleaned or len(cleaned) > 100:
        errors["name"] = _("Name: give the token a name of 1 to 100 characters (who uses it).")
    if role not in ROLE_RANK:
        errors["role"] = _("Role: « %(value)s » is not a known role.") % {"value": role}
    elif actor is not None and ROLE_RANK[role] > ROLE_RANK.get(role_of(actor, organisation.pk) or "", -1):
        errors["role"] = _("Role: a token cannot have a higher role than yours.")
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def api_token_create(
    *, actor: Any, organisation: Organisation, name: str, role: str, channel: str = AuditEntry.Channel.WEB
) -> tuple[ApiToken, str]:
    """A new token of `organisation` with `role` (at most the creator's), and its secret, shown once.

    PermissionDenied unless the actor manages the organisation; ValidationError naming the field for an
    empty or long name or a role above the actor's. Writes one AuditEntry."""
    cleaned = _check(actor, organisation, name, role)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        organisation=organisation,
        name=cleaned,
        role=role,
        prefix=secret[:PREFIX_LENGTH],
        secret_hash=hash_secret(secret),
        created_by=actor,
    )
    AuditEntry.record(
        organisation_id=organisation.pk,
        actor=actor,
        channel=channel,
        action=TOKEN_CREATED,
        target_label=token.audit_label,
        changes={"name": [None, cleaned], "role": [None, role]},
    )
    return token, secret


@transaction.atomic
def api_token_revoke(
    *,
    actor: Any,
    token: ApiToken | int,
    now: dt.datetime | None = None,
    channel: str = AuditEntry.Channel.WEB,
) -> ApiToken:
    """Revoke the token: it is refused (401) from now on. Revoking twice keeps the first date and writes one
    AuditEntry. PermissionDenied unless the actor manages the token's organisation."""
    pk = token.pk if isinstance(token, ApiToken) else token
    instance = ApiToken.objects.select_for_update().get(pk=pk)
    if actor is not None and not can_manage(actor, instance.organisation_id):
        raise PermissionDenied(_("Only the organisation’s managers may create or revoke API tokens."))
    if instance.revoked_at is None:
        instance.revoked_at = now or timezone.now()
        instance.save(update_fields=["revoked_at"])
        AuditEntry.record(
            organisation_id=instance.organisation_id,
            actor=actor,
            channel=channel,
            action=TOKEN_REVOKED,
            target_label=instance.audit_label,
            changes={"revoked_at": [None, instance.revoked_at.isoformat()]},
        )
    return instance


def api_token_touch(token: ApiToken, *, now: dt.datetime | None = None) -> None:
    """Record the token's use, at most once a minute (a conditional UPDATE: no write on most requests)."""
    now = now or timezone.now()
    stale = now - dt.timedelta(minutes=1)
    if token.last_used_at is not None and token.last_used_at > stale:
        return
    ApiToken.objects.filter(pk=token.pk).exclude(last_used_at__gt=stale).update(last_used_at=now)
    token.last_used_at = now
