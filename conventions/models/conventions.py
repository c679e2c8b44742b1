from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from conventions.models.common import (
    CATEGORY_CHOICES,
    PROGRAMME_CHOICES,
    REGIME_CHOICES,
    TimeStamped,
    member_can_write,
)
from conventions.models.interns import Intern
from hostportal.models import Organisation


class ConventionState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("convention state", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("convention state", "Submitted to the administration")
    DOCUMENTS_REQUESTED = "documents_requested", pgettext_lazy("convention state", "Documents requested")
    VALIDATED = "validated", pgettext_lazy("convention state", "Validated (visée)")
    REFUSED = "refused", pgettext_lazy("convention state", "Refused")
    REFUSED_BY_SILENCE = "refused_by_silence", pgettext_lazy("convention state", "Refused by silence")
    NOT_REQUIRED = "not_required", pgettext_lazy("convention state", "No validation required")
    WITHDRAWN = "withdrawn", pgettext_lazy("convention state", "Withdrawn")


CONVENTION_FINAL_STATES = frozenset(
    {
        ConventionState.VALIDATED,
        ConventionState.REFUSED,
        ConventionState.REFUSED_BY_SILENCE,
        ConventionState.NOT_REQUIRED,
        ConventionState.WITHDRAWN,
    }
)
CONVENTION_OPEN_STATES = [s.value for s in ConventionState if s not in CONVENTION_FINAL_STATES]

# Fields a convention needs before it can be filed with the administration (CESEDA R426-20: the host files
# the tripartite convention; the resources are checked against R426-16 / §3 of docs/rules.md).
SUBMISSION_FIELDS = (
    "category",
    "start_date",
    "end_date",
    "sending_establishment",
    "tutor_name",
    "weekly_hours",
)


def _complete(instance: Any) -> bool:
    return bool(instance.is_complete())


def _needs_validation(instance: Any) -> bool:
    return bool(instance.validation_required)


def _needs_no_validation(instance: Any) -> bool:
    return not instance.validation_required


class Convention(FSMModelMixin, TimeStamped):
    """A convention de stage: the tripartite agreement that the administration validates ("vise")."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="conventions"
    )
    intern = models.ForeignKey(
        Intern, verbose_name=_("intern"), on_delete=models.PROTECT, related_name="conventions"
    )
    category = models.CharField(_("category"), max_length=32, choices=CATEGORY_CHOICES)
    programme = models.CharField(_("programme"), max_length=32, choices=PROGRAMME_CHOICES, blank=True)
    same_group = models.BooleanField(
        _("same group"),
        default=False,
        help_text=_("The host belongs to the same group as the intern's employer (ICT permit)."),
    )
    sending_establishment = models.CharField(
        _("sending establishment"),
        max_length=200,
        blank=True,
        help_text=_("Training establishment abroad, or the foreign employer."),
    )
    tutor_name = models.CharField(_("tutor name"), max_length=200, blank=True)
    tutor_email = models.EmailField(_("tutor email"), blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(
        _("end date"), help_text=_("End date signed in the convention (kept as signed).")
    )
    effective_end_date = models.DateField(
        _("effective end date"), help_text=_("End date in force, moved by accepted avenants.")
    )
    # Code du travail L3121-20: 48 hours a week at most; a stage follows the host's working hours.
    weekly_hours = models.DecimalField(
        _("weekly hours"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("48"))],
    )
    hourly_gratification_eur = models.DecimalField(
        _("hourly gratification (EUR)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    monthly_resources_eur = models.DecimalField(
        _("monthly resources (EUR)"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )

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

    # Computed by the rule engine whenever an input changes (services.convention_refresh_rules).
    regime = models.CharField(_("regime"), max_length=32, choices=REGIME_CHOICES, editable=False)
    validation_required = models.BooleanField(_("validation required"), default=True, editable=False)
    filing_deadline = models.DateField(
        _("filing deadline"), null=True, blank=True, editable=False, db_index=True
    )
    silence_deadline = models.DateField(
        _("silence deadline"), null=True, blank=True, editable=False, db_index=True
    )

    state = FSMField(
        _("state"),
        default=ConventionState.DRAFT,
        choices=ConventionState.choices,
        protected=True,
        db_index=True,
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
        verbose_name = _("convention")
        verbose_name_plural = _("conventions")
        ordering = ["start_date", "pk"]
        indexes = [
            models.Index(fields=["state", "silence_deadline"], name="convention_state_silence"),
            models.Index(fields=["state", "filing_deadline"], name="convention_state_filing"),
            models.Index(fields=["organisation", "state"], name="convention_org_state"),
            # The default order of every list (admin, portal): the first page of a million rows is an index
            # walk, not a sort (issue 10: 1.7 s -> 3 ms for an operator).
            models.Index(fields=["start_date", "id"], name="convention_start_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="convention_end_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(effective_end_date__gte=models.F("end_date")),
                name="convention_effective_end_not_before_end",
            ),
        ]

    def __str__(self) -> str:
        return f"Convention #{self.pk} — {self.intern} ({self.start_date:%d/%m/%Y})"

    @property
    def is_final(self) -> bool:
        return self.state in CONVENTION_FINAL_STATES

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError(
                {
                    "end_date": f"The end date {self.end_date:%Y-%m-%d} is before "
                    f"the start date {self.start_date:%Y-%m-%d}."
                }
            )

    def missing_for_submission(self) -> list[str]:
        missing = [name for name in SUBMISSION_FIELDS if getattr(self, name) in (None, "")]
        if self.category == "hopital" and self.hourly_gratification_eur is None:
            missing.append("hourly_gratification_eur")
        if self.category in ("entreprise", "formation_continue") and self.monthly_resources_eur is None:
            missing.append("monthly_resources_eur")
        return missing

    def is_complete(self) -> bool:
        return not self.missing_for_submission()

    # --- transitions: called only by conventions.services (they lock, audit and publish) --------------
    @transition(
        field=state,
        source=ConventionState.DRAFT,
        target=ConventionState.SUBMITTED,
        conditions=[_complete, _needs_validation],
        permission=member_can_write,
    )
    def submit(self) -> None:
        """Filed with the administration (received_on is set by the service)."""

    @transition(
        field=state,
        source=ConventionState.DRAFT,
        target=ConventionState.NOT_REQUIRED,
        conditions=[_needs_no_validation],
        permission=member_can_write,
    )
    def mark_not_required(self) -> None:
        """The rules say this stay needs no validation (EU citizen, short stay, Canadian exemption)."""

    @transition(
        field=state,
        source=ConventionState.SUBMITTED,
        target=ConventionState.DOCUMENTS_REQUESTED,
        permission=member_can_write,
    )
    def request_documents(self) -> None:
        """The administration asked for missing documents: the silence delay is suspended (CRPA L114-5)."""

    @transition(
        field=state,
        source=ConventionState.DOCUMENTS_REQUESTED,
        target=ConventionState.SUBMITTED,
        permission=member_can_write,
    )
    def receive_documents(self) -> None:
        """The documents reached the administration: the silence delay runs again."""

    @transition(
        field=state,
        source=ConventionState.SUBMITTED,
        target=ConventionState.VALIDATED,
        permission=member_can_write,
    )
    def validate(self) -> None:
        """The administration validated (visé) the convention."""

    @transition(
        field=state,
        source=ConventionState.SUBMITTED,
        target=ConventionState.REFUSED,
        permission=member_can_write,
    )
    def refuse(self) -> None:
        """The administration refused the convention explicitly."""

    @transition(field=state, source=ConventionState.SUBMITTED, target=ConventionState.REFUSED_BY_SILENCE)
    def refuse_by_silence(self) -> None:
        """No answer by the silence deadline: implicit refusal (CESEDA R426-20). Used by the sweep."""

    @transition(
        field=state,
        source=CONVENTION_OPEN_STATES,
        target=ConventionState.WITHDRAWN,
        permission=member_can_write,
    )
    def withdraw(self) -> None:
        """The host gave up the stage (any non-final state)."""
