from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, FSMModelMixin, transition

from conventions.models.avenants import Avenant
from conventions.models.common import TimeStamped, member_can_write
from conventions.models.conventions import Convention
from hostportal.models import Organisation


class PermitState(models.TextChoices):
    TO_FILE = "to_file", pgettext_lazy("carte de séjour application state", "To file at the préfecture")
    FILED = "filed", pgettext_lazy("carte de séjour application state", "Filed")
    GRANTED = "granted", pgettext_lazy("carte de séjour application state", "Granted")
    REFUSED = "refused", pgettext_lazy("carte de séjour application state", "Refused")
    REFUSED_BY_SILENCE = (
        "refused_by_silence",
        pgettext_lazy("carte de séjour application state", "Refused (90 days of silence)"),
    )


PERMIT_FINAL_STATES = frozenset({PermitState.GRANTED, PermitState.REFUSED, PermitState.REFUSED_BY_SILENCE})


class ResidencePermitApplication(FSMModelMixin, TimeStamped):
    """The carte de séjour "stagiaire" the intern needs after an accepted avenant (seed; CESEDA L426-23)."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="permit_applications",
        verbose_name=_("organisation"),
    )
    convention = models.ForeignKey(
        Convention, verbose_name=_("convention"), on_delete=models.PROTECT, related_name="permit_applications"
    )
    avenant = models.OneToOneField(
        Avenant, verbose_name=_("avenant"), on_delete=models.PROTECT, related_name="permit_application"
    )
    prefecture = models.CharField(_("prefecture"), max_length=200, blank=True)
    filed_on = models.DateField(_("filed on"), null=True, blank=True)
    complete_on = models.DateField(
        _("complete on"),
        null=True,
        blank=True,
        help_text=_("Date the application was complete; the 90 days run from it (the filing date if empty)."),
    )
    # CESEDA R431-5 1°: filed from 120 to 60 days before the long-stay visa expires (from the visa).
    filing_opens_on = models.DateField(
        _("filing opens on"), null=True, blank=True, editable=False, db_index=True
    )
    filing_deadline = models.DateField(
        _("filing deadline"), null=True, blank=True, editable=False, db_index=True
    )
    silence_deadline = models.DateField(
        _("silence deadline"), null=True, blank=True, editable=False, db_index=True
    )
    decision_on = models.DateField(_("decision on"), null=True, blank=True)
    decision_reference = models.CharField(_("decision reference"), max_length=100, blank=True)
    stamp_amount_eur = models.DecimalField(
        _("tax stamp (EUR)"), max_digits=6, decimal_places=2, default=Decimal("75.00")
    )
    stamp_paid_on = models.DateField(_("stamp paid on"), null=True, blank=True)
    card_valid_until = models.DateField(_("card valid until"), null=True, blank=True)

    state = FSMField(
        _("state"), default=PermitState.TO_FILE, choices=PermitState.choices, protected=True, db_index=True
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("carte de séjour application")
        verbose_name_plural = _("carte de séjour applications")
        ordering = ["pk"]
        indexes = [models.Index(fields=["state", "silence_deadline"], name="permit_state_silence")]

    def __str__(self) -> str:
        return f"Carte de séjour application for {self.convention.intern}"

    @property
    def is_final(self) -> bool:
        return self.state in PERMIT_FINAL_STATES

    @transition(
        field=state, source=PermitState.TO_FILE, target=PermitState.FILED, permission=member_can_write
    )
    def file(self) -> None:
        """Filed at the préfecture: the 90-day silence delay starts once it is complete (CESEDA R426-17)."""

    @transition(
        field=state, source=PermitState.FILED, target=PermitState.GRANTED, permission=member_can_write
    )
    def grant(self) -> None:
        """The card was granted (the 75 EUR stamp is asked at this point)."""

    @transition(
        field=state, source=PermitState.FILED, target=PermitState.REFUSED, permission=member_can_write
    )
    def refuse(self) -> None:
        """The préfecture refused the card."""

    @transition(field=state, source=PermitState.FILED, target=PermitState.REFUSED_BY_SILENCE)
    def refuse_by_silence(self) -> None:
        """90 days of silence: implicit refusal (CESEDA R426-17). Used by the sweep."""
