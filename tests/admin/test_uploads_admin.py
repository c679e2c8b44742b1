"""Uploads through the admin (issue 9): the document page and the convention page's checklist inline, with
real multipart requests. Over 2.5 MB a file goes to a temporary file: the validation's dry run used to
move it away (a 500 on the real save) and, under that size, to leave an extra copy on disk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conventions.admin import documents as documents_admin
from conventions.models import Convention, DocumentItem
from tests.admin.conftest import change_form_data

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_of(size: int) -> bytes:
    return b"%PDF-1.4\n" + b"0" * (size - 16) + b"\n%%EOF\n"


@pytest.fixture(autouse=True)
def media_in_tmp(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def files_on_disk(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def referenced() -> set[str]:
    return set(DocumentItem.objects.exclude(file="").values_list("file", flat=True))


def passport(convention: Convention) -> DocumentItem:
    return DocumentItem.objects.get(convention=convention, step="vls_ts", code="passport")


def post_item_page(client: Any, item: DocumentItem, name: str, content: bytes, **changes: Any) -> Any:
    url = reverse("admin:conventions_documentitem_change", args=[item.pk])
    data = change_form_data(client.get(url))
    data.update({"status": "provided", "file": SimpleUploadedFile(name, content), **changes})
    return client.post(url, data)


def post_inline(client: Any, convention: Convention, files: dict[int, tuple[str, bytes]]) -> Any:
    """The convention page, unchanged but for files put on its checklist lines (by line number)."""
    url = reverse("admin:conventions_convention_change", args=[convention.pk])
    data = change_form_data(client.get(url))
    prefix = next(key for key in data if key.endswith("-0-status")).removesuffix("-0-status")
    for line, (name, content) in files.items():
        data[f"{prefix}-{line}-file"] = SimpleUploadedFile(name, content)
        data[f"{prefix}-{line}-status"] = "provided"
    return client.post(url, data)


@pytest.mark.parametrize("size", [1024, 3 * MB])
def test_the_document_page_stores_one_file_and_no_extra_copy(
    login: Any, alice: Any, make_convention: Any, media_in_tmp: Path, size: int,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    item = passport(make_convention())
    with django_capture_on_commit_callbacks(execute=True):
        response = post_item_page(login(alice), item, "passeport.pdf", pdf_of(size))
    assert response.status_code == 302  # not a 500 at 3 MB
    item.refresh_from_db()
    assert item.file.size == size
    assert files_on_disk(media_in_tmp) == {item.file.name}  # no copy left by the dry run


def test_replacing_on_the_document_page_deletes_the_old_file(
    login: Any, alice: Any, make_convention: Any, media_in_tmp: Path, django_capture_on_commit_callbacks: Any
) -> None:
    item = passport(make_convention())
    client = login(alice)
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):  # the test's transaction never commits
            assert post_item_page(client, item, "passeport.pdf", PDF).status_code == 302
    assert files_on_disk(media_in_tmp) == referenced() and len(referenced()) == 1
    url = reverse("admin:conventions_documentitem_change", args=[item.pk])
    data = change_form_data(client.get(url))
    data["file-clear"] = "on"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
    assert referenced() == set() and files_on_disk(media_in_tmp) == set()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("passeport.pdf", b"MZ\x90\x00" + b"\x00" * 100, "not a PDF, JPEG or PNG"),
        ("passeport.pdf", pdf_of(11 * MB), "The file is too large (11.0 MB): the limit is 10.0 MB."),
    ],
)
def test_the_document_page_refuses_with_the_message_on_the_field_and_writes_nothing(
    login: Any, alice: Any, make_convention: Any, media_in_tmp: Path, name: str, content: bytes, message: str
) -> None:
    item = passport(make_convention())
    response = post_item_page(login(alice), item, name, content)
    assert response.status_code == 200
    assert message in " ".join(response.context["adminform"].form.errors["file"])
    assert files_on_disk(media_in_tmp) == set()


@pytest.mark.parametrize("name", ["../../etc/passwd.pdf", "p" * 300 + ".pdf", "passeport-Ánh-日本.pdf"])
def test_hostile_names_through_the_document_page_are_stored_under_a_random_name(
    login: Any, alice: Any, make_convention: Any, media_in_tmp: Path, tmp_path: Path, name: str,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    item = passport(make_convention())
    with django_capture_on_commit_callbacks(execute=True):
        assert post_item_page(login(alice), item, name, PDF).status_code == 302
    item.refresh_from_db()
    assert Path(item.file.path).resolve().is_relative_to(media_in_tmp.resolve())
    assert "passwd" not in item.file.name and "ppp" not in item.file.name and "Ánh" not in item.file.name
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == [Path(item.file.path)]


def test_a_failed_change_on_the_document_page_leaves_no_file(
    login: Any, alice: Any, make_convention: Any, media_in_tmp: Path
) -> None:
    item = passport(make_convention())
    response = post_item_page(
        login(alice), item, "passeport.pdf", PDF, status="rejected", rejection_reason=""
    )
    assert response.status_code == 200 and "rejection_reason" in response.context["adminform"].form.errors
    assert files_on_disk(media_in_tmp) == set()


def test_the_convention_inline_takes_a_3_mb_file_and_refuses_50_mb(
    login: Any, alice: Any, make_convention: Any, media_in_tmp: Path, django_capture_on_commit_callbacks: Any
) -> None:
    convention = make_convention()
    client = login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        assert post_inline(client, convention, {0: ("a.pdf", pdf_of(3 * MB))}).status_code == 302
    assert files_on_disk(media_in_tmp) == referenced() and len(referenced()) == 1
    response = post_inline(client, convention, {1: ("big.pdf", pdf_of(50 * MB))})
    assert response.status_code in (200, 302)
    page = client.get(response["Location"]).content.decode() if response.status_code == 302 else ""
    page += response.content.decode()
    assert "The file is too large (50.0 MB): the limit is 10.0 MB." in page
    assert files_on_disk(media_in_tmp) == referenced() and len(referenced()) == 1


def test_a_convention_page_rolled_back_by_a_later_line_leaves_no_file(
    login: Any, alice: Any, make_convention: Any, media_in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    convention = make_convention()
    real = documents_admin.document_item_update
    calls: list[int] = []

    def second_line_fails(**kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:  # someone changed the second line in between: the page is rolled back
            from django.core.exceptions import ValidationError

            raise ValidationError({"status": "changed meanwhile"})
        return real(**kwargs)

    monkeypatch.setattr(documents_admin, "document_item_update", second_line_fails)
    response = post_inline(login(alice), convention, {0: ("a.pdf", PDF), 1: ("b.pdf", PDF)})
    assert response.status_code == 302 and len(calls) == 2
    assert referenced() == set()
    assert files_on_disk(media_in_tmp) == set()  # the first line's file went with its rolled-back row
