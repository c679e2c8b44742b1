"""What may this user see: organisations and roles, scoped to the user's memberships."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from hostportal.models import Membership, Organisation

WRITE_ROLES = (Membership.Role.MANAGER, Membership.Role.EDITOR)


def organisations_for_user(user: Any) -> QuerySet[Organisation]:
    """Organisations the user belongs to; every organisation for a superuser (operators)."""
    if not getattr(user, "is_authenticated", False):
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.all()
    return Organisation.objects.filter(memberships__user=user).distinct()


def writable_organisations_for_user(user: Any) -> QuerySet[Organisation]:
    if not getattr(user, "is_authenticated", False):
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.all()
    return Organisation.objects.filter(memberships__user=user, memberships__role__in=WRITE_ROLES).distinct()


def user_can_write(user: Any, organisation_id: int) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return Membership.objects.filter(
        user=user, organisation_id=organisation_id, role__in=WRITE_ROLES
    ).exists()


def user_can_read(user: Any, organisation_id: int) -> bool:
    return organisations_for_user(user).filter(pk=organisation_id).exists()
