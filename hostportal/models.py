"""The tenant root: host organisations and the roles of their members."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siret as stdnum_siret


def validate_siret(value: str) -> None:
    """A SIRET is 14 digits with a Luhn check (python-stdnum knows the La Poste exception)."""
    try:
        stdnum_siret.validate(value)
    except StdnumError as exc:
        raise ValidationError(f"{value!r} is not a valid SIRET number: {exc}", code="invalid_siret") from exc


class Organisation(models.Model):
    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        TRAINING = "training", _("Continuing-training organisation")
        HEALTH = "health", _("Health establishment")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    siret = models.CharField(_("SIRET"), max_length=14, unique=True, validators=[validate_siret])
    address = models.TextField(_("address"), blank=True)
    contact_email = models.EmailField(_("contact email"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.siret = stdnum_siret.compact(self.siret)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Membership(models.Model):
    class Role(models.TextChoices):
        MANAGER = "manager", _("Manager")
        EDITOR = "editor", _("Editor")
        VIEWER = "viewer", _("Viewer (read-only)")

    class EmailPreference(models.TextChoices):
        IMMEDIATELY = "immediately", _("Each reminder immediately")
        DIGEST = "digest", _("One daily digest")
        OFF = "off", _("No email")

    class Language(models.TextChoices):
        FR = "fr", "Français"  # a language is named in itself
        EN = "en", "English"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.VIEWER)
    email_preference = models.CharField(
        _("email preference"),
        max_length=16,
        choices=EmailPreference.choices,
        default=EmailPreference.IMMEDIATELY,
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.FR)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="membership_unique_user_organisation"
            )
        ]
        ordering = ["organisation", "user"]

    def __str__(self) -> str:
        return f"{self.user} — {self.organisation} ({self.role})"

    @property
    def can_write(self) -> bool:
        return self.role in (self.Role.MANAGER, self.Role.EDITOR)


class AuditEntry(models.Model):
    """One tenant-relevant action that is not a file transition: a member invited, a role changed, reminder
    settings or a calendar feed changed (STYLE habit 14). Written by the service that makes the change, in the
    same transaction through `record`, chained with the organisation's TransitionLog rows (hostportal.audit);
    never edited or deleted afterwards. `changes` is {field: [old, new]}; `actor` is null for the system,
    `actor_label` keeps a readable name if the user goes."""

    class Channel(models.TextChoices):
        # The same values as conventions.models.Channel (which this module may not import).
        WEB = "web", _("Web portal")
        ADMIN = "admin", _("Django admin")
        API = "api", _("API")
        COMMAND = "command", _("Management command")

    class Action(models.TextChoices):
        MEMBER_INVITED = "member_invited", _("Member invited")
        MEMBER_ADDED = "member_added", _("Member added")
        ROLE_CHANGED = "role_changed", _("Role changed")
        MEMBER_REMOVED = "member_removed", _("Member removed")
        PREFERENCES_CHANGED = "preferences_changed", _("Email and language preferences changed")
        REMINDER_SETTINGS_CHANGED = "reminder_settings_changed", _("Reminder lead times changed")
        CALENDAR_TOKEN_CREATED = "calendar_token_created", _("Calendar link created")
        CALENDAR_TOKEN_REVOKED = "calendar_token_revoked", _("Calendar link revoked")
        API_TOKEN_CREATED = "api_token_created", _("API token created")
        API_TOKEN_REVOKED = "api_token_revoked", _("API token revoked")
        WEBHOOK_CREATED = "webhook_created", _("Webhook endpoint created")
        WEBHOOK_UPDATED = "webhook_updated", _("Webhook endpoint changed")
        WEBHOOK_DELETED = "webhook_deleted", _("Webhook endpoint deleted")
        WEBHOOK_DISABLED = "webhook_disabled", _("Webhook endpoint disabled after repeated failures")
        WEBHOOK_DELIVERY_RESENT = "webhook_delivery_resent", _("Webhook delivery resent")
        PERSONAL_DATA_PURGED = "personal_data_purged", _("Personal data of past interns anonymised")
        INTERN_DATA_EXPORTED = "intern_data_exported", _("An intern's data exported (access request)")

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="audit_entries"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("actor label"), max_length=200)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    action = models.CharField(_("action"), max_length=32, choices=Action.choices)
    target_label = models.CharField(_("target"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    # Set before the row is sealed (the hash covers it), not by auto_now_add at INSERT time.
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    # The audit chain (hostportal.audit): place in the organisation's chain, shared with TransitionLog.
    sequence = models.PositiveBigIntegerField(_("sequence"))
    previous_hash = models.CharField(_("previous hash"), max_length=64)
    entry_hash = models.CharField(_("hash"), max_length=64)
    # The actor's id when written: actor_id becomes null if the user is deleted, this does not.
    actor_ref = models.PositiveBigIntegerField(_("actor id"), null=True, blank=True)

    class Meta:
        verbose_name = _("organisation audit entry")
        verbose_name_plural = _("organisation audit entries")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "-created_at"], name="audit_entry_organisation")]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "sequence"], name="audit_entry_sequence_once")
        ]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_label} ({self.channel})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Never: entries are written sealed by `record` (hostportal.audit), and never edited afterwards."""
        raise ValueError(
            "An audit entry is written by AuditEntry.record and never edited after it is written."
        )

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        """Never: a deleted entry is a gap in the organisation's audit chain."""
        raise ValueError("An audit entry is never deleted: it is part of the organisation's audit chain.")

    def audit_content(self) -> dict[str, Any]:
        """What the chain hashes (hostportal.audit.content)."""
        from hostportal.audit import content

        return content(
            table="audit_entry",
            created_at=self.created_at,
            actor_id=self.actor_ref,
            actor_label=self.actor_label,
            channel=self.channel,
            action=self.action,
            subject=self.target_label,
            changes=self.changes,
        )

    @classmethod
    def record(
        cls,
        *,
        organisation_id: int,
        actor: Any,
        channel: str,
        action: str,
        target_label: str = "",
        changes: dict[str, list[Any]] | None = None,
    ) -> AuditEntry:
        """Write one entry, chained (hostportal.audit.write_one); `actor` None is the system. Call it inside
        the transaction of the change: the organisation's chain head stays locked until it ends."""
        from hostportal.audit import write_one

        user = actor if getattr(actor, "is_authenticated", False) else None
        return write_one(
            cls(
                organisation_id=organisation_id,
                actor=user,
                actor_label=user.get_username() if user is not None else "system",
                channel=channel,
                action=action,
                target_label=target_label[:200],
                changes=changes or {},
                created_at=timezone.now(),
            )
        )


class AuditChain(models.Model):
    """The head of one organisation's audit chain (hostportal.audit): its last sequence and hash.

    Locked by every audit writer in its transaction, so the chain never forks; an exported copy of the heads
    (`manage.py verify_audit --head`) lets a later check prove that the history up to it was not rewritten.
    """

    organisation = models.OneToOneField(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="audit_chain",
    )
    last_sequence = models.PositiveBigIntegerField(_("last sequence"), default=0)
    last_hash = models.CharField(_("last hash"), max_length=64)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain heads")

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.last_sequence} {self.last_hash}"
