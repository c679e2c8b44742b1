"""Absolute links to a file's page in the HR portal (settings.SITE_URL + the portal's URL).

A convention has its case page; an avenant, a visa, a carte de séjour application or a document lives on
its convention's case page (the portal's /files/<kind>/<id>/ sends the reader there, to the right place);
a digest points to « Aujourd'hui ». The portal checks that the reader may see the file (404 otherwise).
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

from notifications.rules import FileType

ON_THE_CASE_PAGE = frozenset({FileType.AVENANT, FileType.PERMIT, FileType.VISA, FileType.DOCUMENT})


# A stand-in id, reversed once per kind of page: its digits never appear elsewhere in a portal path.
PLACEHOLDER = 9_876_543_210


@lru_cache(maxsize=64)
def _pattern(file_type: FileType, script_prefix: str, urlconf: str | None) -> tuple[str, ...]:
    """The path of a file of this type, split around its id (one piece: the page has no id). Reversing
    costs more than the rest of an email's links; tests/notifications/test_links.py checks the pieces
    give reverse()'s path for any id."""
    if file_type == FileType.CONVENTION:
        path = reverse("portal:convention", args=[PLACEHOLDER])
    elif file_type in ON_THE_CASE_PAGE:
        path = reverse("portal:file", args=[str(file_type), PLACEHOLDER])
    else:
        return (reverse("portal:dashboard"),)
    before, _, after = path.partition(str(PLACEHOLDER))
    return before, after


def file_path(file_type: FileType, object_id: int) -> str:
    pieces = _pattern(FileType(file_type), get_script_prefix(), get_urlconf())
    return pieces[0] if len(pieces) == 1 else f"{pieces[0]}{int(object_id)}{pieces[1]}"


def file_url(file_type: FileType, object_id: int) -> str:
    return f"{settings.SITE_URL}{file_path(FileType(file_type), object_id)}"
