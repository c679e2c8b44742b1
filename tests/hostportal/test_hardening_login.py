"""Login throttling (django-axes) and Django's password validators (issue 9): 50 wrong passwords lock the
username for that address after 10, on the portal's and the admin's login; "password" and "12345678" are
refused as new passwords, in French."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

from hostportal.models import Membership

pytestmark = pytest.mark.django_db
RIGHT = "correct horse battery staple"  # tests/factories.py
LINK = re.compile(r"https?://[^/\s]+(/password-reset/[^/\s]+/[^/\s]+/)")


def hammer(client: Client, url: str, username: str, times: int = 50) -> list[int]:
    return [
        client.post(url, {"username": username, "password": f"wrong-{n}"}).status_code for n in range(times)
    ]


@pytest.mark.parametrize("url", ["/login/", "/admin/login/"])
def test_fifty_wrong_passwords_lock_the_username_for_that_address(alice: Any, url: str) -> None:
    client = Client(headers={"accept-language": "fr"})
    statuses = hammer(client, url, "alice")
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 10
    assert statuses[: limit - 1] == [200] * (limit - 1)  # the form again, with its error
    assert statuses[limit - 1 :] == [429] * (50 - limit + 1)
    # Locked: even the right password is refused now, with a page that says what to do, in French.
    page = client.post(url, {"username": "alice", "password": RIGHT})
    text = page.content.decode()
    assert page.status_code == 429 and "_auth_user_id" not in client.session
    assert "Trop d’échecs de connexion" in text and "Attendez 15 minutes, puis réessayez." in text
    assert "après 10 mots de passe erronés" in text and 'href="/password-reset/"' in text
    # Another address, or another username from this address, is not locked.
    elsewhere = Client(REMOTE_ADDR="10.1.2.3").post("/login/", {"username": "alice", "password": RIGHT})
    assert elsewhere.status_code == 302


def test_the_lockout_page_in_english(alice: Any) -> None:
    Membership.objects.filter(user=alice).update(language="en")
    client = Client(headers={"accept-language": "en"})
    hammer(client, "/login/", "alice", times=10)
    page = client.post("/login/", {"username": "alice", "password": RIGHT})
    assert page.status_code == 429
    assert "Wait 15 minutes, then try again." in page.content.decode()


def test_a_few_wrong_passwords_then_the_right_one_logs_in_and_resets_the_count(alice: Any) -> None:
    client = Client()
    assert hammer(client, "/login/", "alice", times=5) == [200] * 5
    assert client.post("/login/", {"username": "alice", "password": RIGHT}).status_code == 302
    client.logout()
    assert hammer(client, "/login/", "alice", times=9) == [200] * 9  # counted from zero again


@pytest.mark.parametrize(
    ("password", "french"),
    [
        ("password", "Ce mot de passe est trop courant."),
        ("12345678", "Ce mot de passe est entièrement numérique."),
    ],
)
def test_weak_passwords_are_refused_by_the_reset_form_in_french(
    alice: Any, password: str, french: str
) -> None:
    Membership.objects.filter(user=alice).update(language="fr")
    client = Client(headers={"accept-language": "fr"})
    client.post("/password-reset/", {"email": alice.email})
    link = LINK.search(mail.outbox[0].body)
    assert link
    form = client.get(link.group(1), follow=True)
    page = client.post(form.redirect_chain[-1][0], {"new_password1": password, "new_password2": password})
    text = page.content.decode()
    assert page.status_code == 200 and french in text
    assert "Ce mot de passe est trop court. Il doit contenir au minimum 10 caractères." in text
    alice.refresh_from_db()
    assert alice.check_password(RIGHT) and not alice.check_password(password)


def test_the_validators_refuse_a_password_like_the_username(alice: Any) -> None:
    with pytest.raises(ValidationError):
        validate_password("alice-host.example", alice)
    validate_password("Nouveau-mdp-2026", alice)  # long, uncommon, not numeric, unlike the user: accepted


def test_behind_a_proxy_the_client_is_read_from_x_forwarded_for(alice: Any, settings: Any) -> None:
    """TRUSTED_PROXY_COUNT=1 (docs/deployment.md): two clients behind one proxy are two addresses."""
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    attacker = Client(HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
    assert hammer(attacker, "/login/", "alice", times=10)[-1] == 429
    colleague = Client(HTTP_X_FORWARDED_FOR="198.51.100.20", **proxy)  # same proxy, another client
    assert colleague.post("/login/", {"username": "alice", "password": RIGHT}).status_code == 302
    assert attacker.post("/login/", {"username": "alice", "password": RIGHT}).status_code == 429


def test_a_forged_x_forwarded_for_picks_no_other_counter(alice: Any, settings: Any) -> None:
    """The client writes what it likes at the left of the header; the proxy appends what it saw."""
    settings.TRUSTED_PROXY_COUNT = 1
    attacker = Client(HTTP_X_FORWARDED_FOR="203.0.113.7", REMOTE_ADDR="10.0.0.1")
    hammer(attacker, "/login/", "alice", times=10)
    forged = Client(HTTP_X_FORWARDED_FOR="198.51.100.20, 203.0.113.7", REMOTE_ADDR="10.0.0.1")
    assert forged.post("/login/", {"username": "alice", "password": RIGHT}).status_code == 429


def test_reached_directly_the_header_is_ignored(alice: Any) -> None:
    attacker = Client(REMOTE_ADDR="10.9.9.9")
    hammer(attacker, "/login/", "alice", times=10)
    spoofing = Client(HTTP_X_FORWARDED_FOR="198.51.100.20", REMOTE_ADDR="10.9.9.9")
    assert spoofing.post("/login/", {"username": "alice", "password": RIGHT}).status_code == 429
