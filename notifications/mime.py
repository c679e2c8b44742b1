"""The bytes of an outbox email, written directly instead of through the email package.

For the messages notifications.emails.build_message makes (text and HTML alternatives and one .ics, short
lines, ASCII addresses), Django's `message().as_bytes()` builds a MIME tree, then its generator folds every
header again and searches the text for a boundary through a new regular expression: about 2 ms a message,
more than the SMTP transaction itself. `message_bytes` writes the same structure, the same headers in the
same order and the same part bodies (tests/notifications/test_mime.py compares them with Django's bytes);
only the Subject's encoded words may be cut at other places, which decodes to the same subject. Any other
message gives None: send it through Django's backend.
"""

from __future__ import annotations

import random
import string
import sys
from email.utils import formatdate

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

MAX_LINE_BYTES = 998  # RFC 5322: longer lines make Django switch to quoted-printable
FOLD_AT = 78  # the email package's max_line_length: longer header lines are folded
KNOWN_HEADERS = frozenset({"message-id", "auto-submitted"})
Q_SAFE = frozenset((string.ascii_letters + string.digits + "-!*+/").encode())
# RFC 2047 "Q" encoding of one byte in a header, as the email package writes it.
Q_BYTE = [chr(b) if b in Q_SAFE else "_" if b == 0x20 else f"={b:02X}" for b in range(256)]
# One character's "Q" encoding, memoised: subjects reuse few characters, and encoding each one costs more.
Q_CHAR: dict[str, str] = {}
WORD = "=?utf-8?q?{}?="
WORD_ROOM = 75 - len(WORD.format(""))  # an encoded word is at most 75 characters (RFC 2047)
FIRST_ROOM = FOLD_AT - len("Subject: ") - len(WORD.format(""))


def _boundary(texts: tuple[str, ...]) -> str:
    """As the email package makes them (15 '=', 19 random digits, '=='), absent from the parts."""
    while True:
        boundary = "=" * 15 + f"{random.randrange(sys.maxsize):019d}=="  # noqa: S311 (not a secret)
        if not any(f"--{boundary}" in text for text in texts):
            return boundary


def _subject(subject: str) -> str:
    """The Subject header line(s): as is when short ASCII, else RFC 2047 encoded words, folded."""
    if subject.isascii() and "=?" not in subject and len(subject) <= FOLD_AT - len("Subject: "):
        return f"Subject: {subject}"
    words: list[str] = []
    word, room = "", FIRST_ROOM
    for char in subject:
        encoded = Q_CHAR.get(char)
        if encoded is None:
            encoded = Q_CHAR.setdefault(char, "".join(Q_BYTE[b] for b in char.encode()))
        if len(word) + len(encoded) > room:
            words.append(WORD.format(word))
            word, room = "", WORD_ROOM
        word += encoded
    words.append(WORD.format(word))
    return "Subject: " + "\r\n ".join(words)


def _header(name: str, value: str) -> str | None:
    """One ASCII header line, folded as the email package folds a value without spaces; None otherwise."""
    if not value.isascii() or "\n" in value or "\r" in value:
        return None
    if len(name) + 2 + len(value) <= FOLD_AT:
        return f"{name}: {value}"
    return None if " " in value else f"{name}: \r\n {value}"


def _body(text: str) -> tuple[str, str] | None:
    """(Content-Transfer-Encoding, the text with CRLF line ends), or None if a line is too long."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # A character is at most 4 bytes: only a line of more than MAX_LINE_BYTES / 4 characters is encoded.
    short = MAX_LINE_BYTES // 4
    if any(len(line) > short and len(line.encode()) > MAX_LINE_BYTES for line in text.split("\n")):
        return None
    return ("7bit" if text.isascii() else "8bit"), text.replace("\n", "\r\n")


def _part(content_type: str, text: str, disposition: str = "") -> str | None:
    body = _body(text)
    if body is None:
        return None
    headers = [f'Content-Type: {content_type}; charset="utf-8"', "MIME-Version: 1.0"]
    headers.append(f"Content-Transfer-Encoding: {body[0]}")
    if disposition:
        headers.append(f"Content-Disposition: {disposition}")
    return "\r\n".join(headers) + "\r\n\r\n" + body[1]


def _parts(message: EmailMultiAlternatives) -> tuple[str, str, str] | None:
    """The text, HTML and calendar parts, when the message has exactly the shape build_message makes."""
    if len(message.alternatives) != 1 or len(message.attachments) != 1:
        return None
    html, html_type = message.alternatives[0]
    attachment = message.attachments[0]
    if html_type != "text/html" or not isinstance(html, str) or not isinstance(attachment, tuple):
        return None
    filename, ics, ics_type = attachment
    if ics_type != "text/calendar" or not isinstance(ics, str) or not str(filename).isascii():
        return None
    if message.content_subtype != "plain" or (message.encoding or settings.DEFAULT_CHARSET) != "utf-8":
        return None
    text = _part("text/plain", str(message.body))
    html_part = _part("text/html", html)
    ics_part = _part("text/calendar", ics, f'attachment; filename="{filename}"')
    if text is None or html_part is None or ics_part is None:
        return None
    return text, html_part, ics_part


def _headers(message: EmailMultiAlternatives, date: str) -> list[str] | None:
    if message.cc or message.bcc or message.reply_to or len(message.to) != 1:
        return None
    if {name.lower() for name in message.extra_headers} - KNOWN_HEADERS:
        return None
    lines = [_header("From", message.from_email), _header("To", message.to[0]), _header("Date", date)]
    lines += [_header(name, str(value)) for name, value in message.extra_headers.items()]
    if any(line is None for line in lines):
        return None
    return [_subject(" ".join(str(message.subject).split()))] + [str(line) for line in lines]


def message_bytes(
    message: EmailMultiAlternatives, *, date: str | None = None, boundaries: tuple[str, str] | None = None
) -> bytes | None:
    """The message as Django's SMTP backend would send it, or None when it is not one this writes.

    `date` and `boundaries` (outer, inner) are for the tests; by default the Date is now and the
    boundaries are random.
    """
    parts = _parts(message)
    headers = _headers(message, date or formatdate(localtime=settings.EMAIL_USE_LOCALTIME))
    if parts is None or headers is None:
        return None
    text, html, ics = parts
    outer, inner = boundaries or (_boundary(parts), _boundary(parts))
    head = [f'Content-Type: multipart/mixed; boundary="{outer}"', "MIME-Version: 1.0", *headers]
    alternative = (
        f'Content-Type: multipart/alternative;\r\n boundary="{inner}"\r\nMIME-Version: 1.0\r\n\r\n'
        f"--{inner}\r\n{text}\r\n--{inner}\r\n{html}\r\n--{inner}--\r\n"
    )
    whole = "\r\n".join(head) + f"\r\n\r\n--{outer}\r\n{alternative}\r\n--{outer}\r\n{ics}\r\n--{outer}--\r\n"
    return whole.encode()
