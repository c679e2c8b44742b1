"""Webhook delivery against a real HTTP receiver on 127.0.0.1 that checks the signatures: signed POSTs,
retries with backoff after a failure, timeouts and redirects as failures, the endpoint disabled after
repeated failures (and its managers told), resend, lease expiry, deadline events."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from conventions import services
from hostportal.models import AuditEntry, Membership, Organisation
from notifications.models import Notification, WebhookDelivery, WebhookEndpoint, WebhookStatus
from notifications.rules import ReminderKind
from notifications.services import outbox_deliver, reminders_plan
from notifications.services.webhook_delivery import WEBHOOKS, webhooks_deliver
from notifications.services.webhooks import (
    webhook_delivery_resend,
    webhook_endpoint_create,
    webhook_endpoint_update,
)
from notifications.webhooks import verify_signature
from tests.conftest import NOW
from tests.notifications.conftest import THIRTY_DAYS_BEFORE


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    signature_ok: bool

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A webhook receiver: verifies each signature with `secret`, answers the scripted status codes (then
    the last one forever), optionally after a delay."""

    secret: str = ""
    script: list[int] = field(default_factory=lambda: [200])
    delay: float = 0.0
    received: list[Received] = field(default_factory=list)
    started: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def answer(self) -> int:
        with self.lock:
            return self.script.pop(0) if len(self.script) > 1 else self.script[0]

    def record(self, item: Received) -> None:
        with self.lock:
            self.received.append(item)

    def delivery_ids(self) -> Counter[str]:
        with self.lock:
            return Counter(item.headers["Hostportal-Delivery"] for item in self.received)


def caller_gone(sock: socket.socket) -> bool:
    """True when the client closed its end (a killed worker): a peek reads b"" or the reset."""
    sock.setblocking(False)
    try:
        return sock.recv(1, socket.MSG_PEEK) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True
    finally:
        sock.setblocking(True)


def serve(receiver: Receiver) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's hook)
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with receiver.lock:
                receiver.started += 1
            if receiver.delay:
                time.sleep(receiver.delay)
                if caller_gone(self.connection):
                    return  # the sender died while we were busy: like a real receiver, nothing is kept
            status = receiver.answer()
            ok = verify_signature(receiver.secret, self.headers.get("Hostportal-Signature", ""), body)
            if status == 302:
                self.send_response(302)
                self.send_header("Location", "/elsewhere")
                self.end_headers()
            else:
                self.send_response(status if ok else 400)
                self.end_headers()
                self.wfile.write(b"boom" if status >= 500 else b"ok")
            # Recorded once answered, as a receiver that commits after replying.
            receiver.record(Received(self.path, dict(self.headers.items()), body, ok))

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    server = serve(found)
    yield found
    server.shutdown()
    server.server_close()


@pytest.fixture
def endpoint(alice: Any, acme: Organisation, receiver: Receiver) -> WebhookEndpoint:
    created, secret = webhook_endpoint_create(
        actor=alice, organisation=acme, url=receiver.url, events=["*"], channel="web"
    )
    receiver.secret = secret
    return created


def submit(make_convention: Any, alice: Any) -> Any:
    return services.convention_submit(
        actor=alice, convention=make_convention(), received_on=dt.date(2026, 11, 2), now=NOW
    )


def test_a_transition_is_posted_signed_to_the_receiver(
    endpoint: WebhookEndpoint, receiver: Receiver, make_convention: Any, alice: Any
) -> None:
    convention = submit(make_convention, alice)
    report = webhooks_deliver()
    assert report.sent == 1
    [got] = receiver.received
    row = WebhookDelivery.objects.get()
    assert got.signature_ok and got.path == "/hook"
    assert got.headers["Hostportal-Event"] == "convention.submitted"
    assert got.headers["Hostportal-Delivery"] == str(row.pk)
    assert got.headers["Content-Type"].startswith("application/json")
    assert got.json["event"] == "convention.submitted" and got.json["id"] == row.pk
    assert got.json["data"]["id"] == convention.pk and got.json["data"]["state"] == "submitted"
    assert row.status == WebhookStatus.SENT and row.last_status_code == 200 and row.attempts == 1
    assert row.sent_at is not None and row.last_error == ""
    # A wrong secret, a changed body or an old signature does not verify.
    header = got.headers["Hostportal-Signature"]
    assert not verify_signature("whsec_wrong", header, got.body)
    assert not verify_signature(receiver.secret, header, got.body + b" ")
    assert not verify_signature(receiver.secret, header, got.body, now=time.time() + 301)
    assert verify_signature(receiver.secret, header, got.body, now=time.time() + 299)
    assert not verify_signature(receiver.secret, "garbage", got.body)


def test_a_failing_receiver_is_retried_with_backoff(
    endpoint: WebhookEndpoint, receiver: Receiver, make_convention: Any, alice: Any, settings: Any
) -> None:
    settings.WEBHOOKS_RETRY_BASE_SECONDS = 60
    receiver.script = [500, 200]
    submit(make_convention, alice)
    start = timezone.now()
    assert webhooks_deliver().retry == 1
    row = WebhookDelivery.objects.get()
    assert row.status == WebhookStatus.PENDING and row.attempts == 1 and row.last_status_code == 500
    assert "HTTP 500" in row.last_error and "boom" in row.last_error
    # Backoff with jitter: 60 s +- 20 %.
    assert dt.timedelta(seconds=47) <= row.next_attempt_at - start <= dt.timedelta(seconds=73)
    assert WebhookEndpoint.objects.get().failure_count == 1
    assert webhooks_deliver().handled == 0  # not due yet
    with time_machine.travel(row.next_attempt_at + dt.timedelta(seconds=1), tick=False):
        assert webhooks_deliver().sent == 1
    row.refresh_from_db()
    assert row.status == WebhookStatus.SENT and row.attempts == 2 and row.last_status_code == 200
    assert WebhookEndpoint.objects.get().failure_count == 0
    assert len(receiver.received) == 2 and all(item.signature_ok for item in receiver.received)
    # The same body twice (only the signature's time may change), the same delivery id.
    assert receiver.received[0].body == receiver.received[1].body
    assert len(receiver.delivery_ids()) == 1


def test_the_backoff_doubles_and_is_capped(settings: Any) -> None:
    settings.WEBHOOKS_RETRY_BASE_SECONDS = 10
    settings.WEBHOOKS_RETRY_MAX_SECONDS = 100
    for attempts, seconds in [(1, 10), (2, 20), (3, 40), (4, 80), (5, 100), (9, 100)]:
        delay = WEBHOOKS.backoff(attempts).total_seconds()
        assert seconds * 0.8 <= delay <= seconds * 1.2


def test_a_row_fails_after_the_last_attempt(
    endpoint: WebhookEndpoint, receiver: Receiver, make_convention: Any, alice: Any, settings: Any
) -> None:
    settings.WEBHOOKS_MAX_ATTEMPTS = 2
    settings.WEBHOOKS_RETRY_BASE_SECONDS = 0
    receiver.script = [503]
    submit(make_convention, alice)
    report = webhooks_deliver()  # no backoff: retried in the same run, then failed
    assert (report.retry, report.failed) == (1, 1)
    row = WebhookDelivery.objects.get()
    assert row.status == WebhookStatus.FAILED and row.attempts == 2 and row.last_status_code == 503


def test_a_timeout_and_a_redirect_are_failures(
    endpoint: WebhookEndpoint, receiver: Receiver, make_convention: Any, alice: Any, settings: Any
) -> None:
    settings.WEBHOOKS_TIMEOUT_SECONDS = 0.3
    receiver.delay = 0.6
    submit(make_convention, alice)
    assert webhooks_deliver().retry == 1
    row = WebhookDelivery.objects.get()
    assert row.last_status_code is None and "timed out" in row.last_error.lower()
    receiver.delay, receiver.script = 0.0, [302]
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    assert webhooks_deliver().retry == 1
    row.refresh_from_db()
    assert row.last_status_code == 302 and row.status == WebhookStatus.PENDING


def test_a_refused_connection_is_a_failure(alice: Any, acme: Organisation, make_convention: Any) -> None:
    webhook_endpoint_create(
        actor=alice, organisation=acme, url="http://127.0.0.1:9/hook", events=["*"], channel="web"
    )
    submit(make_convention, alice)
    assert webhooks_deliver().retry == 1
    row = WebhookDelivery.objects.get()
    assert row.last_status_code is None and "URLError" in row.last_error


def test_an_endpoint_that_keeps_failing_is_disabled_and_its_managers_told(
    endpoint: WebhookEndpoint,
    receiver: Receiver,
    make_convention: Any,
    alice: Any,
    bob: Any,
    acme: Organisation,
    settings: Any,
) -> None:
    settings.WEBHOOKS_DISABLE_AFTER_FAILURES = 3
    receiver.script = [500]
    Membership.objects.filter(user=alice).update(language="fr")
    for _ in range(4):
        submit(make_convention, alice)
    report = webhooks_deliver()
    assert report.retry == 3 and report.disabled == 1  # the fourth row waits: not claimed while disabled
    disabled = WebhookEndpoint.objects.get()
    assert not disabled.is_active and disabled.disabled_at is not None and disabled.failure_count == 3
    assert "3 failed attempts" in disabled.disabled_reason
    assert AuditEntry.objects.filter(action="webhook_disabled", actor=None).count() == 1
    # The managers (alice; not bob, a viewer) get an email through the email outbox.
    [notice] = Notification.objects.filter(kind=ReminderKind.WEBHOOK_DISABLED)
    assert notice.recipient_user == alice
    outbox_deliver()
    [message] = [m for m in mail.outbox if "ebhook" in m.subject]
    assert message.to == [alice.email]
    assert message.subject == "Webhook désactivé après des échecs répétés — Acme Robotics"
    assert receiver.url in message.body and "3 tentatives échouées d’affilée" in message.body
    assert "/settings/webhooks/" in message.body
    assert len(receiver.received) == 3
    # Enabled again by a manager: the count is reset, the waiting rows go out.
    receiver.script = [200]
    webhook_endpoint_update(actor=alice, endpoint=disabled, channel="web", is_active=True)
    assert WebhookEndpoint.objects.get().failure_count == 0
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    assert webhooks_deliver().sent == 4
    assert len(receiver.delivery_ids()) == 4


def test_an_endpoint_failing_for_a_day_is_disabled(
    endpoint: WebhookEndpoint, receiver: Receiver, make_convention: Any, alice: Any
) -> None:
    receiver.script = [500]
    WebhookEndpoint.objects.update(failure_count=1, failing_since=timezone.now() - dt.timedelta(hours=25))
    submit(make_convention, alice)
    assert webhooks_deliver().disabled == 1
    assert not WebhookEndpoint.objects.get().is_active


def test_a_resend_posts_the_same_delivery_again(
    endpoint: WebhookEndpoint, receiver: Receiver, make_convention: Any, alice: Any
) -> None:
    submit(make_convention, alice)
    webhooks_deliver()
    row = WebhookDelivery.objects.get()
    webhook_delivery_resend(actor=alice, delivery=row, channel="web")
    assert webhooks_deliver().sent == 1
    assert receiver.delivery_ids() == Counter({str(row.pk): 2})
    row.refresh_from_db()
    assert row.status == WebhookStatus.SENT and row.resend_count == 1


def test_a_row_whose_worker_died_is_reclaimed_after_the_lease(
    endpoint: WebhookEndpoint, receiver: Receiver, make_convention: Any, alice: Any, settings: Any
) -> None:
    submit(make_convention, alice)
    claim = WEBHOOKS.claim_next()
    assert claim is not None
    assert WEBHOOKS.claim_next() is None  # claimed: nobody else takes it
    assert webhooks_deliver().handled == 0  # its lease is still running
    later = timezone.now() + dt.timedelta(seconds=settings.WEBHOOKS_CLAIM_LEASE_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        report = webhooks_deliver()
    assert report.reclaimed == 1 and report.sent == 1
    # The dead worker's claim is no longer its own: it can record nothing.
    assert not WEBHOOKS.finish(claim, WebhookStatus.FAILED)
    assert WebhookDelivery.objects.get().status == WebhookStatus.SENT


def test_deadline_events_are_planned_once(
    alice: Any, acme: Organisation, make_convention: Any, receiver: Receiver
) -> None:
    _, receiver.secret = webhook_endpoint_create(
        actor=alice, organisation=acme, url=receiver.url, events=["deadline.filing_due"], channel="web"
    )
    convention = make_convention()
    reminders_plan(today=THIRTY_DAYS_BEFORE, enqueue=False)
    reminders_plan(today=THIRTY_DAYS_BEFORE, enqueue=False)
    [row] = WebhookDelivery.objects.all()
    assert row.event == "deadline.filing_due" and row.object_id == convention.pk
    assert row.payload["deadline"] == "2027-01-01" and row.payload["days_left"] == 30
    assert row.payload["why"]
    assert webhooks_deliver().sent == 1
    assert receiver.received[0].signature_ok


def test_the_task_is_in_the_beat_and_kicked_on_commit(
    endpoint: WebhookEndpoint,
    receiver: Receiver,
    make_convention: Any,
    alice: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from hostportal.celery import BEAT_SCHEDULE
    from notifications import tasks

    assert BEAT_SCHEDULE["deliver-webhooks"] == {"task": tasks.deliver_webhooks_task.name, "schedule": 60.0}
    kicked: list[int] = []
    monkeypatch.setattr(tasks.deliver_webhooks_task, "apply_async", lambda **options: kicked.append(1))
    with django_capture_on_commit_callbacks(execute=True):
        submit(make_convention, alice)
    assert kicked  # asked for once the transaction committed
    assert tasks.deliver_webhooks_task.apply().get() == {"sent": 1, "retry": 0, "failed": 0, "disabled": 0}
    assert receiver.received[0].signature_ok
