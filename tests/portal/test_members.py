"""The members, settings and "my account" pages: managers invite, change roles, remove, set the reminders and
the calendar links; editors and viewers get a clear 403; another organisation's rows are a 404; every
write leaves a journal entry in plain French."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from playwright.sync_api import Browser

from hostportal import services
from hostportal.models import AuditEntry, Membership, Organisation
from notifications.models import CalendarToken, ReminderSettings
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    Membership.objects.filter(user=user).update(language="fr")
    client = Client()
    client.force_login(user)
    return client


def membership(user: Any, organisation: Organisation) -> Membership:
    return Membership.objects.get(user=user, organisation=organisation)


@pytest.fixture
def eve(acme: Organisation) -> Any:
    """HR editor at Acme."""
    return MembershipFactory(user=UserFactory(username="eve"), organisation=acme, role="editor").user


# --- who sees what ---------------------------------------------------------------------------------------
def test_a_manager_sees_the_members_with_role_language_and_emails(
    alice: Any, bob: Any, acme: Organisation, django_assert_max_num_queries: Any
) -> None:
    client = client_for(alice)
    for n in range(5):
        services.membership_invite(actor=alice, organisation=acme, email=f"m{n}@host.example", role="viewer")
    with django_assert_max_num_queries(12):
        page = client.get("/members/").content.decode()
    assert "Membres" in page and "bob@host.example" in page and "Lecteur (lecture seule)" in page
    assert "Chaque rappel immédiatement" in page and "Inviter un membre" in page and "Journal" in page
    assert 'href="/members/"' in page and 'href="/settings/"' in page and 'href="/account/"' in page


@pytest.mark.parametrize("persona", ["bob", "eve"])
@pytest.mark.parametrize("url", ["/members/", "/settings/"])
def test_viewers_and_editors_get_a_clear_403_and_no_link(persona: str, url: str, request: Any) -> None:
    client = client_for(request.getfixturevalue(persona))
    response = client.get(url)
    assert response.status_code == 403 and "Réservé aux responsables" in response.content.decode()
    home = client.get("/").content.decode()
    assert 'href="/members/"' not in home and 'href="/account/"' in home


def test_viewers_and_editors_cannot_write_through_the_urls(
    bob: Any, eve: Any, alice: Any, acme: Organisation
) -> None:
    target = membership(alice, acme)
    for user in (bob, eve):
        client = client_for(user)
        assert (
            client.post("/members/invite/", {"email": "x@host.example", "role": "viewer"}).status_code == 403
        )
        assert client.post(f"/members/{target.pk}/role/", {"role": "viewer"}).status_code == 403
        assert client.post(f"/members/{target.pk}/remove/").status_code == 403
        assert client.post("/settings/", {"filing_lead_days": "1"}).status_code == 403
    assert membership(alice, acme).role == "manager" and not AuditEntry.objects.exists()


def test_an_outsider_gets_404_for_another_organisations_membership_and_calendar(
    alice: Any, claire: Any, acme: Organisation
) -> None:
    token = services.calendar_token_create(actor=alice, organisation=acme)
    client = client_for(claire)
    target = membership(alice, acme)
    assert client.post(f"/members/{target.pk}/role/", {"role": "viewer"}).status_code == 404
    assert client.post(f"/members/{target.pk}/remove/").status_code == 404
    assert client.post(f"/settings/calendar/{token.pk}/revoke/").status_code == 404
    assert client.post("/members/999999/remove/").status_code == 404
    assert "alice" not in client.get("/members/").content.decode()  # claire sees only the CHU's members
    assert membership(alice, acme).role == "manager" and CalendarToken.objects.get().revoked_at is None


def test_anonymous_visitors_are_sent_to_the_login_page() -> None:
    for url in ("/members/", "/settings/", "/account/"):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


# --- members ---------------------------------------------------------------------------------------------
def test_a_manager_invites_a_member_who_gets_a_french_email(
    alice: Any, acme: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/members/invite/",
            {"email": "dora@host.example", "role": "editor", "language": "fr"},
            follow=True,
        )
    page = response.content.decode()
    assert "dora@host.example est maintenant membre" in page
    assert membership(UserFactory._meta.model.objects.get(email="dora@host.example"), acme).role == "editor"
    assert mail.outbox[0].subject == "Invitation à rejoindre Acme Robotics sur hostportal"
    assert "Membre invité" in page and "Rôle : — → Éditeur" in page  # the journal, in plain French


@pytest.mark.parametrize(
    ("data", "french"),
    [
        (
            {"email": "pas un email", "role": "viewer"},
            "Adresse e-mail : « pas un email » n’est pas une adresse",
        ),
        ({"email": "dora@host.example", "role": "chef"}, "Rôle : « chef » n’est pas un rôle connu"),
    ],
)
def test_a_bad_invitation_names_the_field_in_french_and_writes_nothing(
    alice: Any, data: dict[str, str], french: str
) -> None:
    page = client_for(alice).post("/members/invite/", data, follow=True).content.decode()
    assert french in page
    assert Membership.objects.count() == 1 and not AuditEntry.objects.exists() and mail.outbox == []


def test_a_manager_changes_a_role_and_the_journal_shows_old_and_new(
    alice: Any, bob: Any, acme: Organisation
) -> None:
    page = client_for(alice).post(
        f"/members/{membership(bob, acme).pk}/role/", {"role": "editor"}, follow=True
    )
    text = page.content.decode()
    assert membership(bob, acme).role == "editor" and "a maintenant le rôle « Éditeur »" in text
    assert "Rôle modifié" in text and "Rôle : Lecteur (lecture seule) → Éditeur" in text
    assert "role_changed" not in text  # never the code names
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.channel, entry.changes) == (alice, "web", {"role": ["viewer", "editor"]})


def test_an_unknown_role_is_refused_in_french(alice: Any, bob: Any, acme: Organisation) -> None:
    text = client_for(alice).post(f"/members/{membership(bob, acme).pk}/role/", {"role": "chef"}, follow=True)
    assert "Rôle : « chef » n’est pas un rôle connu" in text.content.decode()
    assert membership(bob, acme).role == "viewer" and not AuditEntry.objects.exists()


def test_the_last_manager_cannot_demote_or_remove_themselves(alice: Any, acme: Organisation) -> None:
    client = client_for(alice)
    own = membership(alice, acme).pk
    for response in (
        client.post(f"/members/{own}/role/", {"role": "viewer"}, follow=True),
        client.post(f"/members/{own}/remove/", follow=True),
    ):
        assert "est le dernier responsable de l’organisation" in response.content.decode()
    assert membership(alice, acme).role == "manager" and not AuditEntry.objects.exists()


def test_a_manager_removes_a_member(alice: Any, bob: Any, acme: Organisation) -> None:
    text = (
        client_for(alice).post(f"/members/{membership(bob, acme).pk}/remove/", follow=True).content.decode()
    )
    assert "n’est plus membre de l’organisation" in text and "Membre retiré" in text
    assert not Membership.objects.filter(user=bob).exists()


# --- settings --------------------------------------------------------------------------------------------
LEAD = {name: "30,14,7" for name in services.LEAD_TIME_FIELDS}


def test_a_manager_sets_the_lead_times_and_the_journal_says_so(alice: Any, acme: Organisation) -> None:
    client = client_for(alice)
    page = client.get("/settings/").content.decode()
    assert "Date limite de dépôt d’une convention en brouillon" in page and "Liens de calendrier" in page
    response = client.post(
        "/settings/", {**LEAD, "filing_lead_days": "10, 3", "notify_viewers": "on"}, follow=True
    )
    assert "Les réglages des rappels sont enregistrés." in response.content.decode()
    row = ReminderSettings.objects.get(organisation=acme)
    assert (row.filing_lead_days, row.notify_viewers, row.notify_managers) == ("10,3", True, False)
    journal = client.get("/members/").content.decode()
    assert (
        "Réglages des rappels modifiés" in journal
        and "Envoyer les rappels aux lecteurs : non → oui" in journal
    )


def test_lead_times_that_are_not_numbers_are_refused_in_french_and_nothing_is_saved(alice: Any) -> None:
    response = client_for(alice).post(
        "/settings/", {**LEAD, "filing_lead_days": "10", "silence_lead_days": "bientôt"}
    )
    page = response.content.decode()
    assert (
        "Refus implicite (silence) d’une convention déposée : « bientôt » n’est pas une liste de jours"
        in page
    )
    assert 'value="bientôt"' in page  # what was typed stays in the form
    assert not ReminderSettings.objects.exists() and not AuditEntry.objects.exists()


def test_a_manager_creates_shows_and_revokes_a_calendar_link(alice: Any, acme: Organisation) -> None:
    client = client_for(alice)
    client.post("/settings/calendar/", {"label": "Outlook RH", "language": "fr"})
    token = CalendarToken.objects.get()
    page = client.get("/settings/").content.decode()
    assert f"/calendar/{token.token}.ics" in page and "Outlook RH" in page
    client.post(f"/settings/calendar/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None and token.token not in client.get("/settings/").content.decode()
    journal = client.get("/members/").content.decode()
    assert "Lien de calendrier créé" in journal and "Lien de calendrier révoqué" in journal


def test_settings_page_stays_within_the_query_budget(
    alice: Any, acme: Organisation, django_assert_max_num_queries: Any
) -> None:
    client = client_for(alice)
    for n in range(5):
        services.calendar_token_create(actor=alice, organisation=acme, label=f"cal {n}")
    with django_assert_max_num_queries(12):
        assert client.get("/settings/").status_code == 200


# --- my account ------------------------------------------------------------------------------------------
def test_every_member_sets_their_own_language_and_emails(bob: Any, acme: Organisation) -> None:
    client = client_for(bob)
    assert "Mon compte" in client.get("/account/").content.decode()
    response = client.post("/account/", {"language": "en", "email_preference": "digest"}, follow=True)
    assert "Your preferences are saved." in response.content.decode()
    assert (membership(bob, acme).language, membership(bob, acme).email_preference) == ("en", "digest")
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action) == (bob, "preferences_changed")


def test_a_bad_email_preference_is_refused_in_french(bob: Any, acme: Organisation) -> None:
    response = client_for(bob).post("/account/", {"language": "fr", "email_preference": "spam"}, follow=True)
    assert "E-mails : « spam » n’est pas un choix connu." in response.content.decode()
    assert not AuditEntry.objects.exists()


SHOTS = Path("/tmp/members")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_a_browser_a_french_manager_invites_a_member_and_changes_a_role(
    browser: Browser, live_server: Any, alice: Any, bob: Any
) -> None:
    alice.set_password("demo-pass-2026")
    alice.save()
    Membership.objects.filter(user=alice).update(language="fr")
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="fr-FR")
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Nom d’utilisateur").fill("alice")
    page.get_by_label("Mot de passe").fill("demo-pass-2026")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_role("link", name="Membres").click()
    page.get_by_label("Adresse e-mail").fill("dora@host.example")
    page.get_by_label("Rôle", exact=True).select_option("editor")
    page.get_by_role("button", name="Inviter", exact=True).click()
    assert page.get_by_text("dora@host.example est maintenant membre").is_visible()
    page.get_by_label("Rôle de bob").select_option("editor")
    page.locator("tr[data-member=bob]").get_by_role("button", name="Changer le rôle").click()
    assert page.get_by_text("a maintenant le rôle « Éditeur »").is_visible()
    assert (
        page.locator(".journal-entry")
        .first.inner_text()
        .startswith(page.locator(".journal-entry time").first.inner_text())
    )
    assert "Rôle modifié" in page.locator(".journal").inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "members-1366.png"), full_page=True)
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scrolling on a phone
    page.screenshot(path=str(SHOTS / "members-375.png"), full_page=True)
    page.get_by_role("link", name="Réglages").click()
    page.get_by_label("Qui l’utilise (facultatif)").fill("Outlook RH")
    page.get_by_role("button", name="Créer un lien de calendrier").click()
    assert page.get_by_text("Un nouveau lien de calendrier est prêt").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(SHOTS / "settings-375.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.screenshot(path=str(SHOTS / "settings-1366.png"), full_page=True)
    assert len(mail.outbox) == 1 and "Invitation à rejoindre" in mail.outbox[0].subject
