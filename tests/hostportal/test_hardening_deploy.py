"""`manage.py check --deploy` with the production section of .env.example prints no warning (issue 9): every
security setting is switched from the environment, read by the typed helpers of hostportal.env."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from hostportal.env import env_pair

ROOT = Path(__file__).resolve().parents[2]


def production_values() -> dict[str, str]:
    """The commented `# NAME=value` lines after the "Production" heading of .env.example."""
    text = (ROOT / ".env.example").read_text()
    section = text[text.index("# --- Production") :]
    values = dict(re.findall(r"^# ([A-Z][A-Z0-9_]+)=(\S*)$", section, flags=re.M))
    values["SECRET_KEY"] = secrets.token_urlsafe(50)  # the deployer's own: 50+ random characters
    return values


def test_the_production_section_names_every_security_setting() -> None:
    names = set(production_values())
    assert {
        "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "SECURE_PROXY_SSL_HEADER",
        "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
        "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
    } <= names  # fmt: skip


def test_check_deploy_with_the_production_settings_prints_no_warning(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "SESSION_", "CSRF_"))}
    env.update(production_values(), HOSTPORTAL_VAR_DIR=str(tmp_path))
    run = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "no issues" in run.stdout


def test_env_pair_reads_the_proxy_header(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HP_PAIR", "HTTP_X_FORWARDED_PROTO, https")
    assert env_pair("HP_PAIR") == ("HTTP_X_FORWARDED_PROTO", "https")
    monkeypatch.setenv("HP_PAIR", "")
    assert env_pair("HP_PAIR") is None
    monkeypatch.setenv("HP_PAIR", "HTTP_X_FORWARDED_PROTO")
    with pytest.raises(ImproperlyConfigured, match="two values"):
        env_pair("HP_PAIR")
