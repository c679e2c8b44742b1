"""What the caller may see and do in the API, from hostportal.permissions (one module for every interface).

A token sees its own organisation only, with its role; a session user sees their organisations with their
role in each. Another organisation's object is a 404 (the querysets never contain it); a write without the
role is a 403.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions, permissions
from rest_framework.request import Request

from hostportal.api.models import ApiToken
from hostportal.models import Membership
from hostportal.permissions import MANAGE_ROLES, WRITE_ROLES, role_of
from hostportal.selectors import organisations_for_user


class IsMember(permissions.BasePermission):
    """Any authenticated caller; what they see is scoped by `organisation_ids`."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated)


def token_of(request: Request) -> ApiToken | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiToken) else None


def organisation_ids(request: Request) -> list[int]:
    """The organisations the caller may read (cached on the request: one query)."""
    cached = getattr(request, "_api_organisation_ids", None)
    if cached is None:
        token = token_of(request)
        if token is not None:
            cached = [token.organisation_id]
        else:
            cached = list(organisations_for_user(request.user).values_list("pk", flat=True))
        request._api_organisation_ids = cached
    return list(cached)


def caller_role(request: Request, organisation_id: int) -> str | None:
    """The caller's role in the organisation: the token's (capped at its creator's), or the user's."""
    roles: dict[int, str | None] = request.__dict__.setdefault("_api_roles", {})
    if organisation_id not in roles:
        token = token_of(request)
        if token is not None:
            same = token.organisation_id == organisation_id
            roles[organisation_id] = getattr(token, "effective_role", token.role) if same else None
        else:
            roles[organisation_id] = role_of(request.user, organisation_id)
    return roles[organisation_id]


def can_write(request: Request, organisation_id: int) -> bool:
    return caller_role(request, organisation_id) in WRITE_ROLES


def can_manage(request: Request, organisation_id: int) -> bool:
    return caller_role(request, organisation_id) in MANAGE_ROLES


def require_write(request: Request, organisation_id: int) -> None:
    if not can_write(request, organisation_id):
        raise exceptions.PermissionDenied(
            _("Your role is read-only: you may read these files, not change them.")
        )


def require_manage(request: Request, organisation_id: int) -> None:
    if not can_manage(request, organisation_id):
        raise exceptions.PermissionDenied(_("Only the organisation’s managers may do this."))


def managed_organisation_ids(request: Request) -> list[int]:
    return [pk for pk in organisation_ids(request) if caller_role(request, pk) == Membership.Role.MANAGER]
