"""An email backend that fails on demand, then delivers into django.core.mail.outbox like locmem."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend


class FlakyBackend(BaseEmailBackend):
    failures: ClassVar[list[BaseException]] = []  # raised one per send, in order, before delivering

    def send_messages(self, email_messages: Sequence[Any]) -> int:
        if FlakyBackend.failures:
            raise FlakyBackend.failures.pop(0)
        mail.outbox.extend(email_messages)
        return len(email_messages)
