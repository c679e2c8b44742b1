"""`manage.py purge_personal_data` and `manage.py export_intern_data`: thin commands over
conventions.services.privacy (the service's own tests: tests/conventions/test_privacy.py)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from conventions.models import Convention, Intern
from conventions.services.privacy import ACTION_EXPORTED, ACTION_PURGED
from hostportal.models import AuditEntry
from tests.conventions.privacy_setup import PDF, attach_scan, closed_stay

pytestmark = pytest.mark.django_db


@pytest.fixture
def old_stay(make_convention: Any, alice: Any, intern: Intern, settings: Any, tmp_path: Path) -> Convention:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    convention = closed_stay(make_convention, alice, intern)
    attach_scan(convention)
    return convention


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("purge_personal_data", *args, stdout=out)
    return out.getvalue()


def test_dry_run_prints_what_would_be_done_and_writes_nothing(old_stay: Convention, intern: Intern) -> None:
    output = run("--dry-run", "--today", "2030-01-15")
    assert f"interns #{intern.pk} (1 file(s), 0 reminder(s))" in output
    assert "1 intern(s) would be anonymised" in output and "Dry run, nothing written" in output
    assert "1 file(s) to delete" in output
    assert "every stay ended before 2028-01-15 (24 months before 2030-01-15)" in output
    assert intern.last_name not in output  # ids, never names
    intern.refresh_from_db()
    assert intern.first_name == "Amina"
    assert not AuditEntry.objects.filter(action=ACTION_PURGED).exists()


def test_purge_then_again_anonymises_once_and_audits_once(old_stay: Convention, intern: Intern) -> None:
    assert "1 intern(s) anonymised" in run("--today", "2030-01-15")
    assert "0 intern(s) anonymised" in run("--today", "2030-01-15")
    intern.refresh_from_db()
    assert str(intern) == f"Stagiaire anonymisé #{intern.pk}"
    entry = AuditEntry.objects.get(action=ACTION_PURGED)
    assert entry.channel == "command" and entry.changes["interns_anonymised"] == [0, 1]


def test_months_option_and_bad_arguments(old_stay: Convention) -> None:
    assert "0 intern(s) anonymised" in run("--months", "60", "--today", "2030-01-15")
    with pytest.raises(CommandError, match="--months"):
        run("--months", "-3")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("--today", "15/01/2030")


def test_export_command_writes_the_zip_and_audits_the_reason(
    old_stay: Convention, intern: Intern, tmp_path: Path
) -> None:
    target = tmp_path / "export.zip"
    err = io.StringIO()
    call_command(
        "export_intern_data",
        str(intern.pk),
        "--reason",
        "Letter of 2030-01-02",
        "-o",
        str(target),
        stderr=err,
    )
    archive = zipfile.ZipFile(target)
    data = json.loads(archive.read("data.json"))
    assert data["intern"]["id"] == intern.pk and data["reason"] == "Letter of 2030-01-02"
    assert PDF in [archive.read(name) for name in archive.namelist() if name != "data.json"]
    entry = AuditEntry.objects.get(action=ACTION_EXPORTED)
    assert (entry.channel, entry.actor_label) == ("command", "system")
    assert "bytes exported" in err.getvalue()


def test_export_command_to_standard_output(old_stay: Convention, intern: Intern) -> None:
    out = io.BytesIO()
    call_command(
        "export_intern_data", str(intern.pk), "--reason", "Request", stdout=out, stderr=io.StringIO()
    )
    assert zipfile.ZipFile(io.BytesIO(out.getvalue())).read("data.json")


def test_export_command_refuses_an_unknown_intern_or_no_reason(intern: Intern) -> None:
    with pytest.raises(CommandError, match="no intern #999999"):
        call_command("export_intern_data", "999999", "--reason", "x", stdout=io.BytesIO())
    with pytest.raises(CommandError, match="Reason"):
        call_command("export_intern_data", str(intern.pk), "--reason", " ", stdout=io.BytesIO())
