from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from conventions.models.common import TimeStamped, member_can_write
from conventions.models.conventions import Convention
from hostportal.models import Organisation


class AvenantState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("avenant state", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("avenant state", "Submitted to the administration")
    DOCUMENTS_REQUESTED = "documents_requested", pgettext_lazy("avenant state", "Documents requested")
    VALIDATED = "validated", pgettext_lazy("avenant state", "Validated")
    REFUSED = "refused", pgettext_lazy("avenant state", "Refused")
    ACCEPTED_BY_SILENCE = "accepted_by_silence", pgettext_lazy("avenant state", "Accepted by silence")
    WITHDRAWN = "withdrawn", pgettext_lazy("avenant state", "Withdrawn")


AVENANT_FINAL_STATES = frozenset(
    {AvenantState.VALIDATED, AvenantState.REFUSED, AvenantState.ACCEPTED_BY_SILENCE, AvenantState.WITHDRAWN}
)
AVENANT_OPEN_STATES = [s.value for s in AvenantState if s not in AVENANT_FINAL_STATES]
AVENANT_ACCEPTED_STATES = (AvenantState.VALIDATED, AvenantState.ACCEPTED_BY_SILENCE)


def _needs_validation(instance: Any) -> bool:
    return bool(instance.validation_required)


class Avenant(FSMModelMixin, TimeStamped):
    """An amendment that extends a convention (CESEDA R426-21): accepted after 15 days of silence."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="avenants"
    )
    convention = models.ForeignKey(
        Convention, verbose_name=_("convention"), on_delete=models.PROTECT, related_name="avenants"
    )
    previous_end_date = models.DateField(
        _("previous end date"),
        editable=False,
        help_text=_("The convention's end date in force when the avenant was drafted."),
    )
    requested_end_date = models.DateField(_("requested end date"))
    reason = models.TextField(_("reason"), blank=True)
    received_on = models.DateField(
        _("received on"), null=True, blank=True, help_text=_("Date received by the administration.")
    )
    documents_requested_on = models.DateField(_("documents requested on"), null=True, blank=True)
    documents_due_on = models.DateField(
        _("documents due on"),
        null=True,
        blank=True,
        help_text=_("Date set by the administration for the missing documents (CRPA L114-5)."),
    )
    documents_received_on = models.DateField(_("documents received on"), null=True, blank=True)
    acknowledged_decision_on = models.DateField(
        _("acknowledged decision on"),
        null=True,
        blank=True,
        help_text=_("Implicit-decision date stated on the acknowledgment of receipt (CRPA R112-5)."),
    )
    decision_on = models.DateField(_("decision on"), null=True, blank=True)
    decision_reference = models.CharField(_("decision reference"), max_length=100, blank=True)
    # formation_continue allows one extension only (RULES §4): counted by avenant_create, never typed.
    prior_extensions = models.PositiveSmallIntegerField(
        _("prior extensions"),
        default=0,
        editable=False,
        help_text=_("Accepted avenants of the same convention when this one was drafted."),
    )

    validation_required = models.BooleanField(_("validation required"), default=True, editable=False)
    filing_deadline = models.DateField(
        _("filing deadline"), null=True, blank=True, editable=False, db_index=True
    )
    silence_deadline = models.DateField(
        _("silence deadline"), null=True, blank=True, editable=False, db_index=True
    )

    state = FSMField(
        _("state"), default=AvenantState.DRAFT, choices=AvenantState.choices, protected=True, db_index=True
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("avenant")
        verbose_name_plural = _("avenants")
        ordering = ["convention", "pk"]
        indexes = [models.Index(fields=["state", "silence_deadline"], name="avenant_state_silence")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(requested_end_date__gt=models.F("previous_end_date")),
                name="avenant_extends_the_convention",
            ),
            # One avenant at a time per convention: two open requests would race for the same end date.
            models.UniqueConstraint(
                fields=["convention"],
                condition=models.Q(state__in=AVENANT_OPEN_STATES),
                name="avenant_one_open_per_convention",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"Avenant #{self.pk} to convention #{self.convention_id} (to {self.requested_end_date:%d/%m/%Y})"
        )

    @property
    def is_final(self) -> bool:
        return self.state in AVENANT_FINAL_STATES

    @property
    def is_accepted(self) -> bool:
        return self.state in AVENANT_ACCEPTED_STATES

    @transition(
        field=state,
        source=AvenantState.DRAFT,
        target=AvenantState.SUBMITTED,
        conditions=[_needs_validation],
        permission=member_can_write,
    )
    def submit(self) -> None:
        """Filed with the administration."""

    @transition(
        field=state,
        source=AvenantState.SUBMITTED,
        target=AvenantState.DOCUMENTS_REQUESTED,
        permission=member_can_write,
    )
    def request_documents(self) -> None:
        """Missing documents asked: the 15-day delay restarts when they arrive (CRPA L114-5)."""

    @transition(
        field=state,
        source=AvenantState.DOCUMENTS_REQUESTED,
        target=AvenantState.SUBMITTED,
        permission=member_can_write,
    )
    def receive_documents(self) -> None:
        """The documents reached the administration."""

    @transition(
        field=state, source=AvenantState.SUBMITTED, target=AvenantState.VALIDATED, permission=member_can_write
    )
    def validate(self) -> None:
        """The administration validated the avenant explicitly."""

    @transition(
        field=state, source=AvenantState.SUBMITTED, target=AvenantState.REFUSED, permission=member_can_write
    )
    def refuse(self) -> None:
        """The administration refused the avenant."""

    @transition(field=state, source=AvenantState.SUBMITTED, target=AvenantState.ACCEPTED_BY_SILENCE)
    def accept_by_silence(self) -> None:
        """15 days of silence: implicit acceptance (CESEDA R426-21). Used by the sweep."""

    @transition(
        field=state, source=AVENANT_OPEN_STATES, target=AvenantState.WITHDRAWN, permission=member_can_write
    )
    def withdraw(self) -> None:
        """The host gave the extension up."""
