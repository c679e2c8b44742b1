"""In a real browser (Playwright driving Debian's Chromium): a French HR manager logs in and finds what to
do today, at desktop and at phone width."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser

from conventions import services
from hostportal.models import Membership
from tests.conftest import NOW

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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
