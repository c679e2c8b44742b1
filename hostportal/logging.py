"""Log filter that keeps passport numbers out of the logs.

The code never logs an Intern's passport number on purpose (Intern.__str__ omits it); this filter is the
safety net for messages that quote one by mistake, e.g. a model's field dump in an exception.
"""

from __future__ import annotations

import logging
import re

_PATTERN = re.compile(
    r"(passport(?:_number|\s*(?:no|number|n°))?['\"]?\s*[:=]\s*['\"]?)([A-Z0-9<]{4,})", re.I
)


def mask_passport_number(value: str) -> str:
    """Keep the last 3 characters only: enough to tell two passports apart, not enough to use one."""
    value = value.strip()
    if len(value) <= 3:
        return "•" * len(value)
    return "•" * (len(value) - 3) + value[-3:]


def mask_passports_in_text(text: str) -> str:
    return _PATTERN.sub(lambda m: m.group(1) + mask_passport_number(m.group(2)), text)


class MaskPassportFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_passports_in_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
