"""Write path of checklist items (RULES §5): status, rejection reason, file and expiry date."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils.translation import gettext as _

from conventions.models import DocumentItem, DocumentStatus
from conventions.services.common import pk_of
from conventions.services.conventions import require_writer

UNCHANGED: Any = object()


def document_item_update(
    *,
    actor: Any,
    item: DocumentItem | int,
    status: str = UNCHANGED,
    rejection_reason: str = UNCHANGED,
    expires_on: dt.date | None = UNCHANGED,
    file: UploadedFile | bool | None = UNCHANGED,
) -> DocumentItem:
    """Record what HR checked on one document; arguments left out keep their value.

    A rejected document needs the reason (the intern must know what to bring again); a document that is no
    longer rejected loses its old reason. Raises PermissionDenied or ValidationError naming the field.
    """
    with transaction.atomic():
        instance = DocumentItem.objects.select_for_update().get(pk=pk_of(item))
        require_writer(actor, instance.organisation_id)
        changes = {
            "status": status,
            "rejection_reason": rejection_reason,
            "expires_on": expires_on,
            "file": file,
        }
        for name, value in changes.items():
            if value is not UNCHANGED:
                # save_form_data: a file input's False (the "clear" box) empties the field.
                cast(models.Field, DocumentItem._meta.get_field(name)).save_form_data(instance, value)
        _check_reason(instance)
        instance.full_clean(exclude=["organisation", "convention", "permit_application"])
        instance._history_user = actor  # type: ignore[attr-defined]
        instance.save()
    return instance


def _check_reason(instance: DocumentItem) -> None:
    instance.rejection_reason = (instance.rejection_reason or "").strip()
    if instance.status != DocumentStatus.REJECTED:
        instance.rejection_reason = ""
    elif not instance.rejection_reason:
        raise ValidationError(
            {"rejection_reason": _("Say why the document was rejected: the reason is required.")}
        )
