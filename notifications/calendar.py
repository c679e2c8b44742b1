"""iCalendar output: the per-organisation deadline feed and the .ics attached to each email.

Every deadline is an all-day event (a French calendar day, RULES §2: VALUE=DATE, no time zone to get
wrong across a DST change) whose description gives the rule and its legal source. UIDs are stable per
file and deadline, so when a deadline moves the subscribed calendar moves the event instead of adding one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from notifications.facts import files_of_organisation
from notifications.links import file_url
from notifications.rules import Deadline, DeadlineKind, ReminderKind, upcoming_deadlines

if TYPE_CHECKING:
    from notifications.emails import EmailItem

PRODID = "-//hostportal//deadlines//EN"

FEED_LABELS: dict[str, dict[DeadlineKind, str]] = {
    "fr": {
        DeadlineKind.FILING: "Date limite de dépôt de la convention",
        DeadlineKind.SILENCE: "Fin du délai de silence (refus implicite le lendemain)",
        DeadlineKind.AVENANT_FILING: "Date limite de dépôt de l'avenant",
        DeadlineKind.AVENANT_SILENCE: "Fin du délai de silence de l'avenant (acceptation le lendemain)",
        DeadlineKind.PERMIT_SILENCE: "Carte de séjour : fin du délai de 90 jours (refus implicite le lendemain)",  # noqa: E501
        DeadlineKind.CONVENTION_END: "Fin du stage",
        DeadlineKind.DOCUMENTS_DUE: "Pièces demandées : date limite fixée par l'administration",
        DeadlineKind.OFII_VALIDATION: "Valider le visa auprès de l'OFII (3 mois après l'arrivée)",
        DeadlineKind.PERMIT_FILING_OPENS: "Carte de séjour : ouverture du dépôt (120 jours avant l'expiration du visa)",  # noqa: E501
        DeadlineKind.PERMIT_FILING: "Carte de séjour : dernier jour de dépôt (60 jours avant l'expiration du visa)",  # noqa: E501
        DeadlineKind.AVENANT_ANSWER: "Avenant (stage en entreprise) : obtenir une réponse explicite avant la fin",  # noqa: E501
    },
    "en": {
        DeadlineKind.FILING: "Convention filing deadline",
        DeadlineKind.SILENCE: "Silence deadline (implicit refusal the day after)",
        DeadlineKind.AVENANT_FILING: "Avenant filing deadline",
        DeadlineKind.AVENANT_SILENCE: "Avenant silence deadline (accepted the day after)",
        DeadlineKind.PERMIT_SILENCE: "Carte de séjour: end of the 90-day delay (implicit refusal the day after)",  # noqa: E501
        DeadlineKind.CONVENTION_END: "End of the stage",
        DeadlineKind.DOCUMENTS_DUE: "Requested documents: date set by the administration",
        DeadlineKind.OFII_VALIDATION: "Validate the visa with the OFII (3 months after arrival)",
        DeadlineKind.PERMIT_FILING_OPENS: "Carte de séjour: filing opens (120 days before the visa expires)",
        DeadlineKind.PERMIT_FILING: "Carte de séjour: last day to file (60 days before the visa expires)",
        DeadlineKind.AVENANT_ANSWER: "Avenant (company stage): obtain an explicit answer before the end",
    },
}

REMINDER_LABELS: dict[str, dict[ReminderKind, str]] = {
    "fr": {
        ReminderKind.FILING_DUE: "Déposer la convention",
        ReminderKind.FILING_LATE: "Déposer la convention (en retard)",
        ReminderKind.SILENCE_DUE: "Fin du délai de silence",
        ReminderKind.REFUSED_BY_SILENCE: "Délai de silence expiré (refus implicite)",
        ReminderKind.AVENANT_FILING_DUE: "Déposer l'avenant",
        ReminderKind.PERMIT_TO_FILE: "Déposer la demande de carte de séjour",
        ReminderKind.CONVENTION_END: "Fin du stage",
        ReminderKind.PERMIT_SILENCE_DUE: "Carte de séjour : fin du délai de 90 jours",
        ReminderKind.PASSPORT_EXPIRY: "Expiration du passeport",
        ReminderKind.DOCUMENT_EXPIRY: "Expiration d'un document",
        ReminderKind.DOCUMENTS_DUE: "Fournir les pièces demandées",
        ReminderKind.AVENANT_DOCUMENTS_DUE: "Fournir les pièces demandées pour l'avenant",
        ReminderKind.AVENANT_EXPLICIT_ANSWER: "Obtenir une réponse explicite sur l'avenant",
        ReminderKind.OFII_VALIDATION_DUE: "Valider le visa auprès de l'OFII",
        ReminderKind.PERMIT_FILING_OPENS: "Carte de séjour : le dépôt est ouvert",
        ReminderKind.PERMIT_FILING_DUE: "Carte de séjour : dernier jour de dépôt",
    },
    "en": {
        ReminderKind.FILING_DUE: "File the convention",
        ReminderKind.FILING_LATE: "File the convention (late)",
        ReminderKind.SILENCE_DUE: "Silence deadline",
        ReminderKind.REFUSED_BY_SILENCE: "Silence deadline passed (implicit refusal)",
        ReminderKind.AVENANT_FILING_DUE: "File the avenant",
        ReminderKind.PERMIT_TO_FILE: "File the carte de séjour application",
        ReminderKind.CONVENTION_END: "End of the stage",
        ReminderKind.PERMIT_SILENCE_DUE: "Carte de séjour: end of the 90-day delay",
        ReminderKind.PASSPORT_EXPIRY: "Passport expiry",
        ReminderKind.DOCUMENT_EXPIRY: "Document expiry",
        ReminderKind.DOCUMENTS_DUE: "Provide the requested documents",
        ReminderKind.AVENANT_DOCUMENTS_DUE: "Provide the documents requested for the avenant",
        ReminderKind.AVENANT_EXPLICIT_ANSWER: "Obtain an explicit answer on the avenant",
        ReminderKind.OFII_VALIDATION_DUE: "Validate the visa with the OFII",
        ReminderKind.PERMIT_FILING_OPENS: "Carte de séjour: filing is open",
        ReminderKind.PERMIT_FILING_DUE: "Carte de séjour: last day to file",
    },
}

WHY = {"fr": "Règle", "en": "Rule"}
SOURCE = {"fr": "Source", "en": "Source"}


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    return calendar


def _event(
    *, uid: str, summary: str, deadline: Deadline, url: str, language: str, stamp: dt.datetime
) -> Event:
    event = Event()
    event.add("uid", f"{uid}@{settings.NOTIFICATIONS_MESSAGE_ID_DOMAIN}")
    event.add("dtstamp", stamp)
    event.add("dtstart", deadline.on)
    event.add("dtend", deadline.on + dt.timedelta(days=1))
    event.add("summary", summary)
    event.add("transp", "TRANSPARENT")
    why = deadline.explanation
    event.add(
        "description", f"{WHY[language]}: {why.text(language)}\n{SOURCE[language]}: {why.source}\n{url}"
    )
    event.add("url", url)
    return event


def deadline_calendar(items: Iterable[EmailItem], *, language: str) -> bytes:
    """The .ics attached to an email: one event per reminder deadline."""
    labels = REMINDER_LABELS.get(language, REMINDER_LABELS["en"])
    calendar = _calendar("hostportal")
    calendar.add("method", "PUBLISH")
    stamp = timezone.now()
    for item in items:
        uid = f"{item.file_type}-{item.object_id}-{item.kind}-{item.deadline.on:%Y%m%d}"
        summary = f"{item.intern_name} — {labels[item.kind]}"
        calendar.add_component(
            _event(
                uid=uid, summary=summary, deadline=item.deadline, url=item.url, language=language, stamp=stamp
            )
        )
    return bytes(calendar.to_ical())


def organisation_calendar(
    *, organisation_id: int, organisation_name: str, language: str, today: dt.date
) -> bytes:
    """Every upcoming deadline of the organisation's files (filing, silence, avenant, carte de séjour,
    end of stage), for calendar subscriptions (three queries)."""
    labels = FEED_LABELS.get(language, FEED_LABELS["en"])
    calendar = _calendar(f"hostportal — {organisation_name}")
    calendar.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", dt.timedelta(hours=1))
    stamp = timezone.now()
    for file in files_of_organisation(organisation_id, today):
        url = file_url(file.ref.file_type, file.ref.pk)
        for kind, deadline in upcoming_deadlines(file.facts, today):
            uid = f"{file.ref.file_type}-{file.ref.pk}-{kind}"
            summary = f"{file.ref.intern_name} — {labels[kind]}"
            calendar.add_component(
                _event(uid=uid, summary=summary, deadline=deadline, url=url, language=language, stamp=stamp)
            )
    return bytes(calendar.to_ical())
