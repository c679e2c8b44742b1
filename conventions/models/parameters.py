from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from conventions.rules import PARAMETER_KEYS


class LegalParameter(models.Model):
    """An effective-dated legal amount (RULES §3), editable in admin without a code change; audited.

    Seeded from conventions.rules.BUILTIN_PARAMETERS by a data migration; the value in force on a stage's
    start date is the row with the latest effective_from on or before it.
    """

    key = models.CharField(_("key"), max_length=64, choices=[(key, key) for key in PARAMETER_KEYS])
    effective_from = models.DateField(_("effective from"))
    value = models.DecimalField(_("value"), max_digits=10, decimal_places=2)
    source = models.CharField(
        _("source"), max_length=300, help_text=_("The decree, order or page that sets this value.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("legal parameter")
        verbose_name_plural = _("legal parameters")
        ordering = ["key", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["key", "effective_from"], name="legal_parameter_unique_date"),
            models.CheckConstraint(condition=models.Q(value__gt=0), name="legal_parameter_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.key} = {self.value} from {self.effective_from:%Y-%m-%d}"
