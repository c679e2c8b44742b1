"""Admin of the outbox, feeds and preferences: scoped to the user's organisations, writes via services."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from hostportal.models import Membership, Organisation
from notifications.models import CalendarToken, Notification, NotificationStatus
from notifications.services import calendar_token_create
from tests.notifications.conftest import THIRTY_DAYS_BEFORE

CHANGELIST = "/admin/notifications/notification/"


def staff_client(user: Any) -> Client:
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def failed(make_convention: Any, alice: Any, plan: Any) -> Notification:
    make_convention()
    plan(THIRTY_DAYS_BEFORE)
    row = Notification.objects.get()
    Notification.objects.filter(pk=row.pk).update(
        status=NotificationStatus.FAILED,
        attempts=8,
        last_error="SMTPRecipientsRefused: 550 mailbox unavailable",
    )
    row.refresh_from_db()
    return row


@pytest.mark.django_db
def test_members_see_status_attempts_and_error_of_their_organisation_only(
    failed: Notification, alice: Any, claire: Any
) -> None:
    page = staff_client(alice).get(CHANGELIST)
    assert page.status_code == 200
    assert b"alice@host.example" in page.content and b"550 mailbox unavailable" in page.content
    detail = staff_client(alice).get(f"{CHANGELIST}{failed.pk}/change/")
    assert detail.status_code == 200 and failed.idempotency_key.encode() in detail.content
    outsider = staff_client(claire)
    assert b"alice@host.example" not in outsider.get(CHANGELIST).content
    assert outsider.get(f"{CHANGELIST}{failed.pk}/change/").status_code == 302  # "doesn't exist" redirect


@pytest.mark.django_db
def test_resend_action_puts_a_failed_email_back_with_a_new_message_id(
    failed: Notification, alice: Any
) -> None:
    old_message_id = failed.message_id
    response = staff_client(alice).post(
        CHANGELIST, {"action": "resend", "_selected_action": [failed.pk]}, follow=True
    )
    assert b"1 email(s) queued again" in response.content
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_error, failed.resend_count) == (
        NotificationStatus.PENDING, 0, "", 1,
    )  # fmt: skip
    assert failed.message_id != old_message_id and failed.message_id.startswith(
        f"<{failed.idempotency_key}.r1@"
    )


@pytest.mark.django_db
def test_viewers_cannot_resend(failed: Notification, bob: Any) -> None:
    client = staff_client(bob)
    assert b'value="resend"' not in client.get(CHANGELIST).content
    client.post(CHANGELIST, {"action": "resend", "_selected_action": [failed.pk]})
    failed.refresh_from_db()
    assert failed.status == NotificationStatus.FAILED


@pytest.mark.django_db
def test_a_calendar_feed_is_created_and_revoked_in_admin(
    alice: Any, claire: Any, acme: Organisation, chu: Organisation
) -> None:
    client = staff_client(alice)
    add = client.get("/admin/notifications/calendartoken/add/")
    assert acme.name.encode() in add.content and chu.name.encode() not in add.content
    response = client.post(
        "/admin/notifications/calendartoken/add/",
        {"organisation": acme.pk, "label": "HR Outlook", "language": "fr"},
    )
    assert response.status_code == 302
    token = CalendarToken.objects.get()
    assert (token.created_by, token.label) == (alice, "HR Outlook")
    change = client.get(f"/admin/notifications/calendartoken/{token.pk}/change/")
    assert f"http://127.0.0.1:8000/calendar/{token.token}.ics".encode() in change.content
    client.post("/admin/notifications/calendartoken/", {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client().get(f"/calendar/{token.token}.ics").status_code == 404
    other = calendar_token_create(actor=claire, organisation=chu)
    assert b"HR Outlook" not in staff_client(claire).get("/admin/notifications/calendartoken/").content
    assert other.is_active


@pytest.mark.django_db
def test_each_member_sets_their_own_email_preference(alice: Any, bob: Any) -> None:
    client = staff_client(bob)
    mine = Membership.objects.get(user=bob)
    page = client.get("/admin/notifications/emailpreference/")
    assert b"bob" in page.content and b"alice" not in page.content
    response = client.post(
        f"/admin/notifications/emailpreference/{mine.pk}/change/",
        {"email_preference": "digest", "language": "en"},
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.email_preference, mine.language) == ("digest", "en")
    alices = Membership.objects.get(user=alice)
    assert client.get(f"/admin/notifications/emailpreference/{alices.pk}/change/").status_code == 302


@pytest.mark.django_db
def test_managers_edit_the_reminder_settings_of_their_organisation(alice: Any, acme: Organisation) -> None:
    client = staff_client(alice)
    data = {
        "organisation": acme.pk, "filing_lead_days": "45, 30, 7", "late_filing_daily": "on",
        "silence_lead_days": "7,2", "avenant_filing_lead_days": "30,14,7",
        "convention_end_lead_days": "60,30", "permit_silence_lead_days": "30,7",
        "document_expiry_lead_days": "60,30", "documents_due_lead_days": "7,2,0",
        "explicit_answer_lead_days": "30,14,7,2", "ofii_validation_lead_days": "30,14,7,1",
        "permit_filing_lead_days": "30,14,7,1,0", "notify_managers": "on",
    }  # fmt: skip
    bad = client.post("/admin/notifications/remindersettings/add/", {**data, "filing_lead_days": "soon"})
    assert b"is not a number of days" in bad.content
    assert client.post("/admin/notifications/remindersettings/add/", data).status_code == 302
    settings_row = acme.reminder_settings
    assert settings_row.lead_times().filing == (45, 30, 7) and settings_row.roles() == ["manager"]


def test_a_viewer_is_offered_no_revoke_and_nobody_is_told_of_a_revoke_that_did_not_happen(
    alice: Any, bob: Any, acme: Any
) -> None:
    from notifications.services.calendars import calendar_token_create

    token = calendar_token_create(actor=alice, organisation=acme, label="RH", language="fr")
    changelist = "/admin/notifications/calendartoken/"
    viewer = staff_client(bob).get(changelist).content.decode()
    assert 'value="revoke"' not in viewer
    refused = staff_client(bob).post(
        changelist, {"action": "revoke", "_selected_action": [token.pk]}, follow=True
    )
    assert "revoked." not in refused.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None
    manager = staff_client(alice)
    manager.post(changelist, {"action": "revoke", "_selected_action": [token.pk]})
    again = manager.post(changelist, {"action": "revoke", "_selected_action": [token.pk]}, follow=True)
    assert "Nothing to revoke" in again.content.decode()
