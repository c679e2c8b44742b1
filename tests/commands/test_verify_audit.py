"""manage.py verify_audit: every edited, deleted, reordered or inserted audit entry is named; exit 1."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from conventions import services
from conventions.models import Convention, TransitionLog
from hostportal import services as host_services
from hostportal.audit import entry_hash
from hostportal.models import AuditChain, AuditEntry, Membership, Organisation

LOG = TransitionLog._meta.db_table
ENTRY = AuditEntry._meta.db_table


def verify(*args: str) -> tuple[bool, str]:
    """(intact, output) of verify_audit."""
    out = StringIO()
    try:
        call_command("verify_audit", *args, stdout=out)
    except CommandError as exc:
        return False, out.getvalue() + str(exc)
    return True, out.getvalue()


def sql(statement: str, *params: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.fixture
def life(submitted_convention: Convention, alice: Any, bob: Any, acme: Organisation) -> list[Any]:
    """A normal life: create, submit, correct, a sweep refusal, a role change (5 entries, both tables)."""
    services.convention_correct(
        actor=alice, convention=submitted_convention, changes={"tutor_name": "Mme Durand"}, reason="Typo"
    )
    services.sweep_deadlines(today=dt.date(2026, 12, 10))
    host_services.membership_set_role(actor=alice, membership=Membership.objects.get(user=bob), role="editor")
    rows = list(TransitionLog.objects.filter(organisation=acme)) + list(AuditEntry.objects.all())
    return sorted(rows, key=lambda row: row.sequence)


@pytest.mark.django_db
def test_a_normal_life_is_intact(life: list[Any], claire: Any, chu: Organisation) -> None:
    host_services.reminder_settings_update(actor=claire, organisation=chu, values={"filing_lead_days": "10"})
    intact, output = verify()
    assert intact, output
    assert "intact: 2 organisation(s), 6 entries" in output


@pytest.mark.django_db
def test_an_edited_comment_is_reported(life: list[Any], acme: Organisation) -> None:
    corrected = life[2]
    sql(f"UPDATE {LOG} SET comment = 'nothing to see' WHERE id = %s", corrected.pk)  # noqa: S608
    intact, output = verify()
    assert not intact
    assert (
        f"Acme Robotics (organisation {acme.pk}): transition_log #{corrected.pk}, sequence 3: edited"
        in output
    )
    assert "1 problem(s)" in output  # the rest of the chain still links


@pytest.mark.django_db
def test_an_edited_change_of_the_organisation_table_is_reported(life: list[Any]) -> None:
    role = life[-1]
    sql(f"""UPDATE {ENTRY} SET changes = '{{"role": ["viewer", "manager"]}}' WHERE id = %s""", role.pk)  # noqa: S608
    intact, output = verify()
    assert not intact and f"audit_entry #{role.pk}, sequence 5: edited" in output


@pytest.mark.django_db
def test_a_deleted_entry_is_reported(life: list[Any]) -> None:
    submitted = life[1]
    sql(f"DELETE FROM {LOG} WHERE id = %s", submitted.pk)  # noqa: S608
    intact, output = verify()
    assert not intact
    assert f"transition_log #{life[2].pk}, sequence 3: deleted: sequence 2 to 2 missing" in output


@pytest.mark.django_db
def test_a_deleted_last_entry_is_reported_by_the_head(life: list[Any]) -> None:
    sql(f"DELETE FROM {ENTRY} WHERE id = %s", life[-1].pk)  # noqa: S608
    intact, output = verify()
    assert not intact and "audit_chain, sequence 4: deleted: sequence 5 to 5 missing at the end" in output


@pytest.mark.django_db
def test_two_swapped_sequences_are_reported(life: list[Any]) -> None:
    correct, refusal = life[2], life[3]
    sql(f"UPDATE {LOG} SET sequence = 1000 WHERE id = %s", correct.pk)  # noqa: S608
    sql(f"UPDATE {LOG} SET sequence = 3 WHERE id = %s", refusal.pk)  # noqa: S608
    sql(f"UPDATE {LOG} SET sequence = 4 WHERE id = %s", correct.pk)  # noqa: S608
    intact, output = verify()
    assert not intact
    assert f"transition_log #{refusal.pk}, sequence 3: reordered or inserted" in output
    assert f"transition_log #{correct.pk}, sequence 4: reordered or inserted" in output


@pytest.mark.django_db
def test_two_swapped_dates_are_reported(life: list[Any]) -> None:
    first, second = life[0], life[3]
    sql(f"UPDATE {LOG} SET created_at = %s WHERE id = %s", second.created_at, first.pk)  # noqa: S608
    sql(f"UPDATE {LOG} SET created_at = %s WHERE id = %s", first.created_at, second.pk)  # noqa: S608
    intact, output = verify()
    assert not intact
    assert f"#{first.pk}, sequence 1: edited" in output and f"#{second.pk}, sequence 4: edited" in output


def forge(organisation: Organisation, sequence: int, previous: str, digest: str | None = None) -> int:
    """An AuditEntry inserted behind the services' back, hashed as the chain would (or not)."""
    created = dt.datetime(2026, 12, 11, tzinfo=dt.UTC)
    row = AuditEntry(
        organisation=organisation, actor_label="mallory", channel="web", action="role_changed",
        changes={}, created_at=created, sequence=sequence, previous_hash=previous,
    )  # fmt: skip
    row.entry_hash = digest or entry_hash(previous, organisation.pk, sequence, row.audit_content())
    return AuditEntry.objects.bulk_create([row])[0].pk


@pytest.mark.django_db
def test_a_forged_entry_with_a_taken_sequence_is_reported(life: list[Any], acme: Organisation) -> None:
    forged = forge(acme, 2, life[0].entry_hash, digest="f" * 64)
    intact, output = verify()
    assert not intact
    assert f"audit_entry #{forged}, sequence 2: inserted or forked: 2 entries share this sequence" in output
    assert f"audit_entry #{forged}, sequence 2: edited" in output


@pytest.mark.django_db
def test_a_well_hashed_entry_appended_behind_the_chain_is_reported(
    life: list[Any], acme: Organisation
) -> None:
    forged = forge(acme, 6, life[-1].entry_hash)
    intact, output = verify()
    assert (
        not intact
        and f"audit_entry #{forged}, sequence 6: inserted: past the chain head (sequence 5)" in output
    )


@pytest.mark.django_db
def test_organisation_filter_and_unknown_organisation(
    life: list[Any], acme: Organisation, chu: Organisation
) -> None:
    sql(f"UPDATE {LOG} SET comment = 'x' WHERE id = %s", life[0].pk)  # noqa: S608
    assert verify("--organisation", str(chu.pk))[0]
    assert not verify("--organisation", str(acme.pk))[0]
    with pytest.raises(CommandError, match="no organisation 999999"):
        call_command("verify_audit", "--organisation", "999999")


def rewrite_whole_chain(organisation: Organisation) -> None:
    """What a DBA could do: edit an entry, then recompute every hash after it and the head."""
    rows = sorted(
        list(TransitionLog.objects.filter(organisation=organisation))
        + list(AuditEntry.objects.filter(organisation=organisation)),
        key=lambda row: row.sequence,
    )
    previous = "0" * 64
    for row in rows:
        if row.sequence == 3:
            row.comment = "rewritten"
        digest = entry_hash(previous, organisation.pk, row.sequence, row.audit_content())
        fields = {"previous_hash": previous, "entry_hash": digest}
        if isinstance(row, TransitionLog):
            fields["comment"] = row.comment
        type(row).objects.filter(pk=row.pk).update(**fields)
        previous = digest
    AuditChain.objects.filter(organisation=organisation).update(last_hash=previous)


@pytest.mark.django_db
def test_an_exported_head_catches_a_chain_rewritten_from_scratch(
    life: list[Any], acme: Organisation, tmp_path: Path
) -> None:
    out = StringIO()
    call_command("verify_audit", "--head", stdout=out)
    head_line = out.getvalue().splitlines()[0]
    assert head_line == f"{acme.pk} 5 {life[-1].entry_hash} Acme Robotics"
    export = tmp_path / "heads.txt"
    export.write_text(out.getvalue(), encoding="utf-8")
    rewrite_whole_chain(acme)
    assert verify()[0]  # the chain alone cannot tell: every hash was recomputed
    intact, output = verify("--against", str(export))
    assert not intact and f"audit_entry #{life[-1].pk}, sequence 5: rewritten" in output


@pytest.mark.django_db(transaction=True)
def test_the_exit_status_is_0_when_intact_and_1_when_broken(
    submitted_convention: Convention, acme: Organisation
) -> None:
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
    }
    command = [sys.executable, "manage.py", "verify_audit"]
    root = Path(__file__).resolve().parents[2]
    ok = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    assert ok.returncode == 0, ok.stderr
    sql(f"UPDATE {LOG} SET comment = 'x' WHERE object_id = %s", submitted_convention.pk)  # noqa: S608
    broken = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    assert broken.returncode == 1
    assert "Acme Robotics" in broken.stdout and "edited" in broken.stdout
