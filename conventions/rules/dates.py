"""RULES §2: filing deadlines, silence deadlines and implicit decisions.

Every period is in calendar days or calendar months, the day of the triggering event is not counted, and
there is no roll-over to the next working day for the administration's silence: CPC 642 protects the
applicant's own time limits, not the birth of an implicit decision.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from . import sources
from .base import (
    PROGRAMME_FR,
    ExplainedDate,
    Explanation,
    Programme,
    SourcedWarning,
    WarningCode,
    fr_date,
    sourced_warning,
)
from .months import add_days, add_months

CONVENTION_FILING_MONTHS = 2  # R426-20 al. 1
CONVENTION_FILING_MONTHS_PROGRAMME = 1  # R426-20 al. 3
CONVENTION_SILENCE_DAYS = 30  # R426-20 al. 2
CONVENTION_SILENCE_DAYS_PROGRAMME = 15  # R426-20 al. 3
AVENANT_FILING_DAYS = 15  # R426-21
AVENANT_SILENCE_DAYS = 15  # R426-21
RESIDENCE_PERMIT_SILENCE_DAYS = 90  # R426-17 (derogating from the 4 months of R432-2 al. 1)
VLS_TS_VALIDATION_MONTHS = 3  # R431-16: validation with the OFII within 3 months of arrival
PERMIT_FILING_OPENS_DAYS = 120  # R431-5 1°: from 120 days before the visa expires...
PERMIT_FILING_DEADLINE_DAYS = 60  # ...to 60 days before it (online procedure)


def convention_silence_days(programme: Programme | None) -> int:
    """R426-20 al. 2 and 3: 30 days, 15 days under an EU or intergovernmental programme."""
    return CONVENTION_SILENCE_DAYS if programme is None else CONVENTION_SILENCE_DAYS_PROGRAMME


# Pure functions of hashable arguments, called for every file by the daily jobs (the planning reads
# 160,000 files at 1,000,000 conventions, a few thousand distinct inputs): memoised.
@lru_cache(maxsize=8192)
def convention_filing_deadline(*, start_date: date, programme: Programme | None) -> ExplainedDate:
    """R426-20 al. 1 and 3: at least 2 months (1 month with a programme) before the start date.

    The seed only says 2 months; the decree's 1-month case is followed (RULES §2). Filing on the
    deadline day itself is on time.
    """
    if programme is None:
        months, source, why, why_fr = CONVENTION_FILING_MONTHS, sources.CONVENTION_FILING, "", ""
    else:
        months, source = CONVENTION_FILING_MONTHS_PROGRAMME, sources.CONVENTION_FILING_PROGRAMME
        why, why_fr = f" ({programme} programme)", f" ({PROGRAMME_FR[Programme(programme)]})"
    value = add_months(start_date, -months)
    rule = f"start date {start_date} minus {months} month{'s' if months > 1 else ''}{why}"
    rule_fr = f"date de début du stage {fr_date(start_date)} moins {months} mois{why_fr}"
    return ExplainedDate(value, Explanation(rule=rule, source=source, rule_fr=rule_fr))


def avenant_filing_deadline(*, end_date: date) -> ExplainedDate:
    """R426-21: at least 15 days before the end date initially planned (the convention's end date)."""
    value = add_days(end_date, -AVENANT_FILING_DAYS)
    rule = f"convention end date {end_date} minus {AVENANT_FILING_DAYS} days"
    rule_fr = f"date de fin de la convention {fr_date(end_date)} moins {AVENANT_FILING_DAYS} jours"
    return ExplainedDate(value, Explanation(rule=rule, source=sources.AVENANT_FILING, rule_fr=rule_fr))


def late_filing(*, filing_deadline: date, received_on: date | None, today: date) -> bool:
    """RULES §2: late when the filing (or, before filing, today) is after the deadline day."""
    return (received_on or today) > filing_deadline


def late_filing_explanation(*, filing_deadline: date, received_on: date | None, today: date) -> Explanation:
    late = late_filing(filing_deadline=filing_deadline, received_on=received_on, today=today)
    if received_on:
        when, when_fr = f"received on {received_on}", f"demande reçue le {fr_date(received_on)}"
        verdict_fr = "dépôt tardif" if late else "dépôt dans les délais"
    else:
        when, when_fr = (
            f"not received yet, today is {today}",
            f"demande pas encore reçue au {fr_date(today)}",
        )
        verdict_fr = "dépôt déjà en retard" if late else "encore dans les délais"
    verdict = "after" if late else "not after"
    return Explanation(
        rule=f"{when}: {verdict} the filing deadline {filing_deadline}",
        source="",
        rule_fr=f"{when_fr}, date limite de dépôt le {fr_date(filing_deadline)} : {verdict_fr}",
    )


def check_document_dates(
    received_on: date | None,
    documents_requested_on: date | None,
    documents_received_on: date | None,
    documents_due_on: date | None = None,
    acknowledged_decision_on: date | None = None,
) -> None:
    """Raise ValueError when the incomplete-file dates are out of order (CRPA L114-5 sequence, R112-5)."""
    if acknowledged_decision_on is not None and (
        received_on is None or acknowledged_decision_on <= received_on
    ):
        raise ValueError("acknowledged_decision_on must be after received_on")
    for name, value in (
        ("documents_received_on", documents_received_on),
        ("documents_due_on", documents_due_on),
    ):
        if value is not None and (documents_requested_on is None or value < documents_requested_on):
            raise ValueError(f"{name} must be on or after documents_requested_on")
    if documents_requested_on is not None and (received_on is None or documents_requested_on < received_on):
        raise ValueError("documents_requested_on must be on or after received_on")


def request_applies(*, silence_deadline: date, documents_requested_on: date | None) -> bool:
    """A request for documents only acts on a running delay: on or before the silence deadline.

    Once the deadline has passed the implicit decision exists (CRPA L231-1, L231-4) and a later request
    cannot suspend (L114-5 al. 4) or restart (L114-5 al. 3) a delay that is over.
    """
    return documents_requested_on is not None and documents_requested_on <= silence_deadline


def _not_received(source: str) -> ExplainedDate:
    rule = "not received yet: the silence delay starts on receipt of the request"
    rule_fr = "demande pas encore reçue : le délai de silence court à compter de sa réception"
    return ExplainedDate(None, Explanation(rule=rule, source=source, rule_fr=rule_fr))


def _awaiting(documents_requested_on: date, effect: str, effect_fr: str, source: str) -> ExplainedDate:
    rule = f"documents requested on {documents_requested_on} and not received yet: {effect}"
    asked = fr_date(documents_requested_on)
    rule_fr = f"pièces demandées le {asked} et pas encore reçues : {effect_fr}"
    return ExplainedDate(None, Explanation(rule=rule, source=source, rule_fr=rule_fr))


def silence_base_deadline(
    *, received_on: date, silence_days: int, acknowledged_decision_on: date | None, source: str
) -> ExplainedDate:
    """The deadline before any suspension: received_on + the delay, or the acknowledgment's date - 1 day.

    CRPA L112-3, R112-5: the acknowledgment of receipt states the date on which the request will be deemed
    decided; when the user recorded it, it wins over the computed one (the implicit decision is born on
    that date, so the last day of silence is the day before).
    """
    if acknowledged_decision_on is None:
        rule = f"received on {received_on} plus {silence_days} days"
        rule_fr = f"{silence_days} jours après la demande reçue le {fr_date(received_on)}"
        return ExplainedDate(add_days(received_on, silence_days), Explanation(rule, source, rule_fr))
    ack = acknowledged_decision_on
    rule = f"the acknowledgment of receipt states the implicit decision on {ack}: the day before"
    rule_fr = f"l’accusé de réception fixe la décision implicite au {fr_date(ack)} : la veille"
    why = Explanation(rule=rule, source=f"{source}; {sources.ACKNOWLEDGMENT}", rule_fr=rule_fr)
    return ExplainedDate(add_days(ack, -1), why)


def _suspension_end(received: date | None, due: date | None) -> tuple[date, str, str] | None:
    """CRPA L114-5 al. 4: the suspension ends on the first of the documents' receipt and the date set."""
    if received is not None and (due is None or received <= due):
        return received, f"received on {received}", f"reçues le {fr_date(received)}"
    if due is not None:
        state, state_fr = (
            ("not received yet", "pas encore reçues")
            if received is None
            else (
                f"received on {received}, after it",
                f"reçues le {fr_date(received)}, après cette date",
            )
        )
        return due, f"due by {due}, {state}", f"attendues pour le {fr_date(due)}, {state_fr}"
    return None


@lru_cache(maxsize=8192)
def convention_silence_deadline(
    *,
    received_on: date | None,
    programme: Programme | None,
    documents_requested_on: date | None = None,
    documents_received_on: date | None = None,
    documents_due_on: date | None = None,
    acknowledged_decision_on: date | None = None,
) -> ExplainedDate:
    """R426-20 al. 2 and 3: received_on + 30 days (15 with a programme); silence means refusal.

    CRPA L114-5 al. 4: when the administration asks for missing documents, the delay (whose silence means
    refusal) is suspended from the request until the documents arrive or the date it set for them passes,
    whichever comes first. Without either date the deadline cannot be known (RULES §2).
    """
    check_document_dates(
        received_on, documents_requested_on, documents_received_on, documents_due_on, acknowledged_decision_on
    )
    source = sources.CONVENTION_SILENCE if programme is None else sources.CONVENTION_SILENCE_PROGRAMME
    if received_on is None:
        return _not_received(source)
    base = silence_base_deadline(
        received_on=received_on,
        silence_days=convention_silence_days(programme),
        acknowledged_decision_on=acknowledged_decision_on,
        source=source,
    )
    assert base.value is not None  # a received request always has a base deadline
    requested = documents_requested_on
    if requested is None or not request_applies(
        silence_deadline=base.value, documents_requested_on=requested
    ):
        return base
    end = _suspension_end(documents_received_on, documents_due_on)
    if end is None:
        return _awaiting(
            requested,
            "the delay is suspended and no date was set for them (record the date the administration set)",
            "le délai est suspendu et aucune date n’est fixée pour elles (indiquer la date fixée par "
            "l’administration)",
            f"{source}; {sources.INCOMPLETE_FILE}",
        )
    day, what, what_fr = end
    suspended = (day - requested).days
    why = Explanation(
        rule=f"{base.explanation.rule}, plus {suspended} days of suspension (documents requested on "
        f"{requested}, {what})",
        source=f"{base.explanation.source}; {sources.INCOMPLETE_FILE}",
        rule_fr=f"{base.explanation.rule_fr}, délai suspendu pendant {suspended} jours (pièces demandées le "
        f"{fr_date(requested)}, {what_fr})",
    )
    return ExplainedDate(add_days(base.value, suspended), why)


def avenant_silence_deadline(
    *,
    received_on: date | None,
    documents_requested_on: date | None = None,
    documents_received_on: date | None = None,
    documents_due_on: date | None = None,
    acknowledged_decision_on: date | None = None,
) -> ExplainedDate:
    """R426-21: received_on + 15 days; silence means acceptance (formation_continue and hopital only).

    CRPA L114-5 al. 3: for a delay whose silence means acceptance, the delay only runs from the receipt of
    the requested documents, so it restarts: documents_received_on + 15 days (the date set for them
    changes nothing).
    """
    check_document_dates(
        received_on, documents_requested_on, documents_received_on, documents_due_on, acknowledged_decision_on
    )
    if received_on is None:
        return _not_received(sources.AVENANT_SILENCE)
    base = silence_base_deadline(
        received_on=received_on,
        silence_days=AVENANT_SILENCE_DAYS,
        acknowledged_decision_on=acknowledged_decision_on,
        source=sources.AVENANT_SILENCE,
    )
    assert base.value is not None  # a received request always has a base deadline
    requested = documents_requested_on
    if requested is None or not request_applies(
        silence_deadline=base.value, documents_requested_on=requested
    ):
        return base
    source = f"{sources.AVENANT_SILENCE}; {sources.INCOMPLETE_FILE}"
    if documents_received_on is None:
        return _awaiting(
            requested, "the delay restarts when they arrive", "le délai repart à leur réception", source
        )
    rule = (
        f"documents requested on {requested} received on {documents_received_on} "
        f"plus {AVENANT_SILENCE_DAYS} days (the delay restarts)"
    )
    rule_fr = (
        f"{AVENANT_SILENCE_DAYS} jours après la réception, le {fr_date(documents_received_on)}, des pièces "
        f"demandées le {fr_date(requested)} (le délai repart)"
    )
    value = add_days(documents_received_on, AVENANT_SILENCE_DAYS)
    return ExplainedDate(value, Explanation(rule=rule, source=source, rule_fr=rule_fr))


def entreprise_avenant_silence() -> Explanation:
    """RULES §2: R426-21 provides the avenant procedure only for R426-16 2° and 3°: no implicit decision."""
    return Explanation(
        rule="no implicit decision for the avenant of a company stage: CESEDA R426-21 provides the avenant "
        "procedure only for continuing training and hospital stages; obtain an explicit answer",
        source=sources.ENTREPRISE_AVENANT,
        rule_fr="pas de décision implicite pour l’avenant d’un stage étudiant en entreprise : l’article "
        "R426-21 du CESEDA ne prévoit la procédure d’avenant que pour la formation professionnelle continue "
        "et les stages en établissement de santé ; obtenir une réponse explicite",
    )


def late_request_warning(
    *, base_deadline: date, documents_requested_on: date | None
) -> SourcedWarning | None:
    """Warn when documents were requested after the silence deadline: the request changes nothing."""
    if documents_requested_on is None or request_applies(
        silence_deadline=base_deadline, documents_requested_on=documents_requested_on
    ):
        return None
    message = (
        f"documents were requested on {documents_requested_on}, after the silence deadline {base_deadline}: "
        f"the implicit decision already exists, the request neither suspends nor restarts the delay"
    )
    message_fr = (
        f"pièces demandées le {fr_date(documents_requested_on)}, après la fin du délai de silence le "
        f"{fr_date(base_deadline)} : la décision implicite est déjà née, la demande ne suspend pas le délai "
        f"et ne le fait pas repartir"
    )
    return sourced_warning(
        WarningCode.DOCUMENTS_REQUESTED_AFTER_SILENCE, message, sources.INCOMPLETE_FILE, message_fr=message_fr
    )


def acknowledgment_warning(
    *, received_on: date, silence_days: int, acknowledged_decision_on: date | None
) -> SourcedWarning | None:
    """CRPA R112-5: the acknowledgment's date wins; warn when it differs from the computed one."""
    if acknowledged_decision_on is None:
        return None
    computed = add_days(received_on, silence_days + 1)
    if computed == acknowledged_decision_on:
        return None
    message = (
        f"the acknowledgment of receipt states the implicit decision on {acknowledged_decision_on}, but "
        f"received on {received_on} plus {silence_days} days gives {computed}: the acknowledgment's date "
        f"is used (silence deadline {add_days(acknowledged_decision_on, -1)})"
    )
    message_fr = (
        f"l’accusé de réception fixe la décision implicite au {fr_date(acknowledged_decision_on)}, mais la "
        f"demande reçue le {fr_date(received_on)} plus {silence_days} jours donne le {fr_date(computed)} : "
        f"la date de l’accusé de réception est retenue (fin du délai de silence le "
        f"{fr_date(add_days(acknowledged_decision_on, -1))})"
    )
    return sourced_warning(
        WarningCode.ACKNOWLEDGMENT_DIFFERS, message, sources.ACKNOWLEDGMENT, message_fr=message_fr
    )


def due_date_missing_warning(documents_requested_on: date) -> SourcedWarning:
    """CRPA L114-5 al. 4: the suspension lasts until the date the administration set; ask for it."""
    message = (
        f"documents were requested on {documents_requested_on} with no date set for them: the refusal delay "
        f"is suspended only until that date (CRPA L114-5), so the silence deadline cannot be computed; "
        f"record the date the administration set (documents_due_on)"
    )
    message_fr = (
        f"pièces demandées le {fr_date(documents_requested_on)} sans date fixée pour les fournir : le délai "
        f"dont le silence vaut refus n’est suspendu que jusqu’à cette date (CRPA L114-5), la fin du délai de "
        f"silence ne peut donc pas être calculée ; indiquer la date fixée par l’administration pour les "
        f"pièces"
    )
    return sourced_warning(
        WarningCode.DOCUMENTS_DUE_DATE_MISSING, message, sources.INCOMPLETE_FILE, message_fr=message_fr
    )


def residence_permit_silence_deadline(*, filed_on: date, complete_on: date | None = None) -> ExplainedDate:
    """CESEDA R426-17: 90 days of silence after the complete application mean refusal.

    R426-17 derogates from the general 4 months of R432-2 al. 1 for the carte de séjour « stagiaire »;
    the delay runs from the day the file is complete, which defaults to the filing date.
    """
    start = complete_on or filed_on
    days = RESIDENCE_PERMIT_SILENCE_DAYS
    if complete_on is None or complete_on == filed_on:
        rule = f"application filed (complete) on {start} plus {days} days"
        rule_fr = f"{days} jours après la demande déposée (complète) le {fr_date(start)}"
    else:
        rule = f"application filed on {filed_on}, complete on {start}, plus {days} days"
        rule_fr = (
            f"{days} jours après la demande déposée le {fr_date(filed_on)}, complète le {fr_date(start)}"
        )
    why = Explanation(rule=rule, source=sources.RESIDENCE_PERMIT_SILENCE, rule_fr=rule_fr)
    return ExplainedDate(add_days(start, days), why)


def vls_ts_validation_deadline(*, arrived_on: date) -> ExplainedDate:
    """CESEDA R431-16: the VLS-TS is validated online with the OFII within 3 months of arrival."""
    months = VLS_TS_VALIDATION_MONTHS
    rule = f"arrival in France on {arrived_on} plus {months} months (validate the visa with the OFII)"
    rule_fr = (
        f"{months} mois après l’arrivée en France le {fr_date(arrived_on)} (valider le visa auprès de l’OFII)"
    )
    why = Explanation(rule=rule, source=sources.VLS_TS_VALIDATION, rule_fr=rule_fr)
    return ExplainedDate(add_months(arrived_on, months), why)


def permit_filing_window(*, expires_on: date) -> tuple[ExplainedDate, ExplainedDate]:
    """CESEDA R431-5 1°: the carte de séjour is filed from 120 to 60 days before the visa expires.

    Returns (opens, deadline). In person the text allows the last 2 months before expiry; the product
    reminds on the safe side of the online procedure (RULES §2).
    """
    opens = add_days(expires_on, -PERMIT_FILING_OPENS_DAYS)
    deadline = add_days(expires_on, -PERMIT_FILING_DEADLINE_DAYS)
    shown, last = fr_date(expires_on), PERMIT_FILING_DEADLINE_DAYS
    opens_why = Explanation(
        rule=f"visa expiry {expires_on} minus {PERMIT_FILING_OPENS_DAYS} days (the filing window opens)",
        source=sources.PERMIT_FILING_WINDOW,
        rule_fr=f"expiration du visa le {shown} moins {PERMIT_FILING_OPENS_DAYS} jours (ouverture du dépôt)",
    )
    deadline_why = Explanation(
        rule=f"visa expiry {expires_on} minus {PERMIT_FILING_DEADLINE_DAYS} days (last day to file)",
        source=sources.PERMIT_FILING_WINDOW,
        rule_fr=f"expiration du visa le {shown} moins {last} jours (dernier jour de dépôt)",
    )
    return ExplainedDate(opens, opens_why), ExplainedDate(deadline, deadline_why)


def implicit_decision_reached(*, silence_deadline: date | None, today: date) -> bool:
    """RULES §2: the implicit decision exists from silence_deadline + 1 day (CRPA; seed)."""
    return silence_deadline is not None and today > silence_deadline


def implicit_decision_on(*, silence_deadline: date) -> ExplainedDate:
    """The day the implicit decision is born: the day after the last day of the silence delay."""
    rule = f"day after the silence deadline {silence_deadline}"
    rule_fr = f"lendemain de la fin du délai de silence, le {fr_date(silence_deadline)}"
    why = Explanation(rule=rule, source=sources.IMPLICIT_DECISION, rule_fr=rule_fr)
    return ExplainedDate(add_days(silence_deadline, 1), why)
