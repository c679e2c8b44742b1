"""One SMTP transaction in two halves, so that the next message is composed while the server stores this one.

`smtplib.SMTP.sendmail` waits for each reply in turn. Its last wait, after the message's final ".", is the
longest: the server stores the message before it answers (on the bench's local sink, about 145 µs of the
350 µs a message takes). `begin` sends MAIL, RCPT, DATA and the message and returns without reading that
last reply; `Transaction.end` reads it. Between the two, the caller does its own work (the outbox composes
the next email), and no other command goes over the connection.

The commands (MAIL and RCPT as `SMTP.mail` and `SMTP.rcpt` write them, without options other than SIZE),
the replies checked and the exceptions raised are those of `sendmail` (Python 3.11's
smtplib): `SMTPSenderRefused`, `SMTPRecipientsRefused` when every recipient is refused, `SMTPDataError`
for DATA or the message refused; after a refusal of the sender, of every recipient or of the message, the
connection closed on a 421, else a RSET.
"""

from __future__ import annotations

import re
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

CRLF = b"\r\n"
LEADING_DOT = re.compile(rb"(?m)^\.")  # RFC 5321 4.5.2: a line starting with "." gets another one


@lru_cache(maxsize=4096)
def _quoted(address: str) -> str:
    """`<address>` as smtplib's MAIL and RCPT write it, parsed once per address (the sender is always the
    same, and recipients come back: parsing an address costs as much as the rest of the command)."""
    return smtplib.quoteaddr(address)


def _abandon(smtp: smtplib.SMTP, code: int) -> None:
    """After a refusal: close on 421 (the server is going away), else RSET to end the transaction."""
    if code == 421:
        smtp.close()
        return
    try:
        smtp.rset()
    except smtplib.SMTPServerDisconnected:
        pass


@dataclass
class Transaction:
    """A message the server has received in full; its verdict (the last reply) is read by `end`."""

    smtp: smtplib.SMTP
    refused: dict[str, tuple[int, bytes]]

    def end(self) -> dict[str, tuple[int, bytes]]:
        """The server's verdict: the recipients refused (as `sendmail` returns them) once it accepted the
        message, or `SMTPDataError`."""
        code, reply = self.smtp.getreply()
        if code != 250:
            _abandon(self.smtp, code)
            raise smtplib.SMTPDataError(code, reply)
        return self.refused


def begin(smtp: smtplib.SMTP, sender: str, recipients: Sequence[str], data: bytes) -> Transaction:
    """Send the whole message (`data`: CRLF line ends) and return before the server's verdict."""
    smtp.ehlo_or_helo_if_needed()
    size = f" size={len(data)}" if smtp.does_esmtp and smtp.has_extn("size") else ""
    code, reply = smtp.docmd("mail", f"FROM:{_quoted(sender)}{size}")
    if code != 250:
        _abandon(smtp, code)
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    refused: dict[str, tuple[int, bytes]] = {}
    for recipient in recipients:
        code, reply = smtp.docmd("rcpt", f"TO:{_quoted(recipient)}")
        if code not in (250, 251):
            refused[recipient] = (code, reply)
        if code == 421:
            smtp.close()
            raise smtplib.SMTPRecipientsRefused(refused)
    if len(refused) == len(recipients):
        _abandon(smtp, 0)
        raise smtplib.SMTPRecipientsRefused(refused)
    smtp.putcmd("data")
    code, reply = smtp.getreply()
    if code != 354:  # as smtplib: no RSET here
        raise smtplib.SMTPDataError(code, reply)
    quoted = LEADING_DOT.sub(b"..", data)
    if not quoted.endswith(CRLF):
        quoted += CRLF
    smtp.send(quoted + b"." + CRLF)
    return Transaction(smtp, refused)
