"""Errors show what to do, never the internals (issue 9): DEBUG is off unless set, a 500 is the portal's
page (no traceback, no settings) for everyone, anonymous callers included; a 404 says what to do."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import path

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def _boom(request: Any) -> Any:
    raise RuntimeError("SECRET-INTERNAL-DETAIL in conventions.services")


# This module is the URLconf of the 500 tests: the product has no view that fails on purpose.
urlpatterns = [path("boom/", _boom)]


def settings_value(expression: str, **environment: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "DEBUG"}
    env.update(DJANGO_SETTINGS_MODULE="hostportal.settings", **environment)
    code = f"import django; django.setup(); from django.conf import settings as s; print({expression})"
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    return (run.stdout + run.stderr).strip()


def test_debug_is_off_unless_set() -> None:
    assert settings_value("s.DEBUG") == "False"
    assert settings_value("s.DEBUG", DEBUG="1") == "True"


def test_the_demo_key_never_serves_a_public_host() -> None:
    out = settings_value("s.SECRET_KEY", ALLOWED_HOSTS="hostportal.example.org")
    assert "ImproperlyConfigured" in out and "set SECRET_KEY" in out


def test_make_run_turns_debug_on_for_the_demo_only() -> None:
    script = (ROOT / "scripts" / "run.sh").read_text()
    assert 'export DEBUG="${DEBUG:-1}"' in script


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(
    ("language", "title"), [("fr", "Une erreur s’est produite"), ("en", "Something went wrong")]
)
def test_a_500_shows_the_portal_page_without_internals(language: str, title: str) -> None:
    response = Client(raise_request_exception=False, headers={"accept-language": language}).get("/boom/")
    text = response.content.decode()
    assert response.status_code == 500 and title in text
    assert "SECRET-INTERNAL-DETAIL" not in text and "Traceback" not in text and "SECRET_KEY" not in text


@pytest.mark.parametrize(("language", "text"), [("fr", "Page introuvable"), ("en", "Page not found")])
def test_a_404_says_what_to_do(language: str, text: str) -> None:
    response = Client(headers={"accept-language": language}).get("/no/such/page/")
    body = response.content.decode()
    assert response.status_code == 404 and text in body and 'href="/"' in body
    assert "urlpatterns" not in body and "Using the URLconf" not in body
