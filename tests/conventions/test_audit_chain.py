"""The audit chain (hostportal.audit): one gapless, hash-linked chain per organisation over both tables."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from conventions import services
from conventions.models import Avenant, Convention, TransitionLog
from conventions.services.common import log_transition
from hostportal import services as host_services
from hostportal.audit import GENESIS_HASH, Head, link_of, verify_chain
from hostportal.models import AuditChain, AuditEntry, Membership, Organisation
from tests.conftest import NOW
from tests.factories import InternFactory


def chain_of(organisation: Organisation) -> list[Any]:
    """Every audit row of the organisation, both tables, in chain order."""
    rows = list(TransitionLog.objects.filter(organisation=organisation)) + list(
        AuditEntry.objects.filter(organisation=organisation)
    )
    return sorted(rows, key=lambda row: row.sequence)


def problems(organisation: Organisation) -> list[str]:
    links = [
        link_of("transition_log" if isinstance(r, TransitionLog) else "audit_entry", r)
        for r in chain_of(organisation)
    ]
    chain = AuditChain.objects.filter(organisation=organisation).first()
    head = Head(chain.last_sequence, chain.last_hash) if chain else None
    return [finding.problem for finding in verify_chain(organisation.pk, links, head)]


def assert_intact(organisation: Organisation) -> list[Any]:
    rows = chain_of(organisation)
    assert [row.sequence for row in rows] == list(range(1, len(rows) + 1))
    previous = GENESIS_HASH
    for row in rows:
        assert row.previous_hash == previous
        previous = row.entry_hash
    head = AuditChain.objects.get(organisation=organisation)
    assert (head.last_sequence, head.last_hash) == (len(rows), previous)
    assert problems(organisation) == []
    return rows


@pytest.mark.django_db
def test_the_chain_of_a_normal_life_verifies(
    submitted_convention: Convention, alice: Any, bob: Any, acme: Organisation
) -> None:
    services.convention_correct(
        actor=alice, convention=submitted_convention, changes={"tutor_name": "Mme Durand"}, reason="Typo",
        now=NOW,
    )  # fmt: skip
    services.sweep_deadlines(today=dt.date(2026, 12, 10))
    host_services.membership_set_role(actor=alice, membership=Membership.objects.get(user=bob), role="editor")
    rows = assert_intact(acme)
    kinds = [getattr(row, "transition", getattr(row, "action", "")) for row in rows]
    assert kinds == ["create", "submit", "correct", "refuse_by_silence", "role_changed"]
    assert rows[-1].changes == {"role": ["viewer", "editor"]}


@pytest.mark.django_db
def test_each_organisation_has_its_own_chain(
    submitted_convention: Convention, claire: Any, chu: Organisation
) -> None:
    host_services.reminder_settings_update(actor=claire, organisation=chu, values={"filing_lead_days": "10"})
    assert [row.sequence for row in assert_intact(chu)] == [1]
    assert AuditChain.objects.get(organisation=submitted_convention.organisation).last_sequence == 2


@pytest.mark.django_db
def test_audit_rows_cannot_be_edited_or_deleted_from_the_orm(
    submitted_convention: Convention, alice: Any
) -> None:
    log = TransitionLog.objects.filter(object_id=submitted_convention.pk).first()
    assert log is not None
    log.comment = "rewritten"
    with pytest.raises(ValueError, match="never edited"):
        log.save()
    with pytest.raises(ValueError, match="never deleted"):
        log.delete()
    entry = AuditEntry.record(
        organisation_id=submitted_convention.organisation_id,
        actor=alice,
        channel="web",
        action="role_changed",
    )
    with pytest.raises(ValueError, match="never edited"):
        entry.save()
    with pytest.raises(ValueError, match="never deleted"):
        entry.delete()
    with pytest.raises(ValueError):  # an unsealed row cannot be written either
        AuditEntry.objects.create(
            organisation_id=entry.organisation_id, actor_label="x", channel="web", action="x"
        )
    assert_intact(submitted_convention.organisation)


@pytest.mark.django_db
def test_deleting_a_user_keeps_the_chain_intact(
    submitted_convention: Convention, bob: Any, acme: Organisation
) -> None:
    """actor_id becomes null (SET_NULL); the hash covers actor_ref, the id as it was written."""
    AuditEntry.record(organisation_id=acme.pk, actor=bob, channel="web", action="preferences_changed")
    bob.delete()
    entry = AuditEntry.objects.get(action="preferences_changed")
    assert entry.actor_id is None and entry.actor_ref is not None
    assert_intact(acme)


@pytest.mark.django_db
def test_the_sweep_over_fifty_files_keeps_its_query_count_and_chains_every_row(
    make_convention: Any, alice: Any, acme: Organisation
) -> None:
    def submit(count: int) -> None:
        for _ in range(count):
            convention = make_convention(intern=InternFactory(organisation=acme))
            services.convention_submit(
                actor=alice, convention=convention, received_on=dt.date(2026, 11, 2), now=NOW
            )

    submit(1)
    with CaptureQueriesContext(connection) as one:
        assert len(services.sweep_deadlines(today=dt.date(2026, 12, 10)).conventions_refused) == 1
    submit(50)
    with CaptureQueriesContext(connection) as fifty:
        assert len(services.sweep_deadlines(today=dt.date(2026, 12, 10)).conventions_refused) == 50
    assert len(fifty.captured_queries) == len(one.captured_queries)
    rows = assert_intact(acme)
    swept = [row for row in rows if getattr(row, "channel", "") == "sweep"]
    assert len(swept) == 51 and all(row.entry_hash for row in swept)


@pytest.mark.django_db
def test_the_sweep_locks_each_organisations_head_in_one_query(
    make_convention: Any, alice: Any, acme: Organisation, chu: Organisation
) -> None:
    """Files of two organisations swept at once: both chains move, each stays gapless."""
    conventions = [make_convention(intern=InternFactory(organisation=acme)) for _ in range(3)]
    for convention in conventions:
        services.convention_submit(
            actor=alice, convention=convention, received_on=dt.date(2026, 11, 2), now=NOW
        )
    # One file moves to the CHU (its history stays in Acme's chain): the CHU's chain starts with its refusal.
    moved = conventions[0]
    Convention.objects.filter(pk=moved.pk).update(organisation=chu)
    with CaptureQueriesContext(connection) as queries:
        assert len(services.sweep_deadlines(today=dt.date(2026, 12, 10)).conventions_refused) == 3
    locks = [
        q for q in queries.captured_queries if "hostportal_auditchain" in q["sql"] and "INSERT" in q["sql"]
    ]
    assert len(locks) == 1
    assert problems(acme) == [] and problems(chu) == []
    assert TransitionLog.objects.get(object_id=moved.pk, transition="refuse_by_silence").sequence == 1


@pytest.mark.django_db
def test_an_explicit_avenant_validation_audits_the_extension(
    training_convention: Convention, submitted_avenant: Avenant, alice: Any
) -> None:
    services.avenant_record_decision(
        actor=alice,
        avenant=submitted_avenant,
        decision="validated",
        decided_on=dt.date(2026, 11, 22),
        now=NOW,
    )
    extend = TransitionLog.objects.get(object_id=training_convention.pk, transition="extend")
    assert extend.changes == {"effective_end_date": ["2027-08-31", "2027-11-30"]}
    assert (extend.actor, extend.channel, extend.content_type.model) == (alice, "web", "convention")
    validate = TransitionLog.objects.get(object_id=submitted_avenant.pk, transition="validate")
    assert extend.sequence == validate.sequence + 1  # the decision, then what it moved
    assert_intact(training_convention.organisation)
    # Asking again changes nothing and logs nothing.
    services.avenant_record_decision(
        actor=alice,
        avenant=submitted_avenant,
        decision="validated",
        decided_on=dt.date(2026, 11, 22),
        now=NOW,
    )
    assert TransitionLog.objects.filter(transition="extend").count() == 1


@pytest.mark.django_db
def test_an_avenant_accepted_by_silence_audits_the_extension(
    training_convention: Convention, submitted_avenant: Avenant
) -> None:
    services.sweep_deadlines(today=dt.date(2026, 12, 7))
    extend = TransitionLog.objects.get(object_id=training_convention.pk, transition="extend")
    assert extend.changes == {"effective_end_date": ["2027-08-31", "2027-11-30"]}
    assert (extend.actor, extend.channel, extend.actor_label) == (None, "sweep", "system (deadline sweep)")
    accepted = TransitionLog.objects.get(object_id=submitted_avenant.pk, transition="accept_by_silence")
    assert extend.sequence == accepted.sequence + 1
    assert_intact(training_convention.organisation)
    services.sweep_deadlines(today=dt.date(2026, 12, 8))
    assert TransitionLog.objects.filter(transition="extend").count() == 1


def _concurrently(workers: int, work: Callable[[int], None]) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(workers)

    def run(index: int) -> None:
        try:
            barrier.wait()
            work(index)
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_of_one_organisation_never_fork_the_chain(
    submitted_convention: Convention, alice: Any, acme: Organisation, chu: Organisation
) -> None:
    """PostgreSQL: eight threads, each with its own connection, write both tables at the same moment; they
    also start the CHU's chain together (its head does not exist yet)."""
    convention = Convention.objects.get(pk=submitted_convention.pk)
    user = get_user_model().objects.get(pk=alice.pk)

    def work(index: int) -> None:
        AuditEntry.record(organisation_id=chu.pk, actor=None, channel="command", action=f"first{index}")
        for step in range(5):
            with transaction.atomic():
                if (index + step) % 2:
                    AuditEntry.record(
                        organisation_id=acme.pk, actor=user, channel="web", action=f"w{index}.{step}"
                    )
                else:
                    log_transition(
                        instance=convention, transition=f"note_{index}_{step}", source="submitted",
                        target="submitted", actor=user, channel="web", comment="", now=NOW,
                    )  # fmt: skip

    assert _concurrently(8, work) == []
    rows = assert_intact(acme)
    assert len(rows) == 2 + 8 * 5
    assert len({row.sequence for row in rows}) == len(rows)
    assert len(assert_intact(chu)) == 8
