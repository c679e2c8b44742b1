"""Write path of the long-stay visa step (VLS-TS "stagiaire"): applied, issued or refused, arrival, OFII.

The step opens when the convention is validated (convention_record_decision). The visa's expiry dates the
carte de séjour filing window (CESEDA R431-5), so issuing it, or correcting its validity, moves the window
of the convention's applications still to file.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from conventions.models import Channel, Convention, VisaApplication, VisaState
from conventions.rules import vls_ts_validation_deadline
from conventions.services.common import pk_of as _pk
from conventions.services.common import run_event, run_transition
from conventions.services.permits import permits_set_filing_window
from conventions.services.validation import (
    require_after,
    require_not_after,
    require_not_before,
    require_not_future,
)

DECISIONS = {"issued": ("issue", VisaState.ISSUED), "refused": ("refuse", VisaState.REFUSED)}


def visa_open(*, convention: Convention, actor: Any = None) -> VisaApplication:
    """Open the visa step of a validated convention (state to_apply); opening it twice returns the first."""
    visa = VisaApplication.objects.filter(convention=convention).first()
    if visa is None:
        visa = VisaApplication(organisation_id=convention.organisation_id, convention=convention)
        visa._history_user = actor  # type: ignore[attr-defined]
        visa.save()
    return visa


def visa_apply(
    *,
    actor: Any,
    visa: VisaApplication | int,
    applied_on: dt.date,
    consulate: str = "",
    channel: str = Channel.WEB,
    comment: str = "",
    now: dt.datetime | None = None,
) -> VisaApplication:
    """The intern applied at the consulate on `applied_on` (ValidationError on "applied_on" if future)."""

    def prepare(instance: VisaApplication, today: dt.date) -> None:
        require_not_future("applied_on", applied_on, today)
        instance.applied_on, instance.consulate = applied_on, consulate or instance.consulate

    return run_transition(
        VisaApplication,
        _pk(visa),
        name="apply",
        target=VisaState.APPLIED,
        actor=actor,
        channel=channel,
        comment=comment,
        now=now,
        prepare=prepare,
    )


def _set_validity(instance: VisaApplication, valid_from: dt.date | None, expires_on: dt.date | None) -> None:
    if expires_on is None:
        raise ValidationError(
            {"expires_on": _("An issued visa needs its expiry date (it dates the carte de séjour).")}
        )
    if valid_from is not None:
        require_after("expires_on", expires_on, "valid_from", valid_from)
    if instance.arrived_on is not None:
        require_not_before("expires_on", expires_on, "arrived_on", instance.arrived_on)
    instance.valid_from, instance.expires_on = valid_from, expires_on


def _move_filing_window(instance: VisaApplication, today: dt.date) -> None:
    if instance.state == VisaState.ISSUED:
        permits_set_filing_window(convention_id=instance.convention_id, expires_on=instance.expires_on)


def visa_record_decision(
    *,
    actor: Any,
    visa: VisaApplication | int,
    decision: str,
    decided_on: dt.date,
    reference: str = "",
    valid_from: dt.date | None = None,
    expires_on: dt.date | None = None,
    channel: str = Channel.WEB,
    comment: str = "",
    now: dt.datetime | None = None,
) -> VisaApplication:
    """Record the consulate's answer: "issued" (with `expires_on`, after `valid_from`) or "refused".

    Issuing sets the filing window of the convention's carte de séjour applications still to file.
    ValidationError on "decision", "decision_on" (future, before applied_on) or "expires_on".
    """
    if decision not in DECISIONS:
        raise ValidationError({"decision": f"{decision!r} is not a decision: use 'issued' or 'refused'."})
    name, target = DECISIONS[decision]

    def prepare(instance: VisaApplication, today: dt.date) -> None:
        require_not_future("decision_on", decided_on, today)
        require_not_before("decision_on", decided_on, "applied_on", instance.applied_on)
        instance.decision_on, instance.decision_reference = decided_on, reference
        if target == VisaState.ISSUED:
            _set_validity(instance, valid_from, expires_on)

    return run_transition(
        VisaApplication,
        _pk(visa),
        name=name,
        target=target,
        actor=actor,
        channel=channel,
        comment=comment,
        now=now,
        prepare=prepare,
        after=_move_filing_window,
    )


def visa_set_validity(
    *,
    actor: Any,
    visa: VisaApplication | int,
    expires_on: dt.date,
    valid_from: dt.date | None = None,
    channel: str = Channel.WEB,
    comment: str = "",
    now: dt.datetime | None = None,
) -> VisaApplication:
    """Correct an issued visa's validity; the filing window of the applications still to file follows.

    ValidationError on "expires_on" (not after valid_from, before the arrival). Audited as "set_validity".
    """
    return run_event(
        VisaApplication,
        _pk(visa),
        name="set_validity",
        states=(VisaState.ISSUED,),
        apply=lambda instance, today: _set_validity(instance, valid_from, expires_on),
        after=_move_filing_window,
        actor=actor,
        channel=channel,
        comment=comment,
        now=now,
    )


def visa_record_arrival(
    *,
    actor: Any,
    visa: VisaApplication | int,
    arrived_on: dt.date,
    channel: str = Channel.WEB,
    comment: str = "",
    now: dt.datetime | None = None,
) -> VisaApplication:
    """The intern entered France with the issued visa: the OFII validation is due 3 months later (R431-16).

    ValidationError on "arrived_on" when it is in the future, outside the visa's validity or after the
    recorded OFII validation; TransitionError unless the visa is issued. Audited as "record_arrival".
    """

    def apply(instance: VisaApplication, today: dt.date) -> None:
        require_not_future("arrived_on", arrived_on, today)
        require_not_before("arrived_on", arrived_on, "valid_from", instance.valid_from)
        require_not_after("arrived_on", arrived_on, "expires_on", instance.expires_on)
        require_not_after("arrived_on", arrived_on, "ofii_validated_on", instance.ofii_validated_on)
        instance.arrived_on = arrived_on
        instance.ofii_validation_deadline = vls_ts_validation_deadline(arrived_on=arrived_on).value

    return run_event(
        VisaApplication,
        _pk(visa),
        name="record_arrival",
        states=(VisaState.ISSUED,),
        apply=apply,
        actor=actor,
        channel=channel,
        comment=comment,
        now=now,
    )


def visa_record_ofii_validation(
    *,
    actor: Any,
    visa: VisaApplication | int,
    validated_on: dt.date,
    channel: str = Channel.WEB,
    comment: str = "",
    now: dt.datetime | None = None,
) -> VisaApplication:
    """The intern validated the visa online with the OFII (R431-16); a late validation is recorded too.

    ValidationError on "ofii_validated_on" before the arrival is recorded, before it, or in the future;
    TransitionError unless the visa is issued. Audited as "record_ofii_validation".
    """

    def apply(instance: VisaApplication, today: dt.date) -> None:
        if instance.arrived_on is None:
            raise ValidationError(
                {"ofii_validated_on": _("Record the intern's arrival first: the OFII validation follows it.")}
            )
        require_not_future("ofii_validated_on", validated_on, today)
        require_not_before("ofii_validated_on", validated_on, "arrived_on", instance.arrived_on)
        instance.ofii_validated_on = validated_on

    return run_event(
        VisaApplication,
        _pk(visa),
        name="record_ofii_validation",
        states=(VisaState.ISSUED,),
        apply=apply,
        actor=actor,
        channel=channel,
        comment=comment,
        now=now,
    )
