"""What may this user see: organisations and roles, scoped to the user's memberships."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from hostportal.models import Organisation
from hostportal.permissions import WRITE_ROLES, can_read, can_write


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


# The permission checks live in hostportal.permissions; these names are kept for the existing callers.
user_can_write = can_write
user_can_read = can_read
