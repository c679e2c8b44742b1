"""The organisation a portal page is about: the one chosen in the session, or the user's only one."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest

from hostportal.models import Organisation
from hostportal.selectors import organisations_for_user

SESSION_KEY = "portal_organisation_id"


def current_organisation(request: HttpRequest) -> Organisation | None:
    """The session's organisation when the user may still see it, else the first one they can see."""
    allowed = organisations_for_user(request.user).order_by("name")
    chosen = request.session.get(SESSION_KEY)
    found = allowed.filter(pk=chosen).first() if chosen else None
    return found or allowed.first()


def choose_organisation(request: HttpRequest, organisation_id: Any) -> Organisation:
    """Switch to another of the user's organisations; another organisation is a 404, as if absent."""
    try:
        pk = int(organisation_id)
    except (TypeError, ValueError):
        raise Http404 from None
    organisation = organisations_for_user(request.user).filter(pk=pk).first()
    if organisation is None:
        raise Http404
    request.session[SESSION_KEY] = organisation.pk
    return organisation
