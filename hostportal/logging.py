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

import datetime as dt
import logging
import re
from typing import Any

from pythonjsonlogger.json import JsonFormatter as JsonFormatterBase

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


# --- JSON logs (LOG_FORMAT=json, the Docker image; issue 9) ---------------------------------------------
# One JSON object a line, for a log collector: {"time", "level", "logger", "message"} and the record's
# extras. Every string of the object is masked here too, not only the message that MaskSecretsFilter
# rewrites: python-json-logger formats the traceback from exc_info again (not from the masked exc_text),
# and copies the record's extras (django.request's `request` shows its path, a calendar token included).
_JSON_SCALARS = (int, float, bool, type(None))


def _masked(value: object) -> object:
    """The value as JSON can hold it, every string in it masked (objects become their masked str())."""
    if isinstance(value, str):
        return mask_sensitive_text(value)
    if isinstance(value, _JSON_SCALARS):
        return value
    if isinstance(value, dict):
        return {str(key): _masked(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(item) for item in value]
    return mask_sensitive_text(str(value))


class JsonFormatter(JsonFormatterBase):
    """python-json-logger's formatter with the field names of the deployment's logs, masked throughout."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("fmt", "%(levelname)s %(name)s %(message)s")
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("json_ensure_ascii", False)  # French messages stay readable
        super().__init__(*args, **kwargs)

    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        # First, ISO 8601 in UTC with milliseconds: sortable as text, the same in every process.
        created = dt.datetime.fromtimestamp(record.created, tz=dt.UTC)
        log_data["time"] = created.isoformat(timespec="milliseconds")
        super().add_fields(log_data, record, message_dict)

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        return {key: _masked(value) for key, value in super().process_log_record(log_data).items()}


def use_json_logs(config: dict[str, Any]) -> dict[str, Any]:
    """`config` (a dictConfig dict such as settings.LOGGING) with every handler writing JSON lines.

    The handlers keep their filters (MaskSecretsFilter), so a record is masked twice: by the filter, which
    rewrites the message, and by the formatter, which masks what the filter does not see.
    """
    config.setdefault("formatters", {})["json"] = {"()": "hostportal.logging.JsonFormatter"}
    for handler in config.get("handlers", {}).values():
        handler["formatter"] = "json"
    return config


def use_plain_logs(config: dict[str, Any]) -> dict[str, Any]:
    """`config` with its console handler's lines prefixed by time, level and logger (the demo's terminal)."""
    plain = "%(asctime)s %(levelname)s %(name)s %(message)s"
    config.setdefault("formatters", {})["plain"] = {"format": plain}
    console = config.get("handlers", {}).get("console")
    if console is not None:
        console.setdefault("formatter", "plain")
    return config


def use_django_logging(**kwargs: object) -> None:
    """Celery's `setup_logging` signal: the worker and beat log through settings.LOGGING (masked, JSON when
    LOG_FORMAT=json) instead of Celery's own handlers, which would replace the root's masked ones."""
    import logging.config

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
