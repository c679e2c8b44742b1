"""docs/api.md cannot drift: its curl examples (with jq checks) and its Python `requests` examples run, in
order, against a live server, as an HR system would run them with only that page."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.MULTILINE | re.DOTALL)
# The examples' dates: filed on 2 November 2026, decided on 20 November, read on the 23rd.
THE_DAY = dt.datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))


def blocks(language: str) -> list[str]:
    return [body for lang, body in FENCE.findall(DOC.read_text(encoding="utf-8")) if lang == language]


def test_the_page_has_both_kinds_of_examples() -> None:
    assert len(blocks("sh")) >= 6 and len(blocks("python")) >= 6
    for step in ("/interns/", "/conventions/", "/submit/", "/record-decision/", "/webhooks/"):
        assert any(step in block for block in blocks("sh")), step
        assert any(step in block for block in blocks("python")), step


@pytest.fixture
def server(live_server: Any, alice: Any, acme: Any) -> tuple[str, str]:
    from hostportal.api.services import api_token_create

    _token, secret = api_token_create(actor=alice, organisation=acme, name="SIRH", role="manager")
    return live_server.url, secret


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not (shutil.which("curl") and shutil.which("jq")), reason="needs curl and jq")
def test_the_curl_examples_run(server: tuple[str, str]) -> None:
    from conventions.models import Convention, TransitionLog

    url, secret = server
    script = "set -euo pipefail\n" + "\n".join(blocks("sh"))
    env = os.environ | {"HOSTPORTAL_URL": url, "HOSTPORTAL_TOKEN": secret}
    with time_machine.travel(THE_DAY, tick=True):
        done = subprocess.run(  # noqa: S603 - our own documentation, run by bash
            ["/bin/bash", "-c", script], env=env, capture_output=True, text=True, timeout=120, check=False
        )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "false" not in done.stdout.split()  # every jq -e check printed true
    convention = Convention.objects.get()
    assert convention.state == "validated"
    assert TransitionLog.objects.filter(channel="api", actor_label="API token « SIRH » (alice)").count() == 3


@pytest.mark.django_db(transaction=True)
def test_the_python_examples_run(server: tuple[str, str], monkeypatch: Any) -> None:
    from conventions.models import Convention

    url, secret = server
    monkeypatch.setenv("HOSTPORTAL_URL", url)
    monkeypatch.setenv("HOSTPORTAL_TOKEN", secret)
    namespace: dict[str, Any] = {"__name__": "docs_api_examples"}
    with time_machine.travel(THE_DAY, tick=True):
        for block in blocks("python"):
            exec(compile(block, str(DOC), "exec"), namespace)  # noqa: S102 - our own documentation
    assert Convention.objects.get().state == "validated"
    assert namespace["secret"].startswith("whsec_")
