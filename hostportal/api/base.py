"""What every API view shares: the caller's language, scoped querysets, ETag / If-Match, problem errors."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.db.models import Model, QuerySet
from django.utils import translation
from django.utils.cache import patch_vary_headers
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import views
from rest_framework.request import Request
from rest_framework.response import Response

from conventions.services.errors import ConflictError
from hostportal.api.errors import PreconditionFailed, PreconditionRequired
from hostportal.api.permissions import organisation_ids

SUPPORTED = {code for code, _name in settings.LANGUAGES}
IF_MATCH = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True, description="The ETag you read."
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Any unique string (a UUID): a retry with the same key and body returns the first answer.",
)
IF_MATCH_OPTIONAL = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Optional: the ETag you read; a 412 if the file changed since.",
)
ETAG = re.compile(r'^"(v\d{1,9}|t\d{1,20})"$')


def activate_language(request: Any) -> None:
    """Accept-Language (fr or en) wins; without it, the product's French (or the member's saved language
    for a session, set by the middleware)."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    if not header:
        return
    chosen = translation.get_language_from_request(request)
    for code, _quality in translation.trans_real.parse_accept_lang_header(header):
        if code[:2] in SUPPORTED:
            chosen = code[:2]
            break
    translation.activate(chosen)
    request.LANGUAGE_CODE = chosen


class ApiView(views.APIView):
    """Base of every view: language, the `Content-Language` it answered in, errors keyed by API fields."""

    error_field_map: Mapping[str, str] = {}

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        activate_language(request._request)
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Language"] = translation.get_language() or settings.LANGUAGE_CODE
        patch_vary_headers(response, ["Accept-Language", "Authorization"])
        return response


def scoped(request: Request, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Only the caller's organisations: the token's own, or the session user's."""
    return queryset.filter(organisation_id__in=organisation_ids(request))


# --- ETag / If-Match ---------------------------------------------------------------------------------------
def etag_of(obj: Model) -> str:
    version = getattr(obj, "version", None)
    if version is not None:
        return f'"v{version}"'
    stamp: dt.datetime = obj.updated_at  # type: ignore[attr-defined]
    return f'"t{int(stamp.timestamp() * 1_000_000)}"'


def with_etag(response: Response, obj: Model) -> Response:
    response["ETag"] = etag_of(obj)
    return response


def require_if_match(request: Request, obj: Model, *, required: bool = True) -> bool:
    """428 without If-Match (when required), 412 unless it names the object's current ETag. Returns whether
    the header was given. Compared strongly (RFC 9110): a weak W/"…" ETag never matches."""
    header = request.headers.get("If-Match")
    if header is None:
        if required:
            raise PreconditionRequired()
        return False
    tags = [tag.strip() for tag in header.split(",") if tag.strip()]
    if "*" in tags:
        return True
    if etag_of(obj) not in tags:
        raise PreconditionFailed()
    return True


def conflict_as_precondition(run: Callable[[], Any], *, if_match: bool = True) -> Any:
    """With If-Match, a version check lost under the row lock (someone wrote between our read and our
    write) is a 412; without it, the service's ConflictError stays a 409."""
    try:
        return run()
    except ConflictError as exc:
        if not if_match:
            raise
        raise PreconditionFailed(str(exc)) from exc
