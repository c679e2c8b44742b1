"""Write path of checklist items (RULES §5): status, rejection reason, file and expiry date."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import models, transaction
from django.utils.translation import gettext as _

from conventions import uploads
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
    file: File | bool | None = UNCHANGED,
) -> DocumentItem:
    """Record what HR checked on one document; arguments left out keep their value.

    A rejected document needs the reason (the intern must know what to bring again); a document that is no
    longer rejected loses its old reason. `file` is an upload (any django File: the admin's, the portal's
    or the API's), False to clear the file, None or left out to keep it. The upload is judged here for
    every channel (conventions.uploads.validate_upload: size limit, real PDF/JPEG/PNG whose name matches)
    before anything is written; the file is stored under a random name, and the replaced or cleared file
    is deleted once the change commits (a rolled-back change leaves no file). Raises PermissionDenied, or
    ValidationError naming the field ("file" for the upload).
    """
    if file is not UNCHANGED and file is not None and file is not False and not uploads.is_upload(file):
        raise ValidationError({"file": [_("No file was received: choose the file again.")]})
    upload = file if uploads.is_upload(file) else None
    sniffed = uploads.validate_upload(upload) if upload is not None else None
    with transaction.atomic():
        instance = DocumentItem.objects.select_for_update().get(pk=pk_of(item))
        require_writer(actor, instance.organisation_id)
        old_name = str(instance.file.name or "")
        changes = {"status": status, "rejection_reason": rejection_reason, "expires_on": expires_on}
        for name, value in changes.items():
            if value is not UNCHANGED:
                cast(models.Field, DocumentItem._meta.get_field(name)).save_form_data(instance, value)
        if file is False:
            instance.file = ""
        _check_reason(instance)
        if sniffed is not None:
            # A placeholder of the final shape, so that full_clean judges the row as it will be saved.
            instance.file.name = uploads.document_path(
                instance.organisation_id, instance.convention_id, f"x.{sniffed.extension}"
            )
        instance.full_clean(exclude=["organisation", "convention", "permit_application"])
        written = uploads.store(instance.file, sniffed, upload) if sniffed and upload is not None else None
        try:
            instance._history_user = actor  # type: ignore[attr-defined]
            instance.save()
        except BaseException:
            if written:
                uploads.delete_now(instance.file.storage, written)
            raise
        if old_name and old_name != instance.file.name:
            uploads.delete_on_commit(instance.file.storage, old_name)
    return instance


def _check_reason(instance: DocumentItem) -> None:
    instance.rejection_reason = (instance.rejection_reason or "").strip()
    if instance.status != DocumentStatus.REJECTED:
        instance.rejection_reason = ""
    elif not instance.rejection_reason:
        raise ValidationError(
            {"rejection_reason": _("Say why the document was rejected: the reason is required.")}
        )
