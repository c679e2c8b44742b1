"""Faults on the real services (issue 9): what breaks, and what the product does about it.

Each test runs real processes on the test database (tests/processes.py): Celery workers and beats,
gunicorn, an SMTP server, and, where Redis is taken away, a redis-server of the test's own (the shared one
is never stopped). The clock is the real one: the files are built around today.

- Redis stopped for 60 s while users validate avenants in the portal: every request answers at once, every
  change is kept, and the emails go out exactly once when Redis is back (its queue comes back empty: the
  beat's next run finds the committed rows).
- The PostgreSQL connection dropped in the middle of the sweep (its backend terminated while it waits on
  the audit chain): the whole sweep rolls back; the command says so and exits 1, the task retries by
  itself; the rerun moves each file once, with one audit row and one email per recipient.
- SMTP refusing for a while (connections refused, then "451 try again later"): every email arrives once.
- The topology of a larger site: a worker on the `jobs` queue, another on `delivery`, one beat, and the
  same with the beat started twice: each file swept once, each email sent once.
(A worker killed with SIGKILL in the middle of a batch: tests/notifications/test_worker.py.)
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import time
from collections import Counter
from typing import Any
from unittest import mock

import psycopg
import pytest
import requests
from celery import Celery
from django.core.management import call_command
from django.db import connection

from conventions import services
from conventions.models import (
    Avenant,
    AvenantState,
    Channel,
    Convention,
    ConventionState,
    TransitionLog,
)
from conventions.services.common import local_today
from hostportal.models import Membership, Organisation
from notifications.models import Notification, NotificationStatus
from tests.factories import (
    InternFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    convention_fields,
)
from tests.processes import BASE_DIR, PrivateRedis, Processes, SmtpServer, database_url, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

OUTAGE_SECONDS = 60
PASSWORD = "Correct-horse-battery-42"  # noqa: S105 (a test user's)
SWEEP_TASK = "conventions.tasks.sweep_deadlines_task"
FOUR_MONTHS, FIVE_MONTHS = dt.timedelta(days=120), dt.timedelta(days=150)


# --- files around the real today -------------------------------------------------------------------------
def today() -> dt.date:
    return local_today()


def due_conventions(actor: Any, organisation: Organisation, count: int) -> list[Convention]:
    """Company stages filed 40 days ago: their 30-day silence deadline passed 10 days ago (R426-20)."""
    start = today() + dt.timedelta(days=150)
    made = []
    for _ in range(count):
        convention = services.convention_create(
            actor=actor, organisation=organisation, intern=InternFactory(organisation=organisation),
            channel=Channel.WEB, **convention_fields(start_date=start, end_date=start + FIVE_MONTHS),
        )  # fmt: skip
        made.append(
            services.convention_submit(
                actor=actor, convention=convention, received_on=today() - dt.timedelta(days=40)
            )
        )
    return made


def submitted_avenants(actor: Any, organisation: Organisation, count: int) -> list[Avenant]:
    """Hospital stages, validated, each with an avenant filed yesterday (silence runs 15 days: R426-21)."""
    start = today() + dt.timedelta(days=20)
    made = []
    for _ in range(count):
        convention = services.convention_create(
            actor=actor, organisation=organisation, intern=InternFactory(organisation=organisation),
            channel=Channel.WEB,
            **convention_fields(category="hopital", start_date=start, end_date=start + FOUR_MONTHS),
        )  # fmt: skip
        convention = services.convention_submit(
            actor=actor, convention=convention, received_on=today() - dt.timedelta(days=60)
        )
        convention = services.convention_record_decision(
            actor=actor,
            convention=convention,
            decision="validated",
            decided_on=today() - dt.timedelta(days=50),
        )
        avenant = services.avenant_create(
            actor=actor, convention=convention, requested_end_date=convention.end_date + dt.timedelta(days=90)
        )
        made.append(
            services.avenant_submit(actor=actor, avenant=avenant, received_on=today() - dt.timedelta(days=1))
        )
    return made


def member(organisation: Organisation, username: str, role: str = Membership.Role.MANAGER) -> Any:
    user = UserFactory(username=username, email=f"{username}@host.example")
    user.set_password(PASSWORD)
    user.save()
    MembershipFactory(user=user, organisation=organisation, role=role, language=Membership.Language.FR)
    return user


def statuses(**filters: Any) -> Counter[str]:
    return Counter(Notification.objects.filter(**filters).values_list("status", flat=True))


def once_each(rows: Any) -> Counter[str]:
    """The Message-IDs of these outbox rows, each once: what the SMTP server must have received."""
    return Counter({row.message_id: 1 for row in rows})


def send(url: str, task: str = SWEEP_TASK, queue: str = "jobs") -> None:
    """Publish a task to the private Redis, as the beat does (CELERY_BROKER_URL in the environment would
    win over the app's own setting, so it is set for the time of the call)."""
    with mock.patch.dict(os.environ, {"CELERY_BROKER_URL": url}):
        app = Celery("fault-tests", broker=url)
        app.send_task(task, queue=queue)
        app.close()


# --- Redis away for a minute -------------------------------------------------------------------------------
def portal_session(base: str, username: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, page.text[:500]
    answer = session.post(
        f"{base}/login/", data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token[1]},
        headers={"Referer": f"{base}/login/"}, timeout=10,
    )  # fmt: skip
    assert answer.status_code == 200 and "/logout/" in answer.text, answer.text[:500]
    return session


def validate_in_portal(session: requests.Session, base: str, avenant: Avenant) -> tuple[int, float]:
    """The manager records the prefecture's acceptance of an avenant, as in the portal; (status, seconds)."""
    url = f"{base}/files/avenant/{avenant.pk}/do/validate/"
    form = session.get(url, timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    assert form.status_code == 200 and token, form.text[:500]
    started = time.monotonic()
    answer = session.post(
        url, data={"csrfmiddlewaretoken": token[1], "decided_on": today().isoformat()},
        headers={"Referer": url}, allow_redirects=False, timeout=30,
    )  # fmt: skip
    return answer.status_code, time.monotonic() - started


def test_redis_stopped_for_a_minute_loses_nothing_and_the_emails_go_out_once_it_is_back(
    private_redis: PrivateRedis, smtp: SmtpServer, tmp_path: Any
) -> None:
    chu = OrganisationFactory(name="CHU de Caen", kind=Organisation.Kind.HEALTH)
    claire = member(chu, "claire")
    avenants = submitted_avenants(claire, chu, 6)
    processes = Processes(tmp_path, private_redis.url, smtp.port, {})
    try:
        processes.worker()
        processes.beat(every=2)
        base = processes.web()
        session = portal_session(base, "claire")

        # Redis up: the acceptance's email (file the carte de séjour application) arrives at once.
        assert validate_in_portal(session, base, avenants[0])[0] == 302
        first = {"object_id": avenants[0].pk, "kind": "permit_to_file"}
        assert wait_for(lambda: statuses(**first) == {NotificationStatus.SENT: 1}, 60), processes.logs()

        private_redis.stop()
        down_at = time.monotonic()
        answers: list[tuple[int, float]] = []
        pages: list[tuple[int, float]] = []
        for avenant in avenants[1:]:
            answers.append(validate_in_portal(session, base, avenant))
            while time.monotonic() - down_at < len(answers) * OUTAGE_SECONDS / len(avenants):
                started = time.monotonic()
                pages.append((session.get(f"{base}/", timeout=30).status_code, time.monotonic() - started))
                time.sleep(1)
        while time.monotonic() - down_at < OUTAGE_SECONDS:
            time.sleep(0.5)

        # During the outage: every change answered at once and was kept; nothing could be sent.
        assert [status for status, _ in answers] == [302] * 5, answers
        assert max(seconds for _, seconds in answers) < 2.0, answers
        assert {status for status, _ in pages} == {200} and max(seconds for _, seconds in pages) < 2.0, pages
        ids = [avenant.pk for avenant in avenants[1:]]
        assert set(Avenant.objects.filter(pk__in=ids).values_list("state", flat=True)) == {
            AvenantState.VALIDATED
        }
        waiting = {"object_id__in": ids, "kind": "permit_to_file"}
        assert statuses(**waiting) == {NotificationStatus.PENDING: 5}
        assert len(smtp.sink.messages) == 1

        private_redis.start()  # empty: the tasks published before the outage are gone, the rows are not
        sent = wait_for(lambda: statuses(**waiting) == {NotificationStatus.SENT: 5}, 120, every=0.5)
        assert sent, f"{statuses(**waiting)}\n{processes.logs()}"
        assert smtp.sink.message_ids() == once_each(Notification.objects.filter(kind="permit_to_file"))
        assert "Connection to broker lost" in (tmp_path / "worker.log").read_text(errors="replace")
    finally:
        processes.stop_all()


# --- PostgreSQL connection dropped during the sweep ---------------------------------------------------------
def terminate_the_sweep_when_it_waits_on(
    held_pid: int, timeout: float = 60, process: subprocess.Popen[str] | None = None
) -> int | None:
    """Wait until a backend is blocked behind the held chain head, then terminate it; return its pid."""
    found: list[int] = []

    def blocked() -> bool:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND %s = ANY("
                "pg_blocking_pids(pid))",
                [held_pid],
            )
            found.extend(row[0] for row in cursor.fetchall())
        return bool(found) or (process is not None and process.poll() is not None)

    if not wait_for(blocked, timeout, every=0.1) or not found:
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [found[0]])
    return found[0]


def hold_the_chain_head(organisation: Organisation) -> psycopg.Connection[Any]:
    """Another session locks the organisation's audit chain head: the sweep, which locks it after its
    UPDATEs and email rows, waits there, in the middle of its transaction."""
    held = psycopg.connect(database_url())
    held.execute(
        "SELECT 1 FROM hostportal_auditchain WHERE organisation_id = %s FOR UPDATE", [organisation.pk]
    )
    return held


def sweep_records() -> tuple[Counter[str], int, int]:
    states = Counter(Convention.objects.values_list("state", flat=True))
    logs = TransitionLog.objects.filter(transition="refuse_by_silence").count()
    emails = Notification.objects.filter(kind="refused_by_silence").count()
    return states, logs, emails


def test_the_database_connection_dropped_during_the_sweep_then_each_file_moves_once(
    private_redis: PrivateRedis, smtp: SmtpServer, tmp_path: Any
) -> None:
    acme = OrganisationFactory(name="Acme", kind=Organisation.Kind.COMPANY)
    alice = member(acme, "alice")
    member(acme, "dora", Membership.Role.EDITOR)
    conventions = due_conventions(alice, acme, 5)
    before = sweep_records()
    assert before == (Counter({ConventionState.SUBMITTED: 5}), 0, 0)

    # 1. The command: its connection is terminated while it waits; it says nothing was recorded, exits 1.
    held = hold_the_chain_head(acme)
    command = subprocess.Popen(
        [sys.executable, "manage.py", "sweep_deadlines"], cwd=BASE_DIR,
        env={**Processes(tmp_path, private_redis.url, None, {}).env}, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        if not terminate_the_sweep_when_it_waits_on(held.info.backend_pid, process=command):
            pytest.fail(f"the sweep never reached the audit chain: {command.communicate(timeout=30)}")
        out, err = command.communicate(timeout=30)
    finally:
        held.close()
        if command.poll() is None:
            command.kill()
    assert command.returncode == 1, (out, err)
    assert "nothing was recorded" in err and "Run it again" in err and "Traceback" not in err, err
    assert sweep_records() == before  # rolled back whole: no state, no audit row, no email

    # 2. The task, in a worker: the same drop, and it retries by itself.
    processes = Processes(tmp_path, private_redis.url, smtp.port, {})
    try:
        processes.worker()
        held = hold_the_chain_head(acme)
        try:
            send(private_redis.url)
            assert terminate_the_sweep_when_it_waits_on(held.info.backend_pid), processes.logs()
        finally:
            held.close()
        moved = wait_for(lambda: sweep_records()[0] == {ConventionState.REFUSED_BY_SILENCE: 5}, 60, every=0.2)
        assert moved, processes.logs()
        log = (tmp_path / "worker.log").read_text(errors="replace")
        assert "Retry in" in log and "terminating connection" in log, log[-3000:]
        # Each file once: one audit row, one email for each of the two members.
        assert sweep_records()[1:] == (5, 10)
        per_file = Counter(
            TransitionLog.objects.filter(transition="refuse_by_silence").values_list("object_id", flat=True)
        )
        assert per_file == Counter({convention.pk: 1 for convention in conventions})

        # 3. A rerun (the next hourly beat) changes nothing; the chain still verifies.
        send(private_redis.url)
        assert wait_for(lambda: log_count(tmp_path, "succeeded") >= 2, 30), processes.logs()
        assert sweep_records()[1:] == (5, 10)
        call_command("verify_audit")
    finally:
        processes.stop_all()


def log_count(tmp_path: Any, word: str, name: str = "worker") -> int:
    return (tmp_path / f"{name}.log").read_text(errors="replace").count(word)


# --- SMTP refusing for a while ------------------------------------------------------------------------------
def test_smtp_refusing_for_a_while_then_every_email_arrives_once(
    private_redis: PrivateRedis, smtp: SmtpServer, tmp_path: Any
) -> None:
    acme = OrganisationFactory(name="Acme", kind=Organisation.Kind.COMPANY)
    alice = member(acme, "alice")
    member(acme, "dora", Membership.Role.EDITOR)
    due_conventions(alice, acme, 3)
    smtp.stop()  # connections refused...
    processes = Processes(tmp_path, private_redis.url, smtp.port, {})
    try:
        processes.worker()
        processes.beat(every=1)
        send(private_redis.url)  # 3 refusals: 6 emails
        assert wait_for(lambda: sum(statuses(kind="refused_by_silence").values()) == 6, 60), processes.logs()
        time.sleep(4)
        assert statuses(kind="refused_by_silence")[NotificationStatus.SENT] == 0
        smtp.sink.refusing = True  # ...then "451 try again later"...
        smtp.start()
        assert wait_for(lambda: smtp.sink.refused >= 3, 60), processes.logs()
        smtp.sink.refusing = False  # ...then the server accepts again
        done = wait_for(lambda: statuses(kind="refused_by_silence") == {NotificationStatus.SENT: 6}, 90)
        assert done, f"{statuses()}\n{processes.logs()}"
        rows = Notification.objects.filter(kind="refused_by_silence")
        assert smtp.sink.message_ids() == once_each(rows)
        assert max(rows.values_list("attempts", flat=True)) > 1  # retried, within NOTIFICATIONS_MAX_ATTEMPTS
    finally:
        processes.stop_all()


# --- the topology of a larger site, with one beat and with two ----------------------------------------------
@pytest.mark.parametrize("beats", [1, 2], ids=["one-beat", "beat-started-twice"])
def test_workers_on_separate_queues_send_each_email_once(
    beats: int, private_redis: PrivateRedis, smtp: SmtpServer, tmp_path: Any
) -> None:
    acme = OrganisationFactory(name="Acme", kind=Organisation.Kind.COMPANY)
    alice = member(acme, "alice")
    member(acme, "dora", Membership.Role.EDITOR)
    swept = due_conventions(alice, acme, 4)
    start = today() + dt.timedelta(days=80)  # drafts: their filing deadline is ~3 weeks away (reminders due)
    for _ in range(3):
        services.convention_create(
            actor=alice, organisation=acme, intern=InternFactory(organisation=acme), channel=Channel.WEB,
            **convention_fields(start_date=start, end_date=start + dt.timedelta(days=150)),
        )  # fmt: skip
    processes = Processes(tmp_path, private_redis.url, smtp.port, {})
    try:
        processes.worker("jobs", queues="jobs")
        processes.worker("delivery", queues="delivery")
        for number in range(beats):
            processes.beat(f"beat{number}", every=1)

        def settled() -> bool:
            counts = statuses()
            return (
                Convention.objects.filter(state=ConventionState.REFUSED_BY_SILENCE).count() == 4
                and counts.get(NotificationStatus.SENT, 0) >= 8 + 6
                and set(counts) == {NotificationStatus.SENT}
            )

        assert wait_for(settled, 90, every=0.5), f"{statuses()}\n{processes.logs()}"
        time.sleep(5)  # the beats keep firing every second: nothing more may happen
        assert sweep_records()[1:] == (4, 8)
        per_file = Counter(
            TransitionLog.objects.filter(transition="refuse_by_silence").values_list("object_id", flat=True)
        )
        assert per_file == Counter({convention.pk: 1 for convention in swept})
        assert smtp.sink.message_ids() == once_each(Notification.objects.all())
        # Each worker ran its own queue's tasks only.
        jobs, delivery = (tmp_path / "jobs.log").read_text(), (tmp_path / "delivery.log").read_text()
        ran = {
            name: set(re.findall(r"Task ([\w.]+)\[[\w-]+\] received", log))
            for name, log in (("jobs", jobs), ("delivery", delivery))
        }
        assert ran["jobs"] >= {SWEEP_TASK, "notifications.tasks.plan_reminders_task"}, ran
        assert ran["delivery"] >= {"notifications.tasks.deliver_outbox_task"}, ran
        assert all(task.startswith("notifications.tasks.deliver_") for task in ran["delivery"]), ran
        assert not any(task.startswith("notifications.tasks.deliver_") for task in ran["jobs"]), ran
    finally:
        processes.stop_all()
