"""hostportal.services: every write of members, preferences, reminder settings and calendar links checks
the role, validates everything first, and leaves one audit entry with the actor, the channel and old/new
values."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from hostportal import services
from hostportal.models import AuditEntry, Membership, Organisation
from notifications.models import ReminderSettings
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def membership(user: Any, organisation: Organisation) -> Membership:
    return Membership.objects.get(user=user, organisation=organisation)


def test_invite_creates_the_account_the_membership_and_one_audit_entry(
    alice: Any, acme: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        created = services.membership_invite(
            actor=alice, organisation=acme, email=" Dora@Host.example ", role="editor", language="fr"
        )
    assert created.user.email == "dora@host.example" and not created.user.has_usable_password()
    assert (created.role, created.language) == ("editor", "fr")
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.actor_label, entry.channel, entry.action) == (
        alice,
        "alice",
        "web",
        "member_invited",
    )
    assert entry.changes == {"role": [None, "editor"], "language": [None, "fr"]}
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["dora@host.example"]


def test_invitation_in_french_has_a_set_password_link(
    alice: Any, acme: Organisation, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.SITE_URL = "https://rh.example"
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_invite(actor=alice, organisation=acme, email="dora@host.example", role="viewer")
    message = mail.outbox[0]
    assert message.subject == "Invitation à rejoindre Acme Robotics sur hostportal"
    assert "vous invite à suivre les dossiers des stagiaires de Acme Robotics" in message.body
    assert "« Lecteur (lecture seule) »" in message.body
    assert "https://rh.example/password-reset/" in message.body
    html = message.alternatives[0][0]  # type: ignore[index]
    assert "Choisir mon mot de passe" in html and "https://rh.example/password-reset/" in html


def test_invitation_in_english_for_an_existing_account_has_no_reset_link(
    alice: Any, acme: Organisation, claire: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_invite(
            actor=alice, organisation=acme, email=claire.email, role="viewer", language="en"
        )
    assert membership(claire, acme).role == "viewer"  # the same account, now in two organisations
    body = mail.outbox[0].body
    assert "invited you to follow the interns’ files of Acme Robotics" in body
    assert "/password-reset/" not in body and "Log in with your usual username" in body


@pytest.mark.parametrize(
    ("email", "role", "language", "field", "french"),
    [
        ("not-an-email", "viewer", "fr", "email", "Adresse e-mail : « not-an-email » n’est pas une adresse"),
        ("dora@host.example", "boss", "fr", "role", "Rôle : « boss » n’est pas un rôle connu"),
        ("dora@host.example", "viewer", "de", "language", "Langue : « de » n’est pas une langue"),
    ],
)
def test_a_bad_invitation_names_the_field_in_french_and_writes_nothing(
    alice: Any, acme: Organisation, email: str, role: str, language: str, field: str, french: str
) -> None:
    with translation.override("fr"), pytest.raises(ValidationError) as caught:
        services.membership_invite(actor=alice, organisation=acme, email=email, role=role, language=language)
    assert french in caught.value.message_dict[field][0]
    assert Membership.objects.count() == 1 and not AuditEntry.objects.exists()
    assert not type(alice).objects.filter(email="dora@host.example").exists()


def test_inviting_an_existing_member_is_refused(alice: Any, bob: Any, acme: Organisation) -> None:
    with pytest.raises(ValidationError, match="already a member"):
        services.membership_invite(actor=alice, organisation=acme, email=bob.email.upper(), role="editor")


def test_only_managers_invite_and_outsiders_cannot_touch_another_organisation(
    alice: Any, bob: Any, claire: Any, acme: Organisation
) -> None:
    for actor in (bob, claire):
        with pytest.raises(PermissionDenied):
            services.membership_invite(actor=actor, organisation=acme, email="x@host.example", role="viewer")
        with pytest.raises(PermissionDenied):
            services.membership_set_role(actor=actor, membership=membership(bob, acme), role="manager")
        with pytest.raises(PermissionDenied):
            services.membership_remove(actor=actor, membership=membership(alice, acme))
    assert not AuditEntry.objects.exists() and Membership.objects.filter(organisation=acme).count() == 2


def test_set_role_audits_old_and_new_and_a_same_role_writes_nothing(
    alice: Any, bob: Any, acme: Organisation
) -> None:
    services.membership_set_role(
        actor=alice, membership=membership(bob, acme), role="editor", channel="admin"
    )
    services.membership_set_role(actor=alice, membership=membership(bob, acme), role="editor")
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.channel, entry.changes) == (
        "role_changed",
        "admin",
        {"role": ["viewer", "editor"]},
    )
    assert "bob" in entry.target_label


def test_the_last_manager_can_neither_be_demoted_nor_removed(
    alice: Any, bob: Any, acme: Organisation
) -> None:
    with translation.override("fr"), pytest.raises(ValidationError) as caught:
        services.membership_set_role(actor=alice, membership=membership(alice, acme), role="viewer")
    assert "est le dernier responsable de l’organisation" in caught.value.messages[0]
    with pytest.raises(ValidationError, match="last manager"):
        services.membership_remove(actor=alice, membership=membership(alice, acme))
    assert membership(alice, acme).role == "manager" and not AuditEntry.objects.exists()
    # With a second manager, alice may step down.
    services.membership_set_role(actor=alice, membership=membership(bob, acme), role="manager")
    services.membership_set_role(actor=alice, membership=membership(alice, acme), role="editor")
    assert membership(alice, acme).role == "editor"


def test_remove_deletes_the_membership_keeps_the_account_and_audits(
    alice: Any, bob: Any, acme: Organisation
) -> None:
    services.membership_remove(actor=alice, membership=membership(bob, acme))
    assert not Membership.objects.filter(user=bob).exists() and type(bob).objects.filter(pk=bob.pk).exists()
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.changes) == ("member_removed", {"role": ["viewer", None]})


def test_members_set_their_own_preferences_and_managers_theirs(
    alice: Any, bob: Any, acme: Organisation
) -> None:
    Membership.objects.filter(user=bob).update(language="fr", email_preference="immediately")
    services.member_set_preferences(
        actor=bob, membership=membership(bob, acme), language="en", email_preference="digest"
    )
    entry = AuditEntry.objects.get()
    assert entry.actor == bob and entry.action == "preferences_changed"
    assert entry.changes == {"language": ["fr", "en"], "email_preference": ["immediately", "digest"]}
    services.member_set_preferences(
        actor=alice, membership=membership(bob, acme), language="en", email_preference="off"
    )
    assert AuditEntry.objects.first().changes == {"email_preference": ["digest", "off"]}  # type: ignore[union-attr]
    with pytest.raises(PermissionDenied):
        services.member_set_preferences(
            actor=bob, membership=membership(alice, acme), language="en", email_preference="off"
        )
    with pytest.raises(ValidationError):
        services.member_set_preferences(
            actor=bob, membership=membership(bob, acme), language="en", email_preference="x"
        )


def test_reminder_settings_are_normalised_and_audited(alice: Any, acme: Organisation) -> None:
    row = services.reminder_settings_update(
        actor=alice, organisation=acme, values={"filing_lead_days": "7, 30,14", "notify_viewers": True}
    )
    assert (row.filing_lead_days, row.notify_viewers) == ("30,14,7", True)
    entry = AuditEntry.objects.get()
    assert entry.action == "reminder_settings_changed"
    assert entry.changes["filing_lead_days"][1] == "30,14,7" and entry.changes["notify_viewers"] == [
        False,
        True,
    ]
    services.reminder_settings_update(actor=alice, organisation=acme, values={"filing_lead_days": "30,14,7"})
    assert AuditEntry.objects.count() == 1  # no change, no entry


def test_lead_times_that_are_not_numbers_name_the_field_in_french_and_write_nothing(
    alice: Any, acme: Organisation
) -> None:
    with translation.override("fr"), pytest.raises(ValidationError) as caught:
        services.reminder_settings_update(
            actor=alice, organisation=acme, values={"filing_lead_days": "30", "silence_lead_days": "dix"}
        )
    assert caught.value.message_dict["silence_lead_days"][0].startswith(
        "Refus implicite (silence) d’une convention déposée : « dix » n’est pas une liste de jours"
    )
    assert not ReminderSettings.objects.exists() and not AuditEntry.objects.exists()


def test_reminder_settings_are_for_managers_only(bob: Any, acme: Organisation) -> None:
    editor = MembershipFactory(user=UserFactory(username="eve"), organisation=acme, role="editor").user
    for actor in (bob, editor):
        with pytest.raises(PermissionDenied):
            services.reminder_settings_update(
                actor=actor, organisation=acme, values={"filing_lead_days": "3"}
            )


def test_calendar_links_created_and_revoked_are_audited_once(alice: Any, acme: Organisation) -> None:
    token = services.calendar_token_create(actor=alice, organisation=acme, label="Outlook RH", language="en")
    services.calendar_token_revoke(actor=alice, token=token, channel="admin")
    services.calendar_token_revoke(actor=alice, token=token)
    created, revoked = AuditEntry.objects.order_by("pk")
    assert (created.action, created.target_label, created.changes["language"]) == (
        "calendar_token_created",
        "Outlook RH",
        [None, "en"],
    )
    assert (revoked.action, revoked.channel) == ("calendar_token_revoked", "admin")
    assert revoked.changes["revoked_at"][0] is None


def test_an_audit_entry_is_never_edited(alice: Any, bob: Any, acme: Organisation) -> None:
    services.membership_set_role(actor=alice, membership=membership(bob, acme), role="editor")
    entry = AuditEntry.objects.get()
    entry.actor_label = "someone else"
    with pytest.raises(ValueError, match="never edited"):
        entry.save()


# --- the admin goes through the same services (channel "admin") -----------------------------------------
def staff(user: Any) -> Any:
    from django.test import Client

    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def organisation_form(organisation: Organisation, rows: list[tuple[Membership, str]]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": organisation.name, "address": organisation.address,
        "contact_email": organisation.contact_email,
        "memberships-TOTAL_FORMS": str(len(rows)), "memberships-INITIAL_FORMS": str(len(rows)),
    }  # fmt: skip
    for n, (row, role) in enumerate(rows):
        data |= {
            f"memberships-{n}-id": row.pk, f"memberships-{n}-organisation": organisation.pk,
            f"memberships-{n}-role": role, f"memberships-{n}-language": row.language,
            f"memberships-{n}-email_preference": row.email_preference,
        }  # fmt: skip
    return data


def test_a_role_changed_in_the_admin_is_audited_with_the_admin_channel(
    alice: Any, bob: Any, acme: Organisation
) -> None:
    url = f"/admin/hostportal/organisation/{acme.pk}/change/"
    rows = [(membership(alice, acme), "manager"), (membership(bob, acme), "editor")]
    assert staff(alice).post(url, organisation_form(acme, rows)).status_code == 302
    entry = AuditEntry.objects.get()
    assert (entry.channel, entry.action, entry.changes) == (
        "admin",
        "role_changed",
        {"role": ["viewer", "editor"]},
    )


def test_the_admin_refuses_to_demote_the_last_manager(alice: Any, bob: Any, acme: Organisation) -> None:
    url = f"/admin/hostportal/organisation/{acme.pk}/change/"
    rows = [(membership(alice, acme), "viewer"), (membership(bob, acme), "viewer")]
    page = staff(alice).post(url, organisation_form(acme, rows))
    assert page.status_code == 200 and b"must keep at least one manager" in page.content
    assert membership(alice, acme).role == "manager" and not AuditEntry.objects.exists()


def test_reminder_settings_and_preferences_saved_in_the_admin_are_audited(
    alice: Any, bob: Any, acme: Organisation
) -> None:
    data = {
        "organisation": acme.pk,
        **{name: "9, 3" for name in services.LEAD_TIME_FIELDS},
        "notify_managers": "on",
    }
    assert staff(alice).post("/admin/notifications/remindersettings/add/", data).status_code == 302
    assert ReminderSettings.objects.get().filing_lead_days == "9,3"
    mine = membership(bob, acme)
    staff(bob).post(
        f"/admin/notifications/emailpreference/{mine.pk}/change/",
        {"email_preference": "off", "language": "en"},
    )
    settings_entry, preference_entry = AuditEntry.objects.order_by("pk")
    assert (settings_entry.channel, settings_entry.action) == ("admin", "reminder_settings_changed")
    assert settings_entry.changes["filing_lead_days"][1] == "9,3"
    assert (preference_entry.channel, preference_entry.actor) == ("admin", bob)
    assert preference_entry.changes["email_preference"][1] == "off"


def test_editors_may_not_change_the_reminder_settings_in_the_admin(acme: Organisation) -> None:
    editor = MembershipFactory(user=UserFactory(username="eve"), organisation=acme, role="editor").user
    response = staff(editor).post("/admin/notifications/remindersettings/add/", {"organisation": acme.pk})
    assert response.status_code == 403 and not ReminderSettings.objects.exists()


def test_in_the_admin_the_last_manager_hands_over_in_one_save(
    alice: Any, bob: Any, acme: Organisation
) -> None:
    url = f"/admin/hostportal/organisation/{acme.pk}/change/"
    rows = [
        (membership(alice, acme), "viewer"),
        (membership(bob, acme), "manager"),
    ]  # alice's row comes first
    assert staff(alice).post(url, organisation_form(acme, rows)).status_code == 302
    assert (membership(alice, acme).role, membership(bob, acme).role) == ("viewer", "manager")
    assert AuditEntry.objects.count() == 2
