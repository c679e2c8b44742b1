"""Typed readers for settings taken from the environment.

django-environ parses URLs (DATABASE_URL, EMAIL_URL); booleans and integers are read here so that a
typo ("ture") is an error at start-up instead of a silent False.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean (use one of 1/0, true/false, yes/no, on/off)"
    )


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_pair(name: str) -> tuple[str, str] | None:
    """Two comma-separated values, e.g. SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https; unset or
    empty is None. Anything but exactly two non-empty values is an error at start-up."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return None
    parts = [item.strip() for item in raw.split(",")]
    if len(parts) != 2 or not all(parts):
        raise ImproperlyConfigured(f"{name}={raw!r} must be two values separated by a comma (header,value)")
    return parts[0], parts[1]
