"""POST /api/v1/check: the RULES §6 `check` contract over HTTP (same input, output and errors as the CLI).

Stateless: nothing is stored or logged (the input carries a nationality). The amounts in force are the
legal parameters of the database, i.e. the built-in table plus what administrators added in admin.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from conventions.checkio import decode_json, paris_today
from conventions.rules import CheckInputError, evaluate, parse_check_payload
from conventions.services.evaluation import load_parameters

MAX_BODY_BYTES = 1024 * 1024


@csrf_exempt  # a stateless calculator: no session, no cookie-authenticated write
@require_POST
def check_view(request: HttpRequest) -> JsonResponse:
    if len(request.body) > MAX_BODY_BYTES:
        return JsonResponse({"errors": {"body": "larger than 1 MiB"}}, status=413)
    try:
        data = decode_json(request.body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        return JsonResponse({"errors": {"body": f"invalid JSON: {exc}"}}, status=400)
    try:
        inputs, many = parse_check_payload(data, default_today=paris_today())
    except CheckInputError as exc:
        return JsonResponse({"errors": exc.errors}, status=400)
    parameters = load_parameters()
    results = [evaluate(inp, parameters=parameters).to_json() for inp in inputs]
    return JsonResponse(
        results if many else results[0], safe=False, json_dumps_params={"ensure_ascii": False}
    )
