"""conventions.services.privacy: the purge of old interns' personal data and the access-request export."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conventions import services
from conventions.models import Convention, DocumentItem, Intern, TransitionLog
from conventions.services.privacy import (
    ACTION_EXPORTED,
    ACTION_PURGED,
    ANONYMISED_DATE_OF_BIRTH,
    BATCH_QUERIES,
    intern_access_export,
    interns_purge,
    months_before,
)
from hostportal.models import AuditEntry, Membership
from notifications.models import Notification, NotificationStatus
from tests.conftest import NOW
from tests.conventions.privacy_setup import PDF, PURGE_DAY, attach_scan, closed_stay, reminder
from tests.factories import InternFactory, MembershipFactory, UserFactory, convention_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def old_stay(make_convention: Any, alice: Any, intern: Intern, media: Path) -> Convention:
    """Amina's validated stay of 2027, its passport scan on disk, reminders to her and to alice."""
    convention = closed_stay(make_convention, alice, intern)
    attach_scan(convention)
    reminder(convention, to_intern=True)
    reminder(convention, user=alice)
    intern.first_name = "Amina"
    intern._history_user = alice  # type: ignore[attr-defined]
    intern.save()  # a second history row
    return convention


def purge(**kwargs: Any) -> Any:
    return interns_purge(today=kwargs.pop("today", PURGE_DAY), **kwargs)


def test_months_before_keeps_the_day_or_takes_the_month_end() -> None:
    assert months_before(dt.date(2030, 1, 15), 24) == dt.date(2028, 1, 15)
    assert months_before(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)
    assert months_before(dt.date(2026, 3, 31), 0) == dt.date(2026, 3, 31)


def test_purge_anonymises_an_old_intern_everywhere(
    old_stay: Convention, intern: Intern, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    names = (intern.first_name, intern.last_name, intern.email, intern.passport_number)
    assert len([p for p in media.rglob("*") if p.is_file()]) == 1
    with django_capture_on_commit_callbacks(execute=True):
        report = purge()
    assert report.interns == {intern.organisation_id: 1}
    intern.refresh_from_db()
    assert str(intern) == f"Stagiaire anonymisé #{intern.pk}"
    assert (intern.email, intern.passport_number, intern.passport_expires_on) == ("", "", None)
    assert intern.date_of_birth == ANONYMISED_DATE_OF_BIRTH
    assert intern.notify_intern is False
    # Every past version of the identity too.
    history = list(Intern.history.filter(id=intern.pk).values())
    assert len(history) >= 2
    for row in history:
        assert (row["first_name"], row["last_name"], row["email"]) == (
            "Stagiaire anonymisé",
            f"#{intern.pk}",
            "",
        )
        assert row["date_of_birth"] == ANONYMISED_DATE_OF_BIRTH and row["passport_expires_on"] is None
    # Files gone from disk, checklist rows kept with their status.
    assert [p for p in media.rglob("*") if p.is_file()] == []
    item = DocumentItem.objects.get(convention=old_stay, status="provided")
    assert not item.file and item.expires_on is None
    assert all(h.expires_on is None for h in DocumentItem.history.filter(id=item.pk))
    # Reminders: kept as proof, nothing naming the intern left.
    for row in Notification.objects.filter(convention=old_stay):
        assert (row.subject, row.text_body) == ("", "")
        assert row.status == NotificationStatus.SENT
    assert Notification.objects.get(recipient_intern=intern).recipient_email == ""
    # No personal value left anywhere in the scrubbed tables.
    for value in names:
        for model in (Intern, Intern.history.model, Notification):
            assert not any(value in str(row) for row in model.objects.values()), (model, value)
    # Conventions, their dates and the audit trail stand.
    old_stay.refresh_from_db()
    assert old_stay.state == "validated" and old_stay.end_date == dt.date(2027, 8, 31)
    assert TransitionLog.objects.filter(object_id=old_stay.pk, transition="validate").exists()
    assert TransitionLog.objects.get(transition="issue").comment == "Visa reçu"


def test_purge_writes_one_audit_entry_per_organisation(
    old_stay: Convention, make_convention: Any, alice: Any, acme: Any, chu: Any, claire: Any
) -> None:
    closed_stay(make_convention, alice, InternFactory(organisation=acme))
    other = InternFactory(organisation=chu)
    convention = services.convention_create(
        actor=claire, organisation=chu, intern=other, now=NOW, **convention_fields(category="hopital")
    )
    services.convention_withdraw(actor=claire, convention=convention, now=NOW)
    report = purge()
    assert report.interns == {acme.pk: 2, chu.pk: 1}
    entries = AuditEntry.objects.filter(action=ACTION_PURGED)
    assert sorted((e.organisation_id, e.changes["interns_anonymised"][1]) for e in entries) == sorted(
        [(acme.pk, 2), (chu.pk, 1)]
    )
    entry = entries.get(organisation=acme)
    assert (entry.channel, entry.actor_id, entry.actor_label) == ("command", None, "system")
    assert "2028-01-15" in entry.target_label  # the cutoff: 24 months before 2030-01-15


def test_recent_or_open_stays_are_untouched(
    make_convention: Any, alice: Any, acme: Any, intern: Intern, media: Path
) -> None:
    intern.delete()  # no convention: it would be purged (see the next test)
    recent = InternFactory(organisation=acme)
    closed_stay(make_convention, alice, recent, start_date=dt.date(2027, 3, 1), end_date=dt.date(2028, 6, 30))
    filed = InternFactory(organisation=acme)
    services.convention_submit(
        actor=alice, convention=make_convention(intern=filed), received_on=dt.date(2026, 11, 2), now=NOW
    )
    visa_open = InternFactory(organisation=acme)
    convention = make_convention(intern=visa_open)
    services.convention_submit(actor=alice, convention=convention, received_on=dt.date(2026, 11, 2), now=NOW)
    services.convention_record_decision(
        actor=alice, convention=convention, decision="validated", decided_on=NOW.date(), now=NOW
    )  # the visa is still to apply for
    before = list(Intern.objects.order_by("pk").values())
    report = purge(today=dt.date(2030, 6, 1))  # cutoff 2028-06-01: the 2028-06-30 stay is recent
    assert report.total == 0
    assert list(Intern.objects.order_by("pk").values()) == before
    assert not AuditEntry.objects.filter(action=ACTION_PURGED).exists()


def test_an_intern_without_a_convention_is_purged_once_recorded_long_ago(acme: Any) -> None:
    fresh = InternFactory(organisation=acme)
    assert purge(today=timezone.localdate() + dt.timedelta(days=800)).total == 1  # recorded > 24 months ago
    fresh.refresh_from_db()
    assert fresh.first_name == "Stagiaire anonymisé"
    newer = InternFactory(organisation=acme)
    assert purge(today=timezone.localdate()).total == 0  # recorded today: kept
    newer.refresh_from_db()
    assert newer.first_name == "Amina"


def test_dry_run_writes_nothing(
    old_stay: Convention, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    before = [
        list(m.objects.order_by("pk").values()) for m in (Intern, DocumentItem, Notification, AuditEntry)
    ]
    lines: list[str] = []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report = purge(dry_run=True, log=lines.append)
    assert callbacks == []
    assert report.dry_run and report.total == 1 and sum(report.files.values()) == 1
    assert sum(report.notifications.values()) == 2
    assert f"#{old_stay.intern_id}" in lines[0]
    after = [
        list(m.objects.order_by("pk").values()) for m in (Intern, DocumentItem, Notification, AuditEntry)
    ]
    assert after == before
    assert len([p for p in media.rglob("*") if p.is_file()]) == 1


def test_purge_twice_changes_nothing_more(old_stay: Convention) -> None:
    assert purge().total == 1
    snapshot = [
        list(m.objects.order_by("pk").values())
        for m in (Intern, Intern.history.model, DocumentItem, Notification, AuditEntry, TransitionLog)
    ]
    again = purge()
    assert again.total == 0 and again.interns == {}
    assert snapshot == [
        list(m.objects.order_by("pk").values())
        for m in (Intern, Intern.history.model, DocumentItem, Notification, AuditEntry, TransitionLog)
    ]


def test_an_unsent_reminder_to_the_intern_is_cancelled_and_a_digest_loses_its_body(
    old_stay: Convention, alice: Any
) -> None:
    pending = reminder(old_stay, to_intern=True, key="pending")
    Notification.objects.filter(pk=pending.pk).update(status=NotificationStatus.PENDING)
    digest = reminder(old_stay, user=alice, key="digest")
    Notification.objects.filter(pk=digest.pk).update(convention=None, kind="digest", file_type="organisation")
    item = reminder(old_stay, user=alice, key="item")
    Notification.objects.filter(pk=item.pk).update(digest=digest, status=NotificationStatus.DIGESTED)
    purge()
    pending.refresh_from_db()
    digest.refresh_from_db()
    assert pending.status == NotificationStatus.CANCELLED and pending.recipient_email == ""
    assert digest.text_body == ""


def test_purge_costs_the_same_queries_per_batch(
    make_convention: Any, alice: Any, acme: Any, intern: Intern
) -> None:
    intern.delete()
    for _ in range(30):
        convention = make_convention(intern=InternFactory(organisation=acme))
        services.convention_withdraw(actor=alice, convention=convention, now=NOW)
    with CaptureQueriesContext(connection) as small:
        assert purge(batch_size=10).total == 30  # 3 batches
    Intern.objects.update(first_name="Back")  # purgeable again
    with CaptureQueriesContext(connection) as large:
        assert purge(batch_size=30).total == 30  # 1 batch
    # organisations (1), + per batch BATCH_QUERIES, + the empty batch (1), + the audit entry.
    assert len(small) - len(large) == 2 * BATCH_QUERIES
    # The rest is fixed: the organisations, the transaction's savepoint, the empty batch, the audit entry.
    assert len(large) <= BATCH_QUERIES + 9, [q["sql"][:60] for q in large.captured_queries]


def test_purge_rejects_a_negative_retention() -> None:
    with pytest.raises(ValueError, match="months"):
        interns_purge(months=-1)


def test_retention_comes_from_the_setting(old_stay: Convention, settings: Any) -> None:
    settings.PERSONAL_DATA_RETENTION_MONTHS = 120
    assert purge().total == 0
    settings.PERSONAL_DATA_RETENTION_MONTHS = 24
    assert purge().total == 1


# --- the access-request export ---------------------------------------------------------------------------


def read(archive: bytes) -> tuple[dict[str, Any], zipfile.ZipFile]:
    zipped = zipfile.ZipFile(io.BytesIO(archive))
    return json.loads(zipped.read("data.json")), zipped


def test_export_holds_everything_about_the_intern_and_nothing_else(
    old_stay: Convention, intern: Intern, alice: Any, make_convention: Any, acme: Any
) -> None:
    other = InternFactory(organisation=acme, first_name="Other")
    attach_scan(closed_stay(make_convention, alice, other))
    data, zipped = read(intern_access_export(actor=alice, intern=intern, reason="Access request by email"))
    assert set(data) >= {
        "format", "exported_at", "exported_by", "reason", "organisation", "intern", "conventions",
        "reminders_sent_to_intern", "audit_trail", "identity_history", "exports", "missing_files",
    }  # fmt: skip
    assert data["intern"]["passport_number"] == intern.passport_number  # in full: the subject's own data
    assert data["intern"]["last_name"] == intern.last_name
    (convention,) = data["conventions"]
    assert convention["id"] == old_stay.pk and convention["visa"]["state"] == "issued"
    (with_file,) = [d for d in convention["documents"] if d["file"]]
    assert zipped.read(with_file["file"]) == PDF
    assert sorted(zipped.namelist()) == sorted(["data.json", with_file["file"]])
    assert [r["recipient_email"] for r in data["reminders_sent_to_intern"]] == [intern.email]
    assert {row["transition"] for row in data["audit_trail"]} >= {"submit", "validate", "apply", "issue"}
    assert data["identity_history"][-1]["first_name"] == "Amina"
    text = zipped.read("data.json").decode()
    assert other.last_name not in text and other.passport_number not in text
    entry = AuditEntry.objects.get(action=ACTION_EXPORTED)
    assert (entry.actor, entry.channel, entry.target_label) == (alice, "web", f"Intern #{intern.pk}")
    assert entry.changes == {"reason": ["", "Access request by email"]}
    assert intern.last_name not in str(AuditEntry.objects.values())  # the audit names no one


def test_export_needs_a_manager_and_a_reason(intern: Intern, bob: Any, acme: Any) -> None:
    editor = MembershipFactory(user=UserFactory(), organisation=acme, role=Membership.Role.EDITOR).user
    for user in (bob, editor):
        with pytest.raises(PermissionDenied):
            intern_access_export(actor=user, intern=intern, reason="curious")
    with pytest.raises(ValidationError) as error:
        intern_access_export(actor=None, intern=intern, reason="  ")
    assert "reason" in error.value.message_dict
    assert not AuditEntry.objects.filter(action=ACTION_EXPORTED).exists()


def test_export_names_a_missing_file(old_stay: Convention, intern: Intern, media: Path) -> None:
    for path in media.rglob("*.pdf"):
        path.unlink()
    data, zipped = read(intern_access_export(actor=None, intern=intern, reason="Request"))
    assert len(data["missing_files"]) == 1 and zipped.namelist() == ["data.json"]
    assert AuditEntry.objects.get(action=ACTION_EXPORTED).channel == "command"
