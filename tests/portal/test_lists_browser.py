"""In a real browser (Playwright driving Debian's Chromium), in French: search the list of conventions,
export it, import a file with one bad row (nothing imported, the report shown), then a good one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page

from conventions import services
from conventions.models import Intern
from hostportal.models import Membership
from tests.conftest import NOW
from tests.factories import InternFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/lists")
HEADER = (
    "nom,prénom,nationalité,date de naissance,e-mail,pays de résidence,numéro de passeport,"
    "passeport valable jusqu’au"
)
GOOD = (
    "Ndiaye,Awa,Sénégal,03/02/2001,awa@mail.example,SN,A1234567,01/01/2031\n"
    "Sato,Kenji,JP,2000-03-14,kenji@mail.example,JP,TK765432,2032-06-01\n"
)
BAD_ROW = "Roux,Léa,Atlantide,2001-02-03,lea@mail.example,FR,B1,2031-01-01\n"


def log_in(page: Page, url: str) -> None:
    page.goto(f"{url}/login/")
    page.get_by_label("Nom d’utilisateur").fill("alice")
    page.get_by_label("Mot de passe").fill("demo-pass-2026")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{url}/")


def check_file(page: Page, path: Path) -> None:
    page.get_by_label("Stagiaires", exact=True).check()
    page.get_by_label("Fichier (CSV ou Excel .xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="Vérifier le fichier").click()


def test_a_french_manager_searches_exports_and_imports(
    browser: Browser, live_server: Any, alice: Any, acme: Any, make_convention: Any, tmp_path: Path
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    alice.set_password("demo-pass-2026")
    alice.save()
    Membership.objects.filter(user=alice).update(language="fr")
    kenzo = InternFactory(organisation=acme, first_name="Kenzo", last_name="Tanaka", nationality="JP")
    submitted = make_convention(intern=kenzo, sending_establishment="Université de Kyoto")
    services.convention_submit(
        actor=alice, convention=submitted, received_on=timezone.localdate() - dt.timedelta(days=20), now=NOW
    )
    make_convention()
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="fr-FR", accept_downloads=True)
    log_in(page, live_server.url)

    page.get_by_role("link", name="Conventions").first.click()
    page.get_by_label("Rechercher").fill("Japon")
    page.get_by_role("button", name="Filtrer").click()
    rows = page.locator("table.list tbody tr")
    assert rows.count() == 1 and "TANAKA" in rows.first.inner_text()
    assert "Fin du silence de l’administration" in rows.first.inner_text()
    page.screenshot(path=str(SHOTS / "conventions-1366.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Exporter en CSV").click()
    exported = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "Tanaka" in exported and "Prochaine échéance" in exported and kenzo.passport_number not in exported

    page.get_by_role("link", name="Importer un fichier").click()
    bad = tmp_path / "stagiaires-erreur.csv"
    bad.write_text(f"{HEADER}\n{GOOD}{BAD_ROW}", encoding="utf-8")
    check_file(page, bad)
    report = page.locator(".import-report")
    assert "1 erreur : rien n’a été importé" in report.inner_text()
    assert (
        "« Atlantide » n’est pas un pays connu" in report.inner_text()
        and "4" in report.locator("td").first.inner_text()
    )
    assert Intern.objects.filter(last_name__in=["Ndiaye", "Sato", "Roux"]).count() == 0
    page.screenshot(path=str(SHOTS / "import-report-1366.png"), full_page=True)
    page.set_viewport_size({"width": 375, "height": 800})
    page.screenshot(path=str(SHOTS / "import-report-375.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})

    good = tmp_path / "stagiaires.csv"
    good.write_text(f"{HEADER}\n{GOOD}", encoding="utf-8")
    check_file(page, good)
    assert "2 lignes sont prêtes à être importées" in page.locator(".import-report").inner_text()
    page.get_by_role("button", name="Confirmer l’import").click()
    page.wait_for_url(f"{live_server.url}/interns/")
    assert "2 lignes importées." in page.locator(".messages").inner_text()
    assert Intern.objects.filter(last_name__in=["Ndiaye", "Sato"]).count() == 2
    page.screenshot(path=str(SHOTS / "interns-1366.png"), full_page=True)
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.locator("table.list tbody tr").first.bounding_box()["width"] <= 375  # type: ignore[index]
    page.screenshot(path=str(SHOTS / "interns-375.png"), full_page=True)
    page.goto(f"{live_server.url}/conventions/")
    page.screenshot(path=str(SHOTS / "conventions-375.png"), full_page=True)
