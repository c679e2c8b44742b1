"""GET /health/ (issue 9): 200 when the database and the broker answer, 503 naming the one that does not;
no login, no personal data, never cached, answered over plain HTTP when the rest redirects to HTTPS."""

from __future__ import annotations

import time
from typing import Any
from unittest import mock

import pytest
from django.db import OperationalError, connections
from django.test import Client

from hostportal import health

CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1: refused at once


@pytest.mark.django_db
def test_healthy_when_the_database_and_the_broker_answer() -> None:
    response = Client().get("/health/")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}
    assert "no-store" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]
    assert not response.cookies  # no session, no CSRF cookie: nothing about anyone


@pytest.mark.django_db
def test_503_when_the_database_does_not_answer(caplog: pytest.LogCaptureFixture) -> None:
    with mock.patch.object(connections["default"], "cursor", side_effect=OperationalError("server closed")):
        response = Client().get("/health/")
    assert response.status_code == 503
    assert response.json() == {"database": "error", "broker": "ok"}
    assert "server closed" not in response.content.decode()  # the reason is logged, not shown
    assert "the database does not answer: server closed" in caplog.text


@pytest.mark.django_db
def test_503_when_the_broker_does_not_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(health, "broker_url", lambda: CLOSED_PORT_BROKER)
    started = time.monotonic()
    response = Client().get("/health/")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "error"}
    assert time.monotonic() - started < health.BROKER_TIMEOUT + 1  # within Docker's 5 s probe timeout


def test_the_broker_check_works_with_redis_and_the_filesystem_broker() -> None:
    """The tests' Redis (CELERY_BROKER_URL), the embedded broker of `make run`, and a closed port."""
    assert health.check_broker() is True
    assert health.check_broker("filesystem://") is True
    assert health.check_broker(CLOSED_PORT_BROKER) is False


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_only_get_and_head(method: str) -> None:
    response = getattr(Client(enforce_csrf_checks=True), method)("/health/")
    assert response.status_code == 405
    assert Client().head("/health/").status_code == 200


@pytest.mark.django_db
def test_exempt_from_the_https_redirect(settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^health/$"]  # the production value of .env.example
    client = Client()
    assert client.get("/health/").status_code == 200
    assert client.get("/admin/").status_code == 301


def test_the_probe_sends_the_first_allowed_host(monkeypatch: pytest.MonkeyPatch) -> None:
    for allowed, host in [
        ("hostportal.example.org,other.example.org", "hostportal.example.org"),
        (".example.org", "example.org"),
        ("*", "localhost"),
        ("", "localhost"),
    ]:
        monkeypatch.setenv("ALLOWED_HOSTS", allowed)
        assert health.probe_host() == host


@pytest.mark.django_db(transaction=True)
def test_the_container_probe_exits_0_on_a_healthy_server(
    live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`python -m hostportal.health`, the image's HEALTHCHECK: 0 when healthy, 1 on a 503 or no server."""
    monkeypatch.setenv("ALLOWED_HOSTS", "localhost")
    port = int(live_server.url.rsplit(":", 1)[1])
    assert health.probe(port) == 0
    monkeypatch.setattr(health, "broker_url", lambda: CLOSED_PORT_BROKER)
    assert health.probe(port) == 1
    assert health.probe(1, timeout=1) == 1
