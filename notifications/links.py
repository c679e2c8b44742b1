"""Absolute links to a file's page in the HR portal (settings.SITE_URL + the portal's URL).

A convention has its case page; an avenant, a visa, a carte de séjour application or a document lives on
its convention's case page (the portal's /files/<kind>/<id>/ sends the reader there, to the right place);
a digest points to « Aujourd'hui ». The portal checks that the reader may see the file (404 otherwise).
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from notifications.rules import FileType

ON_THE_CASE_PAGE = frozenset({FileType.AVENANT, FileType.PERMIT, FileType.VISA, FileType.DOCUMENT})


def file_path(file_type: FileType, object_id: int) -> str:
    if file_type == FileType.CONVENTION:
        return reverse("portal:convention", args=[object_id])
    if file_type in ON_THE_CASE_PAGE:
        return reverse("portal:file", args=[str(file_type), object_id])
    return reverse("portal:dashboard")


def file_url(file_type: FileType, object_id: int) -> str:
    return f"{settings.SITE_URL}{file_path(FileType(file_type), object_id)}"
