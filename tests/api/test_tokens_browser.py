"""In a real browser: a French manager creates an API token from the settings page, copies its secret
(shown once), and revokes it; at desktop and phone width."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser

from hostportal.api.models import ApiToken
from hostportal.models import Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/api")


def test_a_manager_creates_and_revokes_a_token(browser: Browser, live_server: Any, alice: Any) -> None:
    alice.set_password("demo-pass-2026")
    alice.save()
    Membership.objects.filter(user=alice).update(language="fr")
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="fr-FR")
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Nom d’utilisateur").fill("alice")
    page.get_by_label("Mot de passe").fill("demo-pass-2026")
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"{live_server.url}/settings/")
    page.get_by_role("link", name="Jetons d’API").click()
    page.get_by_label("Qui l’utilise").fill("SIRH")
    page.get_by_label("Rôle").select_option("editor")
    page.get_by_role("button", name="Créer le jeton").click()
    secret = page.locator("#token-secret").input_value()
    assert ApiToken.objects.get().prefix == secret[:10]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "api-tokens-1366.png"), full_page=True)
    page.set_viewport_size({"width": 375, "height": 800})
    page.screenshot(path=str(SHOTS / "api-tokens-375.png"), full_page=True)
    page.get_by_role("button", name="Révoquer le jeton SIRH").click()
    assert page.get_by_text("ne fonctionne plus").is_visible()
    assert ApiToken.objects.get().revoked_at is not None
