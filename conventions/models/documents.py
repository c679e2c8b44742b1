from __future__ import annotations

from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from conventions import uploads
from conventions.models.common import TimeStamped
from conventions.models.conventions import Convention
from conventions.models.permits import ResidencePermitApplication
from hostportal.models import Organisation


class DocumentStep(models.TextChoices):
    VLS_TS = "vls_ts", _("Long-stay visa (VLS-TS stagiaire) at the consulate")
    RESIDENCE_PERMIT = "residence_permit", _("Carte de séjour stagiaire at the préfecture")
    # The documents the administration asked for while examining a convention or an avenant (CRPA L114-5).
    ADMINISTRATION_REQUEST = "administration_request", _("Asked for by the administration")


class DocumentStatus(models.TextChoices):
    MISSING = "missing", _("Missing")
    PROVIDED = "provided", _("Provided")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")


def document_upload_to(instance: DocumentItem, filename: str) -> str:
    """A random name under the convention's directory (the name sent may hold personal data, or "../")."""
    return uploads.document_path(instance.organisation_id, instance.convention_id, filename)


class DocumentItem(TimeStamped):
    """One line of a step's checklist (RULES §5), with its status and optional file and expiry date."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="document_items"
    )
    convention = models.ForeignKey(
        Convention, verbose_name=_("convention"), on_delete=models.CASCADE, related_name="document_items"
    )
    permit_application = models.ForeignKey(
        ResidencePermitApplication,
        verbose_name=_("permit application"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="document_items",
    )
    step = models.CharField(_("step"), max_length=32, choices=DocumentStep.choices)
    code = models.SlugField(_("code"), max_length=64)
    label = models.CharField(_("label"), max_length=300)
    status = models.CharField(
        _("status"), max_length=16, choices=DocumentStatus.choices, default=DocumentStatus.MISSING
    )
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    file = models.FileField(
        _("file"),
        upload_to=document_upload_to,
        blank=True,
        validators=[FileExtensionValidator(["pdf", "jpg", "jpeg", "png"])],
    )
    expires_on = models.DateField(_("expires on"), null=True, blank=True, db_index=True)

    # Who verified or rejected which document, and when: read by auditors in admin.
    history = HistoricalRecords(excluded_fields=["file"])

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["convention", "step", "pk"]
        constraints = [
            # One line per document and step: per convention for the visa, per application for the card.
            models.UniqueConstraint(
                fields=["convention", "step", "code"],
                condition=models.Q(permit_application__isnull=True),
                name="document_item_unique_per_convention_step",
            ),
            models.UniqueConstraint(
                fields=["permit_application", "code"],
                condition=models.Q(permit_application__isnull=False),
                name="document_item_unique_per_application",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="rejected") | ~models.Q(rejection_reason=""),
                name="document_item_rejection_needs_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.get_status_display()})"


@receiver(pre_delete, sender=DocumentItem, dispatch_uid="conventions.document_item_file_deleted")
def delete_file_with_item(
    sender: type[DocumentItem], instance: DocumentItem, origin: object = None, **_: object
) -> None:
    """A deleted checklist line (or its convention, by cascade) takes its file along, once the delete
    commits. Lines deleted by cascade or by a queryset were just read; the one deleted by `item.delete()`
    may be stale (its file replaced since), so its stored name is read again."""
    name = str(instance.file.name or "")
    if origin is instance and instance.pk is not None:
        name = DocumentItem.objects.filter(pk=instance.pk).values_list("file", flat=True).first() or ""
    if name:
        uploads.delete_on_commit(instance.file.storage, name)
