"""In a real browser (Playwright driving Debian's Chromium): a French HR manager logs in and finds what to
do today, at desktop and at phone width."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, sync_playwright

from conventions import services
from hostportal.models import Membership
from tests.conftest import NOW

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Browser]:
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are synchronous
    # and safe, which Django's async guard cannot tell (its documented switch for this case).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


def test_a_french_manager_logs_in_and_sees_what_to_do_today(
    browser: Browser, live_server: Any, alice: Any, make_convention: Any, tmp_path: Path
) -> None:
    alice.set_password("demo-pass-2026")
    alice.save()
    Membership.objects.filter(user=alice).update(language="fr")
    convention = make_convention()
    services.convention_submit(
        actor=alice, convention=convention, received_on=timezone.localdate() - dt.timedelta(days=20), now=NOW
    )
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="fr-FR")
    page.goto(f"{live_server.url}/")
    assert "/login/" in page.url
    page.get_by_label("Nom d’utilisateur").fill("alice")
    page.get_by_label("Mot de passe").fill("demo-pass-2026")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", name="À faire maintenant").is_visible()
    item = page.locator(".todo-item").first
    assert "30 jours après la demande reçue" in item.inner_text() and "CESEDA R426-20" in item.inner_text()
    page.screenshot(path=str(tmp_path / "dashboard-1366.png"), full_page=True)
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.locator(".todo-item").first.bounding_box()["width"] <= 375  # type: ignore[index]
    page.screenshot(path=str(tmp_path / "dashboard-375.png"), full_page=True)
    assert (tmp_path / "dashboard-375.png").stat().st_size > 10_000
