"""drf-spectacular hooks: every operation documents its problem+json errors (RFC 9457)."""

from __future__ import annotations

from typing import Any

PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details; `errors` names each bad field as the API spells it.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": {"type": "string"}},
    },
    "required": ["type", "title", "status", "detail", "instance"],
}
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
CONTENT = {"application/problem+json": {"schema": PROBLEM_REF}}
STATUSES = {
    "400": "A value is not valid (errors names each field), or the body is not valid JSON.",
    "401": "No credentials, or an unknown or revoked token.",
    "403": "Your role does not allow it (a viewer's write, a non-manager).",
    "404": "No such object, or another organisation's.",
}
WRITE_STATUSES = {
    "409": "Not possible in the file's current state, or a concurrent change.",
    "412": "If-Match does not name the current ETag: someone changed it since you read it.",
    "422": "This Idempotency-Key was used with a different request.",
    "428": "If-Match is required.",
}


def problem_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            responses = operation.setdefault("responses", {})
            statuses = STATUSES | (WRITE_STATUSES if method in ("post", "patch", "put", "delete") else {})
            if operation.get("operationId") == "check":
                statuses = statuses | {"413": "The body is larger than 1 MiB.", "429": "Too many requests."}
            for code, description in statuses.items():
                responses.setdefault(code, {"description": description, "content": CONTENT})
            responses.setdefault(
                "default", {"description": "Any other error, as a problem.", "content": CONTENT}
            )
    return result
