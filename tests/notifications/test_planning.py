"""Reminder planning: set-based, idempotent, stops when the file moves, respects preferences."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conventions import services
from conventions.models import Convention
from hostportal.models import Membership, Organisation
from notifications.models import Notification, NotificationStatus, ReminderSettings
from notifications.rules import ReminderKind
from notifications.services import PlanReport, digests_send, reminders_plan
from tests.factories import InternFactory, MembershipFactory, UserFactory
from tests.notifications.conftest import FILING_DEADLINE, PARIS, THIRTY_DAYS_BEFORE, at

Plan = Callable[[dt.date], PlanReport]
Deliver = Callable[[], list[Any]]


@pytest.mark.django_db
def test_plan_twice_writes_each_reminder_once(make_convention: Any, alice: Any, bob: Any, plan: Plan) -> None:
    convention = make_convention()
    first = plan(THIRTY_DAYS_BEFORE)
    second = plan(THIRTY_DAYS_BEFORE)
    assert (first.created, second.created, second.due) == (1, 0, 1)
    row = Notification.objects.get()
    assert (row.kind, row.object_id, row.recipient_user, row.deadline) == (
        ReminderKind.FILING_DUE, convention.pk, alice, FILING_DEADLINE,
    )  # fmt: skip
    assert (row.due_on, row.days_left, row.status) == (THIRTY_DAYS_BEFORE, 30, NotificationStatus.PENDING)
    assert row.source == "CESEDA R426-20 al. 1" and "minus 2 months" in row.rule


@pytest.mark.django_db
def test_plan_and_deliver_twice_sends_each_email_once(
    make_convention: Any, alice: Any, plan: Plan, deliver: Deliver
) -> None:
    make_convention()
    plan(THIRTY_DAYS_BEFORE)
    assert len(deliver()) == 1
    plan(THIRTY_DAYS_BEFORE)
    plan(THIRTY_DAYS_BEFORE + dt.timedelta(days=3))  # catching up keeps the same (30-day) point
    assert deliver() == []
    plan(dt.date(2026, 12, 18))  # the 14-day point is a new reminder
    assert [m.to for m in deliver()] == [[alice.email]]


@pytest.mark.django_db
def test_each_lead_point_is_sent_once_over_the_weeks(
    make_convention: Any, alice: Any, plan: Plan, deliver: Deliver
) -> None:
    make_convention()
    sent: list[str] = []
    day = dt.date(2026, 11, 25)
    while day <= dt.date(2027, 1, 4):
        plan(day)
        plan(day)  # a duplicated beat
        sent += [message.subject for message in deliver()]
        day += dt.timedelta(days=1)
    rows = Notification.objects.order_by("due_on")
    assert [row.days_left for row in rows] == [30, 14, 7, 3, 1, 0, -1, -2, -3]
    assert [row.kind for row in rows][-3:] == [ReminderKind.FILING_LATE] * 3
    assert len(sent) == 9


@pytest.mark.django_db
def test_submitting_the_draft_cancels_its_pending_reminder_and_stops_planning(
    make_convention: Any, alice: Any, plan: Plan, deliver: Deliver
) -> None:
    convention = make_convention()
    plan(THIRTY_DAYS_BEFORE)
    services.convention_submit(
        actor=alice, convention=convention, received_on=THIRTY_DAYS_BEFORE, now=at(THIRTY_DAYS_BEFORE)
    )
    row = Notification.objects.get(kind=ReminderKind.FILING_DUE)
    assert row.status == NotificationStatus.CANCELLED and "moved to submitted" in row.last_error
    assert deliver() == []
    plan(dt.date(2026, 12, 18))
    plan(dt.date(2027, 1, 2))
    assert not Notification.objects.filter(
        kind__in=[ReminderKind.FILING_DUE, ReminderKind.FILING_LATE]
    ).exclude(status=NotificationStatus.CANCELLED)


@pytest.mark.django_db
def test_late_filing_reminders_stop_once_filed(
    make_convention: Any, alice: Any, plan: Plan, deliver: Deliver
) -> None:
    convention = make_convention()
    plan(dt.date(2027, 1, 2))
    [late] = deliver()
    assert "1 day late" in late.subject or "en retard de 1 jour" in late.subject
    services.convention_submit(
        actor=alice, convention=convention, received_on=dt.date(2027, 1, 3), now=at(dt.date(2027, 1, 3))
    )
    plan(dt.date(2027, 1, 3))
    plan(dt.date(2027, 1, 4))
    assert deliver() == []


@pytest.mark.django_db
def test_a_state_change_without_signal_is_caught_before_sending(
    make_convention: Any, alice: Any, plan: Plan, deliver: Deliver
) -> None:
    convention = make_convention()
    plan(THIRTY_DAYS_BEFORE)
    Convention.objects.filter(pk=convention.pk).update(state="withdrawn")  # e.g. a data fix, no signal
    assert deliver() == []
    row = Notification.objects.get()
    assert row.status == NotificationStatus.CANCELLED and "No longer due" in row.last_error


@pytest.mark.django_db
def test_a_moved_deadline_is_another_reminder(
    make_convention: Any, alice: Any, plan: Plan, deliver: Deliver
) -> None:
    convention = make_convention()
    plan(THIRTY_DAYS_BEFORE)
    services.convention_update(
        actor=alice, convention=convention, expected_version=convention.version,
        start_date=dt.date(2027, 3, 15), end_date=dt.date(2027, 9, 14), now=at(THIRTY_DAYS_BEFORE),
    )  # fmt: skip
    assert deliver() == []  # the old deadline (2027-01-01) is no longer the convention's
    plan(dt.date(2026, 12, 16))  # 30 days before the new deadline 2027-01-15
    [message] = deliver()
    assert Notification.objects.filter(status=NotificationStatus.SENT).get().deadline == dt.date(2027, 1, 15)
    assert message.to == [alice.email]


@pytest.mark.django_db
def test_digest_members_get_one_daily_email(
    make_convention: Any, alice: Any, acme: Organisation, plan: Plan, deliver: Deliver
) -> None:
    Membership.objects.filter(user=alice).update(email_preference=Membership.EmailPreference.DIGEST)
    make_convention()
    make_convention(intern=InternFactory(organisation=acme, first_name="Kofi", last_name="Mensah"))
    plan(THIRTY_DAYS_BEFORE)
    assert Notification.objects.filter(status=NotificationStatus.AWAITING_DIGEST).count() == 2
    assert deliver() == []
    first, again = digests_send(), digests_send()
    assert (first.digests, first.items, again.digests) == (1, 2, 0)
    [digest] = deliver()
    assert digest.to == [alice.email] and "2" in digest.subject
    assert "MENSAH" in digest.body and "DIALLO" in digest.body
    assert set(Notification.objects.values_list("status", flat=True)) == {NotificationStatus.SENT}
    assert deliver() == []


@pytest.mark.django_db
def test_off_gets_nothing_and_viewers_only_when_asked(
    make_convention: Any, alice: Any, bob: Any, acme: Organisation, plan: Plan
) -> None:
    Membership.objects.filter(user=alice).update(email_preference=Membership.EmailPreference.OFF)
    make_convention()
    assert plan(THIRTY_DAYS_BEFORE).created == 0
    ReminderSettings.objects.create(organisation=acme, notify_viewers=True)
    plan(THIRTY_DAYS_BEFORE)
    assert list(Notification.objects.values_list("recipient_user__username", flat=True)) == ["bob"]


@pytest.mark.django_db
def test_lead_times_per_organisation(
    make_convention: Any, alice: Any, acme: Organisation, plan: Plan
) -> None:
    ReminderSettings.objects.create(organisation=acme, filing_lead_days="10", late_filing_daily=False)
    make_convention()
    assert plan(THIRTY_DAYS_BEFORE).created == 0
    assert plan(dt.date(2026, 12, 22)).created == 1
    assert plan(dt.date(2027, 1, 5)).created == 0


@pytest.mark.django_db
def test_the_intern_is_told_about_their_passport_when_the_host_asks(
    make_convention: Any, alice: Any, acme: Organisation, plan: Plan
) -> None:
    intern = InternFactory(
        organisation=acme, notify_intern=True, language="en", passport_expires_on=dt.date(2027, 6, 1)
    )
    make_convention(intern=intern)
    plan(dt.date(2027, 4, 2))  # 60 days before the passport expires, within the stage
    rows = {row.recipient_email for row in Notification.objects.filter(kind=ReminderKind.PASSPORT_EXPIRY)}
    assert rows == {alice.email, intern.email}
    assert Notification.objects.get(recipient_intern=intern).language == "en"
    plan(dt.date(2026, 12, 2))
    assert not Notification.objects.filter(kind=ReminderKind.FILING_DUE, recipient_intern=intern).exists()


@pytest.mark.django_db
def test_another_organisation_gets_only_its_own_reminders(
    make_convention: Any, alice: Any, claire: Any, plan: Plan
) -> None:
    make_convention()
    plan(THIRTY_DAYS_BEFORE)
    assert not Notification.objects.filter(recipient_user=claire).exists()


@pytest.mark.django_db
def test_planning_costs_the_same_queries_for_1_or_20_files(
    make_convention: Any, alice: Any, acme: Organisation, live_on: Any
) -> None:
    MembershipFactory(user=UserFactory(username="dora"), organisation=acme, role=Membership.Role.EDITOR)
    make_convention()
    live_on(THIRTY_DAYS_BEFORE)
    with CaptureQueriesContext(connection) as one:
        assert reminders_plan(enqueue=False).created == 2
    for _ in range(20):
        make_convention(intern=InternFactory(organisation=acme))
    with CaptureQueriesContext(connection) as many:
        assert reminders_plan(enqueue=False).created == 40
    assert len(many.captured_queries) == len(one.captured_queries)


@pytest.mark.django_db
def test_command_plans_for_the_day_given(make_convention: Any, alice: Any) -> None:
    make_convention()
    out = StringIO()
    call_command("plan_reminders", "--today", "2026-12-02", stdout=out)
    call_command("plan_reminders", "--today", "2026-12-02", stdout=out)
    text = out.getvalue()
    assert (
        "filing_due: 1" in text
        and "1 reminder(s) due, 1 new email(s) in the outbox" in text
        and "1 reminder(s) due, 0 new email(s) in the outbox" in text
    )
    assert Notification.objects.count() == 1


@pytest.mark.django_db
def test_command_refuses_a_bad_date() -> None:
    with pytest.raises(CommandError, match="--today: '2026-13-01' is not a date"):
        call_command("plan_reminders", "--today", "2026-13-01")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("utc_instant", "paris_day"),
    [
        # 00:30 in Paris on the spring-forward day is still 27 March in UTC.
        pytest.param(dt.datetime(2027, 3, 27, 23, 30, tzinfo=dt.UTC), dt.date(2027, 3, 28), id="spring-dst"),
        # 00:30 in Paris (CEST) on the fall-back day is 22:30 UTC the day before.
        pytest.param(
            dt.datetime(2026, 10, 24, 22, 30, tzinfo=dt.UTC), dt.date(2026, 10, 25), id="autumn-dst"
        ),
    ],
)
def test_planning_uses_the_paris_day_across_dst(
    make_convention: Any, alice: Any, utc_instant: dt.datetime, paris_day: dt.date
) -> None:
    # A start date whose filing deadline is the day after the Paris day: the 1-day reminder is due.
    start = paris_day + dt.timedelta(days=1)
    make_convention(
        start_date=start.replace(month=start.month + 2), end_date=start.replace(year=start.year + 1)
    )
    with time_machine.travel(utc_instant, tick=False):
        report = reminders_plan(enqueue=False)
    assert report.today == paris_day == utc_instant.astimezone(PARIS).date()
    row = Notification.objects.get()
    assert (row.due_on, row.days_left, row.deadline) == (paris_day, 1, start)
