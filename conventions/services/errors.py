"""Errors raised by the services: each names the file, the field or the state that is wrong."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

__all__ = ["ConflictError", "PermissionDenied", "ServiceError", "TransitionError", "ValidationError"]


class ServiceError(Exception):
    """Base class of the errors that a user can act on (shown as they are in admin and the portal)."""


class TransitionError(ServiceError):
    """A transition that is not allowed from the current state, or whose conditions are not met."""


class ConflictError(ServiceError):
    """Someone else changed the file since the user loaded it (optimistic concurrency on `version`)."""
