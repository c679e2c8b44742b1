"""Delivery by groups: rows claimed together under one token, composed while the previous email is stored,
recorded `sent` by at most RECORD_MAX; a server down, a rival or a dead worker mid-group."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core import mail

from hostportal.models import Membership, Organisation
from notifications.models import Notification, NotificationStatus
from notifications.services import delivery as delivery_module
from notifications.services import outbox_deliver, reminders_plan
from notifications.services.delivery import EMAILS
from tests.factories import InternFactory, MembershipFactory, UserFactory
from tests.notifications.conftest import THIRTY_DAYS_BEFORE, at

START = at(THIRTY_DAYS_BEFORE)


class Killed(BaseException):
    """The process dies: nothing after this line runs (not an Exception: no handler catches it)."""


@pytest.fixture
def six_reminders(
    make_convention: Any, alice: Any, acme: Organisation, live_on: Callable[[dt.datetime], None]
) -> list[Notification]:
    """3 draft conventions x 2 members (alice, dora): 6 reminders due on START."""
    MembershipFactory(user=UserFactory(username="dora"), organisation=acme, role=Membership.Role.EDITOR)
    for _ in range(3):
        make_convention(intern=InternFactory(organisation=acme))
    live_on(START)
    assert reminders_plan(enqueue=False).created == 6
    return list(Notification.objects.order_by("next_attempt_at", "pk"))


@pytest.fixture
def big_groups(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every group as large as allowed (as on a fast server, once measured)."""
    monkeypatch.setattr(delivery_module.Pace, "size", lambda self: delivery_module.GROUP_MAX)
    yield


def statuses() -> list[tuple[str, int, bool]]:
    rows = Notification.objects.order_by("next_attempt_at", "pk")
    return [(row.status, row.attempts, row.claim_token is None) for row in rows]


@pytest.mark.django_db
def test_claimed_groups_are_skipped_by_rivals_and_come_back_after_the_lease_when_their_worker_dies(
    six_reminders: list[Notification], settings: Any, live_on: Callable[[dt.datetime], None]
) -> None:
    first = EMAILS.claim_due(count=4)
    second = EMAILS.claim_due(count=4)
    assert len(first) == 4 and len(second) == 2
    assert not {claim.pk for claim in first} & {claim.pk for claim in second}
    assert [claim.pk for claim in first + second] == [row.pk for row in six_reminders]  # oldest first
    # Both workers die here. Their rows stay `sending`, an attempt counted, until their lease expires.
    assert outbox_deliver().handled == 0
    assert Counter(statuses()) == {(NotificationStatus.SENDING, 1, False): 6}
    live_on(START + dt.timedelta(seconds=settings.NOTIFICATIONS_CLAIM_LEASE_SECONDS + 1))
    report = outbox_deliver()
    assert (report.reclaimed, report.sent) == (6, 6)
    assert Counter(statuses()) == {(NotificationStatus.SENT, 2, True): 6}
    ids = Counter(message.extra_headers["Message-ID"] for message in mail.outbox)
    assert len(ids) == 6 and set(ids.values()) == {1}


@pytest.mark.django_db
def test_a_group_records_its_emails_sent_by_at_most_record_max(
    six_reminders: list[Notification], big_groups: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorded: list[int] = []
    mark_sent = delivery_module._mark_sent

    def counting(token: Any, accepted: list[Any]) -> None:
        recorded.append(len(accepted))
        mark_sent(token, accepted)

    monkeypatch.setattr(delivery_module, "RECORD_MAX", 4)
    monkeypatch.setattr(delivery_module, "_mark_sent", counting)
    assert outbox_deliver().sent == 6
    assert [count for count in recorded if count] == [4, 2]
    assert Counter(statuses()) == {(NotificationStatus.SENT, 1, True): 6}


@pytest.mark.django_db
def test_a_server_down_in_the_middle_of_a_group_gives_the_rest_back_unattempted(
    six_reminders: list[Notification], big_groups: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[Any] = []
    begin = delivery_module._begin

    def down_at_the_third(connection: Any, message: Any) -> Any:
        if len(sent) == 2:
            raise ConnectionRefusedError(111, "Connection refused")
        sent.append(message)
        return begin(connection, message)

    monkeypatch.setattr(delivery_module, "_begin", down_at_the_third)
    report = outbox_deliver()
    assert (report.sent, report.retry, report.transport_error[:22]) == (2, 1, "ConnectionRefusedError")
    assert Counter(statuses()) == {
        (NotificationStatus.SENT, 1, True): 2,
        (NotificationStatus.PENDING, 1, True): 1,  # its attempt failed: retried with backoff
        (NotificationStatus.PENDING, 0, True): 3,  # claimed with it, never attempted, given back
    }


@pytest.mark.django_db
def test_killed_before_a_group_is_recorded_its_emails_go_again_with_their_message_ids(
    six_reminders: list[Notification],
    big_groups: None,
    settings: Any,
    live_on: Callable[[dt.datetime], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The at-least-once window of a group: the server accepted its emails, the UPDATE to `sent` never ran."""

    def die(*args: Any) -> None:
        raise Killed

    with monkeypatch.context() as patch:
        patch.setattr(delivery_module, "_mark_sent", die)
        with pytest.raises(Killed):
            outbox_deliver()
    assert len(mail.outbox) == 6
    live_on(START + dt.timedelta(seconds=settings.NOTIFICATIONS_CLAIM_LEASE_SECONDS + 1))
    assert outbox_deliver().sent == 6
    ids = Counter(message.extra_headers["Message-ID"] for message in mail.outbox)
    assert set(ids) == {row.message_id for row in six_reminders} and set(ids.values()) == {2}
    assert Counter(statuses()) == {(NotificationStatus.SENT, 2, True): 6}


@pytest.mark.django_db
def test_a_batch_costs_a_few_queries_whatever_its_size(
    six_reminders: list[Notification], big_groups: None, django_assert_max_num_queries: Any
) -> None:
    # reclaim 2, claim 2, rows, files, preferences, record, the claim that finds nothing 1; in the test's
    # transaction each atomic block (claim twice, record) adds a SAVEPOINT and a RELEASE.
    with django_assert_max_num_queries(9 + 3 * 2):
        assert outbox_deliver().sent == 6
    sent = Notification.objects.filter(status=NotificationStatus.SENT)
    assert sorted(sent.values_list("subject", flat=True)) == sorted(
        message.subject for message in mail.outbox
    )
    assert all(row.text_body and row.sent_at == START for row in sent)
