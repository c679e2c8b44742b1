"""The one message builder: subject, text and HTML from templates, in the recipient's language, + .ics.

Templates live in templates/notifications/emails/<language>/. A reminder and a digest are the same
message with one or several items. Nothing here reads a passport number: the context is built from the
items only, and they carry none.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import conditional_escape

from conventions.rules.base import Explanation
from conventions.rules.dates import AVENANT_FILING_DAYS
from conventions.rules.documents import RESIDENCE_PERMIT_DOCUMENTS, RESIDENCE_PERMIT_STAMP_EUR
from conventions.rules.months import add_days
from notifications.calendar import PRODID, REMINDER_LABELS, SOURCE, WHY
from notifications.links import file_url
from notifications.rules import EVENT_KINDS, IMPLICIT_REFUSAL_REMEDIES, Deadline, FileType, ReminderKind

LANGUAGES = ("fr", "en")
TEMPLATE_DIR = "notifications/emails"


@dataclass(frozen=True)
class Wording:
    """What the wording partials (_headline, _days, _action) read of an item, and nothing else: two items
    with the same wording read the same, so each partial is rendered once per wording (templatetags)."""

    kind: ReminderKind
    on: dt.date  # the deadline
    days_left: int
    document_label: str = ""
    stamp_eur: Decimal | None = None

    @property
    def decision_on(self) -> dt.date:
        """The day an implicit decision is born: the day after the silence deadline (RULES §2)."""
        return add_days(self.on, 1)

    @property
    def avenant_by(self) -> dt.date:
        """For a stage ending: the last day to file an avenant (R426-21)."""
        return add_days(self.on, -AVENANT_FILING_DAYS)

    @property
    def is_event(self) -> bool:
        return self.kind in EVENT_KINDS

    @property
    def remedies_source(self) -> str:
        return IMPLICIT_REFUSAL_REMEDIES

    @property
    def days_late(self) -> int:
        return -self.days_left


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
    def wording(self) -> Wording:
        return Wording(self.kind, self.deadline.on, self.days_left, self.document_label, self.stamp_eur)

    @cached_property
    def url(self) -> str:  # the templates and the .ics read it several times; reversing a URL costs
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


# --- the .ics attached to a reminder: notifications.calendar's events, written directly --------------------
def _ics_text(value: str) -> str:
    """RFC 5545 TEXT escaping, as icalendar writes it."""
    value = value.replace("\\N", "\n").replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def _ics_line(line: str) -> str:
    """A content line folded into lines of at most 74 octets, between two characters and never right
    after an escaping backslash (icalendar's folding)."""
    data = line.encode()
    lines: list[bytes] = []
    start = 0
    while len(data) - start > 74:
        cut = start + 74
        while data[cut] & 0xC0 == 0x80:  # not inside a UTF-8 character
            cut -= 1
        if cut - start > 1 and data[cut - 1] in b"\\^":
            cut -= 1
        lines.append(data[start:cut])
        start = cut
    lines.append(data[start:])
    return b"\r\n ".join(lines).decode()


def deadline_ics(items: list[EmailItem], *, language: str) -> str:
    """The .ics of an email: one all-day event per reminder, with its rule, source and link. The same
    text as notifications.calendar.deadline_calendar (icalendar), written directly: icalendar's property
    objects cost more than the rest of the message (tests/notifications/test_emails.py compares them)."""
    labels = REMINDER_LABELS.get(language, REMINDER_LABELS["en"])
    stamp = f"{timezone.now().astimezone(dt.UTC):%Y%m%dT%H%M%SZ}"
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{_ics_text(PRODID)}", "CALSCALE:GREGORIAN"]
    lines += ["METHOD:PUBLISH", "X-WR-CALNAME:hostportal", f"X-WR-TIMEZONE:{_ics_text(settings.TIME_ZONE)}"]
    domain = settings.NOTIFICATIONS_MESSAGE_ID_DOMAIN
    for item in items:
        on, why, url = item.deadline.on, item.deadline.explanation, item.url
        uid = f"{item.file_type}-{item.object_id}-{item.kind}-{on:%Y%m%d}@{domain}"
        description = f"{WHY[language]}: {why.text(language)}\n{SOURCE[language]}: {why.source}\n{url}"
        lines += [
            "BEGIN:VEVENT", f"SUMMARY:{_ics_text(f'{item.intern_name} — {labels[item.kind]}')}",
            f"DTSTART;VALUE=DATE:{on:%Y%m%d}", f"DTEND;VALUE=DATE:{on + dt.timedelta(days=1):%Y%m%d}",
            f"DTSTAMP:{stamp}", f"UID:{_ics_text(uid)}", f"DESCRIPTION:{_ics_text(description)}",
            "TRANSP:TRANSPARENT", f"URL:{url}", "END:VEVENT",
        ]  # fmt: skip
    lines.append("END:VCALENDAR")
    return "".join(_ics_line(line) + "\r\n" for line in lines)


def _render(name: str, language: str, context: dict[str, object]) -> str:
    return render_to_string(f"{TEMPLATE_DIR}/{language}/{name}", context)


def _context(envelope: Envelope, items: list[EmailItem]) -> dict[str, object]:
    return {
        "items": items, "first": items[0], "digest": len(items) > 1, "count": len(items),
        "organisation_name": envelope.organisation_name, "for_intern": envelope.for_intern,
        "site_url": settings.SITE_URL,
        "account_path": reverse("portal:account"),  # where each member chooses their emails (the footer)
    }  # fmt: skip


def _render_all(language: str, context: dict[str, object]) -> tuple[str, str, str]:
    """Subject (before its spaces are collapsed), text and HTML."""
    with translation.override(language):
        subject = _render("subject.txt", language, context)
        return subject, _render("body.txt", language, context), _render("body.html", language, context)


# --- a single reminder, rendered from its shape ------------------------------------------------------------
# Two reminders of the same kind, deadline day, days left, document... in the same language (their shape)
# differ in the templates' output only by these values: the shape is rendered once with stand-ins, and each
# email writes its values in their place (about 0.6 ms an email saved, the templates' whole cost). A stand-in
# is NUL-delimited (PostgreSQL text never holds NUL) and carries a "&": written "&amp;" where the template
# escaped it, so each place gets its value escaped or not as the template would have written it.
SLOTS = ("intern_name", "organisation_name", "url", "rule", "rule_fr", "source")
STAND_IN = "\x00{}&\x00"
STAND_INS = re.compile("\x00([a-z_]+)(&|&amp;)\x00")
Piece = str | tuple[str, bool]  # a literal, or (slot, escaped)


def _values(envelope: Envelope, item: EmailItem) -> dict[str, str]:
    why = item.deadline.explanation
    return {
        "intern_name": item.intern_name, "organisation_name": envelope.organisation_name, "url": item.url,
        "rule": why.rule, "rule_fr": why.rule_fr, "source": why.source,
    }  # fmt: skip


def _pieces(text: str) -> list[Piece] | None:
    """The rendered text cut at its stand-ins; None if one was altered (a filter on it...)."""
    cut = STAND_INS.split(text)
    pieces: list[Piece] = []
    for index in range(0, len(cut) - 1, 3):
        pieces += [cut[index], (cut[index + 1], cut[index + 2] != "&")]
    pieces.append(cut[-1])
    if any(isinstance(piece, str) and "\x00" in piece for piece in pieces):
        return None
    return pieces


Rendered = tuple[list[Piece], list[Piece], list[Piece]]


def _shape(blank: EmailItem, language: str, for_intern: bool, site_url: str) -> Rendered | None:
    """The three templates rendered for a reminder whose own values are stand-ins (`blank`), cut at them;
    None when the templates do something with a value other than write it (then each email renders)."""
    vars(blank)["url"] = STAND_IN.format("url")  # the cached_property's slot: not part of the key
    envelope = Envelope("", language, "", STAND_IN.format("organisation_name"), for_intern, [blank])
    context = _context(envelope, [blank]) | {"site_url": site_url}
    subject, text, html = (_pieces(part) for part in _render_all(language, context))
    if subject is None or text is None or html is None:
        return None
    return subject, text, html


class Shapes:
    """The shapes rendered so far, kept by whoever builds many messages (the outbox's worker); without
    one, build_message renders its templates."""

    def __init__(self, size: int = 2048) -> None:
        self.render = functools.lru_cache(maxsize=size)(_shape)


def _fill(pieces: list[Piece], values: dict[str, str]) -> str:
    return "".join(
        piece
        if isinstance(piece, str)
        else str(conditional_escape(values[piece[0]]))
        if piece[1]
        else values[piece[0]]
        for piece in pieces
    )


def _from_shape(envelope: Envelope, item: EmailItem, shapes: Shapes) -> tuple[str, str, str] | None:
    values = _values(envelope, item)
    if not all(values.values()) or any("\x00" in value for value in values.values()):
        return None  # an empty value may change what the template writes (an {% if %}): render it
    stand_ins = {slot: STAND_IN.format(slot) for slot in SLOTS}
    blank = replace(
        item, intern_name=stand_ins["intern_name"], organisation_name=stand_ins["organisation_name"],
        object_id=0, deadline=Deadline(
            item.deadline.on, Explanation(stand_ins["rule"], stand_ins["source"], stand_ins["rule_fr"])
        ),
    )  # fmt: skip
    shape = shapes.render(blank, envelope.language, envelope.for_intern, settings.SITE_URL)
    if shape is None:
        return None
    subject, text, html = shape
    return _fill(subject, values), _fill(text, values), _fill(html, values)


def build_message(envelope: Envelope, *, shapes: Shapes | None = None) -> EmailMultiAlternatives:
    """The email for one reminder (one item) or a digest (several), ready for any Django email backend.
    With `shapes`, a single reminder is written from its shape's rendering when there is one.

    Subject: the (most urgent) intern, deadline and days left. Bodies: what to do, by when, why (the
    rule and its source) and a link to the file. The Message-ID is the outbox row's idempotency key.
    """
    language = envelope.language if envelope.language in LANGUAGES else settings.LANGUAGE_CODE
    envelope = replace(envelope, language=language)
    items = sorted(envelope.items, key=lambda item: (item.deadline.on, item.intern_name))
    parts = _from_shape(envelope, items[0], shapes) if shapes is not None and len(items) == 1 else None
    subject, text, html = parts or _render_all(language, _context(envelope, items))
    subject = " ".join(subject.split())
    ics = deadline_ics(items, language=language)
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
