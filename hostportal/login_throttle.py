"""Login throttling with django-axes (issue 9): after AXES_FAILURE_LIMIT wrong passwords for one username
from one address, that pair is locked out for AXES_COOLOFF_TIME, on the portal's and the admin's login
alike (both authenticate through AuthenticationForm, with the request).
"""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class AxesBackend(AxesStandaloneBackend):
    """Axes' check, for every login that comes with a request (every login over HTTP).

    Axes refuses an authenticate() call without a request; such calls come from code only (the test
    client's login, a management command), which no one outside can repeat, so they skip the count and go
    on to the next backend instead of failing.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The lockout page (HTTP 429), in the reader's language: what happened, how long, what to do."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes}
    return render(request, "lockout.html", context, status=429)


def client_ip(request: HttpRequest) -> str | None:
    """The address a lockout counts against (AXES_CLIENT_IP_CALLABLE).

    Reached directly (TRUSTED_PROXY_COUNT=0), REMOTE_ADDR. Behind N trusted reverse proxies, each appends
    the address it saw to X-Forwarded-For: the client is the N-th from the right. What the client itself
    put further left is ignored, so a forged header cannot pick another address's counter.
    """
    count = settings.TRUSTED_PROXY_COUNT
    remote: str | None = request.META.get("REMOTE_ADDR")
    if count <= 0:
        return remote
    forwarded = [
        part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
    ]
    return forwarded[-count] if len(forwarded) >= count else remote
