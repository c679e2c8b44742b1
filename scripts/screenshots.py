"""Screenshots of the portal for docs/screenshots/, taken from a running demo (make run) with Debian's
Chromium: `python scripts/screenshots.py [BASE_URL]` (default http://127.0.0.1:8000).

« Aujourd'hui » at desktop and phone width, the case page of the demo's most advanced stay (the first
convention with a carte de séjour application), the conventions list and a new convention's live preview.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
# --lang: the date pickers show the French order, as in a French browser.
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--lang=fr-FR"]


def shoot(page: Page, name: str, full: bool = True) -> None:
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=full)


def main(base: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="fr-FR")
        page.goto(f"{base}/login/")
        page.fill("#id_username", "alice")
        page.fill("#id_password", "demo-hostportal")
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/")
        shoot(page, "aujourdhui-1366")
        page.locator(".timeline-svg").first.screenshot(path=str(OUT / "timeline-1366.png"))
        page.goto(f"{base}/conventions/")
        shoot(page, "conventions-1366", full=False)
        # The case page of a stay that reached the carte de séjour, else the first one listed.
        links = [a.get_attribute("href") or "" for a in page.locator("a[href^='/conventions/']").all()]
        cases = [link for link in links if re.fullmatch(r"/conventions/\d+/", link)]
        for link in cases:
            page.goto(f"{base}{link}")
            if page.locator("article[id^='permit-']").count():
                break
        shoot(page, "dossier-1366")
        page.set_viewport_size({"width": 375, "height": 812})
        shoot(page, "dossier-375", full=False)
        page.goto(f"{base}/")
        shoot(page, "aujourdhui-375")
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
