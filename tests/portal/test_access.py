"""Access in the portal: the password reset by email, end to end, in the member's language, and the
invitation's set-password link that works the same way."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from hostportal import services
from hostportal.models import Membership, Organisation

pytestmark = pytest.mark.django_db
LINK = re.compile(r"https?://[^/\s]+(/password-reset/[^/\s]+/[^/\s]+/)")


def french(user: Any) -> None:
    Membership.objects.filter(user=user).update(language="fr")


def reset_link(body: str) -> str:
    found = LINK.search(body)
    assert found, body
    return found.group(1)


def set_password(client: Client, link: str, password: str) -> Any:
    form = client.get(link, follow=True)  # Django moves the token into the session, then shows the form
    assert form.status_code == 200 and "new_password1" in form.content.decode()
    return client.post(form.redirect_chain[-1][0], {"new_password1": password, "new_password2": password})


def test_the_login_page_links_to_the_password_reset() -> None:
    page = Client(headers={"accept-language": "fr"}).get("/login/").content.decode()
    assert 'href="/password-reset/"' in page and "Mot de passe oublié ?" in page


def test_reset_by_email_in_french_then_log_in_with_the_new_password(alice: Any) -> None:
    french(alice)
    client = Client(headers={"accept-language": "en"})  # the browser's language does not matter: alice's does
    response = client.post("/password-reset/", {"email": alice.email.upper()}, follow=True)
    assert response.redirect_chain[-1][0] == "/password-reset/sent/"
    message = mail.outbox[0]
    assert message.to == [alice.email] and message.subject == "Choisir un nouveau mot de passe hostportal"
    assert "Bonjour alice," in message.body and "Ouvrez ce lien pour le choisir" in message.body
    assert "Choisir un nouveau mot de passe" in message.alternatives[0][0]  # type: ignore[index]
    done = set_password(client, reset_link(message.body), "Nouveau-mdp-2026")
    assert done.status_code == 302 and done["Location"] == "/password-reset/done/"
    login = Client().post("/login/", {"username": "alice", "password": "Nouveau-mdp-2026"})
    assert login.status_code == 302 and login["Location"] == "/"
    # The link works once.
    again = Client().get(reset_link(message.body), follow=True).content.decode()
    assert "Ce lien ne fonctionne plus" in again or "no longer works" in again


def test_reset_for_an_unknown_email_says_the_same_and_sends_nothing() -> None:
    response = Client().post("/password-reset/", {"email": "nobody@host.example"})
    assert response.status_code == 302 and mail.outbox == []


def test_reset_with_a_bad_email_names_the_field_in_french() -> None:
    page = Client(headers={"accept-language": "fr"}).post("/password-reset/", {"email": "pas-un-email"})
    assert page.status_code == 200 and "Adresse e-mail :" in page.content.decode()
    assert mail.outbox == []


def test_a_weak_or_mismatched_new_password_is_refused_in_french(alice: Any) -> None:
    french(alice)
    client = Client(headers={"accept-language": "fr"})  # an anonymous visitor reads their browser's language
    client.post("/password-reset/", {"email": alice.email})
    form = client.get(reset_link(mail.outbox[0].body), follow=True)
    page = client.post(form.redirect_chain[-1][0], {"new_password1": "abc", "new_password2": "abd"})
    assert page.status_code == 200 and "Nouveau mot de passe (confirmation) :" in page.content.decode()
    assert not Client().login(username="alice", password="abc")


def test_an_invited_member_sets_a_password_from_the_invitation_and_logs_in(
    alice: Any, acme: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_invite(actor=alice, organisation=acme, email="dora@host.example", role="editor")
    done = set_password(Client(), reset_link(mail.outbox[0].body), "Dora-est-la-2026")
    assert done["Location"] == "/password-reset/done/"
    assert Client().login(username="dora@host.example", password="Dora-est-la-2026")


def test_an_invited_member_who_lost_the_invitation_can_ask_for_a_reset(
    alice: Any, acme: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_invite(actor=alice, organisation=acme, email="dora@host.example", role="editor")
    Client().post("/password-reset/", {"email": "dora@host.example"})
    assert len(mail.outbox) == 2 and mail.outbox[1].subject == "Choisir un nouveau mot de passe hostportal"
