"""Log filters that keep personal data and secrets out of the logs.

The code never logs an Intern's passport number on purpose (Intern.__str__ omits it), nor a secret; these
filters are the safety net for messages that quote one anyway: a model's field dump in an exception, and
the request lines of the web server, which carry the URL as it was asked for (issue 9):
- calendar feeds, /calendar/<token>.ics: the token alone opens the feed;
- password reset links, /password-reset/<uidb64>/<token>/: the token sets a password;
- `Authorization: Bearer …` (or Basic) values, API tokens (hp_…) and webhook signing secrets (whsec_…).
Each secret keeps its first 4 characters (enough to tell two apart in an incident, never to use one).
"""

from __future__ import annotations

import logging
import re

_PATTERN = re.compile(
    r"(passport(?:_number|\s*(?:no|number|n°))?['\"]?\s*[:=]\s*['\"]?)([A-Z0-9<]{4,})", re.I
)
MASK = "…[masked]"
KEEP = 4
# (pattern, the group that is the secret): the groups before it are kept as they are.
_SECRETS: list[re.Pattern[str]] = [
    re.compile(r"(/calendar/)([^/\s?#\"'.]{8,})"),  # a feed token, not a pk (calendar/3/revoke/)
    re.compile(r"(/password-reset/[^/\s?#\"']+/)(?!set-password/)([^/\s?#\"']+)"),
    re.compile(r"(\bBearer\s+)([A-Za-z0-9._~+/=-]{12,})", re.I),  # "the bearer of" stays
    re.compile(r"(Authorization['\"]?\s*[:=]\s*['\"]?(?:Basic|Token)\s+)([A-Za-z0-9._~+/=-]+)", re.I),
    re.compile(r"(\b(?:hp|whsec)_)([A-Za-z0-9_-]{8,})"),
]


def mask_passport_number(value: str) -> str:
    """Keep the last 3 characters only: enough to tell two passports apart, not enough to use one."""
    value = value.strip()
    if len(value) <= 3:
        return "•" * len(value)
    return "•" * (len(value) - 3) + value[-3:]


def mask_passports_in_text(text: str) -> str:
    return _PATTERN.sub(lambda m: m.group(1) + mask_passport_number(m.group(2)), text)


def _mask_secret(match: re.Match[str]) -> str:
    secret = match.group(2)
    if match.string.startswith(MASK, match.end()) or secret.endswith(MASK):
        return match.group(0)  # already masked (a record that went through two handlers)
    return match.group(1) + secret[:KEEP] + MASK


def mask_secrets_in_text(text: str) -> str:
    """The text with every calendar token, reset token, bearer value and API secret cut to 4 characters."""
    for pattern in _SECRETS:
        text = pattern.sub(_mask_secret, text)
    return text


def mask_sensitive_text(text: str) -> str:
    """Passport numbers and secrets masked (the contract of every handler's filter)."""
    return mask_secrets_in_text(mask_passports_in_text(text))


class _MaskingFilter(logging.Filter):
    """Rewrite the record's message (and its traceback text) with `mask`; never drops a record."""

    @staticmethod
    def mask(text: str) -> str:
        raise NotImplementedError

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a broken format string: logging reports it itself
            return True
        masked = self.mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when it is set: the traceback is masked once, here.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.mask(record.exc_text)
        return True


class MaskPassportFilter(_MaskingFilter):
    """Passport numbers only (kept for callers that want just that)."""

    mask = staticmethod(mask_passports_in_text)


class MaskSecretsFilter(_MaskingFilter):
    """Passport numbers and secrets: the filter of every handler in settings.LOGGING."""

    mask = staticmethod(mask_sensitive_text)
