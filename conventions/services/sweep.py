"""The deadline sweep: implicit decisions, set-based, idempotent, safe when two run at once.

An implicit decision exists from the day after the silence deadline (RULES §2; CRPA L231-4, CESEDA
R426-20, R426-21, R426-17): the sweep moves every file with `today > silence_deadline`. Each kind of file
costs a fixed number of queries whatever the number of rows: one SELECT ... FOR UPDATE SKIP LOCKED and one
UPDATE that re-checks the state. The audit rows of the whole sweep (implicit decisions and the extensions
they cause) are chained and written at the end in three queries (hostportal.audit.write_sealed: lock the
chain heads, one INSERT, one UPDATE of the heads): after the sweep's last row lock, so it never waits on a
file while holding a chain head that the file's writer needs. A second sweep running at the same time
skips the rows the first one holds and finds them moved once it commits: nothing is moved or logged twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import ExpressionWrapper, F, Q
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
from conventions.rules import Category
from conventions.services.avenants import SWEEP_ACTOR_LABEL, extend_conventions_for_avenants
from conventions.services.common import local_today
from conventions.services.permits import permits_open_for_avenants
from conventions.signals import files_swept
from hostportal.audit import write_sealed

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
    logs: list[TransitionLog] = []
    with transaction.atomic():
        report.conventions_refused = _move(
            logs,
            Convention,
            ConventionState.SUBMITTED,
            ConventionState.REFUSED_BY_SILENCE,
            "refuse_by_silence",
            report.today,
            now,
        )
        report.avenants_accepted = _move(
            logs,
            Avenant,
            AvenantState.SUBMITTED,
            AvenantState.ACCEPTED_BY_SILENCE,
            "accept_by_silence",
            report.today,
            now,
            # CESEDA R426-21 gives the avenant procedure, and its acceptance by silence, only to the stages
            # of R426-16 2° and 3°: a company stage's avenant needs an explicit answer. The engine already
            # leaves its silence_deadline empty; this keeps a stale stored deadline from ever moving one.
            excluding=Q(convention__category=Category.ENTREPRISE.value),
        )
        if report.avenants_accepted:
            logs += extend_conventions_for_avenants(report.avenants_accepted, now=now)
            permits_open_for_avenants(report.avenants_accepted)
        report.permits_refused = _move(
            logs,
            ResidencePermitApplication,
            PermitState.FILED,
            PermitState.REFUSED_BY_SILENCE,
            "refuse_by_silence",
            report.today,
            now,
        )
        write_sealed(TransitionLog, logs)
    return report


def _move(
    logs: list[TransitionLog],
    model: type[models.Model],
    source: str,
    target: str,
    transition: str,
    today: dt.date,
    now: dt.datetime,
    excluding: Q | None = None,
) -> list[int]:
    manager: Any = model._default_manager
    # of=("self",): lock the swept rows only, not the rows of a table joined by `excluding`.
    due = manager.select_for_update(skip_locked=True, of=("self",)).filter(
        state=source, silence_deadline__lt=today
    )
    if excluding is not None:
        due = due.exclude(excluding)
    rows = list(due.order_by("pk").values_list("pk", "organisation_id", "silence_deadline"))
    if not rows:
        return []
    ids = [pk for pk, _, _ in rows]
    manager.filter(pk__in=ids, state=source).update(
        state=target,
        decision_on=ExpressionWrapper(
            F("silence_deadline") + dt.timedelta(days=1), output_field=models.DateField()
        ),
        version=F("version") + 1,
        updated_at=now,
    )
    logs += _logs(model, rows, source, target, transition, now)
    files_swept.send(sender=model, ids=ids, transition=transition, source=source, target=target, today=today)
    return ids


def _logs(
    model: type[models.Model],
    rows: list[tuple[int, int, dt.date]],
    source: str,
    target: str,
    transition: str,
    now: dt.datetime,
) -> list[TransitionLog]:
    """The audit rows of one batch of implicit decisions, to be written by write_sealed."""
    content_type = ContentType.objects.get_for_model(model)
    return [
        TransitionLog(
            organisation_id=org,
            content_type=content_type,
            object_id=pk,
            transition=transition,
            source_state=source,
            target_state=target,
            actor=None,
            actor_label=SWEEP_ACTOR_LABEL,
            channel=Channel.SWEEP,
            comment=SWEEP_COMMENT.format(deadline=deadline.isoformat()),
            created_at=now,
        )
        for pk, org, deadline in rows
    ]
