"""LOG_FORMAT=json (issue 9): one JSON object a line with time, level, logger and message, from Django,
gunicorn and Celery alike, and still masked (a calendar token in a request line keeps 4 characters)."""

from __future__ import annotations

import copy
import io
import json
import logging
import logging.config
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from celery.signals import setup_logging
from django.conf import settings
from django.test import Client

from hostportal.logging import MaskSecretsFilter, use_django_logging, use_json_logs

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "Zk3vQ9pLr2mX8wT5yB7nC1dF4gH6jK0sA_eU-iO"


@pytest.fixture
def json_stream() -> Iterator[io.StringIO]:
    """settings.LOGGING as LOG_FORMAT=json makes it, every handler writing to one buffer; restored after."""
    stream = io.StringIO()
    config = use_json_logs(copy.deepcopy(settings.LOGGING))
    for handler in config["handlers"].values():
        handler["stream"] = stream
    logging.config.dictConfig(config)
    yield stream
    logging.config.dictConfig(settings.LOGGING)


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


@pytest.mark.django_db
def test_a_request_log_line_is_json_and_masked(json_stream: io.StringIO) -> None:
    """django.request logs the 404 of an unknown feed with its path (and the request as an extra)."""
    assert Client().get(f"/calendar/{TOKEN}.ics").status_code == 404
    records = [line for line in lines(json_stream) if line["logger"] == "django.request"]
    assert records, json_stream.getvalue()
    record = records[0]
    assert {"time", "level", "logger", "message"} <= set(record)
    assert record["level"] == "WARNING" and "/calendar/Zk3v…[masked].ics" in record["message"]
    assert record["time"].endswith("+00:00") and "T" in record["time"]
    assert TOKEN not in json_stream.getvalue()  # nowhere: not in the message, not in an extra field


def test_a_traceback_and_extras_are_masked(json_stream: io.StringIO) -> None:
    logger = logging.getLogger("hostportal.test.json")
    try:
        raise ValueError(f"no feed /calendar/{TOKEN}.ics")
    except ValueError:
        logger.exception("passport_number=XY9876543", extra={"path": f"/calendar/{TOKEN}.ics", "n": 3})
    (record,) = lines(json_stream)
    assert record["level"] == "ERROR" and record["message"] == "passport_number=••••••543"
    assert record["path"] == "/calendar/Zk3v…[masked].ics" and record["n"] == 3
    assert "ValueError" in record["exc_info"] and TOKEN not in json_stream.getvalue()


def test_celery_logs_through_the_settings() -> None:
    """Celery's worker and beat keep settings.LOGGING (masked, JSON when asked), not their own handlers."""
    responses = setup_logging.send(sender=None, loglevel="INFO", logfile=None, format="", colorize=False)
    assert any(receiver is use_django_logging for receiver, _ in responses)
    root = logging.getLogger()
    handlers = [h for h in root.handlers if not type(h).__module__.startswith("_pytest")]
    assert handlers and all(any(isinstance(f, MaskSecretsFilter) for f in h.filters) for h in handlers)


def test_log_format_is_checked(tmp_path: Path) -> None:
    env = {**os.environ, "LOG_FORMAT": "xml", "HOSTPORTAL_VAR_DIR": str(tmp_path)}
    run = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert run.returncode != 0 and "LOG_FORMAT='xml' must be plain or json" in run.stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def subprocess_database_url() -> str:
    """The test database, migrated by pytest-django, for a server started in a subprocess."""
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)  # the subprocess reads the migrated test database
def test_gunicorn_writes_json_request_lines_with_the_token_masked(tmp_path: Path) -> None:
    """The image's command, gunicorn with hostportal/gunicorn_conf.py: its own lines and the access log."""
    port = free_port()
    env = {
        **os.environ, "LOG_FORMAT": "json", "PORT": str(port), "GUNICORN_WORKERS": "1",
        "HOSTPORTAL_VAR_DIR": str(tmp_path / "var"), "DJANGO_SETTINGS_MODULE": "hostportal.settings",
        "DATABASE_URL": subprocess_database_url(),
    }  # fmt: skip
    log = (tmp_path / "gunicorn.log").open("w+")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "hostportal/gunicorn_conf.py", "hostportal.wsgi"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/calendar/{TOKEN}.ics", timeout=5)  # noqa: S310
            except urllib.error.HTTPError as error:
                assert error.code == 404
                break
            except OSError:
                assert time.monotonic() < deadline, (tmp_path / "gunicorn.log").read_text()
                time.sleep(0.3)
        time.sleep(0.5)  # the access line is written after the response
    finally:
        server.terminate()
        server.wait(timeout=30)
    text = (tmp_path / "gunicorn.log").read_text()
    records = [json.loads(line) for line in text.splitlines() if line.strip()]  # every line is JSON
    access = [r for r in records if r["logger"] == "gunicorn.access"]
    assert access and {"time", "level", "logger", "message"} <= set(access[0]), text
    assert f"/calendar/{TOKEN[:4]}…[masked].ics" in access[0]["message"] and TOKEN not in text
    assert any(r["logger"] == "gunicorn.error" and "Booting worker" in r["message"] for r in records)


@pytest.mark.slow
def test_celery_beat_writes_json_lines(tmp_path: Path) -> None:
    """A real `celery beat` (the embedded broker: no server needed) logs its start as JSON lines."""
    env = {
        **os.environ, "LOG_FORMAT": "json", "CELERY_BROKER_URL": "filesystem://",
        "HOSTPORTAL_VAR_DIR": str(tmp_path / "var"), "DJANGO_SETTINGS_MODULE": "hostportal.settings",
    }  # fmt: skip
    log = (tmp_path / "beat.log").open("w+")
    beat = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "hostportal", "beat", "--loglevel=INFO",
         f"--schedule={tmp_path / 'schedule'}"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while "beat: Starting" not in (tmp_path / "beat.log").read_text() and time.monotonic() < deadline:
            time.sleep(0.3)
    finally:
        beat.terminate()
        beat.wait(timeout=30)
    text = (tmp_path / "beat.log").read_text()
    records = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    assert any(r["logger"] == "celery.beat" and "beat: Starting" in r["message"] for r in records), text
    assert all(line.startswith("{") for line in text.splitlines() if line.strip()), text
