"""The real browser of the portal's browser tests: Playwright driving Debian's Chromium (no browser can be
downloaded on these machines; `make test` installs the Debian package when it is missing)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

CHROMIUM = "/usr/bin/chromium"
# --lang: the date pickers show the French order (jj/mm/aaaa), as in a French browser.
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--lang=fr-FR"]


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Browser]:
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are synchronous
    # and safe, which Django's async guard cannot tell (its documented switch for this case).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()
