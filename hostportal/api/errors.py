"""Every error of the API as RFC 9457 problem details (application/problem+json), in the caller's language.

{"type", "title", "status", "detail", "instance", "errors": {"<API field>": "<message>"}}: `type` names the
kind of problem (docs/api.md lists them), `errors` names each bad field as the API spells it. The services'
errors keep their meaning: a transition not allowed now or a concurrent change is a 409, a missing
permission a 403, another organisation's object a 404, a bad value a 400 naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from conventions.rules import CheckInputError
from conventions.services.errors import ConflictError, ServiceError, TransitionError

PROBLEM_JSON = "application/problem+json"
TYPE_PREFIX = "urn:hostportal:problem:"

# slug -> title (the type's summary; `detail` says what happened this time).
TITLES: dict[str, Any] = {
    "validation-error": gettext_lazy("Some values are not valid."),
    "invalid-body": gettext_lazy("The request body is not valid JSON."),
    "not-authenticated": gettext_lazy("Authentication is required."),
    "permission-denied": gettext_lazy("You may not do this."),
    "not-found": gettext_lazy("Not found."),
    "method-not-allowed": gettext_lazy("Method not allowed."),
    "not-acceptable": gettext_lazy("Cannot answer in the requested format."),
    "unsupported-media-type": gettext_lazy("Unsupported media type."),
    "transition-not-allowed": gettext_lazy("This action is not possible in the file’s current state."),
    "conflict": gettext_lazy("The object was changed by someone else."),
    "precondition-failed": gettext_lazy("The object changed since you read it."),
    "precondition-required": gettext_lazy("If-Match is required."),
    "idempotency-key-reused": gettext_lazy("This Idempotency-Key was used for another request."),
    "too-many-requests": gettext_lazy("Too many requests."),
    "payload-too-large": gettext_lazy("The request body is too large."),
}


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_code = "precondition-required"
    default_detail = gettext_lazy("Send If-Match with the ETag of the version you read (GET it first).")


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition-failed"
    default_detail = gettext_lazy(
        "The object changed since you read it: GET it again and reapply your change."
    )


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency-key-reused"
    default_detail = gettext_lazy(
        "This Idempotency-Key was already used with a different request: use a new key for a new request."
    )


class InvalidBody(exceptions.ParseError):
    default_code = "invalid-body"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload-too-large"
    default_detail = gettext_lazy("The request body is larger than 1 MiB.")


def problem(
    request: HttpRequest | None,
    *,
    slug: str,
    status_code: int,
    detail: str,
    errors: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """One problem+json response."""
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + slug,
        "title": str(TITLES.get(slug, slug)),
        "status": status_code,
        "detail": detail,
        "instance": request.get_full_path() if request is not None else "",
    }
    if errors:
        body["errors"] = dict(errors)
    return Response(body, status=status_code, headers=dict(headers or {}), content_type=PROBLEM_JSON)


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return " ".join(_text(item) for item in value)
    return str(value)


def flatten(detail: Any, prefix: str = "") -> dict[str, str]:
    """DRF's nested error detail as {"field": "message", "items[2].name": "message"}."""
    if isinstance(detail, Mapping):
        flat: dict[str, str] = {}
        for key, value in detail.items():
            if isinstance(key, int):
                name = f"{prefix}[{key}]"
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, Mapping) or (isinstance(value, list) and value and not _flat_list(value)):
                flat.update(flatten(value, name))
            else:
                flat[name] = _text(value)
        return flat
    if isinstance(detail, list) and not _flat_list(detail):
        flat = {}
        for index, value in enumerate(detail):
            if value:
                flat.update(flatten(value, f"{prefix}[{index}]"))
        return flat
    return {prefix or NON_FIELD: _text(detail)}


def _flat_list(value: list[Any]) -> bool:
    return all(not isinstance(item, Mapping | list) for item in value)


NON_FIELD = "non_field_errors"


def _validation(request: HttpRequest | None, errors: dict[str, str]) -> Response:
    general = errors.pop(NON_FIELD, "") or errors.pop(NON_FIELD_ERRORS, "")
    detail = general or " ".join(f"{name}: {message}" for name, message in errors.items())
    return problem(request, slug="validation-error", status_code=400, detail=detail, errors=errors)


def django_validation_errors(exc: DjangoValidationError, field_map: Mapping[str, str]) -> dict[str, str]:
    """A service's ValidationError keyed by the API's field names (`field_map`: service name -> API name)."""
    if not hasattr(exc, "error_dict"):
        return {NON_FIELD: " ".join(exc.messages)}
    return {field_map.get(name, name): " ".join(messages) for name, messages in exc.message_dict.items()}


def _api_exception(request: HttpRequest | None, exc: exceptions.APIException) -> Response:
    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = str(exc.auth_header)
    if getattr(exc, "wait", None):
        headers["Retry-After"] = f"{int(exc.wait):d}"
    if isinstance(exc, exceptions.ValidationError):
        return _validation(request, flatten(exc.detail))
    slug = {
        exceptions.NotAuthenticated: "not-authenticated",
        exceptions.AuthenticationFailed: "not-authenticated",
        exceptions.PermissionDenied: "permission-denied",
        exceptions.NotFound: "not-found",
        exceptions.MethodNotAllowed: "method-not-allowed",
        exceptions.NotAcceptable: "not-acceptable",
        exceptions.UnsupportedMediaType: "unsupported-media-type",
        exceptions.Throttled: "too-many-requests",
    }.get(type(exc), str(exc.default_code))
    if isinstance(exc, exceptions.ParseError) and not isinstance(exc, InvalidBody):
        slug = "invalid-body"
    detail = _text(exc.detail)
    if isinstance(exc, exceptions.Throttled):
        detail = _("Too many requests: try again in %(seconds)s seconds.") % {"seconds": exc.wait or 1}
    return problem(request, slug=slug, status_code=exc.status_code, detail=detail, headers=headers)


def exception_response(
    exc: BaseException, request: HttpRequest | None, field_map: Mapping[str, str]
) -> Response | None:
    """The problem response of an exception, or None for a bug (left to surface as an error)."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found: no such object, or not one of your organisation’s."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, exceptions.APIException):
        return _api_exception(request, exc)
    if isinstance(exc, DjangoValidationError):
        return _validation(request, django_validation_errors(exc, field_map))
    if isinstance(exc, CheckInputError):
        return _validation(request, {field_map.get(k, k): str(v) for k, v in exc.errors.items()})
    if isinstance(exc, TransitionError):
        return problem(request, slug="transition-not-allowed", status_code=409, detail=str(exc))
    if isinstance(exc, ConflictError):
        return problem(request, slug="conflict", status_code=409, detail=str(exc))
    if isinstance(exc, ServiceError):
        return _validation(request, {NON_FIELD: str(exc)})
    if isinstance(exc, IntegrityError):
        detail = _("The change conflicts with the current data (another request may have made it): reload.")
        return problem(request, slug="conflict", status_code=409, detail=detail)
    if isinstance(exc, DataError | OverflowError):
        return _validation(request, {NON_FIELD: _("A value is out of range.")})
    return None


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: every known error as a problem; nothing half-written (rollback)."""
    view = context.get("view")
    request = context.get("request")
    response = exception_response(exc, request, getattr(view, "error_field_map", {}) or {})
    if response is not None:
        set_rollback()
    return response
