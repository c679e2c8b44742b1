"""Which reminders are due for a file on a day: lead times, stop conditions and why. PURE.

No ORM, no clock, no settings: every function takes the file's facts and `today` (a calendar date in
Europe/Paris). The deadlines and their explanations come from the legal rule engine (conventions.rules),
so an email says exactly what the engine says.

Two ideas carry the whole module:

* A reminder kind *applies* to a file while the file is in the state the reminder is about, and it is
  about one deadline (`deadline_for`). When the state changes, it no longer applies: that is the stop
  condition, checked when planning and again right before sending (`is_still_due`).
* Lead times are points before the deadline (30, 14, 7... days). The reminder due today is the one of the
  latest point on or before today (`due_on`). Planning every hour, or after a day of downtime, asks the
  same question and gets the same point, so the outbox key (file, kind, deadline, point, recipient) makes
  it idempotent, and a missed day is caught up with one email, not a burst.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from conventions.rules.base import Explanation, Programme, fr_date
from conventions.rules.dates import (
    AVENANT_FILING_DAYS,
    avenant_filing_deadline,
    avenant_silence_deadline,
    convention_filing_deadline,
    convention_silence_deadline,
    permit_filing_window,
    residence_permit_silence_deadline,
    vls_ts_validation_deadline,
)
from conventions.rules.durations import ENTREPRISE_MAX_MONTHS, TRAINING_TOTAL_MAX_MONTHS
from conventions.rules.months import add_days, stay_exceeds_months

# Sources quoted by the reminders themselves (the deadlines' sources come from conventions.rules.sources).
PERMIT_APPLICATION = "Seed (carte de séjour « stagiaire » after a validated avenant); CESEDA L426-23"
DOCUMENT_VALIDITY = "Seed (documents à fournir: a valid passport); RULES §5"
EXTENSION = "CESEDA R426-21 (avenant filed at least 15 days before the end date)"
DOCUMENTS_DUE_SOURCE = "CRPA L114-5"  # the date the administration set for the missing documents
# R426-21 provides the avenant procedure (silence = acceptance) only for R426-16 2° and 3°.
EXPLICIT_ANSWER = "CESEDA R426-21"
# Reasons of an implicit refusal on request (L232-4), administrative appeal (L411-2), 2 months to go to
# court (R421-1, R421-2).
IMPLICIT_REFUSAL_REMEDIES = "CRPA L232-4, L411-2; CJA R421-1, R421-2"

MAX_LEAD_DAYS = 366
PASSPORT_DOCUMENT_CODES = frozenset({"passport", "passport_pages"})


class FileType(StrEnum):
    """What a reminder is about; `organisation` is the file of a digest."""

    CONVENTION = "convention"
    AVENANT = "avenant"
    PERMIT = "permit"
    DOCUMENT = "document"
    VISA = "visa"
    ORGANISATION = "organisation"


class ReminderKind(StrEnum):
    FILING_DUE = "filing_due"
    FILING_LATE = "filing_late"
    SILENCE_DUE = "silence_due"
    REFUSED_BY_SILENCE = "refused_by_silence"
    AVENANT_FILING_DUE = "avenant_filing_due"
    PERMIT_TO_FILE = "permit_to_file"
    CONVENTION_END = "convention_end"
    PERMIT_SILENCE_DUE = "permit_silence_due"
    PASSPORT_EXPIRY = "passport_expiry"
    DOCUMENT_EXPIRY = "document_expiry"
    # Rules version 2.
    DOCUMENTS_DUE = "documents_due"
    AVENANT_DOCUMENTS_DUE = "avenant_documents_due"
    AVENANT_EXPLICIT_ANSWER = "avenant_explicit_answer"
    OFII_VALIDATION_DUE = "ofii_validation_due"
    PERMIT_FILING_OPENS = "permit_filing_opens"
    PERMIT_FILING_DUE = "permit_filing_due"
    DIGEST = "digest"
    # Not about a file: a webhook endpoint of the organisation was disabled after repeated failures.
    WEBHOOK_DISABLED = "webhook_disabled"


class DeadlineKind(StrEnum):
    """The deadlines of the calendar feed."""

    FILING = "filing"
    SILENCE = "silence"
    AVENANT_FILING = "avenant_filing"
    AVENANT_SILENCE = "avenant_silence"
    PERMIT_SILENCE = "permit_silence"
    CONVENTION_END = "convention_end"
    DOCUMENTS_DUE = "documents_due"
    OFII_VALIDATION = "ofii_validation"
    PERMIT_FILING_OPENS = "permit_filing_opens"
    PERMIT_FILING = "permit_filing"
    AVENANT_ANSWER = "avenant_answer"


# Events: sent once when the file reaches the state (by the signal receivers), never planned by lead time.
EVENT_KINDS = frozenset({ReminderKind.REFUSED_BY_SILENCE, ReminderKind.PERMIT_TO_FILE})
# What concerns the intern personally (sent to them too when the host ticked `notify_intern`).
INTERN_KINDS = frozenset(
    {
        ReminderKind.REFUSED_BY_SILENCE,
        ReminderKind.PERMIT_TO_FILE,
        ReminderKind.PERMIT_SILENCE_DUE,
        ReminderKind.PASSPORT_EXPIRY,
        ReminderKind.DOCUMENT_EXPIRY,
        ReminderKind.OFII_VALIDATION_DUE,
        ReminderKind.PERMIT_FILING_OPENS,
        ReminderKind.PERMIT_FILING_DUE,
    }
)

# States (the values of conventions' FSM fields) in which a stage is going on or being prepared.
ACTIVE_CONVENTION_STATES = frozenset(
    {"draft", "submitted", "documents_requested", "validated", "not_required"}
)

# The file type and the states each kind is about: leaving them stops the reminder.
ABOUT: dict[ReminderKind, tuple[FileType, frozenset[str]]] = {
    ReminderKind.FILING_DUE: (FileType.CONVENTION, frozenset({"draft"})),
    ReminderKind.FILING_LATE: (FileType.CONVENTION, frozenset({"draft"})),
    ReminderKind.SILENCE_DUE: (FileType.CONVENTION, frozenset({"submitted"})),
    ReminderKind.REFUSED_BY_SILENCE: (FileType.CONVENTION, frozenset({"refused_by_silence"})),
    ReminderKind.CONVENTION_END: (FileType.CONVENTION, frozenset({"validated"})),
    ReminderKind.PASSPORT_EXPIRY: (FileType.CONVENTION, ACTIVE_CONVENTION_STATES),
    ReminderKind.AVENANT_FILING_DUE: (FileType.AVENANT, frozenset({"draft"})),
    ReminderKind.PERMIT_TO_FILE: (FileType.AVENANT, frozenset({"validated", "accepted_by_silence"})),
    ReminderKind.PERMIT_SILENCE_DUE: (FileType.PERMIT, frozenset({"filed"})),
    ReminderKind.DOCUMENTS_DUE: (FileType.CONVENTION, frozenset({"documents_requested"})),
    ReminderKind.AVENANT_DOCUMENTS_DUE: (FileType.AVENANT, frozenset({"documents_requested"})),
    ReminderKind.AVENANT_EXPLICIT_ANSWER: (FileType.AVENANT, frozenset({"submitted", "documents_requested"})),
    ReminderKind.OFII_VALIDATION_DUE: (FileType.VISA, frozenset({"issued"})),
    ReminderKind.PERMIT_FILING_OPENS: (FileType.PERMIT, frozenset({"to_file"})),
    ReminderKind.PERMIT_FILING_DUE: (FileType.PERMIT, frozenset({"to_file"})),
}


# --- facts: what the rules need to know about a file ---------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class ConventionFacts:
    state: str
    category: str
    programme: str  # "" when there is none
    validation_required: bool
    start_date: date
    effective_end_date: date
    received_on: date | None = None
    documents_requested_on: date | None = None
    documents_received_on: date | None = None
    documents_due_on: date | None = None
    acknowledged_decision_on: date | None = None
    passport_expires_on: date | None = None
    has_open_avenant: bool = False
    has_accepted_avenant: bool = False


@dataclass(frozen=True, kw_only=True)
class AvenantFacts:
    state: str
    validation_required: bool
    previous_end_date: date
    category: str = ""  # the convention's: an entreprise avenant has no implicit decision (R426-21)
    received_on: date | None = None
    documents_requested_on: date | None = None
    documents_received_on: date | None = None
    documents_due_on: date | None = None
    acknowledged_decision_on: date | None = None
    permit_state: str | None = None  # the carte de séjour application an accepted avenant opened
    visa_expires_on: date | None = None  # the convention's long-stay visa: dates the filing window


@dataclass(frozen=True, kw_only=True)
class PermitFacts:
    state: str
    filed_on: date | None
    complete_on: date | None = None
    visa_expires_on: date | None = None  # the window of R431-5 is computed from it


@dataclass(frozen=True, kw_only=True)
class VisaFacts:
    """The long-stay visa step (VLS-TS « stagiaire ») of a validated convention."""

    state: str
    arrived_on: date | None = None
    ofii_validated_on: date | None = None


@dataclass(frozen=True, kw_only=True)
class DocumentFacts:
    code: str
    label: str
    status: str
    expires_on: date | None
    convention_state: str
    stage_end: date


Facts = ConventionFacts | AvenantFacts | PermitFacts | DocumentFacts | VisaFacts


# --- results --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Deadline:
    on: date
    explanation: Explanation


@dataclass(frozen=True)
class DueReminder:
    kind: ReminderKind
    deadline: Deadline
    due_on: date
    days_left: int


@dataclass(frozen=True)
class LeadTimes:
    """Days before each deadline at which a reminder is sent (per organisation; these are the defaults)."""

    filing: tuple[int, ...] = (30, 14, 7, 3, 1, 0)
    late_filing_daily: bool = True
    silence: tuple[int, ...] = (7, 2)
    avenant_filing: tuple[int, ...] = (30, 14, 7)
    convention_end: tuple[int, ...] = (60, 30)
    permit_silence: tuple[int, ...] = (30, 7)
    document_expiry: tuple[int, ...] = (60, 30)
    # Rules version 2. A missed OFII validation or carte de séjour filing costs the intern the stay:
    # reminded daily once late, like a late convention filing.
    documents_due: tuple[int, ...] = (7, 2, 0)
    explicit_answer: tuple[int, ...] = (30, 14, 7, 2)
    ofii_validation: tuple[int, ...] = (30, 14, 7, 1)
    permit_filing: tuple[int, ...] = (30, 14, 7, 1, 0)

    def schedule(self, kind: ReminderKind) -> tuple[tuple[int, ...], bool]:
        """(lead days before the deadline, daily after it) for a planned kind."""
        schedules: dict[ReminderKind, tuple[tuple[int, ...], bool]] = {
            ReminderKind.FILING_DUE: (self.filing, False),
            ReminderKind.FILING_LATE: ((), self.late_filing_daily),
            ReminderKind.SILENCE_DUE: (self.silence, False),
            ReminderKind.AVENANT_FILING_DUE: (self.avenant_filing, False),
            ReminderKind.CONVENTION_END: (self.convention_end, False),
            ReminderKind.PERMIT_SILENCE_DUE: (self.permit_silence, False),
            ReminderKind.PASSPORT_EXPIRY: (self.document_expiry, False),
            ReminderKind.DOCUMENT_EXPIRY: (self.document_expiry, False),
            ReminderKind.DOCUMENTS_DUE: (self.documents_due, False),
            ReminderKind.AVENANT_DOCUMENTS_DUE: (self.documents_due, False),
            ReminderKind.AVENANT_EXPLICIT_ANSWER: (self.explicit_answer, False),
            ReminderKind.OFII_VALIDATION_DUE: (self.ofii_validation, True),
            ReminderKind.PERMIT_FILING_OPENS: ((0,), False),  # once, on the day the window opens
            ReminderKind.PERMIT_FILING_DUE: (self.permit_filing, True),
        }
        return schedules.get(kind, ((), False))

    def longest(self) -> int:
        every = (
            self.filing + self.silence + self.avenant_filing + self.convention_end
            + self.permit_silence + self.document_expiry + self.documents_due + self.explicit_answer
            + self.ofii_validation + self.permit_filing
        )  # fmt: skip
        return max(every, default=0)


DEFAULT_LEAD_TIMES = LeadTimes()


def parse_lead_days(text: str) -> tuple[int, ...]:
    """ "30, 14, 7" -> (30, 14, 7). Raises ValueError naming the bad item (not a number, out of range)."""
    days: set[int] = set()
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        if not item.isdigit() or int(item) > MAX_LEAD_DAYS:
            raise ValueError(f"{item!r} is not a number of days between 0 and {MAX_LEAD_DAYS}")
        days.add(int(item))
    return tuple(sorted(days, reverse=True))


# --- the deadline each kind is about, while it applies ---------------------------------------------------
def _programme(value: str) -> Programme | None:
    return Programme(value) if value else None


def _filing(facts: ConventionFacts) -> Deadline | None:
    if facts.state != "draft" or not facts.validation_required:
        return None
    found = convention_filing_deadline(start_date=facts.start_date, programme=_programme(facts.programme))
    return Deadline(found.value, found.explanation) if found.value else None


def _convention_silence(facts: ConventionFacts) -> Deadline | None:
    found = convention_silence_deadline(
        received_on=facts.received_on,
        programme=_programme(facts.programme),
        documents_requested_on=facts.documents_requested_on,
        documents_received_on=facts.documents_received_on,
        documents_due_on=facts.documents_due_on,
        acknowledged_decision_on=facts.acknowledged_decision_on,
    )
    return Deadline(found.value, found.explanation) if found.value else None


def _silence_due(facts: ConventionFacts) -> Deadline | None:
    return _convention_silence(facts) if facts.state == "submitted" else None


def _refused_by_silence(facts: ConventionFacts) -> Deadline | None:
    return _convention_silence(facts) if facts.state == "refused_by_silence" else None


def extension_possible(facts: ConventionFacts) -> bool:
    """Whether the stage could still be extended by an avenant (RULES §4 durations).

    entreprise: 6 months with the same host (Code de l'éducation L124-5); formation_continue: 18 months with
    its extension; hopital: one extension (old R313-10-3). A stage already at its limit gets no
    "end approaching, extend?" reminder.
    """
    one_more_day = add_days(facts.effective_end_date, 1)
    if facts.category == "entreprise":
        return not stay_exceeds_months(facts.start_date, one_more_day, ENTREPRISE_MAX_MONTHS)
    if facts.category == "formation_continue":
        return not stay_exceeds_months(facts.start_date, one_more_day, TRAINING_TOTAL_MAX_MONTHS)
    return not facts.has_accepted_avenant


def _convention_end(facts: ConventionFacts) -> Deadline | None:
    if facts.state != "validated" or facts.has_open_avenant or not extension_possible(facts):
        return None
    end = facts.effective_end_date
    by = add_days(end, -AVENANT_FILING_DAYS)
    rule = (
        f"end date in force {end}; to extend the stage, file an avenant by "
        f"{by} ({AVENANT_FILING_DAYS} days before the end)"
    )
    rule_fr = (
        f"date de fin en vigueur {fr_date(end)} ; pour prolonger le stage, déposer un avenant "
        f"au plus tard le {fr_date(by)} ({AVENANT_FILING_DAYS} jours avant la fin)"
    )
    return Deadline(end, Explanation(rule=rule, source=EXTENSION, rule_fr=rule_fr))


def _passport_expiry(facts: ConventionFacts) -> Deadline | None:
    expires = facts.passport_expires_on
    if facts.state not in ACTIVE_CONVENTION_STATES or expires is None or expires > facts.effective_end_date:
        return None
    end = facts.effective_end_date
    rule = f"the passport expires on {expires}, before the end of the stage on {end}"
    rule_fr = f"le passeport expire le {fr_date(expires)}, avant la fin du stage le {fr_date(end)}"
    return Deadline(expires, Explanation(rule=rule, source=DOCUMENT_VALIDITY, rule_fr=rule_fr))


def _avenant_filing(facts: AvenantFacts) -> Deadline | None:
    if facts.state != "draft" or not facts.validation_required:
        return None
    found = avenant_filing_deadline(end_date=facts.previous_end_date)
    return Deadline(found.value, found.explanation) if found.value else None


def _permit_to_file(facts: AvenantFacts) -> Deadline | None:
    """Until the carte de séjour application is filed (then the 90-day silence reminders take over).

    The deadline is the last day of the filing window (visa expiry - 60 days, R431-5) when the visa's
    expiry is known, else the end of the stay in force.
    """
    if facts.state not in ABOUT[ReminderKind.PERMIT_TO_FILE][1] or facts.permit_state not in (
        None,
        "to_file",
    ):
        return None
    if facts.visa_expires_on is not None:
        _, deadline = permit_filing_window(expires_on=facts.visa_expires_on)
        return _explained(deadline.value, deadline.explanation)
    rule = (
        f"the avenant is accepted: apply for the carte de séjour « stagiaire » before the stay in force ends "
        f"on {facts.previous_end_date}"
    )
    rule_fr = (
        "l'avenant est accepté : demander la carte de séjour « stagiaire » avant la fin du séjour en cours, "
        f"le {fr_date(facts.previous_end_date)}"
    )
    why = Explanation(rule=rule, source=PERMIT_APPLICATION, rule_fr=rule_fr)
    return Deadline(facts.previous_end_date, why)


def _permit_silence(facts: PermitFacts) -> Deadline | None:
    if facts.state != "filed" or facts.filed_on is None:
        return None
    found = residence_permit_silence_deadline(filed_on=facts.filed_on, complete_on=facts.complete_on)
    return Deadline(found.value, found.explanation) if found.value else None


def _explained(on: date | None, explanation: Explanation) -> Deadline | None:
    return None if on is None else Deadline(on, explanation)


def _permit_window(facts: PermitFacts, which: int) -> Deadline | None:
    """The carte de séjour filing window (R431-5) of an application still to file: 0 opens, 1 deadline."""
    if facts.state != "to_file" or facts.visa_expires_on is None:
        return None
    found = permit_filing_window(expires_on=facts.visa_expires_on)[which]
    return _explained(found.value, found.explanation)


def _permit_filing_opens(facts: PermitFacts) -> Deadline | None:
    return _permit_window(facts, 0)


def _permit_filing_due(facts: PermitFacts) -> Deadline | None:
    return _permit_window(facts, 1)


def _ofii_validation(facts: VisaFacts) -> Deadline | None:
    """R431-16: validate the VLS-TS with the OFII within 3 months of arrival, until it is recorded."""
    if facts.state != "issued" or facts.arrived_on is None or facts.ofii_validated_on is not None:
        return None
    found = vls_ts_validation_deadline(arrived_on=facts.arrived_on)
    return _explained(found.value, found.explanation)


def _documents_due(state: str, requested: date | None, due: date | None) -> Deadline | None:
    """The date the administration set for the missing documents (CRPA L114-5), while they are awaited."""
    if state != "documents_requested" or requested is None or due is None:
        return None
    rule = f"documents requested on {requested}, due by {due} (date set by the administration)"
    rule_fr = (
        f"pièces demandées le {fr_date(requested)}, à fournir au plus tard le {fr_date(due)} (date fixée par "
        f"l'administration)"
    )
    return Deadline(due, Explanation(rule=rule, source=DOCUMENTS_DUE_SOURCE, rule_fr=rule_fr))


def _convention_documents_due(facts: ConventionFacts) -> Deadline | None:
    return _documents_due(facts.state, facts.documents_requested_on, facts.documents_due_on)


def _avenant_documents_due(facts: AvenantFacts) -> Deadline | None:
    return _documents_due(facts.state, facts.documents_requested_on, facts.documents_due_on)


def _explicit_answer(facts: AvenantFacts) -> Deadline | None:
    """A company stage's avenant (R426-21 gives it no implicit decision): obtain an explicit answer before
    the stage in force ends, since no silence will ever accept it."""
    if facts.category != "entreprise" or facts.state not in ABOUT[ReminderKind.AVENANT_EXPLICIT_ANSWER][1]:
        return None
    if facts.received_on is None:
        return None
    end = facts.previous_end_date
    rule = (
        f"avenant of a company stage received on {facts.received_on}: no text accepts it by silence, "
        f"obtain the administration's explicit answer before the stage in force ends on {end}"
    )
    rule_fr = (
        f"avenant d'un stage en entreprise reçu le {fr_date(facts.received_on)} : aucun texte ne "
        f"l'accepte par le silence, obtenir la réponse explicite de l'administration avant la fin du "
        f"stage en cours, le {fr_date(end)}"
    )
    return Deadline(end, Explanation(rule=rule, source=EXPLICIT_ANSWER, rule_fr=rule_fr))


def _document_expiry(facts: DocumentFacts) -> Deadline | None:
    expires = facts.expires_on
    if (
        expires is None
        or facts.code in PASSPORT_DOCUMENT_CODES  # the intern's passport has its own reminder
        or facts.status == "rejected"
        or facts.convention_state not in ACTIVE_CONVENTION_STATES
        or expires > facts.stage_end
    ):
        return None
    rule = f"{facts.label} expires on {expires}, before the end of the stage on {facts.stage_end}"
    rule_fr = (
        f"« {facts.label} » expire le {fr_date(expires)}, avant la fin du stage le {fr_date(facts.stage_end)}"
    )
    return Deadline(expires, Explanation(rule=rule, source=DOCUMENT_VALIDITY, rule_fr=rule_fr))


_CONDITIONS: dict[ReminderKind, tuple[type, Callable[..., Deadline | None]]] = {
    ReminderKind.FILING_DUE: (ConventionFacts, _filing),
    ReminderKind.FILING_LATE: (ConventionFacts, _filing),
    ReminderKind.SILENCE_DUE: (ConventionFacts, _silence_due),
    ReminderKind.REFUSED_BY_SILENCE: (ConventionFacts, _refused_by_silence),
    ReminderKind.CONVENTION_END: (ConventionFacts, _convention_end),
    ReminderKind.PASSPORT_EXPIRY: (ConventionFacts, _passport_expiry),
    ReminderKind.AVENANT_FILING_DUE: (AvenantFacts, _avenant_filing),
    ReminderKind.PERMIT_TO_FILE: (AvenantFacts, _permit_to_file),
    ReminderKind.PERMIT_SILENCE_DUE: (PermitFacts, _permit_silence),
    ReminderKind.DOCUMENT_EXPIRY: (DocumentFacts, _document_expiry),
    ReminderKind.DOCUMENTS_DUE: (ConventionFacts, _convention_documents_due),
    ReminderKind.AVENANT_DOCUMENTS_DUE: (AvenantFacts, _avenant_documents_due),
    ReminderKind.AVENANT_EXPLICIT_ANSWER: (AvenantFacts, _explicit_answer),
    ReminderKind.OFII_VALIDATION_DUE: (VisaFacts, _ofii_validation),
    ReminderKind.PERMIT_FILING_OPENS: (PermitFacts, _permit_filing_opens),
    ReminderKind.PERMIT_FILING_DUE: (PermitFacts, _permit_filing_due),
}


def deadline_for(kind: ReminderKind, facts: Facts) -> Deadline | None:
    """The deadline `kind` is about for this file, or None when the kind does not apply (any more)."""
    expected, condition = _CONDITIONS.get(kind, (type(None), _never))
    return condition(facts) if isinstance(facts, expected) else None


def _never(facts: Facts) -> None:
    return None


def kinds_for(facts: Facts) -> tuple[ReminderKind, ...]:
    return tuple(kind for kind, (expected, _) in _CONDITIONS.items() if isinstance(facts, expected))


# --- when -----------------------------------------------------------------------------------------------
def due_on(deadline: date, lead_days: Iterable[int], daily_after: bool, today: date) -> date | None:
    """The reminder point due on `today`: the latest lead point on or before today, or today itself once
    the deadline is past when the reminder repeats daily; None when nothing is due.

    Plain calendar-day arithmetic on dates: a DST change (the 23- or 25-hour day) cannot shift a point.
    """
    if today > deadline:
        return today if daily_after else None
    points = [deadline - timedelta(days=days) for days in lead_days]
    passed = [point for point in points if point <= today]
    return max(passed) if passed else None


def days_left(deadline: date, today: date) -> int:
    """Calendar days from today to the deadline: 0 on the day, negative once late."""
    return (deadline - today).days


def due_reminders(facts: Facts, leads: LeadTimes, today: date) -> list[DueReminder]:
    """Every planned (non-event) reminder due for this file on `today`."""
    found: list[DueReminder] = []
    for kind in kinds_for(facts):
        if kind in EVENT_KINDS:
            continue
        deadline = deadline_for(kind, facts)
        if deadline is None:
            continue
        lead_days, daily_after = leads.schedule(kind)
        point = due_on(deadline.on, lead_days, daily_after, today)
        if point is not None:
            found.append(DueReminder(kind, deadline, point, days_left(deadline.on, today)))
    return found


def event_reminder(kind: ReminderKind, facts: Facts, today: date) -> DueReminder | None:
    """The one email an event causes (the file just reached the state `kind` is about), due today."""
    deadline = deadline_for(kind, facts)
    if kind not in EVENT_KINDS or deadline is None:
        return None
    return DueReminder(kind, deadline, today, days_left(deadline.on, today))


EVENTS: dict[tuple[FileType, str], ReminderKind] = {
    (FileType.CONVENTION, "refused_by_silence"): ReminderKind.REFUSED_BY_SILENCE,
    (FileType.AVENANT, "accepted_by_silence"): ReminderKind.PERMIT_TO_FILE,
    (FileType.AVENANT, "validated"): ReminderKind.PERMIT_TO_FILE,
}


def event_for(file_type: FileType, target_state: str) -> ReminderKind | None:
    """The event email a transition of `file_type` to `target_state` causes, if any."""
    return EVENTS.get((file_type, target_state))


def is_still_due(kind: ReminderKind, facts: Facts, deadline: date) -> bool:
    """Re-check before sending: the kind still applies and is still about the same deadline.

    A submitted draft, a withdrawn file, a renewed passport or a moved start date all answer False.
    """
    found = deadline_for(kind, facts)
    return found is not None and found.on == deadline


def kinds_stopped_by(file_type: FileType, new_state: str) -> frozenset[ReminderKind]:
    """Kinds about `file_type` that a transition to `new_state` stops (used to cancel pending rows)."""
    return frozenset(
        kind for kind, (about, states) in ABOUT.items() if about == file_type and new_state not in states
    )


# --- the calendar feed ------------------------------------------------------------------------------------
def _avenant_silence(facts: AvenantFacts) -> Deadline | None:
    if facts.state != "submitted":
        return None
    if facts.category == "entreprise":
        return None  # no implicit decision to date (R426-21)
    found = avenant_silence_deadline(
        received_on=facts.received_on,
        documents_requested_on=facts.documents_requested_on,
        documents_received_on=facts.documents_received_on,
        acknowledged_decision_on=facts.acknowledged_decision_on,
    )
    return Deadline(found.value, found.explanation) if found.value else None


def _stage_end(facts: ConventionFacts) -> Deadline | None:
    if facts.state not in ACTIVE_CONVENTION_STATES:
        return None
    rule = f"end date in force of the stage {facts.effective_end_date}"
    rule_fr = f"date de fin du stage en vigueur : {fr_date(facts.effective_end_date)}"
    return Deadline(facts.effective_end_date, Explanation(rule=rule, source=EXTENSION, rule_fr=rule_fr))


def upcoming_deadlines(facts: Facts, today: date) -> list[tuple[DeadlineKind, Deadline]]:
    """Every deadline of this file on or after `today`, for the calendar feed."""
    return [(kind, deadline) for kind, deadline in file_deadlines(facts) if deadline.on >= today]


# Deadlines that still ask for an action once passed: a late filing, a late OFII validation, documents
# still to send. A passed silence deadline is an implicit decision for the sweep to record, not a task.
STILL_ACTIONABLE_WHEN_LATE = frozenset(
    {
        DeadlineKind.FILING,
        DeadlineKind.AVENANT_FILING,
        DeadlineKind.DOCUMENTS_DUE,
        DeadlineKind.OFII_VALIDATION,
        DeadlineKind.PERMIT_FILING,
    }
)
NOT_A_TASK = frozenset({DeadlineKind.CONVENTION_END, DeadlineKind.PERMIT_FILING_OPENS})


def act_now_deadlines(facts: Facts, today: date, horizon: int) -> list[tuple[DeadlineKind, Deadline]]:
    """The deadlines of this file a host must act on: within `horizon` days, or late and still actionable."""
    until = today + timedelta(days=horizon)
    return [
        (kind, deadline)
        for kind, deadline in file_deadlines(facts)
        if kind not in NOT_A_TASK
        and deadline.on <= until
        and (deadline.on >= today or kind in STILL_ACTIONABLE_WHEN_LATE)
    ]


def file_deadlines(facts: Facts) -> list[tuple[DeadlineKind, Deadline]]:
    """Every deadline that applies to this file now, past or future."""
    found: list[tuple[DeadlineKind, Deadline | None]] = []
    if isinstance(facts, ConventionFacts):
        found += [(DeadlineKind.FILING, _filing(facts)), (DeadlineKind.SILENCE, _silence_due(facts))]
        found.append((DeadlineKind.DOCUMENTS_DUE, _convention_documents_due(facts)))
        found.append((DeadlineKind.CONVENTION_END, _stage_end(facts)))
    elif isinstance(facts, AvenantFacts):
        found += [(DeadlineKind.AVENANT_FILING, _avenant_filing(facts))]
        found.append((DeadlineKind.AVENANT_SILENCE, _avenant_silence(facts)))
        found.append((DeadlineKind.DOCUMENTS_DUE, _avenant_documents_due(facts)))
        found.append((DeadlineKind.AVENANT_ANSWER, _explicit_answer(facts)))
    elif isinstance(facts, PermitFacts):
        found.append((DeadlineKind.PERMIT_SILENCE, _permit_silence(facts)))
        found.append((DeadlineKind.PERMIT_FILING_OPENS, _permit_filing_opens(facts)))
        found.append((DeadlineKind.PERMIT_FILING, _permit_filing_due(facts)))
    elif isinstance(facts, VisaFacts):
        found.append((DeadlineKind.OFII_VALIDATION, _ofii_validation(facts)))
    return [(kind, deadline) for kind, deadline in found if deadline is not None]
