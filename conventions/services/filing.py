"""The events that conventions and avenants share: filed, documents asked and received, decided, withdrawn,
and the dates the administration sets without moving the file (documents due, acknowledged decision).

Both are requests to the same administration with the same dates (received_on, documents_requested_on,
documents_due_on, documents_received_on, acknowledged_decision_on, decision_on) and the same transition and
event names; only how their deadlines are computed differs, which the caller passes as `refresh`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import slugify

from conventions.models import Channel
from conventions.services.common import run_event, run_transition
from conventions.services.validation import require_after, require_not_before, require_not_future

M = TypeVar("M", bound=models.Model)
Refresh = Callable[[Any, dt.date], None]
Hook = Callable[[Any, dt.date], None]
DECISIONS = {"validated": ("validate", "validated"), "refused": ("refuse", "refused")}
DOCUMENTS_REQUESTED = "documents_requested"
# The acknowledgment of receipt may reach the host before or after the administration asks for documents.
ACKNOWLEDGEABLE = ("submitted", DOCUMENTS_REQUESTED)


@dataclass(frozen=True)
class Event:
    """Who records the event, through which interface, with what comment, and when (None: now)."""

    actor: Any
    channel: str = Channel.WEB
    comment: str = ""
    now: dt.datetime | None = None


def _run(model: type[M], pk: int, name: str, target: str, event: Event, **kwargs: Any) -> M:
    return run_transition(
        model,
        pk,
        name=name,
        target=target,
        actor=event.actor,
        channel=event.channel,
        comment=event.comment,
        now=event.now,
        **kwargs,
    )


def _event(model: type[M], pk: int, name: str, states: tuple[str, ...], event: Event, **kwargs: Any) -> M:
    return run_event(
        model,
        pk,
        name=name,
        states=states,
        actor=event.actor,
        channel=event.channel,
        comment=event.comment,
        now=event.now,
        **kwargs,
    )


def file_submit(
    model: type[M],
    pk: int,
    *,
    received_on: dt.date,
    refresh: Refresh,
    event: Event,
    expected_version: int | None,
) -> M:
    def prepare(instance: Any, today: dt.date) -> None:
        require_not_future("received_on", received_on, today)
        instance.received_on = received_on
        refresh(instance, today)

    return _run(model, pk, "submit", "submitted", event, expected_version=expected_version, prepare=prepare)


def _check_due(due_on: dt.date, requested_on: dt.date | None) -> None:
    require_not_before("documents_due_on", due_on, "documents_requested_on", requested_on)


def _add_requested_documents(instance: Any, documents: Sequence[str]) -> None:
    """The documents asked for become lines of the convention's checklist (to upload and tick off)."""
    from conventions.models import DocumentItem, DocumentStep  # the models import this module's callers

    convention_id = instance.pk if not hasattr(instance, "convention_id") else instance.convention_id
    taken = set(
        DocumentItem.objects.filter(
            convention_id=convention_id, step=DocumentStep.ADMINISTRATION_REQUEST
        ).values_list("code", flat=True)
    )
    rows = []
    for label in documents:
        base = (slugify(label) or "document")[:56]
        code, n = base, 1
        while code in taken:
            n += 1
            code = f"{base}-{n}"
        taken.add(code)
        rows.append(
            DocumentItem(
                organisation_id=instance.organisation_id, convention_id=convention_id,
                step=DocumentStep.ADMINISTRATION_REQUEST, code=code, label=label[:300],
            )
        )  # fmt: skip
    DocumentItem.objects.bulk_create(rows)


def file_request_documents(
    model: type[M],
    pk: int,
    *,
    requested_on: dt.date,
    due_on: dt.date | None,
    refresh: Refresh,
    event: Event,
    documents: Sequence[str] = (),
) -> M:
    """Documents asked on `requested_on`, due on `due_on` if the request says so (CRPA L114-5); the
    `documents` listed become lines of the convention's checklist, in the same transaction."""
    listed = [line.strip() for line in documents if line and line.strip()]

    def prepare(instance: Any, today: dt.date) -> None:
        require_not_future("documents_requested_on", requested_on, today)
        require_not_before("documents_requested_on", requested_on, "received_on", instance.received_on)
        if due_on is not None:
            _check_due(due_on, requested_on)
        instance.documents_requested_on, instance.documents_received_on = requested_on, None
        instance.documents_due_on = due_on
        refresh(instance, today)

    def after(instance: Any, today: dt.date) -> None:
        _add_requested_documents(instance, listed)

    return _run(model, pk, "request_documents", DOCUMENTS_REQUESTED, event, prepare=prepare, after=after)


def file_set_documents_due(model: type[M], pk: int, *, due_on: dt.date, refresh: Refresh, event: Event) -> M:
    """The date set for the documents, learnt after the request (a file waiting for its documents only).

    A date the administration sets: it may be in the future, not before the request.
    """

    def apply(instance: Any, today: dt.date) -> None:
        _check_due(due_on, instance.documents_requested_on)
        instance.documents_due_on = due_on

    return _event(model, pk, "set_documents_due", (DOCUMENTS_REQUESTED,), event, apply=apply, refresh=refresh)


def file_record_acknowledgment(
    model: type[M], pk: int, *, acknowledged_on: dt.date, refresh: Refresh, event: Event
) -> M:
    """The implicit-decision date stated on the acknowledgment of receipt (CRPA R112-5), after received_on.

    A date the administration sets: it may be in the future. Only while the file awaits its answer.
    """

    def apply(instance: Any, today: dt.date) -> None:
        require_after("acknowledged_decision_on", acknowledged_on, "received_on", instance.received_on)
        instance.acknowledged_decision_on = acknowledged_on

    return _event(model, pk, "record_acknowledgment", ACKNOWLEDGEABLE, event, apply=apply, refresh=refresh)


def file_receive_documents(
    model: type[M], pk: int, *, received_on: dt.date, refresh: Refresh, event: Event
) -> M:
    def prepare(instance: Any, today: dt.date) -> None:
        require_not_future("documents_received_on", received_on, today)
        requested = instance.documents_requested_on
        require_not_before("documents_received_on", received_on, "documents_requested_on", requested)
        instance.documents_received_on = received_on
        refresh(instance, today)

    return _run(model, pk, "receive_documents", "submitted", event, prepare=prepare)


def file_record_decision(
    model: type[M],
    pk: int,
    *,
    decision: str,
    decided_on: dt.date,
    reference: str,
    event: Event,
    after: Hook | None = None,
) -> M:
    """An explicit answer of the administration: "validated" or "refused" (ValidationError otherwise)."""
    if decision not in DECISIONS:
        raise ValidationError({"decision": f"{decision!r} is not a decision: use 'validated' or 'refused'."})
    name, target = DECISIONS[decision]

    def prepare(instance: Any, today: dt.date) -> None:
        require_not_future("decision_on", decided_on, today)
        require_not_before("decision_on", decided_on, "received_on", instance.received_on)
        instance.decision_on, instance.decision_reference = decided_on, reference

    return _run(model, pk, name, target, event, prepare=prepare, after=after)


def file_withdraw(model: type[M], pk: int, *, event: Event) -> M:
    return _run(model, pk, "withdraw", "withdrawn", event)
