"""Secrets never reach the logs (issue 9): the request lines of the web server quoted calendar tokens; the
filter on every handler of settings.LOGGING masks them, reset tokens, bearer values and API secrets."""

from __future__ import annotations

import logging
import logging.config
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import Client

from hostportal.logging import MaskSecretsFilter, mask_sensitive_text

TOKEN = "Zk3vQ9pLr2mX8wT5yB7nC1dF4gH6jK0sA_eU-iO"
API = "hp_" + "q" * 43


@pytest.fixture
def masked_logger() -> Iterator[logging.Logger]:
    logger = logging.getLogger("hostportal.test.hardening")
    mask = MaskSecretsFilter()
    logger.addFilter(mask)
    yield logger
    logger.removeFilter(mask)


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        (f'"GET /calendar/{TOKEN}.ics HTTP/1.1" 200 812', TOKEN),
        (f'"GET /password-reset/MQ/{TOKEN}/ HTTP/1.1" 302 0', TOKEN),
        (f"Authorization: Bearer {API}", API),
        (f"{{'HTTP_AUTHORIZATION': 'Bearer {TOKEN}'}}", TOKEN),
        (f"created token {API} for Acme", API),
        ("webhook secret whsec_" + TOKEN, TOKEN),
    ],
)
def test_secrets_are_masked_in_log_records(
    masked_logger: logging.Logger, caplog: pytest.LogCaptureFixture, line: str, secret: str
) -> None:
    with caplog.at_level(logging.INFO, logger=masked_logger.name):
        masked_logger.info("%s", line)
    assert secret not in caplog.text and "…[masked]" in caplog.text


def test_a_traceback_is_masked_too(masked_logger: logging.Logger, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger=masked_logger.name):
        try:
            raise ValueError(f"no feed /calendar/{TOKEN}.ics for passport_number=XY9876543")
        except ValueError:
            masked_logger.exception("feed failed")
    assert TOKEN not in caplog.text and "XY9876543" not in caplog.text
    assert "ValueError" in caplog.text and "/calendar/Zk3v…[masked].ics" in caplog.text


def test_ordinary_words_and_paths_are_left_alone() -> None:
    text = "token revoked; basic settings; GET /settings/calendar/3/revoke/; bearer of the news"
    assert mask_sensitive_text(text) == text


def test_every_handler_of_the_settings_masks(settings_logging: None) -> None:
    """Each handler of settings.LOGGING (console, django.server...) carries the filter; so do the loggers
    of the request lines (runserver's django.server, gunicorn.access), which do not reach the root."""
    for name in ("", "django", "django.server", "django.request", "gunicorn.access"):
        logger = logging.getLogger(name)
        while logger is not None and not logger.handlers:
            logger = logger.parent if logger.propagate else None  # type: ignore[assignment]
        assert logger is not None, name
        for handler in logger.handlers:
            if type(handler).__module__.startswith("_pytest"):
                continue  # pytest's capture, not a handler of the settings
            assert any(isinstance(f, MaskSecretsFilter) for f in handler.filters), (name, handler)


@pytest.fixture
def settings_logging() -> Iterator[None]:
    """settings.LOGGING applied as Django applies it (pytest's own capture handlers set aside)."""
    logging.config.dictConfig(settings.LOGGING)
    yield


@pytest.mark.django_db
def test_the_request_line_of_a_calendar_feed_is_masked(caplog: pytest.LogCaptureFixture) -> None:
    """django.request logs a 404 with its path (the feed of an unknown or revoked token)."""
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = Client().get(f"/calendar/{TOKEN}.ics")
    assert response.status_code == 404
    records = [r for r in caplog.records if r.name == "django.request"]
    assert records, caplog.text
    formatted = [MaskSecretsFilter().filter(r) and r.getMessage() for r in records]
    assert all(TOKEN not in line for line in formatted), formatted
