"""Uploaded documents (issue 9): one size limit, content sniffed (never trusted to the extension), no file
left on disk that no row references (failed, replaced, cleared, deleted, rolled back), hostile names
never leave the storage directory, and stored names reveal nothing of the original name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished
from django.db import close_old_connections, transaction

from conventions import uploads
from conventions.models import Convention, DocumentItem, DocumentStatus
from conventions.services.documents import document_item_update
from hostportal.models import Membership

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
PNG = (
    b"\x89PNG\r\n\x1a\n"
    + b"\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    + b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
HTML = b"<!doctype html><html><script>alert(document.cookie)</script></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'


@pytest.fixture(autouse=True)
def media_in_tmp(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def files_on_disk(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def referenced() -> set[str]:
    return {name for name in DocumentItem.objects.exclude(file="").values_list("file", flat=True)}


def end_of_request() -> None:
    """What the WSGI server does after the response, as the test client does it (the test's connection
    stays open)."""
    request_finished.disconnect(close_old_connections)
    try:
        request_finished.send(sender=None)
    finally:
        request_finished.connect(close_old_connections)


def passport(convention: Convention) -> DocumentItem:
    return DocumentItem.objects.get(convention=convention, step="vls_ts", code="passport")


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


# --- content sniffing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("scan.pdf", PDF, "pdf"),
        ("photo.jpg", JPEG, "jpeg"),
        ("photo.JPEG", JPEG, "jpeg"),
        ("s.png", PNG, "png"),
    ],
)
def test_real_pdf_jpeg_and_png_are_accepted(name: str, content: bytes, kind: str) -> None:
    assert uploads.validate_upload(upload(name, content)).kind == kind


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("passeport.pdf", EXE, "not a PDF, JPEG or PNG"),  # a renamed program
        ("passeport.pdf", HTML, "not a PDF, JPEG or PNG"),
        ("photo.png", SVG, "not a PDF, JPEG or PNG"),
        ("scan.svg", PNG, "must end in .pdf, .jpg, .jpeg or .png"),
        ("scan.exe", PDF, "must end in .pdf, .jpg, .jpeg or .png"),
        ("scan", PDF, "must end in .pdf, .jpg, .jpeg or .png"),
        ("scan.png", PDF, "is a PDF but its name ends in .png"),
        ("photo.pdf", JPEG, "is a JPEG image but its name ends in .pdf"),
        ("empty.pdf", b"", "is empty"),
        ("cut.pdf", PDF[:-7], "truncated"),  # no %%EOF
        ("cut.png", PNG[:-12], "truncated"),  # no IEND
        ("cut.jpg", JPEG[:-2], "truncated"),  # no end-of-image marker
        ("polyglot.pdf", PDF + HTML, "hidden content"),  # an HTML page after the PDF
        ("polyglot.png", PNG + b"PK\x03\x04" + b"\x00" * 40, "hidden content"),  # a ZIP after the image
        ("polyglot.jpg", JPEG[:-2] + b"<script>alert(1)</script>" + b"\xff\xd9", "hidden content"),
    ],
)
def test_hostile_or_broken_content_is_refused_with_a_clear_message(
    name: str, content: bytes, reason: str
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        uploads.validate_upload(upload(name, content))
    assert reason in " ".join(excinfo.value.message_dict["file"])


def test_the_service_refuses_a_renamed_program_and_writes_nothing(
    make_convention: Any, alice: Any, media_in_tmp: Path
) -> None:
    item = passport(make_convention())
    with pytest.raises(ValidationError) as excinfo:
        document_item_update(actor=alice, item=item, status="provided", file=upload("passeport.pdf", EXE))
    assert "file" in excinfo.value.message_dict
    item.refresh_from_db()
    assert (item.status, item.file.name) == (DocumentStatus.MISSING, "")
    assert files_on_disk(media_in_tmp) == set()


# --- one size limit -----------------------------------------------------------------------------------


def test_the_limit_defaults_to_10_mb() -> None:
    from django.conf import settings

    assert settings.DOCUMENT_UPLOAD_MAX_BYTES == 10 * 1024 * 1024
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= settings.DOCUMENT_UPLOAD_MAX_BYTES


def test_a_file_over_the_limit_is_refused_naming_its_size_and_the_limit(
    make_convention: Any, alice: Any, settings: Any, media_in_tmp: Path
) -> None:
    settings.DOCUMENT_UPLOAD_MAX_BYTES = 1024 * 1024
    big = upload("big.pdf", b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024) + b"\n%%EOF\n")
    with pytest.raises(ValidationError) as excinfo:
        document_item_update(actor=alice, item=passport(make_convention()), file=big)
    assert excinfo.value.message_dict["file"] == ["The file is too large (3.0 MB): the limit is 1.0 MB."]
    assert files_on_disk(media_in_tmp) == set()


def test_the_size_message_in_french(make_convention: Any, alice: Any, settings: Any) -> None:
    Membership.objects.filter(user=alice).update(language="fr")
    settings.DOCUMENT_UPLOAD_MAX_BYTES = 1024 * 1024
    settings.LANGUAGE_CODE = "fr"
    from django.utils import translation

    with translation.override("fr"), pytest.raises(ValidationError) as excinfo:
        uploads.validate_upload(upload("big.pdf", b"%PDF-1.4\n" + b"0" * 2 * 1024 * 1024 + b"\n%%EOF\n"))
    assert excinfo.value.message_dict["file"] == [
        "Le fichier est trop volumineux (2,0 Mo) : la limite est de 1,0 Mo."
    ]


# --- no orphan file -----------------------------------------------------------------------------------


def test_upload_replace_clear_fail_and_delete_leave_exactly_the_referenced_files(
    make_convention: Any, alice: Any, media_in_tmp: Path, django_capture_on_commit_callbacks: Any
) -> None:
    convention = make_convention()
    items = list(DocumentItem.objects.filter(convention=convention).order_by("pk"))[:3]

    def committed(write: Any) -> None:
        with django_capture_on_commit_callbacks(execute=True):  # the test's transaction never commits
            write()

    for number in range(4):  # 4 uploads, then 3 replacements, on each item: 12 writes, 3 files kept
        for item in items:
            with django_capture_on_commit_callbacks(execute=True):
                document_item_update(actor=alice, item=item, file=upload(f"s-{number}.pdf", PDF))
    assert files_on_disk(media_in_tmp) == referenced() and len(referenced()) == 3
    committed(lambda: document_item_update(actor=alice, item=items[0], file=False))  # the "clear" box
    for content in (EXE, b"", PDF[:-7]):
        with pytest.raises(ValidationError):
            document_item_update(actor=alice, item=items[1], file=upload("x.pdf", content))
    with pytest.raises(ValidationError):  # a valid file, but the change is refused (no reason)
        document_item_update(actor=alice, item=items[1], status="rejected", file=upload("ok.pdf", PDF))
    end_of_request()
    assert files_on_disk(media_in_tmp) == referenced() and len(referenced()) == 2
    committed(items[1].delete)
    assert files_on_disk(media_in_tmp) == referenced() and len(referenced()) == 1
    committed(convention.delete)  # its checklist goes with it (cascade), and so do the files
    assert files_on_disk(media_in_tmp) == set()


def test_a_write_rolled_back_after_the_service_leaves_no_file(
    make_convention: Any, alice: Any, media_in_tmp: Path
) -> None:
    item = passport(make_convention())

    class Later(Exception):
        pass

    with pytest.raises(Later), transaction.atomic():
        document_item_update(actor=alice, item=item, file=upload("scan.pdf", PDF))
        raise Later  # something after the service (another line of the same form) fails
    end_of_request()  # files of rolled-back rows go
    assert files_on_disk(media_in_tmp) == set()
    item.refresh_from_db()
    assert not item.file


def test_a_file_kept_by_a_committed_row_survives_the_end_of_the_request(
    make_convention: Any, alice: Any, media_in_tmp: Path
) -> None:
    item = document_item_update(actor=alice, item=passport(make_convention()), file=upload("scan.pdf", PDF))
    end_of_request()
    assert files_on_disk(media_in_tmp) == {item.file.name}


# --- names ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd.pdf",
        "..\\..\\windows\\win.ini.pdf",
        "/etc/passwd.pdf",
        "a" * 500 + ".pdf",
        "passeport-Ngọc-Ánh-日本語.pdf",
        "pass\x00port.pdf",
        "DIALLO Aminata passport SN1234567.pdf",
    ],
)
def test_hostile_names_stay_in_the_storage_directory_and_are_not_kept(
    make_convention: Any, alice: Any, media_in_tmp: Path, tmp_path: Path, name: str
) -> None:
    convention = make_convention()
    item = document_item_update(actor=alice, item=passport(convention), file=upload(name, PDF))
    stored = Path(item.file.path).resolve()
    assert stored.is_relative_to(media_in_tmp.resolve()) and stored.read_bytes() == PDF
    assert item.file.name.startswith(f"documents/{item.organisation_id}/{convention.pk}/")
    assert item.file.name.endswith(".pdf") and len(item.file.name) <= 100
    for part in ("passwd", "win.ini", "Ngọc", "SN1234567", "DIALLO", "aaaa"):
        assert part not in item.file.name  # the original name may hold personal data: it is not stored
    assert {p for p in tmp_path.rglob("*") if p.is_file()} == {stored}


def test_the_download_name_is_the_document_and_its_number() -> None:
    item = DocumentItem(pk=12, code="passport", file="documents/1/2/0123abcd.jpeg")
    assert uploads.download_name(item) == "passport-12.jpeg"


def test_the_orphan_sweep_lists_only_unreferenced_files(make_convention: Any, alice: Any) -> None:
    item = document_item_update(actor=alice, item=passport(make_convention()), file=upload("scan.pdf", PDF))
    storage = item.file.storage
    stray = storage.save("documents/1/2/left-by-a-killed-process.pdf", upload("x.pdf", PDF))
    assert list(uploads.orphans(storage)) == [stray]
