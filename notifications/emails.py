"""The one message builder: subject, text and HTML from templates, in the recipient's language, + .ics.

Templates live in templates/notifications/emails/<language>/. A reminder and a digest are the same
message with one or several items. Nothing here reads a passport number: the context is built from the
items only, and they carry none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from conventions.rules.dates import AVENANT_FILING_DAYS
from conventions.rules.documents import RESIDENCE_PERMIT_DOCUMENTS, RESIDENCE_PERMIT_STAMP_EUR
from conventions.rules.months import add_days
from notifications.calendar import deadline_calendar
from notifications.links import file_url
from notifications.rules import EVENT_KINDS, IMPLICIT_REFUSAL_REMEDIES, Deadline, FileType, ReminderKind

LANGUAGES = ("fr", "en")
TEMPLATE_DIR = "notifications/emails"


@dataclass(frozen=True)
class EmailItem:
    """One reminder as an email shows it."""

    kind: ReminderKind
    file_type: FileType
    object_id: int
    intern_name: str
    organisation_name: str
    deadline: Deadline
    days_left: int
    document_label: str = ""
    checklist: tuple[str, ...] = ()
    stamp_eur: Decimal | None = None

    @property
    def decision_on(self) -> dt.date:
        """The day an implicit decision is born: the day after the silence deadline (RULES §2)."""
        return add_days(self.deadline.on, 1)

    @property
    def avenant_by(self) -> dt.date:
        """For a stage ending: the last day to file an avenant (R426-21)."""
        return add_days(self.deadline.on, -AVENANT_FILING_DAYS)

    @property
    def is_event(self) -> bool:
        return self.kind in EVENT_KINDS

    @property
    def remedies_source(self) -> str:
        return IMPLICIT_REFUSAL_REMEDIES

    @property
    def days_late(self) -> int:
        return -self.days_left

    @property
    def url(self) -> str:
        return file_url(self.file_type, self.object_id)


@dataclass(frozen=True)
class Envelope:
    to: str
    language: str
    message_id: str
    organisation_name: str
    for_intern: bool = False
    items: list[EmailItem] = field(default_factory=list)


def checklist_for(kind: ReminderKind, language: str) -> tuple[tuple[str, ...], Decimal | None]:
    """The carte de séjour documents (docs/rules.md §5) and the stamp, for the emails that ask to prepare or
    file the application."""
    if kind not in (ReminderKind.PERMIT_TO_FILE, ReminderKind.PERMIT_FILING_OPENS):
        return (), None
    labels = tuple(
        item.label_fr if language == "fr" else item.label_en for item in RESIDENCE_PERMIT_DOCUMENTS
    )
    return labels, RESIDENCE_PERMIT_STAMP_EUR


def _render(name: str, envelope: Envelope, context: dict[str, object]) -> str:
    return render_to_string(f"{TEMPLATE_DIR}/{envelope.language}/{name}", context)


def build_message(envelope: Envelope) -> EmailMultiAlternatives:
    """The email for one reminder (one item) or a digest (several), ready for any Django email backend.

    Subject: the (most urgent) intern, deadline and days left. Bodies: what to do, by when, why (the
    rule and its source) and a link to the file. The Message-ID is the outbox row's idempotency key.
    """
    language = envelope.language if envelope.language in LANGUAGES else settings.LANGUAGE_CODE
    envelope = replace(envelope, language=language)
    items = sorted(envelope.items, key=lambda item: (item.deadline.on, item.intern_name))
    context: dict[str, object] = {
        "items": items, "first": items[0], "digest": len(items) > 1, "count": len(items),
        "organisation_name": envelope.organisation_name, "for_intern": envelope.for_intern,
        "site_url": settings.SITE_URL,
    }  # fmt: skip
    with translation.override(language):
        subject = " ".join(_render("subject.txt", envelope, context).split())
        text = _render("body.txt", envelope, context)
        html = _render("body.html", envelope, context)
        ics = deadline_calendar(items, language=language)
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[envelope.to],
        headers={"Message-ID": envelope.message_id, "Auto-Submitted": "auto-generated"},
    )  # fmt: skip
    message.attach_alternative(html, "text/html")
    message.attach("deadline.ics" if len(items) == 1 else "deadlines.ics", ics, "text/calendar")
    return message


@dataclass(frozen=True)
class WebhookDisabledNotice:
    """What the managers are told when a webhook endpoint is disabled after repeated failures."""

    to: str
    language: str
    message_id: str
    organisation_name: str
    url: str
    description: str
    failures: int
    since: dt.datetime | None
    last_error: str
    page_url: str


def build_webhook_disabled_message(notice: WebhookDisabledNotice) -> EmailMultiAlternatives:
    """The email telling a manager that a webhook endpoint was disabled (text and HTML, their language)."""
    language = notice.language if notice.language in LANGUAGES else settings.LANGUAGE_CODE
    context: dict[str, object] = {
        "organisation_name": notice.organisation_name, "url": notice.url, "description": notice.description,
        "failures": notice.failures, "since": notice.since, "last_error": notice.last_error,
        "page_url": notice.page_url,
    }  # fmt: skip
    with translation.override(language):
        subject = " ".join(
            render_to_string(f"{TEMPLATE_DIR}/{language}/webhook_disabled_subject.txt", context).split()
        )
        text = render_to_string(f"{TEMPLATE_DIR}/{language}/webhook_disabled_body.txt", context)
        html = render_to_string(f"{TEMPLATE_DIR}/{language}/webhook_disabled_body.html", context)
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[notice.to],
        headers={"Message-ID": notice.message_id, "Auto-Submitted": "auto-generated"},
    )  # fmt: skip
    message.attach_alternative(html, "text/html")
    return message
