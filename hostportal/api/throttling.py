"""Rate limits: POST /api/v1/check per token (or per session user), from settings.API_CHECK_RATE."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from hostportal.api.permissions import token_of


class CheckRateThrottle(SimpleRateThrottle):
    scope = "check"

    def get_rate(self) -> str | None:
        # Read at each request (not at import) so that an operator's setting, or a test's, applies.
        return str(getattr(settings, "API_CHECK_RATE", "60/minute"))

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        token = token_of(request)
        ident = f"token-{token.pk}" if token is not None else f"user-{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
