"""`{% manages organisation as flag %}`: whether the reader manages the page's organisation (the nav shows
Members and Settings to managers only). One query per request, cached on the request."""

from __future__ import annotations

from typing import Any

from django import template

from hostportal.permissions import can_manage

register = template.Library()


@register.simple_tag(takes_context=True)
def manages(context: dict[str, Any], organisation: Any) -> bool:
    request = context.get("request")
    if request is None or organisation is None:
        return False
    cache: dict[int, bool] = request.__dict__.setdefault("_portal_manages", {})
    if organisation.pk not in cache:
        cache[organisation.pk] = can_manage(request.user, organisation.pk)
    return cache[organisation.pk]
