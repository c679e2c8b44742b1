"""Delivery: claimed once, re-checked, retried with backoff, reclaimed after a dead worker's lease."""

from __future__ import annotations

import datetime as dt
import smtplib
from collections.abc import Callable, Iterator
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.mail import get_connection
from django.core.management import CommandError, call_command

from hostportal.models import Membership
from notifications.models import Notification, NotificationStatus
from notifications.services import delivery as delivery_module
from notifications.services import (
    outbox_claim_next,
    outbox_deliver,
    outbox_reclaim,
    outbox_send_claimed,
    reminders_plan,
)
from tests.factories import InternFactory
from tests.notifications.backends import FlakyBackend
from tests.notifications.conftest import THIRTY_DAYS_BEFORE, at

Deliver = Callable[[], list[Any]]
START = at(THIRTY_DAYS_BEFORE)


@pytest.fixture
def planned(make_convention: Any, alice: Any, plan: Callable[[dt.date], Any]) -> Notification:
    make_convention()
    plan(THIRTY_DAYS_BEFORE)
    return Notification.objects.get()


@pytest.fixture
def flaky(settings: Any) -> Iterator[list[BaseException]]:
    settings.EMAIL_BACKEND = "tests.notifications.backends.FlakyBackend"
    FlakyBackend.failures = []
    yield FlakyBackend.failures
    FlakyBackend.failures = []


def refused() -> smtplib.SMTPRecipientsRefused:
    return smtplib.SMTPRecipientsRefused({"alice@host.example": (550, b"mailbox unavailable")})


@pytest.mark.django_db
def test_a_row_is_claimed_once(planned: Notification) -> None:
    first = outbox_claim_next()
    assert first is not None and first.pk == planned.pk and first.attempts == 1
    assert outbox_claim_next() is None
    planned.refresh_from_db()
    assert planned.status == NotificationStatus.SENDING and planned.claim_token == first.token


@pytest.mark.django_db
def test_the_message_id_is_the_idempotency_key(planned: Notification, deliver: Deliver) -> None:
    [message] = deliver()
    assert message.extra_headers["Message-ID"] == f"<{planned.idempotency_key}@hostportal.localhost>"
    assert (
        planned.idempotency_key
        == f"convention-{planned.object_id}.filing_due.20270101.20261202.user-{planned.recipient_user_id}"
    )
    planned.refresh_from_db()
    assert (planned.status, planned.attempts, planned.sent_at) == (NotificationStatus.SENT, 1, START)
    assert planned.subject == message.subject and planned.claim_token is None


@pytest.mark.django_db
def test_a_refused_message_is_retried_with_backoff_then_failed(
    planned: Notification, flaky: list[BaseException], settings: Any, live_on: Any
) -> None:
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    flaky += [refused(), refused(), refused()]
    assert outbox_deliver().retry == 1
    planned.refresh_from_db()
    assert (planned.status, planned.attempts) == (NotificationStatus.PENDING, 1)
    assert planned.next_attempt_at == START + dt.timedelta(seconds=60)
    assert "SMTPRecipientsRefused" in planned.last_error
    assert outbox_deliver().handled == 0  # not before its next attempt time
    live_on(START + dt.timedelta(seconds=60))
    assert outbox_deliver().retry == 1
    planned.refresh_from_db()
    assert planned.next_attempt_at == START + dt.timedelta(seconds=60 + 120)
    live_on(START + dt.timedelta(seconds=180))
    assert outbox_deliver().failed == 1
    planned.refresh_from_db()
    assert (planned.status, planned.attempts) == (NotificationStatus.FAILED, 3)
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_server_that_is_down_stops_the_batch(
    planned: Notification, make_convention: Any, acme: Any, flaky: list[BaseException], live_on: Any
) -> None:
    make_convention(intern=InternFactory(organisation=acme))
    reminders_plan(enqueue=False)
    flaky.append(ConnectionRefusedError(111, "Connection refused"))
    report = outbox_deliver()
    assert report.transport_error.startswith("ConnectionRefusedError") and report.handled == 1
    statuses = sorted(Notification.objects.values_list("status", "attempts"))
    assert statuses == [(NotificationStatus.PENDING, 0), (NotificationStatus.PENDING, 1)]
    live_on(START + dt.timedelta(minutes=2))
    assert outbox_deliver().sent == 2


@pytest.mark.django_db
def test_the_command_delivers_and_reports_a_server_down(
    planned: Notification, flaky: list[BaseException], live_on: Any
) -> None:
    flaky.append(ConnectionRefusedError(111, "Connection refused"))
    with pytest.raises(CommandError, match="could not be reached: ConnectionRefusedError"):
        call_command("deliver_outbox", stdout=StringIO())
    live_on(START + dt.timedelta(minutes=5))
    out = StringIO()
    call_command("deliver_outbox", stdout=out)
    assert "1 email(s) sent" in out.getvalue() and len(mail.outbox) == 1
    with pytest.raises(CommandError, match="--limit: 0 is not a positive number"):
        call_command("deliver_outbox", "--limit", "0")


@pytest.mark.django_db
def test_a_row_left_sending_by_a_dead_worker_is_sent_after_the_lease(
    planned: Notification, settings: Any, live_on: Any, deliver: Deliver
) -> None:
    assert outbox_claim_next() is not None  # the worker holding it dies here, before sending
    assert deliver() == []  # still leased to the dead worker
    live_on(START + dt.timedelta(seconds=settings.NOTIFICATIONS_CLAIM_LEASE_SECONDS - 1))
    assert deliver() == []
    live_on(START + dt.timedelta(seconds=settings.NOTIFICATIONS_CLAIM_LEASE_SECONDS + 1))
    assert len(deliver()) == 1
    planned.refresh_from_db()
    assert (planned.status, planned.attempts) == (NotificationStatus.SENT, 2)


@pytest.mark.django_db
def test_a_row_that_kills_its_worker_every_time_ends_failed(
    planned: Notification, settings: Any, live_on: Any
) -> None:
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 2
    lease = dt.timedelta(seconds=settings.NOTIFICATIONS_CLAIM_LEASE_SECONDS + 1)
    assert outbox_claim_next() is not None
    live_on(START + lease)
    assert outbox_reclaim() == 1 and outbox_claim_next() is not None  # attempt 2 dies too
    live_on(START + 2 * lease)
    assert outbox_reclaim() == 1
    planned.refresh_from_db()
    assert planned.status == NotificationStatus.FAILED and "lease expired" in planned.last_error


class Killed(BaseException):
    """The process dies: nothing after this line runs (not an Exception: no handler catches it)."""


@pytest.mark.django_db
def test_killed_after_the_server_accepted_the_message_sends_it_again_with_the_same_message_id(
    planned: Notification, settings: Any, live_on: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The documented at-least-once window: SMTP said 250, the UPDATE to `sent` never ran."""

    def die(*args: Any) -> bool:
        raise Killed

    with monkeypatch.context() as patch:
        patch.setattr(delivery_module, "_mark_sent", die)
        with pytest.raises(Killed):
            outbox_deliver()
    live_on(START + dt.timedelta(seconds=settings.NOTIFICATIONS_CLAIM_LEASE_SECONDS + 1))
    outbox_deliver()
    first, second = mail.outbox
    assert first.extra_headers["Message-ID"] == second.extra_headers["Message-ID"] == planned.message_id
    planned.refresh_from_db()
    assert planned.status == NotificationStatus.SENT


@pytest.mark.django_db
def test_a_worker_slower_than_its_lease_does_not_send_a_row_claimed_by_another(
    planned: Notification, settings: Any, live_on: Any
) -> None:
    slow = outbox_claim_next()
    assert slow is not None
    live_on(START + dt.timedelta(seconds=settings.NOTIFICATIONS_CLAIM_LEASE_SECONDS + 1))
    report = outbox_deliver()  # reclaims the row and sends it
    assert report.reclaimed == 1 and report.sent == 1
    outcome, _ = outbox_send_claimed(slow, connection=get_connection(), today=THIRTY_DAYS_BEFORE)
    assert outcome == "lost_claim" and len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_member_who_switched_emails_off_is_not_sent_the_planned_row(
    planned: Notification, alice: Any, deliver: Deliver
) -> None:
    Membership.objects.filter(user=alice).update(email_preference=Membership.EmailPreference.OFF)
    assert deliver() == []
    planned.refresh_from_db()
    assert planned.status == NotificationStatus.CANCELLED and "no longer gets" in planned.last_error
