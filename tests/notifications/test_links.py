"""Links to a file's page: the cached pieces give the path reverse() gives, for every kind and any id."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import clear_script_prefix, reverse, set_script_prefix

from notifications.links import file_path, file_url
from notifications.rules import FileType

IDS = [1, 7, 98, 9_876_543_210, 10**12 + 3]


def expected(file_type: FileType, object_id: int) -> str:
    if file_type == FileType.CONVENTION:
        return reverse("portal:convention", args=[object_id])
    if file_type in (FileType.AVENANT, FileType.PERMIT, FileType.VISA, FileType.DOCUMENT):
        return reverse("portal:file", args=[str(file_type), object_id])
    return reverse("portal:dashboard")


@pytest.mark.parametrize("file_type", list(FileType))
def test_every_kind_of_file_gets_the_path_reverse_gives(file_type: FileType) -> None:
    for object_id in IDS:
        assert file_path(file_type, object_id) == expected(file_type, object_id)


def test_the_path_follows_the_script_prefix_and_the_site_url() -> None:
    try:
        set_script_prefix("/hostportal/")
        assert file_path(FileType.CONVENTION, 42) == reverse("portal:convention", args=[42])
        assert file_path(FileType.CONVENTION, 42).startswith("/hostportal/")
    finally:
        clear_script_prefix()
    assert file_path(FileType.CONVENTION, 42) == reverse("portal:convention", args=[42])
    with override_settings(SITE_URL="https://rh.example.org"):
        assert file_url(FileType.AVENANT, 5) == f"https://rh.example.org{expected(FileType.AVENANT, 5)}"
