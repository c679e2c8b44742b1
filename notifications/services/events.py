"""What a state change does to the outbox, in the transaction of the change (signal receivers call it).

1. Reminders about the old state stop: their rows not yet sent are cancelled (one UPDATE).
2. Some transitions are events with an email of their own: a convention refused by silence (what it
   means, what can be done), an avenant accepted or validated (file the carte de séjour application now).
   Their rows are written with the change, so the change and its emails commit together or not at all;
   delivery is enqueued on commit. A fixed number of queries for any number of files (the sweep).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from notifications.facts import files_by_ids
from notifications.models import Notification
from notifications.rules import FileType, event_for, event_reminder, kinds_stopped_by
from notifications.services.audience import Audience
from notifications.services.outbox import (
    enqueue_delivery,
    outbox_cancel_stopped,
    outbox_insert,
    reminder_rows,
)


def notifications_on_transition(
    *, file_type: FileType, ids: list[int], target: str, today: dt.date, now: dt.datetime | None = None
) -> int:
    """Cancel what the transition stops, write the event's emails; returns the number of new rows."""
    now = now or timezone.now()
    outbox_cancel_stopped(
        file_type=file_type, ids=ids, kinds=kinds_stopped_by(file_type, target),
        reason=f"Stopped: the {file_type} moved to {target} on {today:%Y-%m-%d}.",
    )  # fmt: skip
    kind = event_for(file_type, target)
    if kind is None or not ids:
        return 0
    files = files_by_ids(file_type, ids)
    audience = Audience({file.ref.organisation_id for file in files})
    rows: list[Notification] = []
    for file in files:
        reminder = event_reminder(kind, file.facts, today)
        if reminder is not None:
            rows += reminder_rows(file, reminder, audience.recipients(file.ref, kind), now)
    created = outbox_insert(rows)
    if created:
        enqueue_delivery()
    return created
