"""Two planners or deliverers at once on PostgreSQL: each reminder written once, each email sent once."""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

import pytest
from django.core import mail
from django.db import connection, transaction

from hostportal.models import Membership, Organisation
from notifications.models import Notification, NotificationStatus
from notifications.services import digests_send, outbox_deliver, reminders_plan
from tests.factories import InternFactory, MembershipFactory, UserFactory
from tests.notifications.conftest import THIRTY_DAYS_BEFORE, at

FILES = 10


def in_thread(target: Any) -> threading.Thread:
    def run() -> None:
        try:
            target()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.fixture
def ten_drafts(make_convention: Any, alice: Any, acme: Organisation) -> None:
    MembershipFactory(user=UserFactory(username="dora"), organisation=acme, role=Membership.Role.EDITOR)
    for _ in range(FILES):
        make_convention(intern=InternFactory(organisation=acme))


@pytest.mark.django_db(transaction=True)
def test_two_planners_at_once_write_each_reminder_once(ten_drafts: None) -> None:
    """Planner A has inserted but not committed when planner B inserts the same keys: B waits on the unique
    index, then inserts nothing."""
    a_inserted = threading.Event()

    def planner_a() -> None:
        with transaction.atomic():
            reminders_plan(today=THIRTY_DAYS_BEFORE, now=at(THIRTY_DAYS_BEFORE), enqueue=False)
            a_inserted.set()
            time.sleep(0.5)  # B runs now, against A's uncommitted rows

    thread = in_thread(planner_a)
    assert a_inserted.wait(timeout=30)
    reminders_plan(today=THIRTY_DAYS_BEFORE, now=at(THIRTY_DAYS_BEFORE), enqueue=False)
    thread.join(timeout=30)
    keys = list(Notification.objects.values_list("idempotency_key", flat=True))
    assert len(keys) == len(set(keys)) == 2 * FILES


@pytest.mark.django_db(transaction=True)
def test_two_planners_started_together_then_two_deliverers_send_each_email_once(ten_drafts: None) -> None:
    barrier = threading.Barrier(3)

    def plan() -> None:
        barrier.wait(timeout=30)
        reminders_plan(today=THIRTY_DAYS_BEFORE, now=at(THIRTY_DAYS_BEFORE), enqueue=False)

    threads = [in_thread(plan) for _ in range(3)]
    for thread in threads:
        thread.join(timeout=30)
    assert Notification.objects.count() == 2 * FILES

    deliver_barrier = threading.Barrier(3)

    def deliver() -> None:
        deliver_barrier.wait(timeout=30)
        outbox_deliver(now=at(THIRTY_DAYS_BEFORE))

    threads = [in_thread(deliver) for _ in range(3)]
    for thread in threads:
        thread.join(timeout=60)
    ids = Counter(message.extra_headers["Message-ID"] for message in mail.outbox)
    assert len(ids) == 2 * FILES and set(ids.values()) == {1}
    assert set(Notification.objects.values_list("status", flat=True)) == {NotificationStatus.SENT}


@pytest.mark.django_db(transaction=True)
def test_two_digest_runs_at_once_build_one_digest(ten_drafts: None, alice: Any) -> None:
    Membership.objects.filter(user=alice).update(email_preference=Membership.EmailPreference.DIGEST)
    reminders_plan(today=THIRTY_DAYS_BEFORE, now=at(THIRTY_DAYS_BEFORE), enqueue=False)
    barrier = threading.Barrier(2)

    def digest() -> None:
        barrier.wait(timeout=30)
        digests_send(today=THIRTY_DAYS_BEFORE, now=at(THIRTY_DAYS_BEFORE), enqueue=False)

    threads = [in_thread(digest) for _ in range(2)]
    for thread in threads:
        thread.join(timeout=30)
    digests = Notification.objects.filter(kind="digest")
    assert digests.count() == 1
    assert Notification.objects.filter(digest=digests.get()).count() == FILES
    outbox_deliver(now=at(THIRTY_DAYS_BEFORE))
    assert sorted(len(m.to) for m in mail.outbox) == [1] * (FILES + 1)  # dora's 10 + alice's digest
