"""Settings read from the environment fail loudly on bad values; logs never carry a passport number."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from hostportal.env import env_bool, env_int
from hostportal.logging import MaskPassportFilter, mask_passport_number

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("TRUE", True), ("on", True), ("0", False), ("no", False)]
)
def test_env_bool_reads_the_usual_spellings(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool
) -> None:
    monkeypatch.setenv("HP_FLAG", raw)
    assert env_bool("HP_FLAG", not expected) is expected


def test_env_bool_refuses_a_typo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HP_FLAG", "ture")
    with pytest.raises(ImproperlyConfigured, match="HP_FLAG='ture' is not a boolean"):
        env_bool("HP_FLAG", False)


def test_env_int_refuses_a_word(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HP_N", "ten")
    with pytest.raises(ImproperlyConfigured, match="HP_N='ten' is not an integer"):
        env_int("HP_N", 1)


def test_service_starts_with_no_configuration(tmp_path: Path) -> None:
    """No DATABASE_URL, no broker, no mail server: SQLite, filesystem broker, console email."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "EMAIL_URL"}}
    env["HOSTPORTAL_VAR_DIR"] = str(tmp_path)
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.EMAIL_BACKEND)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "hostportal.settings"},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert out.stdout.split() == [
        "django.db.backends.sqlite3",
        "filesystem://",
        "django.core.mail.backends.console.EmailBackend",
    ]
    assert (tmp_path / "broker" / "queue").is_dir()


def test_a_bad_boolean_stops_the_start_up(tmp_path: Path) -> None:
    env = {**os.environ, "DEBUG": "maybe", "HOSTPORTAL_VAR_DIR": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert out.returncode != 0 and "DEBUG='maybe' is not a boolean" in out.stderr


def test_passport_mask_keeps_three_characters() -> None:
    assert mask_passport_number("AB1234567") == "••••••567"
    assert mask_passport_number("12") == "••"


def test_log_filter_masks_a_quoted_passport_number(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("hostportal.test")
    logger.addFilter(MaskPassportFilter())
    with caplog.at_level(logging.INFO, logger="hostportal.test"):
        logger.info("intern update failed: passport_number=%s", "XY9876543")
    assert "XY9876543" not in caplog.text and "543" in caplog.text


def test_production_needs_its_own_secret_key(tmp_path: Path) -> None:
    env = {**os.environ, "DEBUG": "false", "HOSTPORTAL_VAR_DIR": str(tmp_path)}
    env.pop("SECRET_KEY", None)
    out = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert out.returncode != 0 and "set SECRET_KEY" in out.stderr
