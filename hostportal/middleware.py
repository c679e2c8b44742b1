"""The reader's language: an explicit choice (the language cookie set by the switch) wins, then the
language saved on the user's membership, then the browser's (LocaleMiddleware) and French by default."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from hostportal.models import Membership

SUPPORTED = {code for code, _ in settings.LANGUAGES}


def saved_language(user_id: int) -> str | None:
    """The language of the user's oldest membership (one query), or None."""
    language = (
        Membership.objects.filter(user_id=user_id).order_by("pk").values_list("language", flat=True).first()
    )
    return language if language in SUPPORTED else None


class UserLanguageMiddleware:
    """After AuthenticationMiddleware and LocaleMiddleware: activate the member's saved language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if user is not None and user.is_authenticated and chosen not in SUPPORTED:
            language = saved_language(user.pk)
            if language is not None:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)
