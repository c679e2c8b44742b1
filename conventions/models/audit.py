from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from hostportal.models import Organisation


class Channel(models.TextChoices):
    WEB = "web", "Web portal"
    ADMIN = "admin", "Django admin"
    API = "api", "API"
    SWEEP = "sweep", "Deadline sweep"
    COMMAND = "command", "Management command"


class TransitionLog(models.Model):
    """One state change of a convention, avenant or residence-permit application: who, when, why, how.

    Written by conventions.services in the same transaction as the change; never edited afterwards.
    `actor` is null for the system (the sweep); `actor_label` keeps a readable name even if the user goes.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    transition = models.CharField(max_length=64)
    source_state = models.CharField(max_length=32)
    target_state = models.CharField(max_length=32)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    actor_label = models.CharField(max_length=200)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="transition_log_subject")]
        constraints = [
            # An implicit decision happens once: even two sweeps racing cannot log it twice.
            models.UniqueConstraint(
                fields=["content_type", "object_id", "transition"],
                condition=models.Q(channel="sweep"),
                name="transition_log_sweep_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.transition}: {self.source_state} → {self.target_state} by {self.actor_label}"
