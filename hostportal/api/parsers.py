"""JSON bodies read safely: bad JSON, NaN or Infinity, absurd nesting or numbers are a 400, never a 500."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.parsers import JSONParser

from hostportal.api.errors import InvalidBody, PayloadTooLarge

MAX_DEPTH = 32
MAX_BODY_BYTES = 1024 * 1024


def _refuse_constant(name: str) -> Any:
    raise ValueError(_("%(name)s is not a number JSON allows.") % {"name": name})


def depth(value: Any) -> int:
    """How deeply lists and objects nest (iterative: a deep value cannot exhaust the stack here)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if level > MAX_DEPTH:
                return level
            stack.extend((child, level + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def loads(raw: bytes) -> Any:
    """The JSON value of `raw`; InvalidBody (400) naming what is wrong. Decimals stay exact."""
    if len(raw) > getattr(settings, "API_MAX_BODY_BYTES", MAX_BODY_BYTES):
        raise PayloadTooLarge()
    try:
        value = json.loads(raw.decode("utf-8-sig"), parse_float=Decimal, parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise InvalidBody(_("Invalid JSON: %(error)s") % {"error": str(exc)[:200]}) from None
    if depth(value) > MAX_DEPTH:
        raise InvalidBody(_("Invalid JSON: nested more than %(max)s levels deep.") % {"max": MAX_DEPTH})
    return value


class SafeJSONParser(JSONParser):
    def parse(
        self, stream: IO[bytes] | None, media_type: str | None = None, parser_context: Any = None
    ) -> Any:
        raw = stream.read(MAX_BODY_BYTES + 1) if stream is not None else b""
        return loads(raw) if raw else {}
