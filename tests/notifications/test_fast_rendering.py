"""The outbox's fast paths write what the slow ones write: the MIME bytes against Django's generator, the
.ics against icalendar, the wording partials against an include of them, for every kind and language."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import random
from email.header import decode_header, make_header

import pytest
import time_machine
from django.core.mail import EmailMultiAlternatives
from icalendar.parser.string import _foldline

from conventions.rules.base import Explanation
from notifications.calendar import deadline_calendar
from notifications.emails import EmailItem, Envelope, build_message, checklist_for, deadline_ics
from notifications.mime import message_bytes
from notifications.rules import Deadline, FileType, ReminderKind

KINDS = [kind for kind in ReminderKind if kind not in (ReminderKind.DIGEST, ReminderKind.WEBHOOK_DISABLED)]
ODD = Explanation(
    rule='start date 2027-03-01 minus 2 months, A & B; "q" <x> \\N back\\slash',
    source="CESEDA R426-20, al. 1; test",
    rule_fr="date de début 01/03/2027 moins 2 mois ; l'été « x » & <y>, très long " + "é" * 60,
)


def item(kind: ReminderKind, language: str, n: int, days: int = 7) -> EmailItem:
    checklist, stamp = checklist_for(kind, language)
    return EmailItem(
        kind=kind, file_type=list(FileType)[n % 5], object_id=n, intern_name=f"Zoë L'HÔPITAL-{n}",
        organisation_name="CHU d'Amiens & Co", deadline=Deadline(dt.date(2027, 1, 1) + dt.timedelta(n), ODD),
        days_left=days, document_label="Attestation « OFII » & <b>", checklist=checklist, stamp_eur=stamp,
    )  # fmt: skip


def envelopes() -> list[Envelope]:
    found = [
        Envelope(
            to=f"user{n}@example.org",
            language=language,
            message_id=f"<key-{n}@hostportal.localhost>",
            organisation_name="CHU d'Amiens",
            for_intern=n % 2 == 0,
            items=[item(kind, language, n, days)],
        )  # fmt: skip
        for language in ("fr", "en")
        for n, (kind, days) in enumerate((kind, days) for kind in KINDS for days in (9, 0, -3))
    ]
    digest = [item(kind, "fr", n, n - 2) for n, kind in enumerate(KINDS[:5])]
    return [*found, Envelope("hr@example.org", "fr", "<digest@h>", "CHU", items=digest)]


def django_bytes(message: EmailMultiAlternatives) -> tuple[bytes, str, tuple[str, str]]:
    """Django's own bytes for the message, its Date and its two boundaries."""
    mime = message.message()
    mime.set_boundary("=" * 15 + "1" * 19 + "==")
    mime.get_payload()[0].set_boundary("=" * 15 + "2" * 19 + "==")
    boundaries = (str(mime.get_boundary()), str(mime.get_payload()[0].get_boundary()))
    return mime.as_bytes(linesep="\r\n"), str(mime["Date"]), boundaries


def without_subject(data: bytes) -> bytes:
    head, _, body = data.partition(b"\r\nFrom: ")
    return head.split(b"\r\nSubject:")[0] + b"\r\nFrom: " + body


@pytest.mark.parametrize("envelope", envelopes(), ids=lambda envelope: envelope.message_id)
def test_the_mime_bytes_are_djangos_and_the_subject_decodes_the_same(envelope: Envelope) -> None:
    message = build_message(envelope)
    expected, date, boundaries = django_bytes(message)
    written = message_bytes(message, date=date, boundaries=boundaries)
    assert written is not None
    assert without_subject(written) == without_subject(expected)
    parsed = email.message_from_bytes(written, policy=email.policy.default)
    assert str(parsed["Subject"]) == message.subject
    assert str(make_header(decode_header(str(parsed["Subject"])))) == message.subject
    assert all(len(line) <= 78 for line in written.split(b"\r\n\r\n")[0].split(b"\r\n"))


def test_a_message_it_does_not_know_is_left_to_django() -> None:
    message = build_message(envelopes()[0])
    message.cc = ["boss@example.org"]
    assert message_bytes(message) is None
    long_line = build_message(envelopes()[0])
    long_line.body = "x" * 1200
    assert message_bytes(long_line) is None


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_ics_is_icalendars(language: str) -> None:
    items = [item(kind, language, n) for n, kind in enumerate(KINDS)]
    with time_machine.travel(dt.datetime(2026, 12, 2, 9, 30, 5, 123456, tzinfo=dt.UTC), tick=False):
        for one in items:
            assert (
                deadline_ics([one], language=language) == deadline_calendar([one], language=language).decode()
            )
        assert deadline_ics(items, language=language) == deadline_calendar(items, language=language).decode()


def test_the_ics_folding_is_icalendars() -> None:
    from notifications.emails import _ics_line

    rng = random.Random(10)  # noqa: S311 (a test)
    alphabet = "ab\\^;,é—€ 𝄞"
    for _ in range(2000):
        line = "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 300)))
        assert _ics_line(line) == _foldline(line)


def test_each_wording_is_rendered_once_per_language_and_escaping() -> None:
    from notifications.templatetags.email_wording import render_wording

    render_wording.cache_clear()
    one, other = build_message(envelopes()[0]), build_message(envelopes()[0])
    assert (one.subject, one.body, one.alternatives) == (other.subject, other.body, other.alternatives)
    # 8 wordings a message (subject: headline and days; text and HTML: those and the action): 6 distinct
    assert (render_wording.cache_info().misses, render_wording.cache_info().hits) == (6, 2 + 8)


def test_a_wording_is_escaped_in_the_html_only() -> None:
    [document] = [
        envelope for envelope in envelopes() if envelope.items[0].kind == ReminderKind.DOCUMENT_EXPIRY
    ][:1]
    message = build_message(document)
    assert "« Attestation « OFII » & <b> »" in str(message.body)
    assert "« Attestation « OFII » &amp; &lt;b&gt; »" in str(message.alternatives[0][0])
