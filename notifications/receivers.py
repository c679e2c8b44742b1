"""Signal receivers: conventions' domain events, in their transaction, become outbox changes (emails
and webhook deliveries)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.dispatch import receiver

from conventions.signals import file_transitioned, files_swept
from notifications.facts import file_type_of
from notifications.services import notifications_on_transition
from notifications.services.webhooks import webhooks_on_sweep, webhooks_on_transition


@receiver(file_transitioned, dispatch_uid="notifications.file_transitioned")
def on_file_transitioned(
    sender: type[Any], instance: Any, target: str, today: dt.date, **kwargs: Any
) -> None:
    file_type = file_type_of(sender)
    if file_type is not None:
        notifications_on_transition(file_type=file_type, ids=[instance.pk], target=target, today=today)
        webhooks_on_transition(
            file_type=file_type, instance=instance, transition=kwargs.get("transition", ""),
            source=kwargs.get("source", ""), target=target, today=today,
        )  # fmt: skip


@receiver(files_swept, dispatch_uid="notifications.files_swept")
def on_files_swept(sender: type[Any], ids: list[int], target: str, today: dt.date, **kwargs: Any) -> None:
    file_type = file_type_of(sender)
    if file_type is not None:
        notifications_on_transition(file_type=file_type, ids=list(ids), target=target, today=today)
        webhooks_on_sweep(
            file_type=file_type, ids=list(ids), transition=kwargs.get("transition", ""),
            source=kwargs.get("source", ""), target=target, today=today,
        )  # fmt: skip
