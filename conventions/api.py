"""POST /api/v1/check: the RULES §6 `check` contract over HTTP (same input, output and errors as the CLI).

Stateless: nothing is stored or logged (the input carries a nationality). The amounts in force are the
legal parameters of the database, i.e. the built-in table plus what administrators added in admin. It needs
an API token or the portal's session, and is rate-limited per token or user (429, settings.API_CHECK_RATE).
A refusal is a problem+json whose `errors` is the contract's `{"<field>": "<message>"}`.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.parsers import BaseParser
from rest_framework.request import Request
from rest_framework.response import Response

from conventions.checkio import decode_json, paris_today
from conventions.rules import CheckInputError, evaluate, parse_check_payload
from conventions.services.evaluation import load_parameters
from hostportal.api.base import ApiView
from hostportal.api.errors import problem
from hostportal.api.throttling import CheckRateThrottle

# RULES §6.2: one request's work is bounded by its size (and by MAX_ITEMS elements in the parser).
MAX_BODY_BYTES = 256 * 1024


def _declared_length(request: Request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class RawJSON(BaseParser):
    """The body is decoded by the contract's own decoder (exact decimals, no NaN), not by DRF."""

    media_type = "application/json"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        return None


class CheckView(ApiView):
    parser_classes = [RawJSON]
    throttle_classes = [CheckRateThrottle]

    @extend_schema(
        operation_id="check",
        summary="Evaluate one convention or avenant, or a list (docs/rules.md §6)",
        request=OpenApiTypes.OBJECT,
        responses={200: OpenApiTypes.OBJECT},
        examples=[
            OpenApiExample(
                "A company stage",
                value={
                    "category": "entreprise",
                    "nationality": "SN",
                    "start_date": "2026-09-01",
                    "end_date": "2027-02-28",
                    "monthly_resources_eur": "700.00",
                },
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        # The declared length is judged before reading, so a huge body is never read into memory.
        too_large = _declared_length(request) > MAX_BODY_BYTES
        raw = b"" if too_large else request._request.body  # noqa: SLF001 - the contract decodes the exact bytes
        if too_large or len(raw) > MAX_BODY_BYTES:
            message = _("The request body is larger than %(size)s KiB.") % {"size": MAX_BODY_BYTES // 1024}
            return problem(
                request, slug="payload-too-large", status_code=413, detail=message, errors={"body": message}
            )
        try:
            data = decode_json(raw.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError) as exc:
            return problem(
                request, slug="invalid-body", status_code=400, detail=f"invalid JSON: {exc}",
                errors={"body": f"invalid JSON: {exc}"},
            )  # fmt: skip
        try:
            inputs, many = parse_check_payload(data, default_today=paris_today())
        except CheckInputError as exc:
            detail = " ".join(f"{name}: {message}" for name, message in exc.errors.items())
            return problem(
                request, slug="validation-error", status_code=400, detail=detail, errors=exc.errors
            )
        parameters = load_parameters()
        results = [evaluate(inp, parameters=parameters).to_json() for inp in inputs]
        return Response(results if many else results[0])


check_view = CheckView.as_view()
