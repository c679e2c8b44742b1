from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from hostportal.models import Organisation


class Channel(models.TextChoices):
    WEB = "web", _("Web portal")
    ADMIN = "admin", _("Django admin")
    API = "api", _("API")
    SWEEP = "sweep", _("Deadline sweep")
    COMMAND = "command", _("Management command")


class TransitionLog(models.Model):
    """One state change of a convention, avenant or residence-permit application: who, when, why, how.

    Written by conventions.services in the same transaction as the change, chained with the organisation's
    AuditEntry rows (hostportal.audit.write_sealed); never edited or deleted afterwards. `actor` is null for
    the system (the sweep); `actor_label` keeps a readable name even if the user goes.
    """

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    content_type = models.ForeignKey(ContentType, verbose_name=_("content type"), on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField(_("object id"))
    subject = GenericForeignKey("content_type", "object_id")
    transition = models.CharField(_("transition"), max_length=64)
    source_state = models.CharField(_("source state"), max_length=32)
    target_state = models.CharField(_("target state"), max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_label = models.CharField(_("actor label"), max_length=200)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    comment = models.TextField(_("comment"), blank=True)
    # A correction's old and new values, {field: [old, new]} as text (dates ISO): what an auditor reads.
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), db_index=True)
    # The audit chain (hostportal.audit): place in the organisation's chain, shared with AuditEntry.
    sequence = models.PositiveBigIntegerField(_("sequence"))
    previous_hash = models.CharField(_("previous hash"), max_length=64)
    entry_hash = models.CharField(_("hash"), max_length=64)
    # The actor's id when written: actor_id becomes null if the user is deleted, this does not.
    actor_ref = models.PositiveBigIntegerField(_("actor id"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="transition_log_subject")]
        constraints = [
            # An implicit decision happens once: even two sweeps racing cannot log it twice.
            # (Not an extension: a convention may be extended by silence more than once, each by its avenant.)
            models.UniqueConstraint(
                fields=["content_type", "object_id", "transition"],
                condition=models.Q(channel="sweep") & ~models.Q(transition="extend"),
                name="transition_log_sweep_once",
            ),
            models.UniqueConstraint(fields=["organisation", "sequence"], name="transition_log_sequence_once"),
        ]

    def __str__(self) -> str:
        return f"{self.transition}: {self.source_state} → {self.target_state} by {self.actor_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Never: rows are written sealed by hostportal.audit.write_sealed, and never edited afterwards."""
        raise ValueError("A transition log row is written by log_transition and never edited afterwards.")

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        """Never: a deleted row is a gap in the organisation's audit chain."""
        raise ValueError(
            "A transition log row is never deleted: it is part of the organisation's audit chain."
        )

    def audit_content(self) -> dict[str, Any]:
        return transition_content(self)


def transition_content(entry: Any) -> dict[str, Any]:
    """What the chain hashes of a transition log row (hostportal.audit.content), from a TransitionLog or
    any object with its attribute names (the sweep's light rows); the subject by natural key, not by id."""
    from hostportal.audit import content

    kind = ContentType.objects.get_for_id(entry.content_type_id)
    return content(
        table="transition_log",
        created_at=entry.created_at,
        actor_id=entry.actor_ref,
        actor_label=entry.actor_label,
        channel=entry.channel,
        action=entry.transition,
        subject=f"{kind.app_label}.{kind.model}#{entry.object_id}",
        source=entry.source_state,
        target=entry.target_state,
        comment=entry.comment,
        changes=entry.changes,
    )
