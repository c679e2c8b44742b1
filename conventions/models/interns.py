from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from conventions.models.common import TimeStamped
from hostportal.logging import mask_passport_number
from hostportal.models import Organisation


class Intern(TimeStamped):
    """A foreign intern hosted by one organisation. The passport number is sensitive personal data."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="interns"
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    nationality = CountryField(_("nationality"))
    date_of_birth = models.DateField(_("date of birth"))
    email = models.EmailField(_("email"), blank=True)
    country_of_residence = CountryField(_("country of residence"))
    # Required for a national of a country outside the EU/EEA and Switzerland (services.intern_create):
    # an EU national needs no visa, so no passport is asked for.
    passport_number = models.CharField(_("passport number"), max_length=20, blank=True)
    passport_expires_on = models.DateField(_("passport expires on"), null=True, blank=True)
    notify_intern = models.BooleanField(
        _("notify intern"),
        default=False,
        help_text=_("Also send the intern the reminders that concern them."),
    )
    language = models.CharField(
        _("language"), max_length=2, choices=[("fr", "Français"), ("en", "English")], default="en"
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    # The full passport number never reaches the history tables (auditors see who changed what, not it).
    history = HistoricalRecords(excluded_fields=["passport_number"])

    class Meta:
        verbose_name = _("intern")
        verbose_name_plural = _("interns")
        # A total order (pk last: the admin adds none of its own) that its index serves: the first page of
        # a million interns is an index walk, not a sort (issue 10).
        ordering = ["last_name", "first_name", "pk"]
        indexes = [
            models.Index(fields=["organisation", "last_name"]),
            models.Index(fields=["last_name", "first_name", "id"], name="intern_name_order"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name.upper()}"

    @property
    def masked_passport_number(self) -> str:
        return mask_passport_number(self.passport_number)
