"""Write path of avenants (extensions, CESEDA R426-21) and what an accepted one sets in motion."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from conventions.models import Avenant, Channel, Convention, ConventionState, TransitionLog
from conventions.models.avenants import AVENANT_ACCEPTED_STATES, AVENANT_OPEN_STATES
from conventions.services.common import (
    SYSTEM_LABEL,
    actor_label,
    describe,
    local_today,
    log_transition,
    state_label,
)
from conventions.services.common import pk_of as _pk
from conventions.services.conventions import require_writer
from conventions.services.evaluation import apply_result, avenant_evaluate
from conventions.services.filing import (
    Event,
    file_receive_documents,
    file_record_acknowledgment,
    file_record_decision,
    file_request_documents,
    file_set_documents_due,
    file_submit,
    file_withdraw,
)
from conventions.services.permits import permits_open_for_avenants
from conventions.services.validation import require_supported_date, shown
from hostportal.audit import write_sealed


def avenant_create(
    *,
    actor: Any,
    convention: Convention | int,
    requested_end_date: dt.date,
    reason: str = "",
    channel: str = Channel.WEB,
    now: dt.datetime | None = None,
) -> Avenant:
    """Draft an avenant that extends a validated convention to `requested_end_date`.

    Counts the convention's accepted avenants into `prior_extensions` (formation continue is extended once).
    Raises ValidationError when the convention is not validated, already has an open avenant, or when the
    new end date does not extend the end date in force.
    """
    now = now or timezone.now()
    with transaction.atomic():
        parent = Convention.objects.select_for_update().select_related("intern").get(pk=_pk(convention))
        require_writer(actor, parent.organisation_id)
        _check_can_extend(parent, requested_end_date)
        avenant = Avenant(
            organisation_id=parent.organisation_id,
            convention=parent,
            previous_end_date=parent.effective_end_date,
            requested_end_date=requested_end_date,
            reason=reason,
            created_by=actor,
            prior_extensions=parent.avenants.filter(state__in=AVENANT_ACCEPTED_STATES).count(),
        )
        apply_result(avenant, avenant_evaluate(avenant, today=local_today(now)))
        avenant._history_user = actor  # type: ignore[attr-defined]
        avenant.save()
        log_transition(
            instance=avenant,
            transition="create",
            source="",
            target=avenant.state,
            actor=actor,
            channel=channel,
            comment=reason,
            now=now,
        )
    return avenant


def _check_can_extend(parent: Convention, requested_end_date: dt.date) -> None:
    require_supported_date("requested_end_date", requested_end_date)
    if parent.state != ConventionState.VALIDATED:
        raise ValidationError(
            {
                "convention": _(
                    "%(file)s is %(state)s: only a validated convention is extended by an avenant."
                )
                % {"file": describe(parent), "state": state_label(parent)}
            }
        )
    if requested_end_date <= parent.effective_end_date:
        raise ValidationError(
            {
                "requested_end_date": _("%(date)s does not extend the end date in force %(end)s.")
                % {"date": shown(requested_end_date), "end": shown(parent.effective_end_date)}
            }
        )
    if parent.avenants.filter(state__in=AVENANT_OPEN_STATES).exists():
        raise ValidationError(
            {"convention": _("%(file)s already has an avenant in progress.") % {"file": describe(parent)}}
        )


def _refresh(avenant: Avenant, today: dt.date) -> None:
    apply_result(avenant, avenant_evaluate(avenant, today=today))


def avenant_submit(
    *,
    actor: Any,
    avenant: Avenant | int,
    received_on: dt.date,
    channel: str = Channel.WEB,
    comment: str = "",
    now: dt.datetime | None = None,
) -> Avenant:
    """File the avenant; 15 days of silence from `received_on` accept it (R426-21)."""
    return file_submit(
        Avenant,
        _pk(avenant),
        received_on=received_on,
        refresh=_refresh,
        event=Event(actor, channel, comment, now),
        expected_version=None,
    )


def avenant_request_documents(
    *,
    actor: Any,
    avenant: Avenant | int,
    requested_on: dt.date,
    due_on: dt.date | None = None,
    documents: Sequence[str] = (),
    channel: str = Channel.WEB,
    comment: str = "",
    now: dt.datetime | None = None,
) -> Avenant:
    """Missing documents asked: no silence deadline until they arrive, then 15 days again (CRPA L114-5).

    `due_on` is the date set for them, kept for the record and the reminders. ValidationError on
    "documents_requested_on" (future, before the receipt) or "documents_due_on" (before the request).
    """
    return file_request_documents(
        Avenant,
        _pk(avenant),
        requested_on=requested_on,
        due_on=due_on,
        refresh=_refresh,
        event=Event(actor, channel, comment, now),
        documents=documents,
    )


def avenant_set_documents_due(
    *,
    actor: Any,
    avenant: Avenant | int,
    due_on: dt.date,
    channel: str = Channel.WEB,
    comment: str = "",
    now: dt.datetime | None = None,
) -> Avenant:
    """Record the date set for the requested documents (learnt after the request).

    Only while the documents are awaited (TransitionError otherwise); ValidationError on "documents_due_on"
    when it is before the request. Audited as the event "set_documents_due".
    """
    return file_set_documents_due(
        Avenant, _pk(avenant), due_on=due_on, refresh=_refresh, event=Event(actor, channel, comment, now)
    )


def avenant_record_acknowledgment(
    *,
    actor: Any,
    avenant: Avenant | int,
    acknowledged_on: dt.date,
    channel: str = Channel.WEB,
    comment: str = "",
    now: dt.datetime | None = None,
) -> Avenant:
    """Record the implicit-decision date stated on the acknowledgment of receipt (CRPA R112-5).

    For a submitted or documents_requested avenant (TransitionError otherwise); ValidationError on
    "acknowledged_decision_on" when it is not after received_on. Audited as "record_acknowledgment".
    """
    return file_record_acknowledgment(
        Avenant,
        _pk(avenant),
        acknowledged_on=acknowledged_on,
        refresh=_refresh,
        event=Event(actor, channel, comment, now),
    )


def avenant_receive_documents(
    *,
    actor: Any,
    avenant: Avenant | int,
    received_on: dt.date,
    channel: str = Channel.WEB,
    comment: str = "",
    now: dt.datetime | None = None,
) -> Avenant:
    """The requested documents reached the administration: 15 days of silence start again from that day."""
    return file_receive_documents(
        Avenant,
        _pk(avenant),
        received_on=received_on,
        refresh=_refresh,
        event=Event(actor, channel, comment, now),
    )


def avenant_record_decision(
    *,
    actor: Any,
    avenant: Avenant | int,
    decision: str,
    decided_on: dt.date,
    reference: str = "",
    channel: str = Channel.WEB,
    comment: str = "",
    now: dt.datetime | None = None,
) -> Avenant:
    """Record an explicit answer ("validated" or "refused"); a validation extends the convention.

    The extension is audited on the convention ("extend", {"effective_end_date": [old, new]}) right after
    the avenant's own row, in the same transaction and chain.
    """
    now = now or timezone.now()
    extensions: list[TransitionLog] = []

    def extend_if_accepted(instance: Avenant, today: dt.date) -> None:
        if instance.is_accepted:
            extensions.extend(
                extend_conventions_for_avenants([instance.pk], actor=actor, channel=channel, now=now)
            )
            permits_open_for_avenants([instance.pk])

    with transaction.atomic():
        decided = file_record_decision(
            Avenant,
            _pk(avenant),
            decision=decision,
            decided_on=decided_on,
            reference=reference,
            event=Event(actor, channel, comment, now),
            after=extend_if_accepted,
        )
        write_sealed(TransitionLog, extensions)
    return decided


def avenant_withdraw(
    *,
    actor: Any,
    avenant: Avenant | int,
    channel: str = Channel.WEB,
    comment: str = "",
    now: dt.datetime | None = None,
) -> Avenant:
    """The host gives the extension up; allowed from any non-final state."""
    return file_withdraw(Avenant, _pk(avenant), event=Event(actor, channel, comment, now))


EXTEND_COMMENT = "Extended by avenant #{avenant}."
SWEEP_ACTOR_LABEL = f"{SYSTEM_LABEL} (deadline sweep)"


def extend_conventions_for_avenants(
    avenant_ids: list[int],
    *,
    actor: Any = None,
    channel: str = Channel.SWEEP,
    now: dt.datetime | None = None,
) -> list[TransitionLog]:
    """Move each convention's end date in force to its accepted avenant's end date; return the audit rows.

    Set-based: one SELECT that locks the conventions and reads their old dates, one UPDATE. The signed
    `end_date` is kept as it was; `effective_end_date` carries the extension. The returned TransitionLog rows
    ("extend" on each convention whose date moves, changes {"effective_end_date": [old, new]}) are not yet
    written: the caller writes them with hostportal.audit.write_sealed in the same transaction (the sweep
    writes all its rows at once, after its last lock, so it never waits on a file while holding a chain head).
    """
    now = now or timezone.now()
    accepted = list(
        Avenant.objects.select_for_update(of=("convention",))
        .select_related("convention")
        .filter(pk__in=avenant_ids)
        .order_by("convention_id")
    )
    requested = Avenant.objects.filter(pk__in=avenant_ids, convention=OuterRef("pk")).values(
        "requested_end_date"
    )
    Convention.objects.filter(avenants__pk__in=avenant_ids).update(
        effective_end_date=Subquery(requested[:1]), updated_at=now
    )
    content_type = ContentType.objects.get_for_model(Convention)
    return [
        TransitionLog(
            organisation_id=avenant.convention.organisation_id,
            content_type=content_type,
            object_id=avenant.convention_id,
            transition="extend",
            source_state=avenant.convention.state,
            target_state=avenant.convention.state,
            actor=actor,
            actor_label=actor_label(actor) if actor is not None else SWEEP_ACTOR_LABEL,
            channel=channel,
            comment=EXTEND_COMMENT.format(avenant=avenant.pk),
            changes={
                "effective_end_date": [
                    avenant.convention.effective_end_date.isoformat(),
                    avenant.requested_end_date.isoformat(),
                ]
            },
            created_at=now,
        )  # fmt: skip
        for avenant in accepted
        if avenant.convention.effective_end_date != avenant.requested_end_date
    ]
