"""Write path of carte de séjour applications (after an accepted avenant) and their document lists.

Filing window: from 120 to 60 days before the long-stay visa expires (CESEDA R431-5 1°), set from the
convention's visa when the application opens and again when the visa is issued. Silence: 90 days after the
complete application mean refusal (CESEDA R426-17).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from conventions.models import (
    Avenant,
    Channel,
    DocumentItem,
    DocumentStep,
    PermitState,
    ResidencePermitApplication,
)
from conventions.rules import permit_filing_window, residence_permit_silence_deadline
from conventions.rules.documents import RESIDENCE_PERMIT_DOCUMENTS, RESIDENCE_PERMIT_STAMP_EUR
from conventions.services.common import pk_of as _pk
from conventions.services.common import run_event, run_transition
from conventions.services.validation import require_not_before, require_not_future
from hostportal.bulk import copy_new

Window = tuple[dt.date | None, dt.date | None]


def filing_window(expires_on: dt.date | None) -> Window:
    """(opens, deadline) of the carte de séjour filing, or (None, None) while the visa expiry is unknown."""
    if expires_on is None:
        return None, None
    opens, deadline = permit_filing_window(expires_on=expires_on)
    return opens.value, deadline.value


def permits_set_filing_window(*, convention_id: int, expires_on: dt.date | None) -> int:
    """Move the filing window of the convention's applications still to file (one UPDATE)."""
    opens, deadline = filing_window(expires_on)
    return ResidencePermitApplication.objects.filter(
        convention_id=convention_id, state=PermitState.TO_FILE
    ).update(filing_opens_on=opens, filing_deadline=deadline, updated_at=timezone.now())


def _application(
    avenant_id: int, convention_id: int, organisation_id: int, expires_on: dt.date | None
) -> ResidencePermitApplication:
    opens, deadline = filing_window(expires_on)
    return ResidencePermitApplication(
        avenant_id=avenant_id,
        convention_id=convention_id,
        organisation_id=organisation_id,
        stamp_amount_eur=RESIDENCE_PERMIT_STAMP_EUR,
        filing_opens_on=opens,
        filing_deadline=deadline,
    )


def permits_open_for_avenants(avenant_ids: list[int]) -> list[ResidencePermitApplication]:
    """Open the carte de séjour application and its checklist for each accepted avenant (set-based).

    The filing window comes from the convention's visa expiry, read in the same query (unknown until the
    visa is issued). Idempotent: an avenant that already has its application is skipped (the OneToOne
    keeps it unique).
    """
    avenants = list(
        Avenant.objects.filter(pk__in=avenant_ids, permit_application__isnull=True).values_list(
            "pk", "convention_id", "organisation_id", "convention__visa__expires_on"
        )
    )
    permits = ResidencePermitApplication.objects.bulk_create(_application(*row) for row in avenants)
    # The checklists (7 rows a permit: 22,000 at the sweep of 1,000,000 conventions) in one COPY.
    copy_new(
        DocumentItem,
        (
            {
                "organisation_id": permit.organisation_id,
                "convention_id": permit.convention_id,
                "permit_application_id": permit.pk,
                "step": DocumentStep.RESIDENCE_PERMIT.value,
                "code": item.code,
                "label": item.label_en,
            }
            for permit in permits
            for item in RESIDENCE_PERMIT_DOCUMENTS
        ),
        timezone.now(),
    )
    return permits


def permit_file(
    *,
    actor: Any,
    permit: ResidencePermitApplication | int,
    filed_on: dt.date,
    prefecture: str = "",
    complete_on: dt.date | None = None,
    channel: str = Channel.WEB,
    comment: str = "",
    now: dt.datetime | None = None,
) -> ResidencePermitApplication:
    """Filed at the préfecture: 90 days of silence after the complete file mean refusal (CESEDA R426-17).

    `complete_on` (the day the file was complete) defaults to the filing date for the deadline.
    ValidationError on "filed_on" (future) or "complete_on" (before filed_on, future).
    """

    def prepare(instance: ResidencePermitApplication, today: dt.date) -> None:
        require_not_future("filed_on", filed_on, today)
        if complete_on is not None:
            _check_complete(complete_on, filed_on, today)
        instance.filed_on, instance.prefecture = filed_on, prefecture or instance.prefecture
        instance.complete_on = complete_on
        _refresh_silence(instance)

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


def _check_complete(complete_on: dt.date, filed_on: dt.date | None, today: dt.date) -> None:
    require_not_future("complete_on", complete_on, today)
    require_not_before("complete_on", complete_on, "filed_on", filed_on)


def _refresh_silence(instance: ResidencePermitApplication) -> None:
    assert instance.filed_on is not None  # a filed application has its filing date
    deadline = residence_permit_silence_deadline(filed_on=instance.filed_on, complete_on=instance.complete_on)
    instance.silence_deadline = deadline.value


def permit_record_complete(
    *,
    actor: Any,
    permit: ResidencePermitApplication | int,
    complete_on: dt.date,
    channel: str = Channel.WEB,
    comment: str = "",
    now: dt.datetime | None = None,
) -> ResidencePermitApplication:
    """The filed application became complete on `complete_on`: the 90 days run from then (R426-17).

    TransitionError unless the application is filed; ValidationError on "complete_on" (before filed_on,
    future). Audited as the event "record_complete".
    """

    def apply(instance: ResidencePermitApplication, today: dt.date) -> None:
        _check_complete(complete_on, instance.filed_on, today)
        instance.complete_on = complete_on
        _refresh_silence(instance)

    return run_event(
        ResidencePermitApplication,
        _pk(permit),
        name="record_complete",
        states=(PermitState.FILED,),
        apply=apply,
        actor=actor,
        channel=channel,
        comment=comment,
        now=now,
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
