"""The outbox (one row per email, unique idempotency key), reminder settings, calendar tokens."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from conventions.models import Convention, Intern
from hostportal.models import Membership, Organisation
from notifications.rules import DEFAULT_LEAD_TIMES, FileType, LeadTimes, ReminderKind, parse_lead_days

KIND_CHOICES = [(kind.value, kind.value.replace("_", " ")) for kind in ReminderKind]
FILE_TYPE_CHOICES = [(file_type.value, file_type.value) for file_type in FileType]
LANGUAGE_CHOICES = Membership.Language.choices


def validate_lead_days(value: str) -> None:
    try:
        parse_lead_days(value)
    except ValueError as exc:
        raise ValidationError(f"{value!r}: {exc} (write days before the deadline, e.g. 30,14,7).") from exc


def _lead_days_field(default: tuple[int, ...], help_text: str) -> models.CharField[Any, Any]:
    return models.CharField(
        max_length=100,
        default=",".join(str(days) for days in default),
        validators=[validate_lead_days],
        help_text=f"{help_text} Days before the deadline, comma-separated (0 = on the day).",
    )


class ReminderSettings(models.Model):
    """An organisation's lead times and which roles get the reminders; no row means the defaults."""

    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        related_name="reminder_settings",
        verbose_name=_("organisation"),
    )
    filing_lead_days = _lead_days_field(DEFAULT_LEAD_TIMES.filing, "Draft convention, filing deadline.")
    late_filing_daily = models.BooleanField(
        _("late filing daily"),
        default=DEFAULT_LEAD_TIMES.late_filing_daily,
        help_text=_(
            "Remind every day once the filing deadline has passed, until the convention is filed or "
            "withdrawn."
        ),
    )
    silence_lead_days = _lead_days_field(
        DEFAULT_LEAD_TIMES.silence, "Submitted convention, refusal by silence."
    )
    avenant_filing_lead_days = _lead_days_field(
        DEFAULT_LEAD_TIMES.avenant_filing, "Draft avenant, filing deadline."
    )
    convention_end_lead_days = _lead_days_field(
        DEFAULT_LEAD_TIMES.convention_end, "End of a validated convention."
    )
    permit_silence_lead_days = _lead_days_field(
        DEFAULT_LEAD_TIMES.permit_silence, "Carte de séjour application, 90-day silence (CESEDA R426-17)."
    )
    document_expiry_lead_days = _lead_days_field(
        DEFAULT_LEAD_TIMES.document_expiry, "Passport or document expiring before the stage ends."
    )
    documents_due_lead_days = _lead_days_field(
        DEFAULT_LEAD_TIMES.documents_due, "Requested documents, date set by the administration (CRPA L114-5)."
    )
    explicit_answer_lead_days = _lead_days_field(
        DEFAULT_LEAD_TIMES.explicit_answer,
        "Avenant of a company stage (no implicit decision), end of the stage in force.",
    )
    ofii_validation_lead_days = _lead_days_field(
        DEFAULT_LEAD_TIMES.ofii_validation,
        "Visa to validate with the OFII, 3 months after arrival (CESEDA R431-16); daily once late.",
    )
    permit_filing_lead_days = _lead_days_field(
        DEFAULT_LEAD_TIMES.permit_filing,
        "Carte de séjour to file, 60 days before the visa expires (CESEDA R431-5); daily once late.",
    )
    notify_managers = models.BooleanField(_("notify managers"), default=True)
    notify_editors = models.BooleanField(_("notify editors"), default=True)
    notify_viewers = models.BooleanField(_("notify viewers"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("reminder settings")
        verbose_name_plural = _("reminder settings")

    def __str__(self) -> str:
        return f"Reminder settings of {self.organisation}"

    def lead_times(self) -> LeadTimes:
        return LeadTimes(
            filing=parse_lead_days(self.filing_lead_days),
            late_filing_daily=self.late_filing_daily,
            silence=parse_lead_days(self.silence_lead_days),
            avenant_filing=parse_lead_days(self.avenant_filing_lead_days),
            convention_end=parse_lead_days(self.convention_end_lead_days),
            permit_silence=parse_lead_days(self.permit_silence_lead_days),
            document_expiry=parse_lead_days(self.document_expiry_lead_days),
            documents_due=parse_lead_days(self.documents_due_lead_days),
            explicit_answer=parse_lead_days(self.explicit_answer_lead_days),
            ofii_validation=parse_lead_days(self.ofii_validation_lead_days),
            permit_filing=parse_lead_days(self.permit_filing_lead_days),
        )

    def roles(self) -> list[str]:
        wanted = [
            (self.notify_managers, Membership.Role.MANAGER),
            (self.notify_editors, Membership.Role.EDITOR),
            (self.notify_viewers, Membership.Role.VIEWER),
        ]
        return [role.value for on, role in wanted if on]


DEFAULT_ROLES = [Membership.Role.MANAGER.value, Membership.Role.EDITOR.value]


def claim_indexes(prefix: str, pending: str, sending: str) -> list[models.Index]:
    """The two partial indexes of an outbox table (notifications.services.claims): the due rows in the
    order they are claimed (`next_attempt_at, id`: the planning writes many rows with one time), and the
    rows sending by claim time (reclaiming those whose worker died). A row leaves the first once claimed
    and the second once finished, so years of sent rows cost them nothing and a status change inserts no
    entry in them."""
    return [
        models.Index(
            fields=["next_attempt_at", "id"], name=f"{prefix}_due", condition=models.Q(status=pending)
        ),
        models.Index(fields=["claimed_at"], name=f"{prefix}_lease", condition=models.Q(status=sending)),
    ]


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Pending (to send on its own)")
    AWAITING_DIGEST = "awaiting_digest", _("Waiting for the daily digest")
    DIGESTED = "digested", _("In a digest")
    SENDING = "sending", _("Being sent (claimed by a worker)")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed (gave up)")
    CANCELLED = "cancelled", _("Cancelled (no longer due)")


class Notification(models.Model):
    """One email: a row of the outbox, created in the transaction of what causes it.

    `idempotency_key` is (file, kind, deadline, due date, recipient): planning twice, two planners at once
    or a retried task hit the unique index and insert nothing. It is also the left part of the SMTP
    Message-ID, so a receiver can drop the one duplicate a crash can cause (docs/notifications.md).
    """

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="notifications"
    )
    # Unique by a constraint (below), not `unique=True`: that would add a second, LIKE-only index to a
    # table whose every row is updated twice.
    idempotency_key = models.CharField(_("idempotency key"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=KIND_CHOICES)
    file_type = models.CharField(_("file type"), max_length=16, choices=FILE_TYPE_CHOICES)
    object_id = models.PositiveBigIntegerField(_("object id"))
    convention = models.ForeignKey(
        Convention,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("convention"),
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    due_on = models.DateField(_("due on"))
    days_left = models.IntegerField(_("days left"), null=True, blank=True)
    rule = models.TextField(
        _("rule"), blank=True, help_text=_("How the deadline was computed (rule engine).")
    )
    source = models.CharField(
        _("source"), max_length=300, blank=True, help_text=_("Legal source of the deadline.")
    )

    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("recipient user"),
    )
    recipient_intern = models.ForeignKey(
        Intern,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("recipient intern"),
    )
    recipient_email = models.EmailField(_("recipient email"))
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGE_CHOICES)
    digest = models.ForeignKey(
        "self",
        verbose_name=_("digest"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="items",
    )

    status = models.CharField(
        _("status"), max_length=16, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    claim_token = models.UUIDField(_("claim token"), null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    resend_count = models.PositiveIntegerField(_("resend count"), default=0)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    text_body = models.TextField(_("text body"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            *claim_indexes("notification", NotificationStatus.PENDING, NotificationStatus.SENDING),
            models.Index(fields=["file_type", "object_id", "status"], name="notification_file"),
            # The digests: rows awaiting their member's digest, by day.
            models.Index(
                fields=["due_on"],
                name="notification_digest_due",
                condition=models.Q(status=NotificationStatus.AWAITING_DIGEST),
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["idempotency_key"], name="notification_idempotency_key"),
            models.CheckConstraint(
                condition=models.Q(recipient_user__isnull=False, recipient_intern__isnull=True)
                | models.Q(recipient_user__isnull=True, recipient_intern__isnull=False),
                name="notification_one_recipient",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient_email} ({self.status})"

    @property
    def message_id(self) -> str:
        """The SMTP Message-ID: the idempotency key (and the resend number after a deliberate resend)."""
        suffix = f".r{self.resend_count}" if self.resend_count else ""
        return f"<{self.idempotency_key}{suffix}@{settings.NOTIFICATIONS_MESSAGE_ID_DOMAIN}>"


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarToken(models.Model):
    """A secret, revocable URL of an organisation's deadline calendar (/calendar/<token>.ics)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="calendar_tokens"
    )
    token = models.CharField(
        _("token"), max_length=64, unique=True, default=new_calendar_token, editable=False
    )
    label = models.CharField(
        _("label"), max_length=100, blank=True, help_text=_("Who uses it, e.g. « Outlook of the HR team ».")
    )
    language = models.CharField(
        _("language"), max_length=2, choices=LANGUAGE_CHOICES, default=Membership.Language.FR
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar token")
        verbose_name_plural = _("calendar tokens")
        ordering = ["organisation", "-created_at"]

    def __str__(self) -> str:
        return f"Calendar of {self.organisation}" + (f" ({self.label})" if self.label else "")

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class EmailPreference(Membership):
    """A member's email preference and language, as its own admin page (each user edits their own)."""

    class Meta:
        proxy = True
        verbose_name = _("email preference")
        verbose_name_plural = _("email preferences")


# --- webhooks ----------------------------------------------------------------------------------------------
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1"})


def validate_webhook_url(value: str) -> None:
    """https anywhere; plain http only to this machine (tests and demos), never a secret over the network."""
    try:
        parts = urlsplit(value)
        host = (parts.hostname or "").lower()
    except ValueError:
        parts, host = None, ""
    if parts is None or not host or parts.scheme not in ("https", "http"):
        raise ValidationError(_("URL: « %(value)s » is not a web address (https://…).") % {"value": value})
    if parts.scheme == "http" and host not in LOCAL_HOSTS:
        raise ValidationError(
            _("URL: use https:// (plain http:// is only allowed to localhost or 127.0.0.1, for tests).")
        )


def new_webhook_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class WebhookEndpoint(models.Model):
    """A URL of an organisation that is POSTed the events it subscribed to, signed with its secret.

    The secret is needed to sign every delivery, so it is stored (not hashed); it is shown to the manager
    once, at creation, and never logged, audited or displayed afterwards.
    """

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
    )
    url = models.URLField(_("URL"), max_length=500, validators=[validate_webhook_url])
    events = models.JSONField(_("events"), default=list, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    secret = models.CharField(_("secret"), max_length=100, default=new_webhook_secret, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    failure_count = models.PositiveIntegerField(_("consecutive failures"), default=0)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)
    disabled_reason = models.CharField(_("why disabled"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["organisation", "-created_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "is_active"], name="webhook_endpoint_active")]

    def __str__(self) -> str:
        return self.url

    def __repr__(self) -> str:  # never the secret, even in a traceback's locals
        return f"<WebhookEndpoint {self.pk} {self.url}>"


class WebhookStatus(models.TextChoices):
    PENDING = "pending", _("Pending (to send)")
    SENDING = "sending", _("Being sent (claimed by a worker)")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed (gave up)")
    CANCELLED = "cancelled", _("Cancelled")


class WebhookDelivery(models.Model):
    """One event to POST to one endpoint: an outbox row written in the transaction of the event.

    `idempotency_key` is (event, file, transition or deadline, endpoint): a replayed signal or a second
    planner inserts nothing. The row's id is the `Hostportal-Delivery` header, for receivers' dedup.
    """

    endpoint = models.ForeignKey(
        WebhookEndpoint, verbose_name=_("endpoint"), on_delete=models.CASCADE, related_name="deliveries"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    event = models.CharField(_("event"), max_length=64)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    file_type = models.CharField(_("file type"), max_length=16, blank=True)
    object_id = models.PositiveBigIntegerField(_("object id"), null=True, blank=True)
    payload = models.JSONField(_("payload"), default=dict)
    status = models.CharField(
        _("status"), max_length=16, choices=WebhookStatus.choices, default=WebhookStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    claim_token = models.UUIDField(_("claim token"), null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_status_code = models.PositiveIntegerField(_("last status code"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    resend_count = models.PositiveIntegerField(_("resend count"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [
            *claim_indexes("webhook_delivery", WebhookStatus.PENDING, WebhookStatus.SENDING),
            models.Index(fields=["organisation", "-created_at"], name="webhook_delivery_log"),
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.endpoint_id} ({self.status})"
