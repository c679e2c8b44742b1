"""Idempotency-Key on POSTs: a retry with the same key and the same body gets the first answer again and
creates nothing; the same key with another body is a 422.

The key's row is inserted first, in the transaction that does the work: a concurrent retry's INSERT waits
on the unique constraint until the first request commits (then it replays its answer) or rolls back (then
it does the work itself). Only successful answers are kept: after an error nothing was created, so a retry
runs again. Keys are kept 24 hours; a secret in an answer (a webhook's) is never stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from hostportal.api.errors import IdempotencyKeyReused
from hostportal.api.models import IdempotencyKey
from hostportal.api.permissions import token_of

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200
LIFETIME = dt.timedelta(hours=24)
KEPT_HEADERS = ("Location", "ETag")
SECRET_FIELDS = frozenset({"secret"})


def _key(request: Request) -> str | None:
    raw = request.headers.get(HEADER)
    if raw is None:
        return None
    key = raw.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable() or not key.isascii():
        raise serializers.ValidationError(
            {HEADER: _("Give a key of 1 to 200 printable ASCII characters (a UUID, for example).")}
        )
    return key


def fingerprint(request: Request) -> str:
    """The request as the key must keep meaning it: method, path and body (the parsed JSON, so spacing and
    key order do not matter; the raw bytes for an upload)."""
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    content_type = request.content_type or ""
    if content_type.startswith("application/json"):
        body = json.dumps(request.data, sort_keys=True, default=str, separators=(",", ":"))
        digest.update(body.encode())
    else:
        for name in sorted(request.data.keys()):
            for value in (
                request.data.getlist(name) if hasattr(request.data, "getlist") else [request.data[name]]
            ):
                digest.update(name.encode() + b"=")
                chunks = value.chunks() if hasattr(value, "chunks") else [str(value).encode()]
                for chunk in chunks:
                    digest.update(chunk)
    return digest.hexdigest()


def _redacted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: (None if k in SECRET_FIELDS else _redacted(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_redacted(item) for item in value]
    return value


def _owner(request: Request) -> dict[str, Any]:
    token = token_of(request)
    return (
        {"token": token, "user": None} if token is not None else {"token": None, "user_id": request.user.pk}
    )


def _replay(row: IdempotencyKey, print_: str) -> Response:
    if row.fingerprint != print_:
        raise IdempotencyKeyReused()
    response = Response(row.response_body, status=row.status_code, headers=dict(row.response_headers))
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(request: Request, run: Callable[[], Response]) -> Response:
    """Run `run` once per key (see the module docstring); without the header, just run it."""
    key = _key(request)
    if key is None:
        return run()
    owner = _owner(request)
    print_ = fingerprint(request)
    with transaction.atomic():
        # Expired keys of this caller go (an indexed delete): a key means "the same request" for a day.
        IdempotencyKey.objects.filter(created_at__lt=timezone.now() - LIFETIME, **owner).delete()
        try:
            with transaction.atomic():
                row = IdempotencyKey.objects.create(key=key, fingerprint=print_, **owner)
        except IntegrityError:
            # The first request with this key has committed by now (the INSERT waited for it).
            existing = IdempotencyKey.objects.select_for_update().filter(key=key, **owner).first()
            if existing is None or existing.status_code is None:
                raise IdempotencyKeyReused() from None
            return _replay(existing, print_)
        response = run()
        if not 200 <= response.status_code < 300:
            transaction.set_rollback(True)  # nothing was created: the key is free for a retry
            return response
        row.status_code = response.status_code
        row.response_body = json.loads(JSONRenderer().render(_redacted(response.data)) or b"null")
        row.response_headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
        row.save(update_fields=["status_code", "response_body", "response_headers"])
    return response
