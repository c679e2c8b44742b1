"""Who may do what, in one place for the admin, the portal and the API (STYLE habit 15).

A viewer reads; an editor also edits files and records events; a manager also manages the members, the
reminder settings, the calendar feed and the API tokens. An operator (superuser) may do everything in every
organisation. A user of another organisation may do nothing, and is told so as if the object did not exist
(the views answer 404).
"""

from __future__ import annotations

from typing import Any

from hostportal.models import Membership

WRITE_ROLES = (Membership.Role.MANAGER, Membership.Role.EDITOR)
MANAGE_ROLES = (Membership.Role.MANAGER,)


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def role_of(user: Any, organisation_id: int) -> str | None:
    """The user's role in the organisation ("manager", "editor", "viewer"), None for an outsider; an
    operator counts as a manager everywhere."""
    if not _authenticated(user):
        return None
    if user.is_superuser:
        return Membership.Role.MANAGER
    return (
        Membership.objects.filter(user=user, organisation_id=organisation_id)
        .values_list("role", flat=True)
        .first()
    )


def _has_role(user: Any, organisation_id: int, roles: tuple[str, ...]) -> bool:
    if not _authenticated(user):
        return False
    if user.is_superuser:
        return True
    return Membership.objects.filter(user=user, organisation_id=organisation_id, role__in=roles).exists()


def can_read(user: Any, organisation_id: int) -> bool:
    return _authenticated(user) and (
        user.is_superuser or Membership.objects.filter(user=user, organisation_id=organisation_id).exists()
    )


def can_write(user: Any, organisation_id: int) -> bool:
    """Managers and editors edit files and record events."""
    return _has_role(user, organisation_id, WRITE_ROLES)


def can_manage(user: Any, organisation_id: int) -> bool:
    """Managers manage members, roles, reminder settings, the calendar feed and API tokens."""
    return _has_role(user, organisation_id, MANAGE_ROLES)
