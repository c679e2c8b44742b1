"""Write path of conventions: create, edit, and every transition of their state machine."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from conventions.models import Channel, Convention, ConventionState, DocumentItem, DocumentStep, Intern
from conventions.rules.documents import VLS_TS_DOCUMENTS
from conventions.services.common import (
    check_version,
    describe,
    local_today,
    log_transition,
    require_writer,
    run_transition,
    state_label,
)
from conventions.services.common import (
    pk_of as _pk,
)
from conventions.services.evaluation import apply_result, convention_evaluate
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
from conventions.services.validation import field_label, require_supported_date
from conventions.services.visas import visa_open
from hostportal.models import Organisation

# In the order a form shows them.
EDITABLE_FIELD_ORDER = (
    "category", "programme", "same_group", "sending_establishment", "tutor_name", "tutor_email",
    "start_date", "end_date", "weekly_hours", "hourly_gratification_eur", "monthly_resources_eur",
)  # fmt: skip
EDITABLE_FIELDS = frozenset(EDITABLE_FIELD_ORDER)
# Once filed, the administration examines these values: changing them means withdrawing and filing again.
RULE_INPUT_FIELDS = frozenset(
    {
        "category",
        "programme",
        "same_group",
        "start_date",
        "end_date",
        "hourly_gratification_eur",
        "monthly_resources_eur",
    }
)
# The rule inputs' dates a user types: each must be in the engine's supported range.
SUPPORTED_DATE_FIELDS = (
    "start_date",
    "end_date",
    "received_on",
    "documents_requested_on",
    "documents_due_on",
    "documents_received_on",
    "acknowledged_decision_on",
)
COMPUTED_FIELDS = [
    "state",
    "version",
    "regime",
    "validation_required",
    "filing_deadline",
    "silence_deadline",
    "effective_end_date",
]


def _reject_unknown(fields: dict[str, Any]) -> None:
    unknown = sorted(set(fields) - EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            {name: f"{name} is not a field that can be set on a convention." for name in unknown}
        )


def _validate_and_compute(convention: Convention, *, today: dt.date) -> None:
    convention.full_clean(
        exclude=[*COMPUTED_FIELDS, "organisation", "intern", "created_by"], validate_unique=False
    )
    for name in SUPPORTED_DATE_FIELDS:
        require_supported_date(name, getattr(convention, name))
    apply_result(convention, convention_evaluate(convention, today=today))


def _create_checklist(convention: Convention) -> None:
    DocumentItem.objects.bulk_create(
        DocumentItem(
            organisation_id=convention.organisation_id,
            convention=convention,
            step=DocumentStep.VLS_TS,
            code=item.code,
            label=item.label_en,
        )
        for item in VLS_TS_DOCUMENTS
    )


def convention_create(
    *,
    actor: Any,
    organisation: Organisation,
    intern: Intern,
    channel: str = Channel.WEB,
    now: dt.datetime | None = None,
    **fields: Any,
) -> Convention:
    """Create a draft convention with its deadlines and its VLS-TS checklist.

    Raises PermissionDenied for a viewer or an outsider, ValidationError naming each bad field (unknown
    field, end before start, negative amount, unknown category, intern of another organisation).
    """
    require_writer(actor, organisation.pk)
    _reject_unknown(fields)
    if intern.organisation_id != organisation.pk:
        raise ValidationError(
            {"intern": _("%(intern)s belongs to another organisation.") % {"intern": intern}}
        )
    now = now or timezone.now()
    convention = Convention(organisation=organisation, intern=intern, created_by=actor, **fields)
    convention.effective_end_date = convention.end_date
    _validate_and_compute(convention, today=local_today(now))
    convention._history_user = actor  # type: ignore[attr-defined]
    with transaction.atomic():
        convention.save()
        _create_checklist(convention)
        log_transition(
            instance=convention,
            transition="create",
            source="",
            target=convention.state,
            actor=actor,
            channel=channel,
            comment="",
            now=now,
        )
    return convention


def convention_update(
    *,
    actor: Any,
    convention: Convention | int,
    expected_version: int | None,
    channel: str = Channel.WEB,
    now: dt.datetime | None = None,
    **changes: Any,
) -> Convention:
    """Edit a convention's fields and recompute its deadlines.

    `expected_version` is the version the user loaded: a different one raises ConflictError (two people
    editing at once never overwrite each other). Rule inputs are frozen once the convention is filed, and
    a final convention cannot change at all (TransitionError via ValidationError naming the field).
    """
    _reject_unknown(changes)
    pk = convention.pk if isinstance(convention, Convention) else convention
    now = now or timezone.now()
    with transaction.atomic():
        instance = Convention.objects.select_for_update().select_related("intern").get(pk=pk)
        require_writer(actor, instance.organisation_id)
        check_version(instance, expected_version)
        _check_editable(instance, changes)
        for name, value in changes.items():
            setattr(instance, name, value)
        if instance.state == ConventionState.DRAFT:
            instance.effective_end_date = instance.end_date
        _validate_and_compute(instance, today=local_today(now))
        instance.version += 1
        instance._history_user = actor  # type: ignore[attr-defined]
        instance.save()
    return instance


def _check_editable(instance: Convention, changes: dict[str, Any]) -> None:
    if instance.is_final:
        raise ValidationError(
            _("%(file)s is %(state)s: a final file cannot change.")
            % {"file": describe(instance), "state": state_label(instance)}
        )
    if instance.state == ConventionState.DRAFT:
        return
    frozen = sorted(n for n in changes if n in RULE_INPUT_FIELDS and getattr(instance, n) != changes[n])
    if frozen:
        raise ValidationError(
            {
                name: _(
                    "%(field)s cannot change once the convention is %(state)s: "
                    "withdraw it and file a new one."
                )
                % {"field": field_label(name), "state": state_label(instance)}
                for name in frozen
            }
        )


def _refresh(convention: Convention, today: dt.date) -> None:
    apply_result(convention, convention_evaluate(convention, today=today))


def convention_refresh_rules(convention: Convention, *, now: dt.datetime | None = None) -> Convention:
    """Recompute and store a convention's regime and deadlines (after its intern's data changed)."""
    _refresh(convention, local_today(now))
    convention.save(update_fields=["regime", "validation_required", "filing_deadline", "silence_deadline"])
    return convention


def convention_submit(
    *,
    actor: Any,
    convention: Convention | int,
    received_on: dt.date,
    channel: str = Channel.WEB,
    comment: str = "",
    now: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Convention:
    """File the convention: `received_on` is the day the administration received it.

    The silence deadline starts from it (CESEDA R426-20). Needs the mandatory fields and a stay that needs a
    validation; a late filing (after the filing deadline) is allowed and shown as such by the rules.
    """
    return file_submit(
        Convention,
        _pk(convention),
        received_on=received_on,
        refresh=_refresh,
        event=Event(actor, channel, comment, now),
        expected_version=expected_version,
    )


def convention_mark_not_required(
    *,
    actor: Any,
    convention: Convention | int,
    channel: str = Channel.WEB,
    comment: str = "",
    now: dt.datetime | None = None,
) -> Convention:
    """Close a draft whose stay needs no validation (EU citizen, short stay, Canadian exemption)."""
    return run_transition(
        Convention,
        _pk(convention),
        name="mark_not_required",
        target=ConventionState.NOT_REQUIRED,
        actor=actor,
        channel=channel,
        comment=comment,
        now=now,
        prepare=_refresh,
    )


def convention_request_documents(
    *,
    actor: Any,
    convention: Convention | int,
    requested_on: dt.date,
    due_on: dt.date | None = None,
    documents: Sequence[str] = (),
    channel: str = Channel.WEB,
    comment: str = "",
    now: dt.datetime | None = None,
) -> Convention:
    """The administration asked for missing documents, due on `due_on` when it set a date.

    The refusal delay is suspended from the request until the documents arrive or fall due (CRPA L114-5);
    without a due date the silence deadline is unknown until it is recorded. ValidationError on
    "documents_requested_on" (future, before the receipt) or "documents_due_on" (before the request).
    """
    return file_request_documents(
        Convention,
        _pk(convention),
        requested_on=requested_on,
        due_on=due_on,
        refresh=_refresh,
        event=Event(actor, channel, comment, now),
        documents=documents,
    )


def convention_set_documents_due(
    *,
    actor: Any,
    convention: Convention | int,
    due_on: dt.date,
    channel: str = Channel.WEB,
    comment: str = "",
    now: dt.datetime | None = None,
) -> Convention:
    """Record the date set for the requested documents (learnt after the request); moves the deadline.

    Only while the documents are awaited (TransitionError otherwise); ValidationError on "documents_due_on"
    when it is before the request. Audited as the event "set_documents_due".
    """
    return file_set_documents_due(
        Convention,
        _pk(convention),
        due_on=due_on,
        refresh=_refresh,
        event=Event(actor, channel, comment, now),
    )


def convention_record_acknowledgment(
    *,
    actor: Any,
    convention: Convention | int,
    acknowledged_on: dt.date,
    channel: str = Channel.WEB,
    comment: str = "",
    now: dt.datetime | None = None,
) -> Convention:
    """Record the implicit-decision date stated on the acknowledgment of receipt (CRPA R112-5).

    That date then dates the implicit refusal instead of the computed one. For a submitted or
    documents_requested convention (TransitionError otherwise); ValidationError on
    "acknowledged_decision_on" when it is not after received_on. Audited as "record_acknowledgment".
    """
    return file_record_acknowledgment(
        Convention,
        _pk(convention),
        acknowledged_on=acknowledged_on,
        refresh=_refresh,
        event=Event(actor, channel, comment, now),
    )


def convention_receive_documents(
    *,
    actor: Any,
    convention: Convention | int,
    received_on: dt.date,
    channel: str = Channel.WEB,
    comment: str = "",
    now: dt.datetime | None = None,
) -> Convention:
    """The requested documents reached the administration: the silence deadline moves later."""
    return file_receive_documents(
        Convention,
        _pk(convention),
        received_on=received_on,
        refresh=_refresh,
        event=Event(actor, channel, comment, now),
    )


def convention_record_decision(
    *,
    actor: Any,
    convention: Convention | int,
    decision: str,
    decided_on: dt.date,
    reference: str = "",
    channel: str = Channel.WEB,
    comment: str = "",
    now: dt.datetime | None = None,
) -> Convention:
    """Record the administration's explicit answer: decision is "validated" or "refused".

    A validation opens the long-stay visa step (VisaApplication in state to_apply).
    """

    def open_visa(instance: Convention, today: dt.date) -> None:
        if instance.state == ConventionState.VALIDATED:
            visa_open(convention=instance, actor=actor)

    return file_record_decision(
        Convention,
        _pk(convention),
        decision=decision,
        decided_on=decided_on,
        reference=reference,
        event=Event(actor, channel, comment, now),
        after=open_visa,
    )


def convention_withdraw(
    *,
    actor: Any,
    convention: Convention | int,
    channel: str = Channel.WEB,
    comment: str = "",
    now: dt.datetime | None = None,
) -> Convention:
    """The host gives the stage up; allowed from any non-final state."""
    return file_withdraw(Convention, _pk(convention), event=Event(actor, channel, comment, now))
