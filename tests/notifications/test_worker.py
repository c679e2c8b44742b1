"""Real processes: a Celery worker (subprocess, Redis broker) delivering to a real SMTP server (aiosmtpd).

Not eager mode: the worker is `celery -A hostportal worker` on the test database, the tasks go through
Redis (db 15, flushed around each test), and the emails cross an SMTP connection. The second test kills
the worker with SIGKILL in the middle of a batch and checks, at the SMTP server, that after a restart
every email arrived exactly once (counted by Message-ID).
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from celery import Celery
from django.db import connection

from hostportal.models import Membership, Organisation
from notifications.models import Notification, NotificationStatus
from notifications.services import reminders_plan
from tests.factories import InternFactory, MembershipFactory, UserFactory
from tests.notifications.conftest import THIRTY_DAYS_BEFORE
from tests.processes import Processes, Sink, redis_url, wait_for

DELIVER = "notifications.tasks.deliver_outbox_task"
LEASE_SECONDS = 4  # short, so the row of the killed worker comes back quickly (must exceed 2 x EMAIL_TIMEOUT)


@pytest.fixture
def broker() -> Iterator[Celery]:
    client = redis.Redis.from_url(redis_url())
    client.flushdb()
    sender = Celery("notifications-tests", broker=redis_url())
    yield sender
    sender.close()
    client.flushdb()
    client.close()


@pytest.fixture
def workers(
    sink: tuple[Sink, int], tmp_path: Path, broker: Celery
) -> Iterator[Callable[[], subprocess.Popen[bytes]]]:
    """Start `celery -A hostportal worker` subprocesses on the test database (tests.processes, which sets
    the short lease and retry delays); each returned once it consumes; all killed at the end."""
    assert connection.vendor == "postgresql", "the worker tests run on PostgreSQL (set DATABASE_URL)"
    processes = Processes(
        tmp_path, redis_url(), sink[1], {"NOTIFICATIONS_CLAIM_LEASE_SECONDS": str(LEASE_SECONDS)}
    )

    def start() -> subprocess.Popen[bytes]:
        return processes.worker(f"worker-{len(processes.started)}")

    yield start
    processes.stop_all()


def worker_logs(tmp_path: Path) -> str:
    return "\n".join(
        path.read_text(errors="replace")[-3000:] for path in sorted(tmp_path.glob("worker-*.log"))
    )


@pytest.fixture
def eight_reminders(make_convention: Any, alice: Any, acme: Organisation) -> list[Notification]:
    """4 draft conventions x 2 members (alice, dora), who read French: 8 reminders planned, committed, not
    yet sent."""
    MembershipFactory(user=UserFactory(username="dora"), organisation=acme, role=Membership.Role.EDITOR)
    Membership.objects.filter(organisation=acme).update(language=Membership.Language.FR)
    for _ in range(4):
        make_convention(intern=InternFactory(organisation=acme))
    assert reminders_plan(today=THIRTY_DAYS_BEFORE, enqueue=False).created == 8
    return list(Notification.objects.all())


def statuses() -> Counter[str]:
    return Counter(Notification.objects.values_list("status", flat=True))


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_the_outbox_to_an_smtp_server(
    eight_reminders: list[Notification], sink: tuple[Sink, int], workers: Any, broker: Celery, tmp_path: Path
) -> None:
    server, _ = sink
    workers()
    broker.send_task(DELIVER)  # one task, as the beat or an on-commit enqueue sends it
    assert wait_for(lambda: statuses() == {NotificationStatus.SENT: 8}, timeout=60), worker_logs(tmp_path)
    assert server.message_ids() == Counter({row.message_id: 1 for row in eight_reminders})
    message = server.messages[0]
    assert message["Auto-Submitted"] == "auto-generated"
    assert "déposer la convention au plus tard le 1 janvier 2027" in str(message["Subject"])
    assert message.is_multipart() and {part.get_content_type() for part in message.walk()} >= {
        "text/plain", "text/html", "text/calendar",
    }  # fmt: skip


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(
    eight_reminders: list[Notification], sink: tuple[Sink, int], workers: Any, broker: Celery, tmp_path: Path
) -> None:
    server, _ = sink
    server.delay = 0.4  # a slow mail server: the batch takes ~3 s, time to kill the worker inside it
    first = workers()
    broker.send_task(DELIVER)
    # Kill while the 4th message is in the middle of its SMTP transaction (3 accepted before it).
    assert wait_for(lambda: server.data_started >= 4, timeout=60, every=0.005), worker_logs(tmp_path)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    # 3 accepted and marked sent, the 4th claimed but never accepted (its SMTP transaction died), 4 waiting.
    assert len(server.messages) == 3
    expected = {NotificationStatus.SENT: 3, NotificationStatus.SENDING: 1, NotificationStatus.PENDING: 4}
    assert statuses() == expected

    workers()  # restart; the beat sends a delivery task every minute: here every second
    done = wait_for(
        lambda: statuses() == {NotificationStatus.SENT: 8}, timeout=60, tick=lambda: broker.send_task(DELIVER)
    )
    assert done, f"{statuses()}\n{worker_logs(tmp_path)}"
    ids = server.message_ids()
    assert set(ids) == {row.message_id for row in eight_reminders}
    assert set(ids.values()) == {1}, f"sent twice: {ids}"
    assert len(server.messages) == 8
