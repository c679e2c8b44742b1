"""Input/output helpers shared by the `check` CLI and the API (the clock and JSON decoding live here,
never in the pure rule engine)."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def paris_today() -> date:
    """RULES §6: `today` defaults to the current date in Europe/Paris."""
    return datetime.now(PARIS).date()


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def decode_json(text: str) -> object:
    """JSON with exact decimals (no float rounding of amounts) and without NaN/Infinity. Raises ValueError
    for anything that is not such JSON, including nesting too deep for the decoder (a RecursionError)."""
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
    except RecursionError:
        raise ValueError("nested too deeply") from None
