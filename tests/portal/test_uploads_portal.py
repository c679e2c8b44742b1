"""Uploads on the portal's case page (issue 9): real multipart requests (a 3 MB file goes to a temporary
file, as in production), one size limit, content sniffed, no orphan file, downloads for members only,
and nothing served from MEDIA_URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from conventions.models import Convention, DocumentItem
from hostportal.models import Membership

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n"
    + b"\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    + b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


def pdf_of(size: int) -> bytes:
    return b"%PDF-1.4\n" + b"0" * (size - 16) + b"\n%%EOF\n"


@pytest.fixture(autouse=True)
def media_in_tmp(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def files_on_disk(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def referenced() -> set[str]:
    return set(DocumentItem.objects.exclude(file="").values_list("file", flat=True))


def first_item(convention: Convention) -> DocumentItem:
    item = DocumentItem.objects.filter(convention=convention, code="passport").first()
    assert item is not None
    return item


def post_file(client: Client, item: DocumentItem, name: str, content: bytes, **extra: Any) -> Any:
    data = {"status": "provided", "rejection_reason": "", "file": SimpleUploadedFile(name, content), **extra}
    return client.post(f"/documents/{item.pk}/", data, follow=True)


def test_a_3_mb_scan_is_accepted_and_stored_once(
    alice: Any, submitted_convention: Convention, media_in_tmp: Path, django_capture_on_commit_callbacks: Any
) -> None:
    item = first_item(submitted_convention)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_file(client_for(alice), item, "passeport.pdf", pdf_of(3 * MB))
    assert response.status_code == 200 and "is saved" in response.content.decode()
    item.refresh_from_db()
    assert item.file and item.file.size == 3 * MB
    assert files_on_disk(media_in_tmp) == {item.file.name}


def test_a_3_mb_scan_over_a_2_mb_limit_is_refused_with_a_clear_message(
    alice: Any, submitted_convention: Convention, media_in_tmp: Path, settings: Any
) -> None:
    settings.DOCUMENT_UPLOAD_MAX_BYTES = 2 * MB
    item = first_item(submitted_convention)
    response = post_file(client_for(alice), item, "passeport.pdf", pdf_of(3 * MB))
    page = response.content.decode()
    assert response.status_code == 200
    assert "The file is too large (3.0 MB): the limit is 2.0 MB." in page and "Nothing was changed." in page
    item.refresh_from_db()
    assert (item.status, item.file.name) == ("missing", "")
    assert files_on_disk(media_in_tmp) == set()


def test_50_mb_is_refused_in_french(alice: Any, submitted_convention: Convention, media_in_tmp: Path) -> None:
    Membership.objects.filter(user=alice).update(language="fr")
    item = first_item(submitted_convention)
    response = post_file(client_for(alice), item, "passeport.pdf", pdf_of(50 * MB))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Le fichier est trop volumineux (50,0 Mo) : la limite est de 10,0 Mo." in page
    assert files_on_disk(media_in_tmp) == set()
    assert not DocumentItem.objects.get(pk=item.pk).file


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("passeport.pdf", b"MZ\x90\x00" + b"\x00" * 100, "not a PDF, JPEG or PNG"),
        ("passeport.pdf", b"<html><script>alert(1)</script></html>", "not a PDF, JPEG or PNG"),
        (
            "photo.png",
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
            "not a PDF, JPEG or PNG",
        ),
        ("scan.png", PDF, "is a PDF but its name ends in .png"),
    ],
)
def test_renamed_files_are_refused(
    alice: Any, submitted_convention: Convention, media_in_tmp: Path, name: str, content: bytes, message: str
) -> None:
    item = first_item(submitted_convention)
    page = post_file(client_for(alice), item, name, content).content.decode()
    assert message in page
    assert files_on_disk(media_in_tmp) == set()


@pytest.mark.parametrize(
    "name", ["../../../etc/passwd.pdf", "..%2F..%2Fx.pdf", "n" * 400 + ".pdf", "scan\x00.pdf"]
)
def test_hostile_names_never_leave_the_storage_directory(
    alice: Any, submitted_convention: Convention, media_in_tmp: Path, tmp_path: Path, name: str
) -> None:
    item = first_item(submitted_convention)
    response = post_file(client_for(alice), item, name, PDF)
    assert response.status_code == 200
    item.refresh_from_db()
    stored = [p for p in tmp_path.rglob("*") if p.is_file()]
    if item.file:
        assert stored == [Path(item.file.path)] and Path(item.file.path).resolve().is_relative_to(
            media_in_tmp
        )
        assert "passwd" not in item.file.name and "nnn" not in item.file.name
    else:  # refused (a name the browser could not have sent): with a message, and nothing stored
        assert "Nothing was changed." in response.content.decode() and stored == []


def test_replacing_and_clearing_delete_the_old_file(
    alice: Any, submitted_convention: Convention, media_in_tmp: Path, django_capture_on_commit_callbacks: Any
) -> None:
    item = first_item(submitted_convention)
    client = client_for(alice)
    for name in ("a.pdf", "b.pdf", "c.png"):
        with django_capture_on_commit_callbacks(execute=True):  # the test's transaction never commits
            post_file(client, item, name, PNG if name.endswith("png") else PDF)
        assert files_on_disk(media_in_tmp) == referenced() and len(referenced()) == 1
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/documents/{item.pk}/", {"status": "provided", "file-clear": "on"})
    item.refresh_from_db()
    assert not item.file and files_on_disk(media_in_tmp) == set()


def test_download_for_members_only_with_a_sensible_name(
    alice: Any, bob: Any, claire: Any, submitted_convention: Convention
) -> None:
    item = first_item(submitted_convention)
    post_file(client_for(alice), item, "DIALLO passeport SN1234567.pdf", PDF)
    url = f"/documents/{item.pk}/download/"
    for member in (alice, bob):
        response = client_for(member).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == f'attachment; filename="passport-{item.pk}.pdf"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == PDF
    assert client_for(claire).get(url).status_code == 404
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


@pytest.mark.parametrize("debug", [False, True])
def test_nothing_is_served_from_media_url(
    alice: Any, submitted_convention: Convention, settings: Any, debug: bool
) -> None:
    item = first_item(submitted_convention)
    post_file(client_for(alice), item, "passeport.pdf", PDF)
    item.refresh_from_db()
    settings.DEBUG = debug
    for client in (client_for(alice), Client()):
        media = "/" + settings.MEDIA_URL.strip("/")
        assert client.get(f"{media}/{item.file.name}").status_code == 404
        assert client.get(f"{media}/").status_code == 404
    root = Path(settings.MEDIA_ROOT).resolve()
    assert not root.is_relative_to(Path(settings.STATIC_ROOT).resolve())


def test_a_request_whose_fields_exceed_django_s_cap_is_a_400_not_a_500(
    alice: Any, submitted_convention: Convention, settings: Any, media_in_tmp: Path
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024  # the fields other than files: Django answers 400
    item = first_item(submitted_convention)
    response = post_file(client_for(alice), item, "passeport.pdf", PDF, rejection_reason="x" * 5000)
    assert response.status_code == 400
    assert files_on_disk(media_in_tmp) == set()
