"""Outbox delivery: claim a group of rows, read what they are about once, then compose, send and record
them over one SMTP connection.

The guarantee (docs/notifications.md has the long version):

* claim: one conditional UPDATE (after a `SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL) moves a group
  of due rows `pending -> sending` under this worker's token, an attempt counted, their lease starting
  now. A group holds as many emails as the server accepted in GROUP_SECONDS (one until measured, at most
  GROUP_MAX): on a slow server each email is its own group. Only the worker holding the token may finish
  a row: two workers, a duplicated beat or a retried task never send one row twice. A row cancelled or
  resent meanwhile is skipped (it lost its token).
* lease: a row left in `sending` longer than the lease (its worker was killed) is put back to `pending`;
  when a group runs longer than measured, the leases of its rows still to be sent are renewed, so only
  one SMTP transaction has to fit in a lease (settings require it to exceed 2 x EMAIL_TIMEOUT).
* the one at-least-once window: between the SMTP server's "250" to the end of DATA and the commit of the
  UPDATE to `sent` that follows (at most RECORD_MAX emails, and at most about GROUP_SECONDS of them). A
  worker killed there sends those emails again after the lease, with the same Message-ID (the idempotency
  key), so the receiver can drop the duplicates. Killed anywhere else, each email is sent exactly once;
  none is ever lost (every exit from `sending` is `sent`, back to `pending`, `failed` after N attempts,
  or `cancelled`).

Per email that is two row updates (claim, sent), each in a statement for many rows; per group, one read
of the rows, of their files (one query per file type) and of the recipients' preferences. Each email is
composed while the server stores the one before (notifications.smtp reads its last reply afterwards).

The claim, lease and retry steps are notifications.services.claims (shared with the webhook delivery);
this module says what an email row is and how it is sent.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import connection as database
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from conventions.services.common import local_today
from hostportal.models import Membership
from notifications import smtp
from notifications.emails import (
    EmailItem,
    Envelope,
    Shapes,
    WebhookDisabledNotice,
    build_message,
    build_webhook_disabled_message,
    checklist_for,
)
from notifications.facts import MODELS, File, files_by_ids
from notifications.mime import message_bytes
from notifications.models import Notification, NotificationStatus, WebhookEndpoint
from notifications.rules import (
    DocumentFacts,
    FileType,
    ReminderKind,
    days_left,
    deadline_for,
)
from notifications.services.claims import Claim, ClaimQueue, Outcome

logger = logging.getLogger(__name__)
# The SMTP server refused this message (a bad address...): retry it later, but keep sending the others.
MESSAGE_ERRORS = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPDataError,
)
# A group is claimed, read and composed together: at most GROUP_MAX emails, as many as the server accepts
# in about GROUP_SECONDS (measured; one at first). Its emails are recorded `sent` by at most RECORD_MAX at
# a time (and at least every GROUP_SECONDS): that bounds the one at-least-once window (docs/notifications.md).
GROUP_MAX = 200
GROUP_SECONDS = 0.15
RECORD_MAX = 50
# The reminders' shapes this worker rendered (notifications.emails): a few hundred a day.
SHAPES = Shapes()


EMAILS = ClaimQueue(
    model=Notification,
    label="Outbox",
    lease_setting="NOTIFICATIONS_CLAIM_LEASE_SECONDS",
    max_attempts_setting="NOTIFICATIONS_MAX_ATTEMPTS",
    retry_base_setting="NOTIFICATIONS_RETRY_BASE_SECONDS",
    retry_max_setting="NOTIFICATIONS_RETRY_MAX_SECONDS",
    pending=NotificationStatus.PENDING,
    sending=NotificationStatus.SENDING,
    failed=NotificationStatus.FAILED,
    cancelled=NotificationStatus.CANCELLED,
)


@dataclass
class DeliveryReport:
    reclaimed: int = 0
    sent: int = 0
    cancelled: int = 0
    retry: int = 0
    failed: int = 0
    lost_claim: int = 0
    transport_error: str = ""

    @property
    def handled(self) -> int:
        return self.sent + self.cancelled + self.retry + self.failed + self.lost_claim

    def count(self, outcome: Outcome) -> None:
        setattr(self, outcome.value, getattr(self, outcome.value) + 1)


@dataclass
class BatchFacts:
    """What a batch of rows is about, read once: their files, and who still wants these emails."""

    files: dict[tuple[str, int], File] = field(default_factory=dict)
    wanting: set[tuple[int, int]] = field(default_factory=set)  # (user, organisation), preference not off


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


# --- claim and lease (the shared machinery) ----------------------------------------------------------
def outbox_reclaim(*, now: dt.datetime | None = None) -> int:
    """Put back rows whose worker died while sending (lease expired); fail those out of attempts."""
    return EMAILS.reclaim(now=now)


def outbox_claim_next(*, now: dt.datetime | None = None) -> Claim | None:
    """Claim the oldest pending row due now, or None. The UPDATE's WHERE decides between rivals."""
    return EMAILS.claim_next(now=now)


# --- what to send: re-checked at send time ------------------------------------------------------------
def batch_facts(rows: Iterable[Notification]) -> BatchFacts:
    """The files the rows are about (one query per file type) and the members who still want email from
    the rows' organisations (one query)."""
    rows = list(rows)
    ids_by_type: dict[FileType, list[int]] = defaultdict(list)
    for row in rows:
        if row.file_type in MODELS and row.kind not in (
            ReminderKind.DIGEST,
            ReminderKind.WEBHOOK_DISABLED,
        ):
            ids_by_type[FileType(row.file_type)].append(row.object_id)
    facts = BatchFacts()
    for file_type, ids in ids_by_type.items():
        facts.files.update(((file_type.value, file.ref.pk), file) for file in files_by_ids(file_type, ids))
    users = {row.recipient_user_id for row in rows if row.recipient_user_id is not None}
    if users:
        members = Membership.objects.filter(
            user_id__in=users, organisation_id__in={row.organisation_id for row in rows}
        ).exclude(email_preference=Membership.EmailPreference.OFF)
        facts.wanting = set(members.values_list("user_id", "organisation_id"))
    return facts


def _item(row: Notification, file: File, today: dt.date) -> EmailItem | None:
    """The email item, or None when the reminder no longer applies (state or deadline changed)."""
    kind = ReminderKind(row.kind)
    deadline = deadline_for(kind, file.facts)
    if deadline is None or deadline.on != row.deadline:
        return None
    checklist, stamp = checklist_for(kind, row.language)
    label = file.facts.label if isinstance(file.facts, DocumentFacts) else ""
    return EmailItem(
        kind=kind, file_type=file.ref.file_type, object_id=file.ref.pk, intern_name=file.ref.intern_name,
        organisation_name=file.ref.organisation_name, deadline=deadline,
        days_left=days_left(deadline.on, today),
        document_label=label, checklist=checklist, stamp_eur=stamp,
    )  # fmt: skip


def _recipient_email(row: Notification, facts: BatchFacts) -> str | None:
    """The recipient's current address, or None when they no longer want or can get this email."""
    if row.recipient_intern_id is not None:
        intern = row.recipient_intern
        return intern.email if intern is not None and intern.notify_intern and intern.email else None
    user = row.recipient_user
    if user is None or not user.is_active or not user.email:
        return None
    return user.email if (user.pk, row.organisation_id) in facts.wanting else None


def _single_items(row: Notification, today: dt.date, facts: BatchFacts) -> tuple[list[EmailItem], str]:
    file = facts.files.get((row.file_type, row.object_id))
    if file is None:
        return [], "The file no longer exists."
    item = _item(row, file, today)
    if item is None:
        return (
            [],
            f"No longer due: the {row.file_type} changed (state or deadline) before sending.",
        )
    return [item], ""


def _digest_items(row: Notification, today: dt.date, facts: BatchFacts) -> tuple[list[EmailItem], str]:
    """The digest's items still due; the others are cancelled (one UPDATE)."""
    members = list(row.items.filter(status=NotificationStatus.DIGESTED).order_by("pk"))
    files = batch_facts(members).files
    items: list[EmailItem] = []
    stale: list[int] = []
    for member in members:
        file = files.get((member.file_type, member.object_id))
        item = _item(member, file, today) if file else None
        if item is None:
            stale.append(member.pk)
        else:
            items.append(item)
    if stale:
        Notification.objects.filter(pk__in=stale).update(
            status=NotificationStatus.CANCELLED,
            last_error="No longer due when the digest was sent.",
        )
    return items, "" if items else "Nothing left to send in the digest."


def _webhook_disabled_message(row: Notification, email: str) -> tuple[EmailMultiAlternatives | None, str]:
    """Not about a file: the webhook endpoint `row.object_id` was disabled (the managers are told)."""
    endpoint = WebhookEndpoint.objects.filter(pk=row.object_id).first()
    if endpoint is None:
        return None, "The webhook endpoint no longer exists."
    notice = WebhookDisabledNotice(
        to=email, language=row.language, message_id=row.message_id, organisation_name=row.organisation.name,
        url=endpoint.url, description=endpoint.description, failures=endpoint.failure_count,
        since=endpoint.failing_since, last_error=row.rule,
        page_url=f"{settings.SITE_URL}{reverse('portal:webhooks')}",
    )  # fmt: skip
    return build_webhook_disabled_message(notice), ""


def outbox_compose(
    row: Notification, *, today: dt.date, facts: BatchFacts | None = None
) -> tuple[EmailMultiAlternatives | None, str]:
    """The message for this row as things are now, or (None, why it is not sent any more). `facts` is
    what the row's batch read (read here for this row alone when not given)."""
    facts = facts if facts is not None else batch_facts([row])
    email = _recipient_email(row, facts)
    if email is None:
        return (
            None,
            "The recipient no longer gets these emails (preference, address or account).",
        )
    if row.kind == ReminderKind.WEBHOOK_DISABLED:
        return _webhook_disabled_message(row, email)
    compose = _digest_items if row.kind == ReminderKind.DIGEST else _single_items
    items, reason = compose(row, today, facts)
    if not items:
        return None, reason
    envelope = Envelope(
        to=email, language=row.language, message_id=row.message_id, organisation_name=row.organisation.name,
        for_intern=row.recipient_intern_id is not None, items=items,
    )  # fmt: skip
    return build_message(envelope, shapes=SHAPES), ""


# --- sending and outcomes ------------------------------------------------------------------------------
def _begin(connection: Any, message: EmailMultiAlternatives) -> smtp.Transaction | None:
    """Send one message on the batch's connection (opened once: a no-op while it is open). On Django's
    SMTP backend, the bytes notifications.mime writes go straight to its smtplib connection (the same
    message as the backend's own `send_messages`, without the email package's cost), and the server's
    verdict is left for the Transaction's `end` (notifications.smtp). On any other backend the message is
    sent in full here (None)."""
    connection.open()
    data = message_bytes(message) if isinstance(connection, SMTPBackend) else None
    if data is None:
        connection.send_messages([message])
        return None
    return smtp.begin(connection.connection, message.from_email, message.recipients(), data)


Accepted = tuple[Claim, Notification, EmailMultiAlternatives]  # an email the server accepted
# Still ours: every change that takes a row out of `sending` (reclaim, retry, cancel, resend) clears its
# token. No `status = 'sending'` here: PostgreSQL would walk that value's entries in notification_lease,
# dead ones included (every email passes through it), instead of the primary key. PostgreSQL and SQLite.
TABLE = Notification._meta.db_table
MARK_SENT = (  # the table's name only: every value is a parameter. VALUES columns: column1, 2, 3.
    f"UPDATE {TABLE} SET status = %s, sent_at = %s, claim_token = NULL, last_error = '', "  # noqa: S608
    "subject = sent.column2, text_body = sent.column3, updated_at = %s FROM (VALUES {values}) AS sent "
    f"WHERE {TABLE}.id = CAST(sent.column1 AS bigint) AND {TABLE}.claim_token = %s"
)


def _mark_sent(token: uuid.UUID, accepted: list[Accepted]) -> None:
    """Record emails the server accepted as `sent`, those still claimed with `token`: one UPDATE for the
    group (its subjects and texts joined from VALUES: Django's Case/When costs 7 ms to build for 15 rows),
    and the digests' items in the same transaction."""
    if not accepted:
        return
    now = timezone.now()
    values = [
        value
        for claim, _, message in accepted
        for value in (claim.pk, message.subject[:300], str(message.body))
    ]
    token_value = Notification._meta.get_field("claim_token").get_db_prep_value(token, database)
    stamp = database.ops.adapt_datetimefield_value(now)
    digests = [claim.pk for claim, row, _ in accepted if row.kind == ReminderKind.DIGEST]
    with transaction.atomic(), database.cursor() as cursor:
        cursor.execute(
            MARK_SENT.format(values=", ".join(["(%s, %s, %s)"] * len(accepted))),
            [NotificationStatus.SENT, stamp, stamp, *values, token_value],
        )
        done = cursor.rowcount
        if digests:
            Notification.objects.filter(digest_id__in=digests, status=NotificationStatus.DIGESTED).update(
                status=NotificationStatus.SENT, sent_at=now, updated_at=now
            )
    if done < len(accepted):
        logger.warning(
            "%s of %s emails were sent after their lease expired (Message-IDs %s).", len(accepted) - done,
            len(accepted), ", ".join(row.message_id for _, row, _ in accepted),
        )  # fmt: skip


def _cancel(pk: int, token: Any, reason: str) -> Outcome:
    """Cancel a row this worker holds (reserved or claimed), with its digest's items."""
    held = Notification.objects.filter(
        pk=pk, claim_token=token, status__in=[NotificationStatus.PENDING, NotificationStatus.SENDING]
    )
    with transaction.atomic():
        if held.update(status=NotificationStatus.CANCELLED, claim_token=None, last_error=reason):
            Notification.objects.filter(digest_id=pk, status=NotificationStatus.DIGESTED).update(
                status=NotificationStatus.CANCELLED, last_error=f"Its digest was cancelled: {reason}"
            )
    return Outcome.CANCELLED


def _fail(claim: Claim, exc: BaseException) -> Outcome:
    return EMAILS.fail(claim, f"{type(exc).__name__}: {exc}")


# What composing and recording an email read of its row, its organisation and its recipient: loading the
# rest (bodies, timestamps, the user's profile) costs more than the query. Anything else read of a row here
# would be one query per row: tests/notifications/test_delivery_batch.py counts them.
ROW_FIELDS = (
    "organisation__name", "kind", "file_type", "object_id", "deadline", "language", "rule",
    "idempotency_key", "resend_count", "attempts", "next_attempt_at",
    "recipient_user__is_active", "recipient_user__email",
    "recipient_intern__email", "recipient_intern__notify_intern",
)  # fmt: skip


def _rows(pks: Iterable[int], **filters: Any) -> list[Notification]:
    found = Notification.objects.select_related("organisation", "recipient_user", "recipient_intern")
    found = found.only(*ROW_FIELDS).filter(pk__in=list(pks), **filters)
    return list(found.order_by("next_attempt_at", "pk"))


def outbox_send_claimed(claim: Claim, *, connection: Any, today: dt.date) -> tuple[Outcome, str]:
    """Re-check, render and send one claimed row; record the outcome (only while the claim is ours).

    Returns the outcome and, when the transport itself failed (server down...), its error.
    """
    report = DeliveryReport()
    error = Group([claim], report, connection).deliver(Pace(), today)
    outcome = next(outcome for outcome in Outcome if getattr(report, outcome.value))
    return outcome, error


# --- a group: claimed together, composed, sent and recorded ---------------------------------------------
@dataclass
class Composed:
    row: Notification
    message: EmailMultiAlternatives | None = None
    reason: str = ""  # without a message: why it is not sent any more
    error: str = ""  # or why it could not be rendered


def _composed(row: Notification, today: dt.date, facts: BatchFacts) -> Composed:
    try:
        message, reason = outbox_compose(row, today=today, facts=facts)
    except Exception as exc:
        # A rendering bug must not block the queue: the row is retried, then failed, visible in admin.
        logger.exception("Outbox row %s could not be composed.", row.pk)
        return Composed(row, error=f"{type(exc).__name__}: {exc}")
    return Composed(row, message, reason)


@dataclass
class Pace:
    """How many emails a group holds: as many as the server accepted in GROUP_SECONDS, 1 to GROUP_MAX.
    One until measured, so a slow server gets each email recorded before the next one is sent."""

    per_email: float | None = None

    def size(self) -> int:
        if self.per_email is None:
            return 1
        return max(1, min(GROUP_MAX, int(GROUP_SECONDS / max(self.per_email, 1e-6))))


InFlight = tuple[Claim, Notification, EmailMultiAlternatives, "smtp.Transaction | None"]


@dataclass
class Group:
    """Rows claimed together (one token), then read, composed, sent and recorded `sent` together.

    Each email is composed while the server stores the one before (its last reply is read after), so
    composing happens inside the at-least-once window of the emails accepted and not recorded yet: still
    at most RECORD_MAX of them and about GROUP_SECONDS, since Pace measures the composing too."""

    claims: list[Claim]
    report: DeliveryReport
    connection: Any
    accepted: list[Accepted] = field(default_factory=list)

    def deliver(self, pace: Pace, today: dt.date) -> str:
        """Send the group; the transport's error if the server went away (the rest go back unattempted)."""
        token = self.claims[0].token
        claims = {claim.pk: claim for claim in self.claims}
        rows = _rows(claims, claim_token=token, status=NotificationStatus.SENDING)
        self.report.lost_claim += len(claims) - len(rows)  # a resend or a reclaim took them meanwhile
        facts = batch_facts(rows)
        in_flight: InFlight | None = None
        started = recorded = time.monotonic()
        try:
            for index, row in enumerate(rows):
                claim, item = claims[row.pk], _composed(row, today, facts)
                error, in_flight = (self._end(in_flight) if in_flight else ""), None
                if error:  # the server is down: this row and the rest were never attempted
                    EMAILS.unclaim(token, [later.pk for later in rows[index:]])
                    return error
                if item.message is None:
                    self.report.count(self._not_sent(claim, item))
                    continue
                if time.monotonic() - recorded > GROUP_SECONDS:  # slower than measured: record now, and
                    self.record()  # renew the rest's leases: only the next SMTP transaction must fit in them
                    EMAILS.renew_leases(token, [later.pk for later in rows[index:]])
                    recorded = time.monotonic()
                try:
                    in_flight = (claim, row, item.message, _begin(self.connection, item.message))
                except MESSAGE_ERRORS as exc:  # this message was refused: the others may go
                    self.report.count(_fail(claim, exc))
                except Exception as exc:  # the transport (refused, timeout, disconnected): stop the batch
                    EMAILS.unclaim(token, [later.pk for later in rows[index + 1 :]])
                    return self._transport_failed(claim, exc)
            error = self._end(in_flight) if in_flight else ""
            pace.per_email = (time.monotonic() - started) / max(len(rows), 1)
            return error
        finally:
            self.record()  # --- the at-least-once window ends here, also on the way out of an exception

    def _end(self, in_flight: InFlight) -> str:
        """The server's verdict on the message in flight: accepted (recorded with the group), refused
        (retried), or the transport's error."""
        claim, row, message, transaction_ = in_flight
        try:
            if transaction_ is not None:
                transaction_.end()
        except MESSAGE_ERRORS as exc:
            self.report.count(_fail(claim, exc))
            return ""
        except Exception as exc:
            return self._transport_failed(claim, exc)
        self.accepted.append((claim, row, message))
        self.report.count(Outcome.SENT)
        if len(self.accepted) >= RECORD_MAX:
            self.record()
        return ""

    def _transport_failed(self, claim: Claim, exc: Exception) -> str:
        self.connection.close()
        self.report.count(_fail(claim, exc))
        return f"{type(exc).__name__}: {exc}"

    @staticmethod
    def _not_sent(claim: Claim, item: Composed) -> Outcome:
        """A claimed row without a message: cancelled (no longer due), or failed (rendering: retried)."""
        if item.error:
            return EMAILS.fail(claim, item.error)
        return _cancel(claim.pk, claim.token, item.reason)

    def record(self) -> None:
        accepted, self.accepted = self.accepted, []
        _mark_sent(self.claims[0].token, accepted)


def _deliver_until(
    limit: int, report: DeliveryReport, *, connection: Any, today: dt.date, now: dt.datetime | None
) -> None:
    pace = Pace()
    while report.handled < limit and not report.transport_error:
        claims = EMAILS.claim_due(count=min(pace.size(), limit - report.handled), now=now)
        if not claims:
            return
        report.transport_error = Group(claims, report, connection).deliver(pace, today)


def outbox_deliver(*, limit: int | None = None, now: dt.datetime | None = None) -> DeliveryReport:
    """Deliver pending rows by groups (claimed together, as many as the server takes in GROUP_SECONDS)
    through one connection of the configured backend.

    Stops after `limit` rows (NOTIFICATIONS_BATCH_SIZE), when nothing is due, or at the first transport
    error (server down: the row is retried with backoff, the rest of its group is given back and waits for
    the next run).
    """
    limit = limit or settings.NOTIFICATIONS_BATCH_SIZE
    report = DeliveryReport(reclaimed=outbox_reclaim(now=now))
    connection = get_connection(fail_silently=False)
    try:
        _deliver_until(limit, report, connection=connection, today=local_today(_now(now)), now=now)
    finally:
        connection.close()
    return report
