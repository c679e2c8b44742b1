"""The one way to change state: lock, re-check, transition, audit, publish (STYLE habit 2)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django_fsm import can_proceed

from conventions.models import Channel, TransitionLog
from conventions.services.errors import ConflictError, PermissionDenied, TransitionError
from conventions.signals import file_transitioned
from hostportal.audit import write_one
from hostportal.selectors import user_can_write

M = TypeVar("M", bound=models.Model)
SYSTEM_LABEL = "system"


def local_today(now: dt.datetime | None = None) -> dt.date:
    """The calendar date in Europe/Paris (settings.TIME_ZONE): deadlines are French calendar days."""
    return timezone.localdate(now or timezone.now())


def actor_label(actor: Any) -> str:
    if actor is None:
        return SYSTEM_LABEL
    full_name = actor.get_full_name() if hasattr(actor, "get_full_name") else ""
    return f"{full_name} ({actor.get_username()})" if full_name else actor.get_username()


def state_label(instance: Any) -> str:
    return str(instance.get_state_display())


def pk_of(value: Any) -> int:
    return int(value.pk if hasattr(value, "pk") else value)


def describe(instance: models.Model) -> str:
    return f"{instance._meta.verbose_name} #{instance.pk}"


def require_writer(actor: Any, organisation_id: int) -> None:
    """PermissionDenied unless the actor may write the organisation's files (None is the system)."""
    if actor is not None and not user_can_write(actor, organisation_id):
        raise PermissionDenied("You may not change the files of this organisation: your role is read-only.")


def check_version(instance: Any, expected_version: int | None) -> None:
    if expected_version is not None and instance.version != expected_version:
        raise ConflictError(
            f"{describe(instance)} was changed by someone else since you opened it (you edited version "
            f"{expected_version}, it is now at version {instance.version}); "
            "reload it and apply your change again."
        )


def log_transition(
    *,
    instance: Any,
    transition: str,
    source: str,
    target: str,
    actor: Any,
    channel: str,
    comment: str,
    now: dt.datetime,
    changes: dict[str, list[str]] | None = None,
) -> TransitionLog:
    """Write one audit row on `instance`, chained in its organisation's audit chain (hostportal.audit).

    Call it in the transaction of the change: the chain head stays locked until that transaction ends.
    """
    return write_one(
        TransitionLog(
            organisation_id=instance.organisation_id,
            content_type=ContentType.objects.get_for_model(type(instance)),
            object_id=instance.pk,
            transition=transition,
            source_state=source,
            target_state=target,
            actor=actor,
            actor_label=actor_label(actor),
            channel=channel,
            comment=comment,
            changes=changes or {},
            created_at=now,
        )
    )


def _check_allowed(instance: Any, name: str, actor: Any) -> None:
    method = getattr(instance, name)
    if not can_proceed(method, check_conditions=False):
        raise TransitionError(
            f"Cannot {name.replace('_', ' ')} {describe(instance)}: it is {state_label(instance)}."
        )
    meta = method._django_fsm
    if actor is not None and not meta.has_transition_perm(instance, instance.state, actor):
        raise PermissionDenied(
            f"You may not {name.replace('_', ' ')} {describe(instance)}: your role is read-only."
        )


def run_transition(
    model: type[M],
    pk: int,
    *,
    name: str,
    target: str,
    actor: Any,
    channel: str = Channel.WEB,
    comment: str = "",
    now: dt.datetime | None = None,
    expected_version: int | None = None,
    prepare: Callable[[Any, dt.date], None] | None = None,
    after: Callable[[Any, dt.date], None] | None = None,
) -> M:
    """Move one file through one transition.

    Locks the row, returns it unchanged when it is already in `target` (asking twice is a no-op), checks
    that the transition is allowed from the current state and that the actor may make it (actor None is
    the system), lets `prepare` validate and set the event's fields, checks the transition's conditions,
    transitions, bumps the version, saves, runs `after`, writes the audit row and sends
    `file_transitioned` - all in one transaction. Raises TransitionError, PermissionDenied,
    ConflictError or ValidationError; nothing is written when it raises.
    """
    now = now or timezone.now()
    today = local_today(now)
    with transaction.atomic():
        instance: Any = model._default_manager.select_for_update().get(pk=pk)
        if instance.state == target:
            return instance
        check_version(instance, expected_version)
        _check_allowed(instance, name, actor)
        if prepare is not None:
            prepare(instance, today)
        method = getattr(instance, name)
        if not can_proceed(method):
            raise TransitionError(
                f"Cannot {name.replace('_', ' ')} {describe(instance)}: {unmet(instance, name)}"
            )
        source = instance.state
        method()
        instance.version += 1
        instance._history_user = actor
        instance.save()
        if after is not None:
            after(instance, today)
        log_transition(
            instance=instance,
            transition=name,
            source=source,
            target=instance.state,
            actor=actor,
            channel=channel,
            comment=comment,
            now=now,
        )
        file_transitioned.send(
            sender=model,
            instance=instance,
            transition=name,
            source=source,
            target=instance.state,
            actor=actor,
            channel=channel,
            today=today,
        )
    return instance


def run_event(
    model: type[M],
    pk: int,
    *,
    name: str,
    states: Collection[str],
    apply: Callable[[Any, dt.date], None],
    refresh: Callable[[Any, dt.date], None] | None = None,
    after: Callable[[Any, dt.date], None] | None = None,
    actor: Any,
    channel: str = Channel.WEB,
    comment: str = "",
    now: dt.datetime | None = None,
    expected_version: int | None = None,
) -> M:
    """Record one out-of-band event on a file (a date the administration set, an arrival): no state change.

    Locks the row, checks that the actor may write the file's organisation (PermissionDenied), that the
    file is still at `expected_version` (ConflictError) and in one of `states` (TransitionError); `apply`
    validates the event and sets its fields (ValidationError naming the field), `refresh` recomputes the
    deadlines; bumps the version, saves with the acting user in the history, runs `after` and writes the
    audit row (transition `name`, source and target the current state) - all in one transaction. Nothing
    is written when it raises.
    """
    now = now or timezone.now()
    today = local_today(now)
    with transaction.atomic():
        instance: Any = model._default_manager.select_for_update().get(pk=pk)
        require_writer(actor, instance.organisation_id)
        check_version(instance, expected_version)
        if instance.state not in states:
            raise TransitionError(
                f"Cannot {name.replace('_', ' ')} on {describe(instance)}: it is {state_label(instance)}."
            )
        apply(instance, today)
        if refresh is not None:
            refresh(instance, today)
        instance.version += 1
        instance._history_user = actor
        instance.save()
        if after is not None:
            after(instance, today)
        log_transition(
            instance=instance,
            transition=name,
            source=instance.state,
            target=instance.state,
            actor=actor,
            channel=channel,
            comment=comment,
            now=now,
        )
    return instance


def unmet(instance: Any, name: str) -> str:
    """A sentence saying which condition of the transition is not met."""
    missing = instance.missing_for_submission() if hasattr(instance, "missing_for_submission") else []
    if missing:
        return "these fields are missing: " + ", ".join(missing) + "."
    if not getattr(instance, "validation_required", True):
        return (
            "the rules say this stay needs no validation (regime "
            + str(getattr(instance, "regime", ""))
            + ")."
        )
    return "the rules say this stay needs a validation by the administration."
