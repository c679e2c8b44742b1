"""Write path of carte de séjour applications (after an accepted avenant) and their document lists."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError

from conventions.models import (
    Avenant,
    Channel,
    DocumentItem,
    DocumentStep,
    PermitState,
    ResidencePermitApplication,
)
from conventions.rules import residence_permit_silence_deadline
from conventions.rules.documents import RESIDENCE_PERMIT_DOCUMENTS, RESIDENCE_PERMIT_STAMP_EUR
from conventions.services.common import pk_of as _pk
from conventions.services.common import run_transition
from conventions.services.validation import require_not_before, require_not_future


def permits_open_for_avenants(avenant_ids: list[int]) -> list[ResidencePermitApplication]:
    """Open the carte de séjour application and its checklist for each accepted avenant (set-based).

    Idempotent: an avenant that already has its application is skipped (the OneToOne keeps it unique).
    """
    avenants = list(
        Avenant.objects.filter(pk__in=avenant_ids, permit_application__isnull=True).values_list(
            "pk", "convention_id", "organisation_id"
        )
    )
    permits = ResidencePermitApplication.objects.bulk_create(
        ResidencePermitApplication(
            avenant_id=pk,
            convention_id=conv,
            organisation_id=org,
            stamp_amount_eur=RESIDENCE_PERMIT_STAMP_EUR,
        )
        for pk, conv, org in avenants
    )
    DocumentItem.objects.bulk_create(
        DocumentItem(
            organisation_id=permit.organisation_id,
            convention_id=permit.convention_id,
            permit_application=permit,
            step=DocumentStep.RESIDENCE_PERMIT,
            code=item.code,
            label=item.label_en,
        )
        for permit in permits
        for item in RESIDENCE_PERMIT_DOCUMENTS
    )
    return permits


def permit_file(
    *,
    actor: Any,
    permit: ResidencePermitApplication | int,
    filed_on: dt.date,
    prefecture: str = "",
    channel: str = Channel.WEB,
    comment: str = "",
    now: dt.datetime | None = None,
) -> ResidencePermitApplication:
    """Filed at the préfecture: 4 months of silence from `filed_on` mean refusal (CESEDA R432-2)."""

    def prepare(instance: ResidencePermitApplication, today: dt.date) -> None:
        require_not_future("filed_on", filed_on, today)
        instance.filed_on, instance.prefecture = filed_on, prefecture or instance.prefecture
        instance.silence_deadline = residence_permit_silence_deadline(filed_on=filed_on).value

    return run_transition(
        ResidencePermitApplication,
        _pk(permit),
        name="file",
        target=PermitState.FILED,
        actor=actor,
        channel=channel,
        comment=comment,
        now=now,
        prepare=prepare,
    )


def permit_record_decision(
    *,
    actor: Any,
    permit: ResidencePermitApplication | int,
    decision: str,
    decided_on: dt.date,
    reference: str = "",
    card_valid_until: dt.date | None = None,
    stamp_paid_on: dt.date | None = None,
    channel: str = Channel.WEB,
    comment: str = "",
    now: dt.datetime | None = None,
) -> ResidencePermitApplication:
    """Record the préfecture's answer: "granted" (the 75 EUR stamp is asked then) or "refused"."""
    targets = {"granted": ("grant", PermitState.GRANTED), "refused": ("refuse", PermitState.REFUSED)}
    if decision not in targets:
        raise ValidationError({"decision": f"{decision!r} is not a decision: use 'granted' or 'refused'."})
    name, target = targets[decision]

    def prepare(instance: ResidencePermitApplication, today: dt.date) -> None:
        require_not_future("decision_on", decided_on, today)
        require_not_before("decision_on", decided_on, "filed_on", instance.filed_on)
        instance.decision_on, instance.decision_reference = decided_on, reference
        instance.card_valid_until, instance.stamp_paid_on = card_valid_until, stamp_paid_on

    return run_transition(
        ResidencePermitApplication,
        _pk(permit),
        name=name,
        target=target,
        actor=actor,
        channel=channel,
        comment=comment,
        now=now,
        prepare=prepare,
    )
