"""Thin Celery tasks: call one service, return a summary. All of them are safe to run twice at once.

Retries: a database or broker hiccup retries the task with exponential backoff; a mail server that is
down is reported by the service (the row it was sending is retried with its own backoff) and the task
retries too, so delivery resumes as soon as the server is back, before the next beat.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError

from notifications.services import digests_send, outbox_deliver, reminders_plan
from notifications.services.webhook_delivery import webhooks_deliver


class MailTransportDown(Exception):
    """The mail server could not be reached: retry the delivery task later."""


@shared_task(
    name="notifications.tasks.plan_reminders_task",
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def plan_reminders_task() -> dict[str, Any]:
    report = reminders_plan()
    return {"today": report.today.isoformat(), "files": report.files, "created": report.created}


@shared_task(
    name="notifications.tasks.deliver_outbox_task",
    autoretry_for=(DatabaseError, MailTransportDown),
    retry_backoff=30,
    retry_backoff_max=900,
    max_retries=5,  # the beat runs it every minute anyway: no unbounded chain of retries
)
def deliver_outbox_task() -> dict[str, Any]:
    report = outbox_deliver()
    if report.transport_error:
        raise MailTransportDown(report.transport_error)
    if report.handled >= settings.NOTIFICATIONS_BATCH_SIZE:
        deliver_outbox_task.delay()  # more is waiting: continue in a new task rather than a long one
    return {
        "sent": report.sent,
        "retry": report.retry,
        "failed": report.failed,
        "cancelled": report.cancelled,
    }


@shared_task(
    name="notifications.tasks.send_digests_task",
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def send_digests_task() -> dict[str, Any]:
    report = digests_send()
    return {"today": report.today.isoformat(), "digests": report.digests, "items": report.items}


@shared_task(
    name="notifications.tasks.deliver_webhooks_task",
    autoretry_for=(DatabaseError,),
    retry_backoff=30,
    retry_backoff_max=900,
    max_retries=5,  # the beat runs it every minute anyway
)
def deliver_webhooks_task() -> dict[str, Any]:
    """POST the due webhook deliveries (a failing receiver is retried per row, with its own backoff)."""
    report = webhooks_deliver()
    if report.handled >= settings.WEBHOOKS_BATCH_SIZE:
        deliver_webhooks_task.delay()  # more is waiting: continue in a new task rather than a long one
    return {
        "sent": report.sent,
        "retry": report.retry,
        "failed": report.failed,
        "disabled": report.disabled,
    }
