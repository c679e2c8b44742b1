from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from conventions.models.common import TimeStamped, member_can_write
from conventions.models.conventions import Convention
from hostportal.models import Organisation


class VisaState(models.TextChoices):
    TO_APPLY = "to_apply", pgettext_lazy("visa state", "To apply for at the consulate")
    APPLIED = "applied", pgettext_lazy("visa state", "Applied for")
    ISSUED = "issued", pgettext_lazy("visa state", "Issued")
    REFUSED = "refused", pgettext_lazy("visa state", "Refused")


class VisaApplication(FSMModelMixin, TimeStamped):
    """The long-stay visa (VLS-TS "stagiaire") the intern gets at the consulate once the convention is visée.

    Opened by the services when the convention is validated. After arrival the intern validates the visa
    online with the OFII within 3 months (CESEDA R431-16); its expiry dates the carte de séjour filing
    window (R431-5).
    """

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="visa_applications",
    )
    convention = models.OneToOneField(
        Convention, verbose_name=_("convention"), on_delete=models.PROTECT, related_name="visa"
    )
    consulate = models.CharField(_("consulate"), max_length=200, blank=True)
    applied_on = models.DateField(_("applied on"), null=True, blank=True)
    decision_on = models.DateField(_("decision on"), null=True, blank=True)
    decision_reference = models.CharField(_("decision reference"), max_length=100, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    expires_on = models.DateField(
        _("expires on"), null=True, blank=True, help_text=_("Last day of the visa's validity.")
    )
    arrived_on = models.DateField(
        _("arrived on"), null=True, blank=True, help_text=_("Date the intern arrived in France.")
    )
    ofii_validated_on = models.DateField(_("validated with the OFII on"), null=True, blank=True)
    # Computed by the services from arrived_on (vls_ts_validation_deadline): arrival + 3 months (R431-16).
    ofii_validation_deadline = models.DateField(
        _("OFII validation deadline"), null=True, blank=True, editable=False, db_index=True
    )

    state = FSMField(
        _("state"), default=VisaState.TO_APPLY, choices=VisaState.choices, protected=True, db_index=True
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("long-stay visa")
        verbose_name_plural = _("long-stay visas")
        ordering = ["pk"]
        indexes = [
            # The OFII validations still to do, per organisation (the dashboard, the reminders): a few
            # rows among every visa ever issued (issue 10).
            models.Index(
                fields=["organisation", "ofii_validation_deadline"],
                condition=models.Q(state="issued", ofii_validated_on__isnull=True),
                name="visa_org_ofii_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"Long-stay visa for convention #{self.convention_id}"

    @transition(field=state, source=VisaState.TO_APPLY, target=VisaState.APPLIED, permission=member_can_write)
    def apply(self) -> None:
        """The intern applied at the consulate."""

    @transition(field=state, source=VisaState.APPLIED, target=VisaState.ISSUED, permission=member_can_write)
    def issue(self) -> None:
        """The consulate issued the visa: its expiry dates the carte de séjour filing window (R431-5)."""

    @transition(field=state, source=VisaState.APPLIED, target=VisaState.REFUSED, permission=member_can_write)
    def refuse(self) -> None:
        """The consulate refused the visa."""
