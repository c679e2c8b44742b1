"""Domain events, sent by conventions.services INSIDE the transaction that causes them.

Receivers (notifications) write their outbox rows in that same transaction, so an event and the emails it
causes are committed together or not at all; anything that talks to the outside world runs on commit.
conventions never imports notifications: the arrow points one way.
"""

from django.dispatch import Signal

# sender: the model class; kwargs: instance, transition, source, target, actor, channel, today
file_transitioned = Signal()
# sender: the model class; kwargs: ids (list[int]), transition, source, target, today
files_swept = Signal()
