"""In a real browser (Playwright driving Debian's Chromium): a French HR manager sees the timeline of the
coming months and the indicators on « Aujourd’hui », at desktop and at phone width.

Set SCREENSHOT_DIR to keep the screenshots (docs/screenshots/ holds the ones the README shows)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page

from conventions import services
from hostportal.models import Membership, Organisation
from tests.factories import InternFactory, convention_fields

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def stay(alice: Any, acme: Organisation, name: tuple[str, str], start: int, months: int = 6) -> Any:
    """A company stage starting `start` days from today (negative: already started)."""
    today = timezone.localdate()
    begins = today + dt.timedelta(days=start)
    ends = begins + dt.timedelta(days=30 * months - 1)
    intern = InternFactory(organisation=acme, first_name=name[0], last_name=name[1])
    return services.convention_create(
        actor=alice, organisation=acme, intern=intern, channel="web",
        **convention_fields(start_date=begins, end_date=ends),
    )  # fmt: skip


def decided(alice: Any, convention: Any, received: int, decided_in: int, decision: str = "validated") -> Any:
    today = timezone.localdate()
    convention = services.convention_submit(
        actor=alice, convention=convention, received_on=today + dt.timedelta(days=received)
    )
    return services.convention_record_decision(
        actor=alice, convention=convention, decision=decision,
        decided_on=today + dt.timedelta(days=received + decided_in), reference="PREF-2026-001",
    )  # fmt: skip


def demo_files(alice: Any, acme: Organisation) -> None:
    """A late draft, a draft to file, a filed one, a validated stay with its visa (OFII due), a validated
    stay with an avenant to file, and a refused one (for the indicators)."""
    today = timezone.localdate()
    stay(alice, acme, ("Amina", "Diallo"), 50)  # filing deadline passed
    stay(alice, acme, ("Li", "Wei"), 95)
    filed = stay(alice, acme, ("Carlos", "Mendes"), 110)
    services.convention_submit(actor=alice, convention=filed, received_on=today - dt.timedelta(days=20))
    with_visa = decided(alice, stay(alice, acme, ("Sara", "Haddad"), -40), -80, 21)
    visa = with_visa.visa
    services.visa_apply(actor=alice, visa=visa, applied_on=today - dt.timedelta(days=55))
    services.visa_record_decision(
        actor=alice, visa=visa, decision="issued", decided_on=today - dt.timedelta(days=50),
        valid_from=today - dt.timedelta(days=45), expires_on=today + dt.timedelta(days=300),
    )  # fmt: skip
    services.visa_record_arrival(actor=alice, visa=visa, arrived_on=today - dt.timedelta(days=30))
    extended = decided(alice, stay(alice, acme, ("Noor", "Khan"), -100, months=5), -150, 35)
    services.avenant_create(
        actor=alice,
        convention=extended,
        requested_end_date=extended.effective_end_date + dt.timedelta(days=90),
    )
    decided(alice, stay(alice, acme, ("Yusuf", "Demir"), 130), -50, 15, decision="refused")


def keep(page: Page, tmp_path: Path, name: str, **options: Any) -> Path:
    path = tmp_path / name
    (page.locator(options.pop("element")) if "element" in options else page).screenshot(
        path=str(path), **options
    )
    if os.environ.get("SCREENSHOT_DIR"):
        shutil.copy(path, Path(os.environ["SCREENSHOT_DIR"]) / name)
    return path


def test_a_french_manager_sees_the_timeline_and_the_indicators(
    browser: Browser, live_server: Any, alice: Any, acme: Organisation, tmp_path: Path
) -> None:
    Membership.objects.filter(user=alice).update(language="fr")
    alice.set_password("demo-pass-2026")
    alice.save()
    demo_files(alice, acme)
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="fr-FR")
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Nom d’utilisateur").fill("alice")
    page.get_by_label("Mot de passe").fill("demo-pass-2026")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", name="Séjours et échéances").is_visible()
    picture = page.get_by_role("img", name="Séjours et échéances")
    assert picture.is_visible() and page.locator(".tl-row").count() == 5  # the refused stay has no bar
    assert "Sara HADDAD" in picture.inner_html() and "janvier" in picture.inner_html()
    assert page.get_by_role("heading", name="Indicateurs").is_visible()
    kpis = page.locator(".kpis").inner_text()
    assert "Délai médian entre dépôt et décision" in kpis and "Part refusée par silence" in kpis
    assert "Dossiers en retard" in kpis
    page.get_by_text("Les mêmes séjours et échéances sous forme de tableau").click()
    assert page.get_by_role("link", name="Noor KHAN").first.is_visible()
    keep(page, tmp_path, "aujourdhui-1366.png", full_page=True)
    keep(page, tmp_path, "timeline-1366.png", element="section:has(#timeline)")

    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # the picture scrolls, not the page
    scroller = page.locator(".timeline-scroll").bounding_box()
    assert scroller is not None and scroller["width"] <= 375
    assert page.evaluate("document.querySelector('.timeline-scroll').scrollWidth") > 375
    shot = keep(page, tmp_path, "aujourdhui-375.png", full_page=True)
    keep(page, tmp_path, "timeline-375.png", element="section:has(#timeline)")
    assert shot.stat().st_size > 10_000
