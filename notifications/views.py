"""The calendar feed: /calendar/<token>.ics, no login (calendar clients cannot log in), secret URL."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from conventions.services.common import local_today
from notifications.calendar import organisation_calendar
from notifications.selectors import active_calendar_token


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """Every upcoming deadline of the token's organisation; 404 for an unknown or revoked token."""
    found = active_calendar_token(token)
    if found is None:
        raise Http404("No such calendar.")
    body = organisation_calendar(
        organisation_id=found.organisation_id, organisation_name=found.organisation.name,
        language=found.language, today=local_today(),
    )  # fmt: skip
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="hostportal.ics"'
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex"
    return response
