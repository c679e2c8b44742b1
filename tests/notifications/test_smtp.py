"""notifications.smtp against a real SMTP server (aiosmtpd): the same commands, the same message received
and the same exceptions as smtplib's sendmail, with the last reply read later."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from notifications import smtp
from tests.processes import free_port

MESSAGE = (
    b"Subject: essai\r\nMessage-ID: <1@hostportal>\r\n\r\nPremiere ligne\r\n"
    b".ligne qui commence par un point\r\n..et une autre\r\nfin"  # no final CRLF: added, as smtplib does
)


@dataclass
class Server:
    """Accepts everything except what it is told to refuse; records the envelopes and contents."""

    refuse_sender: str = ""
    refuse_recipient: str = ""
    data_reply: str = "250 Message accepted"
    received: list[tuple[str, list[str], bytes]] = field(default_factory=list)

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:  # noqa: N802
        if address == self.refuse_sender:
            return "553 5.7.1 Sender not allowed"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:  # noqa: N802
        if address == self.refuse_recipient:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.data_reply.startswith("250"):
            self.received.append((envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content)))
        return self.data_reply


@pytest.fixture
def server() -> Iterator[tuple[Server, int]]:
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    handler, port = Server(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


def by_smtplib(port: int, sender: str, recipients: list[str]) -> Any:
    with smtplib.SMTP("127.0.0.1", port) as client:
        try:
            return client.sendmail(sender, recipients, MESSAGE)
        except smtplib.SMTPException as exc:
            return type(exc), getattr(exc, "smtp_code", None), getattr(exc, "recipients", None)


def in_two_halves(port: int, sender: str, recipients: list[str]) -> Any:
    with smtplib.SMTP("127.0.0.1", port) as client:
        try:
            return smtp.begin(client, sender, recipients, MESSAGE).end()
        except smtplib.SMTPException as exc:
            return type(exc), getattr(exc, "smtp_code", None), getattr(exc, "recipients", None)


def test_an_accepted_message_arrives_as_sendmail_sends_it(server: tuple[Server, int]) -> None:
    handler, port = server
    sender, recipients = "Hostportal <noreply@hostportal.example>", ["alice@acme.example"]
    assert by_smtplib(port, sender, recipients) == in_two_halves(port, sender, recipients) == {}
    first, second = handler.received
    assert first == second
    assert first[0] == "noreply@hostportal.example" and first[1] == recipients
    assert b"\r\n.ligne qui commence" in first[2] and b"\r\n..et une autre" in first[2]  # dots unstuffed


def test_the_next_command_waits_for_the_last_reply(server: tuple[Server, int]) -> None:
    handler, port = server
    with smtplib.SMTP("127.0.0.1", port) as client:
        for number in range(3):
            recipient = f"u{number}@acme.example"
            assert smtp.begin(client, "noreply@hostportal.example", [recipient], MESSAGE).end() == {}
    assert [rcpt for _, rcpt, _ in handler.received] == [[f"u{n}@acme.example"] for n in range(3)]


@pytest.mark.parametrize(
    ("setting", "value", "recipients"),
    [
        ("refuse_sender", "bad@hostportal.example", ["alice@acme.example"]),
        ("refuse_recipient", "ghost@acme.example", ["ghost@acme.example"]),
        ("refuse_recipient", "ghost@acme.example", ["alice@acme.example", "ghost@acme.example"]),
        ("data_reply", "554 5.6.0 Message rejected", ["alice@acme.example"]),
        ("data_reply", "451 4.3.0 Try again later", ["alice@acme.example"]),
    ],
)
def test_refusals_give_what_sendmail_gives(
    server: tuple[Server, int], setting: str, value: str, recipients: list[str]
) -> None:
    handler, port = server
    setattr(handler, setting, value)
    sender = "bad@hostportal.example" if setting == "refuse_sender" else "noreply@hostportal.example"
    expected = by_smtplib(port, sender, recipients)
    assert in_two_halves(port, sender, recipients) == expected
    if len(recipients) == 2:  # one refused, the other one served: the message went, the refusal returned
        assert expected == {"ghost@acme.example": (550, b"5.1.1 No such user")}
        assert len(handler.received) == 2
    else:
        assert isinstance(expected, tuple) and not handler.received


def test_the_connection_stays_usable_after_a_refused_message(server: tuple[Server, int]) -> None:
    handler, port = server
    with smtplib.SMTP("127.0.0.1", port) as client:
        handler.data_reply = "554 5.6.0 Message rejected"
        with pytest.raises(smtplib.SMTPDataError):
            smtp.begin(client, "noreply@hostportal.example", ["alice@acme.example"], MESSAGE).end()
        handler.data_reply = "250 Message accepted"
        assert smtp.begin(client, "noreply@hostportal.example", ["alice@acme.example"], MESSAGE).end() == {}
    assert len(handler.received) == 1
