"""In a real browser, in French: an HR manager follows an intern from the first filing to the carte de séjour
without Django admin: creates the intern and the convention (live deadlines), files it, records documents
requested then received, a decision without its reference completed later, corrects an amount, extends the
stay with an avenant, starts the carte de séjour step, uploads and downloads a document. A viewer sees no
button; another organisation's manager gets a 404."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from conventions.models import Convention, Intern, TransitionLog
from hostportal.models import Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "demo-pass-2026"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def french(user: Any) -> None:
    user.set_password(PASSWORD)
    user.save()
    Membership.objects.filter(user=user).update(language="fr")


def log_in(browser: Browser, base: str, username: str, width: int = 1366) -> Page:
    page = browser.new_page(viewport={"width": width, "height": 900}, locale="fr-FR", accept_downloads=True)
    page.goto(f"{base}/login/")
    page.get_by_label("Nom d’utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/")
    return page


def press(page: Page, button: str, fields: dict[str, str] | None = None) -> None:
    """Click a button of the case page, fill its form and confirm."""
    page.get_by_role("link", name=button, exact=True).first.click()
    for label, value in (fields or {}).items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Confirmer").click()
    expect(page.locator(".message.success")).to_be_visible()


def iso(day: dt.date) -> str:
    return day.isoformat()


def test_a_french_manager_follows_an_intern_to_the_carte_de_sejour(
    browser: Browser, live_server: Any, alice: Any, bob: Any, claire: Any, tmp_path: Path
) -> None:
    # SCREENSHOT_DIR=docs/screenshots regenerates the README's case page picture.
    shots = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    for user in (alice, bob, claire):
        french(user)
    today = timezone.localdate()
    base = live_server.url
    page = log_in(browser, base, "alice")
    expect(page.get_by_role("heading", name="À faire maintenant")).to_be_visible()

    # A new intern, then a continuing-training convention; the deadlines appear as it is typed.
    page.goto(f"{base}/interns/new/")
    page.get_by_label("Prénom").fill("Kofi")
    page.get_by_label("Nom", exact=True).fill("Mensah")
    page.get_by_label("Nationalité").select_option("GH")
    page.get_by_label("Date de naissance").fill("2001-05-01")
    page.get_by_label("Pays de résidence").select_option("GH")
    page.get_by_label("Numéro de passeport").fill("G1234567")
    page.get_by_label("Passeport valable jusqu’au").fill("2031-01-01")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", name="Nouvelle convention — Kofi MENSAH")).to_be_visible()
    start, end = today + dt.timedelta(days=70), today + dt.timedelta(days=70 + 150)
    page.get_by_label("Catégorie").select_option("formation_continue")
    page.get_by_label("Établissement d’origine").fill("University of Ghana")
    page.get_by_label("Nom du tuteur").fill("Jeanne Martin")
    page.get_by_label("Date de début").fill(iso(start))
    page.get_by_label("Date de fin").fill(iso(end))
    page.get_by_label("Heures hebdomadaires").fill("35")
    page.get_by_label("Ressources mensuelles (EUR)").fill("900")
    expect(page.locator("#preview")).to_contain_text("moins 2 mois")
    expect(page.locator("#preview")).to_contain_text("minimum légal")  # below the minimum, before saving
    page.get_by_label("Ressources mensuelles (EUR)").fill("2000")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".message.success")).to_contain_text("échéances sont calculées")
    convention = Convention.objects.get(intern__last_name="Mensah")

    # Filed by registered letter, documents asked for and received, validated without its reference.
    press(
        page,
        "Déposer auprès de l’administration",
        {"Reçue par l’administration le": iso(today - dt.timedelta(days=10))},
    )
    press(
        page,
        "Pièces demandées",
        {
            "Pièces demandées le": iso(today - dt.timedelta(days=5)),
            "Pièces demandées": "Attestation de ressources",
        },
    )
    press(page, "Pièces reçues", {"Pièces reçues par l’administration le": iso(today - dt.timedelta(days=3))})
    press(page, "Enregistrer le visa de la convention", {"Décidée le": iso(today - dt.timedelta(days=1))})
    expect(page.locator("h1 .state")).to_have_text("Validée (visée)")
    page.screenshot(path=str(shots / "dossier-vise-1366.png"), full_page=True)

    # The reference arrives by post: a correction; then a wrong amount is corrected.
    page.get_by_role("link", name="Corriger une information enregistrée").first.click()
    page.get_by_label("Référence de la décision").fill("PREF-2026-0042")
    page.get_by_label("Pourquoi cette correction ?").fill("Référence reçue par courrier")
    page.get_by_role("button", name="Enregistrer la correction").click()
    expect(page.locator(".audit")).to_contain_text("PREF-2026-0042")
    page.get_by_role("link", name="Corriger une information enregistrée").first.click()
    page.get_by_label("Ressources mensuelles (EUR)").fill("2100,00")
    page.get_by_label("Pourquoi cette correction ?").fill("Montant de l’attestation")
    page.get_by_role("button", name="Enregistrer la correction").click()
    expect(page.locator(".audit")).to_contain_text("2000.00 → 2100.00")
    convention.refresh_from_db()
    assert convention.state == "validated" and convention.monthly_resources_eur == 2100

    # The visa, then an avenant extends the stay; its acceptance opens the carte de séjour step.
    press(page, "Demande déposée au consulat", {"Demande déposée au consulat le": iso(today)})
    page.get_by_role("link", name="Prolonger par un avenant").click()
    page.get_by_label("Nouvelle date de fin").fill(iso(end + dt.timedelta(days=60)))
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".message.success")).to_contain_text("L’avenant est préparé")
    press(page, "Déposer auprès de l’administration", {"Reçue par l’administration le": iso(today)})
    press(page, "Enregistrer l’acceptation", {"Décidée le": iso(today)})
    expect(page.locator("#permit-title")).to_be_visible()
    press(page, "Déposée en préfecture", {"Déposée en préfecture le": iso(today)})
    expect(page.get_by_text("Déposée", exact=True).first).to_be_visible()

    # A document uploaded, then downloaded.
    sample = Path(settings.MEDIA_ROOT).parent / "passeport.pdf"
    sample.write_bytes(PDF)
    first = page.locator(".document").first
    first.locator("summary").click()
    first.locator("select[name=status]").select_option("provided")
    first.locator("input[type=file]").set_input_files(str(sample))
    first.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".message.success")).to_be_visible()
    with page.expect_download() as download:
        page.locator(".document").first.get_by_role("link", name="Télécharger").click()
    assert Path(download.value.path()).read_bytes() == PDF
    page.screenshot(path=str(shots / "dossier-complet-1366.png"), full_page=True)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{base}/conventions/{convention.pk}/")
    assert page.locator(".facts").first.bounding_box()["width"] <= 375  # type: ignore[index]
    page.screenshot(path=str(shots / "dossier-complet-375.png"), full_page=False)
    assert TransitionLog.objects.filter(object_id=convention.pk, transition="correct").count() == 2
    assert Intern.objects.get(last_name="Mensah").passport_number == "G1234567"

    # The viewer reads the same page with no button; another organisation's manager gets a 404.
    viewer = log_in(browser, base, "bob")
    viewer.goto(f"{base}/conventions/{convention.pk}/")
    expect(viewer.get_by_role("heading", name="Historique")).to_be_visible()
    assert viewer.locator(".actions a").count() == 0 and viewer.locator(".document form").count() == 0
    outsider = log_in(browser, base, "claire")
    response = outsider.goto(f"{base}/conventions/{convention.pk}/")
    assert response is not None and response.status == 404
