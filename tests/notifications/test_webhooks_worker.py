"""Real processes: two Celery workers (subprocesses, Redis broker) POSTing webhook deliveries to a real
HTTP receiver on 127.0.0.1 that checks the signatures. Every delivery arrives exactly once (counted by
its Hostportal-Delivery id), also when a worker is killed with SIGKILL in the middle of a batch.

The fixtures (broker, workers, the test database URL) are the email worker tests'.
"""

from __future__ import annotations

import os
import signal
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from celery import Celery
from django.utils import timezone

from hostportal.models import Organisation
from notifications.models import WebhookDelivery, WebhookStatus
from notifications.services.webhooks import webhook_endpoint_create
from tests.notifications.test_webhooks_delivery import Receiver, receiver  # noqa: F401 (a fixture)
from tests.notifications.test_worker import broker, worker_logs, workers  # noqa: F401
from tests.processes import wait_for

DELIVER = "notifications.tasks.deliver_webhooks_task"
ROWS = 24


@pytest.fixture
def webhook_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Short lease and backoff for the worker subprocesses (set before `workers` reads the environment)."""
    monkeypatch.setenv("WEBHOOKS_TIMEOUT_SECONDS", "1")
    monkeypatch.setenv("WEBHOOKS_CLAIM_LEASE_SECONDS", "4")
    monkeypatch.setenv("WEBHOOKS_RETRY_BASE_SECONDS", "1")
    monkeypatch.setenv("WEBHOOKS_BATCH_SIZE", "6")  # several tasks: both workers take part


@pytest.fixture
def hook_workers(webhook_env: None, workers: Any) -> Callable[[], Any]:  # noqa: F811
    return workers  # type: ignore[no-any-return]


@pytest.fixture
def deliveries(alice: Any, acme: Organisation, receiver: Receiver) -> Iterator[list[WebhookDelivery]]:  # noqa: F811
    """ROWS committed deliveries to the receiver's endpoint, due now, not yet sent."""
    endpoint, receiver.secret = webhook_endpoint_create(
        actor=alice, organisation=acme, url=receiver.url, events=["*"], channel="web"
    )
    now = timezone.now()
    rows = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint=endpoint,
            organisation=acme,
            event="convention.submitted",
            idempotency_key=f"test-{n}",
            payload={"n": n},
            next_attempt_at=now,
        )  # fmt: skip
        for n in range(ROWS)
    )
    yield rows


def statuses() -> Counter[str]:
    return Counter(WebhookDelivery.objects.values_list("status", flat=True))


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_workers_deliver_each_webhook_exactly_once(
    deliveries: list[WebhookDelivery],
    receiver: Receiver,  # noqa: F811
    hook_workers: Callable[[], Any],
    broker: Celery,  # noqa: F811
    tmp_path: Path,
) -> None:
    receiver.delay = 0.05
    hook_workers()
    hook_workers()
    for _ in range(4):  # a duplicated beat and on-commit kicks: several tasks at once
        broker.send_task(DELIVER)
    done = wait_for(
        lambda: statuses() == {WebhookStatus.SENT: ROWS}, timeout=90, tick=lambda: broker.send_task(DELIVER)
    )
    assert done, f"{statuses()}\n{worker_logs(tmp_path)}"
    assert receiver.delivery_ids() == Counter({str(row.pk): 1 for row in deliveries})
    assert all(item.signature_ok for item in receiver.received)
    logs = [path.read_text(errors="replace") for path in sorted(tmp_path.glob("worker-*.log"))]
    assert all(f"Task {DELIVER}" in log and "succeeded" in log for log in logs), "both workers delivered"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_loses_no_webhook_and_posts_none_twice(
    deliveries: list[WebhookDelivery],
    receiver: Receiver,  # noqa: F811
    hook_workers: Callable[[], Any],
    broker: Celery,  # noqa: F811
    tmp_path: Path,
) -> None:
    receiver.delay = 0.4  # a slow receiver: time to kill the worker inside a POST
    first = hook_workers()
    broker.send_task(DELIVER)
    assert wait_for(lambda: receiver.started >= 4, timeout=60, every=0.005), worker_logs(tmp_path)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    assert wait_for(lambda: receiver.started == len(receiver.received) + 1, timeout=5)
    assert len(receiver.received) == 3
    assert statuses() == {WebhookStatus.SENT: 3, WebhookStatus.SENDING: 1, WebhookStatus.PENDING: ROWS - 4}

    receiver.delay = 0.0
    hook_workers()
    hook_workers()
    done = wait_for(
        lambda: statuses() == {WebhookStatus.SENT: ROWS}, timeout=90, tick=lambda: broker.send_task(DELIVER)
    )
    assert done, f"{statuses()}\n{worker_logs(tmp_path)}"
    ids = receiver.delivery_ids()
    assert ids == Counter({str(row.pk): 1 for row in deliveries}), f"posted twice: {ids}"
