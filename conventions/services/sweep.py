"""The deadline sweep: implicit decisions, set-based, idempotent, safe when two run at once.

An implicit decision exists from the day after the silence deadline (RULES §2; CRPA L231-4, CESEDA
R426-20, R426-21, R426-17): the sweep moves every file with `today > silence_deadline`. Each kind of file
costs a fixed number of queries whatever the number of rows: one UPDATE ... RETURNING of the rows that a
SELECT ... FOR UPDATE SKIP LOCKED inside it chose (the UPDATE re-checks the state); the files_swept
receiver writes their event emails set-based (notifications.services.events). The audit rows of the
whole sweep (implicit decisions and the extensions they cause) are chained and written at the end in
three queries (hostportal.audit.SealingInBackground: lock the chain heads, one COPY of the rows a
thread sealed while the event emails were written, one UPDATE of the heads): after the sweep's last row
lock, so it never waits on a file while holding a chain head that the file's writer needs. A second sweep
running at the same time skips the rows the first one holds and finds them moved once it commits: nothing
is moved or logged twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone

from conventions.models import (
    Avenant,
    AvenantState,
    Channel,
    Convention,
    ConventionState,
    PermitState,
    ResidencePermitApplication,
    TransitionLog,
)
from conventions.models.audit import transition_content
from conventions.rules import Category
from conventions.services.avenants import SWEEP_ACTOR_LABEL, extend_conventions_for_avenants
from conventions.services.common import local_today
from conventions.services.permits import permits_open_for_avenants
from conventions.signals import files_swept
from hostportal.audit import SealingInBackground
from hostportal.bulk import quote, whole_results

SWEEP_COMMENT = "Implicit decision: no answer by the silence deadline {deadline}."


@dataclass
class SweepReport:
    today: dt.date
    conventions_refused: list[int] = field(default_factory=list)
    avenants_accepted: list[int] = field(default_factory=list)
    permits_refused: list[int] = field(default_factory=list)

    @property
    def moved(self) -> int:
        return len(self.conventions_refused) + len(self.avenants_accepted) + len(self.permits_refused)


def sweep_deadlines(*, today: dt.date | None = None, now: dt.datetime | None = None) -> SweepReport:
    """Move every file whose silence deadline is over to its implicit decision; return what moved.

    Conventions -> refused_by_silence; avenants -> accepted_by_silence (the convention's end date in force
    moves and the carte de séjour application opens); carte de séjour applications -> refused_by_silence.
    Running it again the same day changes nothing. Every move and extension is audited and chained.
    """
    now = now or timezone.now()
    report = SweepReport(today=today or local_today(now))
    with transaction.atomic():
        whole_results()  # the event emails stream the moved files (notifications.services.events)
        conventions = _move(
            Convention, ConventionState.SUBMITTED, ConventionState.REFUSED_BY_SILENCE, report.today, now
        )
        avenants = _move(
            Avenant,
            AvenantState.SUBMITTED,
            AvenantState.ACCEPTED_BY_SILENCE,
            report.today,
            now,
            # CESEDA R426-21 gives the avenant procedure, and its acceptance by silence, only to the stages
            # of R426-16 2° and 3°: a company stage's avenant needs an explicit answer. The engine already
            # leaves its silence_deadline empty; this keeps a stale stored deadline from ever moving one.
            excluding=Q(convention__category=Category.ENTREPRISE.value),
        )
        report.avenants_accepted = [pk for pk, _, _ in avenants]
        extensions: list[TransitionLog] = []
        if report.avenants_accepted:
            extensions = extend_conventions_for_avenants(report.avenants_accepted, now=now)
            permits_open_for_avenants(report.avenants_accepted)
        permits = _move(
            ResidencePermitApplication, PermitState.FILED, PermitState.REFUSED_BY_SILENCE, report.today, now
        )
        report.conventions_refused = [pk for pk, _, _ in conventions]
        report.permits_refused = [pk for pk, _, _ in permits]
        # The audit rows after the sweep's last row lock (see the module docstring): the chain heads are
        # locked now, and a thread seals the rows while the receivers write the event emails.
        sealing = SealingInBackground(
            TransitionLog,
            {org for _, org, _ in conventions + avenants + permits},
            chain(
                _logs(Convention, conventions, ConventionState.SUBMITTED, "refuse_by_silence", now),
                _logs(Avenant, avenants, AvenantState.SUBMITTED, "accept_by_silence", now),
                extensions,
                _logs(ResidencePermitApplication, permits, PermitState.FILED, "refuse_by_silence", now),
            ),
        )
        try:
            for model, moved, source, target in (
                (Convention, conventions, ConventionState.SUBMITTED, ConventionState.REFUSED_BY_SILENCE),
                (Avenant, avenants, AvenantState.SUBMITTED, AvenantState.ACCEPTED_BY_SILENCE),
                (ResidencePermitApplication, permits, PermitState.FILED, PermitState.REFUSED_BY_SILENCE),
            ):
                if moved:
                    files_swept.send(
                        sender=model, ids=[pk for pk, _, _ in moved], transition=TRANSITIONS[model],
                        source=source, target=target, today=report.today,
                    )  # fmt: skip
        finally:
            sealing.join()
        sealing.write()
    return report


Moved = list[tuple[int, int, dt.date]]  # (pk, organisation, silence deadline) of each moved file


def _move(
    model: type[models.Model],
    source: str,
    target: str,
    today: dt.date,
    now: dt.datetime,
    excluding: Q | None = None,
) -> Moved:
    """One UPDATE ... RETURNING of the due rows not locked by another transaction, in id order.

    The rows are chosen by a SELECT ... FOR UPDATE SKIP LOCKED inside the UPDATE (of the swept table only,
    not of a table joined by `excluding`); the UPDATE re-checks the state. SQLite (`make run`) has no row
    locks and a single writer: the same statement without the locking clause.
    """
    manager: Any = model._default_manager
    due = manager.select_for_update(skip_locked=True, of=("self",)).filter(
        state=source, silence_deadline__lt=today
    )
    if excluding is not None:
        due = due.exclude(excluding)
    chosen, params = due.values("pk").query.sql_with_params()
    next_day = (
        "silence_deadline + 1" if connection.vendor == "postgresql" else "date(silence_deadline, '+1 day')"
    )
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET state = %s, decision_on = {next_day}, "  # noqa: S608
        f"version = version + 1, updated_at = %s WHERE id IN ({chosen}) AND state = %s "
        "RETURNING id, organisation_id, silence_deadline"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [target, now, *params, source])
        return sorted((pk, org, _date(deadline)) for pk, org, deadline in cursor.fetchall())


TRANSITIONS: dict[type[models.Model], str] = {
    Convention: "refuse_by_silence",
    Avenant: "accept_by_silence",
    ResidencePermitApplication: "refuse_by_silence",
}


def _date(value: dt.date | str) -> dt.date:
    """A DATE column as a raw cursor gives it: a date on PostgreSQL, ISO text on SQLite."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


@dataclass(slots=True)
class SweptLog:
    """A TransitionLog row of the sweep, without the model instance (100,000 of them at once): the
    attributes hostportal.audit.SealingInBackground seals and copies."""

    organisation_id: int
    content_type_id: int
    object_id: int
    transition: str
    source_state: str
    target_state: str
    comment: str
    created_at: dt.datetime
    actor_id: int | None = None
    actor_label: str = SWEEP_ACTOR_LABEL
    channel: str = Channel.SWEEP.value
    changes: dict[str, Any] = field(default_factory=dict)
    actor_ref: int | None = None
    sequence: int = 0
    previous_hash: str = ""
    entry_hash: str = ""

    def audit_content(self) -> dict[str, Any]:
        return transition_content(self)


def _logs(
    model: type[models.Model], moved: Moved, source: str, transition: str, now: dt.datetime
) -> Iterator[SweptLog]:
    """The audit rows of one kind of implicit decision, made one at a time as they are written (the
    content type is read now: nothing may query once the COPY of the rows has begun)."""
    content_type = ContentType.objects.get_for_model(model).pk
    target = {"refuse_by_silence": "refused_by_silence", "accept_by_silence": "accepted_by_silence"}[
        transition
    ]
    return (
        SweptLog(
            organisation_id=org,
            content_type_id=content_type,
            object_id=pk,
            transition=transition,
            source_state=source,
            target_state=target,
            comment=SWEEP_COMMENT.format(deadline=deadline.isoformat()),
            created_at=now,
        )
        for pk, org, deadline in moved
    )
