"""The tenant root: host organisations and the roles of their members."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
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
