"""`manage.py check_convention` as a real process: exit codes, stdout/stderr, and no database needed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.rules.golden import GOLDEN_STANDARD_CONVENTION

ROOT = Path(__file__).resolve().parents[2]
# A database that cannot exist: the command must never connect to it.
NO_DATABASE = "postgres://nobody@127.0.0.1:1/nonexistent"

CONVENTION = {
    "category": "entreprise",
    "nationality": "IN",
    "start_date": "2026-09-01",
    "end_date": "2027-02-28",
    "received_on": "2026-07-10",
    "monthly_resources_eur": "700",
    "today": "2026-08-01",
}
EXPECTED = GOLDEN_STANDARD_CONVENTION


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"DATABASE_URL": NO_DATABASE, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "manage.py", "check_convention", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )


def write(tmp_path: Path, content: str) -> str:
    path = tmp_path / "input.json"
    path.write_text(content, encoding="utf-8")
    return str(path)


def test_single_object_from_file_prints_one_object(tmp_path: Path) -> None:
    done = run(write(tmp_path, json.dumps(CONVENTION)))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == EXPECTED
    assert done.stdout.startswith('{\n  "validation_required": true,')


def test_list_from_file_prints_a_list(tmp_path: Path) -> None:
    avenant = {
        "kind": "avenant",
        "category": "hopital",
        "nationality": "sn",
        "start_date": "2026-01-05",
        "end_date": "2026-07-04",
        "new_end_date": "2026-10-04",
        "received_on": "2026-06-01",
        "today": "2026-06-02",
    }
    done = run(write(tmp_path, json.dumps([CONVENTION, avenant])))
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert results[0] == EXPECTED
    assert (results[1]["silence_deadline"], results[1]["silence_outcome"]) == ("2026-06-16", "accepted")


def test_empty_list_prints_an_empty_list(tmp_path: Path) -> None:
    done = run(write(tmp_path, "[]"))
    assert (done.returncode, json.loads(done.stdout)) == (0, [])


def test_reads_standard_input_and_keeps_non_ascii() -> None:
    done = run(stdin=json.dumps({**CONVENTION, "nationality": "BE"}))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["regime"] == "eu_citizen"
    assert "Seed: « étranger non européen »" in done.stdout


def test_today_defaults_to_the_paris_date() -> None:
    data = {key: value for key, value in CONVENTION.items() if key not in ("today", "received_on")}
    data["start_date"], data["end_date"] = "2000-09-01", "2001-02-28"
    done = run("-", stdin=json.dumps(data))
    assert done.returncode == 0, done.stderr
    # Not received: late_filing compares today (in Paris) with the 2000-07-01 deadline.
    assert json.loads(done.stdout)["late_filing"] is True
    paris_today = datetime.now(ZoneInfo("Europe/Paris")).date().isoformat()
    future = {**data, "received_on": paris_today}
    assert run(stdin=json.dumps(future)).returncode == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param("{", "check_convention: invalid JSON: Expecting property name", id="truncated"),
        pytest.param("", "check_convention: invalid JSON: Expecting value", id="empty"),
        pytest.param('{"category": NaN}', "check_convention: invalid JSON: NaN is not allowed", id="nan"),
        pytest.param(
            "42",
            "check_convention: input: expected a JSON object or a list of objects, got number",
            id="not-an-object",
        ),
    ],
)
def test_bad_json_exits_2_with_nothing_on_stdout(tmp_path: Path, content: str, message: str) -> None:
    done = run(write(tmp_path, content))
    assert done.returncode == 2
    assert done.stdout == ""
    assert message in done.stderr


def test_bad_fields_exit_2_one_line_per_field(tmp_path: Path) -> None:
    bad = {**CONVENTION, "end_date": "2026-01-01", "nationality": "XX"}
    done = run(write(tmp_path, json.dumps([CONVENTION, bad, "x"])))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        'check_convention: [1].nationality: "XX" is not an ISO 3166-1 alpha-2 country code',
        "check_convention: [1].end_date: 2026-01-01 is before start_date 2026-09-01",
        "check_convention: [2]: expected a JSON object, got string",
    ]


def test_bad_single_object_names_the_field_without_index() -> None:
    done = run(stdin=json.dumps({**CONVENTION, "received_on": "2026-08-02"}))
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.strip() == "check_convention: received_on: 2026-08-02 is after today 2026-08-01"


def test_missing_file_exits_2(tmp_path: Path) -> None:
    done = run(str(tmp_path / "absent.json"))
    assert (done.returncode, done.stdout) == (2, "")
    assert "check_convention: cannot read" in done.stderr
