"""The tenant root: host organisations and the roles of their members."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
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
        COMPANY = "company", "Company"
        TRAINING = "training", "Continuing-training organisation"
        HEALTH = "health", "Health establishment"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    siret = models.CharField("SIRET", max_length=14, unique=True, validators=[validate_siret])
    address = models.TextField(blank=True)
    contact_email = models.EmailField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.siret = stdnum_siret.compact(self.siret)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Membership(models.Model):
    class Role(models.TextChoices):
        MANAGER = "manager", "Manager"
        EDITOR = "editor", "Editor"
        VIEWER = "viewer", "Viewer (read-only)"

    class EmailPreference(models.TextChoices):
        IMMEDIATELY = "immediately", "Each reminder immediately"
        DIGEST = "digest", "One daily digest"
        OFF = "off", "No email"

    class Language(models.TextChoices):
        FR = "fr", "Français"
        EN = "en", "English"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
    email_preference = models.CharField(
        max_length=16, choices=EmailPreference.choices, default=EmailPreference.IMMEDIATELY
    )
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.FR)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
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
