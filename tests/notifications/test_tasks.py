"""The Celery tasks are thin: each calls one service and reports; delivery retries when the server is down.

Run in-process with Task.apply (no broker); the real worker is in test_worker.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from celery.exceptions import Retry
from django.core import mail

from hostportal.celery import BEAT_SCHEDULE
from notifications import tasks
from notifications.models import Notification, NotificationStatus
from tests.notifications.backends import FlakyBackend
from tests.notifications.conftest import THIRTY_DAYS_BEFORE


@pytest.fixture
def today_is_30_days_before(live_on: Any) -> None:
    live_on(THIRTY_DAYS_BEFORE)


@pytest.fixture
def flaky(settings: Any) -> Iterator[list[BaseException]]:
    settings.EMAIL_BACKEND = "tests.notifications.backends.FlakyBackend"
    FlakyBackend.failures = []
    yield FlakyBackend.failures
    FlakyBackend.failures = []


def test_the_beat_schedule_names_the_notification_tasks() -> None:
    names = {entry["task"] for entry in BEAT_SCHEDULE.values()}
    assert {
        tasks.plan_reminders_task.name,
        tasks.deliver_outbox_task.name,
        tasks.send_digests_task.name,
    } <= names


@pytest.mark.django_db
def test_plan_deliver_and_digest_tasks_call_their_service(
    make_convention: Any, alice: Any, today_is_30_days_before: None
) -> None:
    make_convention()
    assert tasks.plan_reminders_task.apply().get() == {"today": "2026-12-02", "files": 1, "created": 1}
    assert tasks.plan_reminders_task.apply().get()["created"] == 0
    assert tasks.deliver_outbox_task.apply().get() == {"sent": 1, "retry": 0, "failed": 0, "cancelled": 0}
    assert tasks.send_digests_task.apply().get() == {"today": "2026-12-02", "digests": 0, "items": 0}
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_delivery_task_retries_while_the_mail_server_is_down(
    make_convention: Any, alice: Any, today_is_30_days_before: None, flaky: list[BaseException]
) -> None:
    make_convention()
    tasks.plan_reminders_task.apply()
    flaky.append(ConnectionRefusedError(111, "Connection refused"))
    with pytest.raises(Retry) as retry:
        tasks.deliver_outbox_task.apply(throw=True)
    assert isinstance(retry.value.exc, tasks.MailTransportDown)
    row = Notification.objects.get()
    assert (row.status, row.attempts) == (NotificationStatus.PENDING, 1)  # retried later with its backoff
