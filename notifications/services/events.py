"""What a state change does to the outbox, in the transaction of the change (signal receivers call it).

1. Reminders about the old state stop: their rows not yet sent are cancelled (one UPDATE).
2. Some transitions are events with an email of their own: a convention refused by silence (what it
   means, what can be done), an avenant accepted or validated (file the carte de séjour application now).
   Their rows are written with the change, so the change and its emails commit together or not at all;
   delivery is enqueued on commit. A fixed number of queries for any number of files (the sweep): the
   files are streamed, their emails written by one COPY and one INSERT ... SELECT (outbox_write).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from notifications.facts import stream_files_by_ids
from notifications.rules import FileType, event_for, event_reminder, kinds_stopped_by
from notifications.services.outbox import DueReminders, enqueue_delivery, outbox_cancel_stopped, outbox_write


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
    due = DueReminders()
    for file in stream_files_by_ids(file_type, ids):
        reminder = event_reminder(kind, file.facts, today)
        if reminder is not None:
            due.add_reminder(file, reminder)
    created = outbox_write(due, now).total()
    if created:
        enqueue_delivery()
    return created
