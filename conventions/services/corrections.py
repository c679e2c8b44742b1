"""Corrections: a recorded fact that was wrong or missing (a reference, an amount, a date), put right.

A correction never moves a file: it keeps the state, re-checks the dates against each other as the events
that recorded them did, recomputes the deadlines, and writes one audit row (transition "correct") with the
reason and each field's old and new values. It is open in every state, final ones included: a decision
recorded without its reference, or a wrong amount on a decided file, can always be completed or put right
by an editor, and the audit trail says who did it and why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from conventions.models import Avenant, Channel, Convention, ResidencePermitApplication, VisaApplication
from conventions.rules import residence_permit_silence_deadline, vls_ts_validation_deadline
from conventions.services.common import check_version, local_today, log_transition, require_writer
from conventions.services.evaluation import apply_result, avenant_evaluate, convention_evaluate
from conventions.services.validation import (
    field_label,
    require_after,
    require_not_before,
    require_not_future,
)

M = TypeVar("M", bound=models.Model)

# The dates of a request to the administration, as the filing events check them (services.filing).
REQUEST_DATES = frozenset(
    {
        "received_on",
        "documents_requested_on",
        "documents_due_on",
        "documents_received_on",
        "acknowledged_decision_on",
        "decision_on",
    }
)
CORRECTABLE: Mapping[type[models.Model], frozenset[str]] = {
    Convention: REQUEST_DATES
    | {
        "decision_reference",
        "monthly_resources_eur",
        "hourly_gratification_eur",
        "weekly_hours",
        "sending_establishment",
        "tutor_name",
        "tutor_email",
    },
    Avenant: REQUEST_DATES | {"decision_reference", "reason"},
    VisaApplication: frozenset(
        {"consulate", "applied_on", "decision_on", "decision_reference", "arrived_on", "ofii_validated_on"}
    ),
    ResidencePermitApplication: frozenset(
        {
            "prefecture",
            "filed_on",
            "complete_on",
            "decision_on",
            "decision_reference",
            "stamp_paid_on",
            "card_valid_until",
        }
    ),
}
# Days in the past: they happened, so they cannot be after today.
PAST_DATES = frozenset(
    {
        "received_on",
        "documents_requested_on",
        "documents_received_on",
        "decision_on",
        "applied_on",
        "arrived_on",
        "ofii_validated_on",
        "filed_on",
        "complete_on",
        "stamp_paid_on",
    }
)


def correctable_fields(model: type[models.Model]) -> frozenset[str]:
    return CORRECTABLE.get(model, frozenset())


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _check_request_dates(instance: Any, today: dt.date) -> None:
    """The order the filing events enforce: received, documents asked, due and received, decided."""
    for name in PAST_DATES & set(vars(instance)):
        value = getattr(instance, name, None)
        if isinstance(value, dt.date):
            require_not_future(name, value, today)
    get = instance.__dict__.get
    for name in ("documents_requested_on", "decision_on"):
        if get(name) is not None and "received_on" in vars(instance):
            require_not_before(name, get(name), "received_on", get("received_on"))
    if get("documents_due_on") is not None:
        require_not_before(
            "documents_due_on",
            get("documents_due_on"),
            "documents_requested_on",
            get("documents_requested_on"),
        )
    if get("documents_received_on") is not None:
        require_not_before(
            "documents_received_on",
            get("documents_received_on"),
            "documents_requested_on",
            get("documents_requested_on"),
        )
    if get("acknowledged_decision_on") is not None and get("received_on") is not None:
        require_after(
            "acknowledged_decision_on", get("acknowledged_decision_on"), "received_on", get("received_on")
        )
    if get("ofii_validated_on") is not None:
        require_not_before("ofii_validated_on", get("ofii_validated_on"), "arrived_on", get("arrived_on"))
    if get("complete_on") is not None:
        require_not_before("complete_on", get("complete_on"), "filed_on", get("filed_on"))


def _refresh_convention(instance: Convention, today: dt.date) -> None:
    apply_result(instance, convention_evaluate(instance, today=today))


def _refresh_avenant(instance: Avenant, today: dt.date) -> None:
    apply_result(instance, avenant_evaluate(instance, today=today))


def _refresh_visa(instance: VisaApplication, today: dt.date) -> None:
    arrived = instance.arrived_on
    instance.ofii_validation_deadline = (
        vls_ts_validation_deadline(arrived_on=arrived).value if arrived is not None else None
    )


def _refresh_permit(instance: ResidencePermitApplication, today: dt.date) -> None:
    if instance.filed_on is not None:
        deadline = residence_permit_silence_deadline(
            filed_on=instance.filed_on, complete_on=instance.complete_on
        )
        instance.silence_deadline = deadline.value


REFRESH: Mapping[type[models.Model], Callable[[Any, dt.date], None]] = {
    Convention: _refresh_convention,
    Avenant: _refresh_avenant,
    VisaApplication: _refresh_visa,
    ResidencePermitApplication: _refresh_permit,
}


def _validate(model: type[models.Model], changes: Mapping[str, Any], reason: str) -> None:
    errors: dict[str, str] = {}
    allowed = correctable_fields(model)
    for name in sorted(set(changes) - allowed):
        errors[name] = _("“%(field)s” cannot be corrected.") % {"field": field_label(name)}
    if not changes:
        errors["reason"] = _("Nothing to correct: change at least one value.")
    if not reason.strip():
        errors["reason"] = _("Say why the value is corrected: the reason is required for the audit trail.")
    if errors:
        raise ValidationError(errors)


def file_correct(
    model: type[M],
    pk: int,
    *,
    actor: Any,
    changes: Mapping[str, Any],
    reason: str,
    channel: str = Channel.WEB,
    now: dt.datetime | None = None,
    expected_version: int | None = None,
) -> M:
    """Correct recorded facts of a convention, avenant, visa or carte de séjour application.

    Keeps the state; checks that each field may be corrected, that a reason is given, that the dates stay in
    the order the events require (ValidationError naming the field), the actor's role (PermissionDenied)
    and the version the user saw (ConflictError); recomputes the deadlines; writes one audit row with the
    old and new values. A change to the same value is not a change; nothing is written when it raises.
    """
    _validate(model, changes, reason)
    now = now or timezone.now()
    today = local_today(now)
    with transaction.atomic():
        instance: Any = model._default_manager.select_for_update().get(pk=pk)
        require_writer(actor, instance.organisation_id)
        check_version(instance, expected_version)
        before = {name: getattr(instance, name) for name in changes}
        for name, value in changes.items():
            setattr(instance, name, value)
        instance.full_clean(exclude=_not_checked(instance, changes), validate_unique=False)
        diff = {n: [_as_text(before[n]), _as_text(getattr(instance, n))] for n in changes}
        diff = {name: pair for name, pair in diff.items() if pair[0] != pair[1]}
        if not diff:
            raise ValidationError({"reason": _("Nothing to correct: the values are the ones recorded.")})
        _check_request_dates(instance, today)
        REFRESH[model](instance, today)
        instance.version += 1
        instance._history_user = actor
        instance.save()
        log_transition(
            instance=instance,
            transition="correct",
            source=instance.state,
            target=instance.state,
            actor=actor,
            channel=channel,
            comment=reason.strip(),
            now=now,
            changes=diff,
        )
    return instance


def _not_checked(instance: models.Model, changes: Mapping[str, Any]) -> list[str]:
    """full_clean only the corrected fields: the others were checked when they were recorded."""
    return [f.name for f in instance._meta.fields if f.name not in changes]


def convention_correct(*, actor: Any, convention: Convention | int, **kwargs: Any) -> Convention:
    pk = convention.pk if isinstance(convention, Convention) else convention
    return file_correct(Convention, int(pk), actor=actor, **kwargs)


def avenant_correct(*, actor: Any, avenant: Avenant | int, **kwargs: Any) -> Avenant:
    pk = avenant.pk if isinstance(avenant, Avenant) else avenant
    return file_correct(Avenant, int(pk), actor=actor, **kwargs)


def visa_correct(*, actor: Any, visa: VisaApplication | int, **kwargs: Any) -> VisaApplication:
    pk = visa.pk if isinstance(visa, VisaApplication) else visa
    return file_correct(VisaApplication, int(pk), actor=actor, **kwargs)


def permit_correct(
    *, actor: Any, permit: ResidencePermitApplication | int, **kwargs: Any
) -> ResidencePermitApplication:
    pk = permit.pk if isinstance(permit, ResidencePermitApplication) else permit
    return file_correct(ResidencePermitApplication, int(pk), actor=actor, **kwargs)
