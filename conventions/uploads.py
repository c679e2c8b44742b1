"""Uploaded documents (passport scans...): what is accepted, under which name it is stored, and how no file
is ever left on disk without the row that references it.

The contract, for every channel (admin, portal, API) through conventions.services.documents:

- `validate_upload(upload)` runs before anything is written: one size limit (settings.
  DOCUMENT_UPLOAD_MAX_BYTES), a real PDF, JPEG or PNG by its content (magic bytes, end marker, nothing
  hidden after it, no markup or PDF script inside), whatever the name says, and a name whose extension
  matches the content. Any refusal is a ValidationError on "file".
- Stored names are random (`documents/<organisation>/<convention>/<32 hex>.<ext>`): the original name may
  hold a name or a passport number, and a hostile one ("../../etc/passwd", NUL, 500 characters) never
  reaches the storage.
- `store()` writes the file inside the service's transaction and remembers it as pending; once the row
  commits it is no longer pending. At the end of the request (request_finished) a pending file that no row
  references (its transaction was rolled back, by the service or by an outer atomic block) is deleted.
  Replaced, cleared and deleted files are deleted once their transaction commits (`delete_on_commit`).
- Inside `dry_run()` (the admin's validation that is always rolled back) nothing touches the storage.
- `LimitedUploadHandler` (settings.FILE_UPLOAD_HANDLERS) counts the bytes of each uploaded file as they
  arrive and, past the limit, stops keeping them: the service then refuses the file, by its size, with the
  usual message, and a 50 MB upload costs neither memory nor disk.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeGuard

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.core.signals import request_finished
from django.db import DatabaseError, transaction
from django.db.models.fields.files import FieldFile
from django.utils import formats
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from conventions.models import DocumentItem

logger = logging.getLogger(__name__)

MB = 1024 * 1024
DEFAULT_MAX_BYTES = 10 * MB


@dataclass(frozen=True)
class Kind:
    code: str
    magic: bytes
    extensions: tuple[str, ...]
    content_type: str
    label: Any  # lazy: "a PDF", "a JPEG image"


PDF = Kind("pdf", b"%PDF-", ("pdf",), "application/pdf", gettext_lazy("a PDF"))
JPEG = Kind("jpeg", b"\xff\xd8\xff", ("jpg", "jpeg"), "image/jpeg", gettext_lazy("a JPEG image"))
PNG = Kind("png", b"\x89PNG\r\n\x1a\n", ("png",), "image/png", gettext_lazy("a PNG image"))
KINDS = (PDF, JPEG, PNG)
EXTENSIONS = tuple(ext for kind in KINDS for ext in kind.extensions)
CONTENT_TYPES = {ext: kind.content_type for kind in KINDS for ext in kind.extensions}

# Markup a browser or a viewer would run: never in a scan. Compared in lower case.
ACTIVE_MARKUP = (b"<script", b"<html", b"<!doctype", b"<svg", b"<?php", b"<iframe", b"<object", b"<embed")
# PDF actions that run code or programs when the document is opened.
PDF_ACTIONS = (b"/javascript", b"/launch")
PNG_END = b"IEND\xaeB`\x82"
JPEG_END = b"\xff\xd9"
PDF_END = b"%%EOF"
PADDING = b" \t\r\n\x00"  # what scanners and editors leave after the end marker
CHUNK = 64 * 1024


@dataclass(frozen=True)
class Sniffed:
    """What an accepted upload really is."""

    kind: str
    extension: str  # of the stored name: pdf, jpg or png


def max_bytes() -> int:
    return int(getattr(settings, "DOCUMENT_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def megabytes(size: int) -> str:
    """3.0 in English, 3,0 in French."""
    return formats.number_format(size / MB, 1)


def refuse(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def original_extension(name: str | None) -> str:
    """The extension of the name the client sent, lower case ("" when none); NUL and paths ignored."""
    base = (name or "").replace("\x00", "").replace("\\", "/").rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""


def validate_upload(upload: File) -> Sniffed:
    """Accept a real PDF, JPEG or PNG under the size limit, whose name says what it is; raise a
    ValidationError on "file" naming the problem otherwise. Reads the file; writes nothing."""
    size = int(getattr(upload, "size", None) or 0)
    limit = max_bytes()
    if size > limit:
        raise refuse(
            _("The file is too large (%(size)s MB): the limit is %(limit)s MB.")
            % {"size": megabytes(size), "limit": megabytes(limit)}
        )
    extension = original_extension(upload.name)
    if extension not in EXTENSIONS:
        raise refuse(_("The file name must end in .pdf, .jpg, .jpeg or .png."))
    head, tail, total, markup, actions = _scan(upload)
    if total == 0:
        raise refuse(_("The file is empty."))
    if total > limit:  # the size the client announced was wrong
        raise refuse(
            _("The file is too large (%(size)s MB): the limit is %(limit)s MB.")
            % {"size": megabytes(total), "limit": megabytes(limit)}
        )
    kind = next((k for k in KINDS if head.startswith(k.magic)), None)
    if kind is None:
        raise refuse(
            _("The file is not a PDF, JPEG or PNG (whatever its name says): scan or export it again.")
        )
    if extension not in kind.extensions:
        raise refuse(
            _("The file is %(kind)s but its name ends in .%(extension)s: rename it or export it again.")
            % {"kind": kind.label, "extension": extension}
        )
    _check_end(kind, tail)
    if markup:
        raise refuse(_hidden())
    if kind is PDF and actions:
        raise refuse(
            _("The PDF runs scripts or programs when it is opened: print it to a new PDF or scan it again.")
        )
    return Sniffed(kind=kind.code, extension=kind.extensions[0])


def _hidden() -> str:
    return _(
        "The file carries hidden content (a web page, a script or another file): it is refused; "
        "scan or export the document again."
    )


def _scan(upload: File) -> tuple[bytes, bytes, int, bool, bool]:
    """(first bytes, last bytes, size, has active markup, has PDF actions), reading the file in chunks."""
    head = tail = b""
    total = 0
    markup = actions = False
    overlap = b""
    upload.seek(0)
    for chunk in upload.chunks(CHUNK):
        if not head:
            head = chunk[:16]
        total += len(chunk)
        window = (overlap + chunk).lower()
        markup = markup or any(marker in window for marker in ACTIVE_MARKUP)
        actions = actions or any(marker in window for marker in PDF_ACTIONS)
        overlap = window[-16:]
        tail = (tail + chunk)[-2048:]
    upload.seek(0)
    return head, tail, total, markup, actions


def _check_end(kind: Kind, tail: bytes) -> None:
    """The format's end marker must be there (else the file is truncated), with nothing but padding after
    it (else something is appended: a page, an archive, a second file)."""
    end = {PDF: PDF_END, JPEG: JPEG_END, PNG: PNG_END}[kind]
    stripped = tail if kind is PNG else tail.rstrip(PADDING)
    if stripped.endswith(end):
        return
    if kind is PDF and end in tail[-1024:]:
        raise refuse(_hidden())
    if kind is not PDF and end in tail:
        raise refuse(_hidden())
    raise refuse(_("The file is truncated (its end is missing): upload it again."))


# --- names ------------------------------------------------------------------------------------------------


def document_path(organisation_id: Any, convention_id: Any, filename: str) -> str:
    """Where a document is stored: a random name with the extension of what it is (never the name sent)."""
    extension = original_extension(filename)
    suffix = f".{'jpg' if extension == 'jpeg' else extension}" if extension in EXTENSIONS else ""
    return f"documents/{int(organisation_id)}/{int(convention_id)}/{uuid.uuid4().hex}{suffix}"


def download_name(item: DocumentItem) -> str:
    """The name a download is saved under: what the document is and its number, e.g. passport-12.pdf."""
    extension = original_extension(str(item.file.name)) or "bin"
    return f"{slugify(item.code) or 'document'}-{item.pk}.{extension}"


def content_type_of(name: str) -> str:
    return CONTENT_TYPES.get(original_extension(name), "application/octet-stream")


# --- writing and cleaning up --------------------------------------------------------------------------------

_local = threading.local()


def _pending() -> dict[str, Storage]:
    if not hasattr(_local, "pending"):
        _local.pending = {}
    pending: dict[str, Storage] = _local.pending
    return pending


def in_dry_run() -> bool:
    return bool(getattr(_local, "dry_runs", 0))


@contextmanager
def dry_run() -> Iterator[None]:
    """A write that will be rolled back: `store` only names the file, it writes nothing."""
    _local.dry_runs = getattr(_local, "dry_runs", 0) + 1
    try:
        yield
    finally:
        _local.dry_runs -= 1


def store(field_file: FieldFile, sniffed: Sniffed, upload: File) -> str | None:
    """Put the upload in the field (and on disk, unless in a dry run); return the name written, if any.

    Must be called inside the transaction that saves the row: the file stays pending until it commits.
    """
    instance: Any = field_file.instance
    name = document_path(instance.organisation_id, instance.convention_id, f"x.{sniffed.extension}")
    if in_dry_run():
        field_file.name = name
        return None
    field_file.save(name, upload, save=False)
    written = str(field_file.name)
    storage = field_file.storage
    _pending()[written] = storage
    transaction.on_commit(lambda: _pending().pop(written, None))
    return written


def delete_now(storage: Storage, name: str) -> None:
    try:
        storage.delete(name)
    except OSError:  # already gone, or the disk refuses: the orphan sweep will see it
        logger.warning("could not delete the uploaded file %s", name, exc_info=True)


def delete_on_commit(storage: Storage, name: str) -> None:
    """Delete a replaced, cleared or deleted file once (and only if) the transaction commits."""
    if name:
        transaction.on_commit(lambda: delete_now(storage, name))


def discard_pending(**_: Any) -> None:
    """At the end of a request: delete the files written by a transaction that did not commit."""
    pending = _pending()
    if not pending:
        return
    from conventions.models import DocumentItem

    names = dict(pending)
    pending.clear()
    try:
        kept = set(DocumentItem.objects.filter(file__in=list(names)).values_list("file", flat=True))
    except DatabaseError:
        logger.warning("could not check %d pending uploads; left for the orphan sweep", len(names))
        return
    for name, storage in names.items():
        if name not in kept:
            delete_now(storage, name)


request_finished.connect(discard_pending, dispatch_uid="conventions.uploads.discard_pending")


def orphans(storage: Storage, directory: str = "documents") -> Iterator[str]:
    """Stored files under `directory` that no document references (for a periodic sweep: a process
    killed between a commit and its callbacks leaves one). Recent files may still be committing."""
    from conventions.models import DocumentItem

    referenced = set(DocumentItem.objects.exclude(file="").values_list("file", flat=True))
    stack = [directory]
    while stack:
        current = stack.pop()
        try:
            directories, files = storage.listdir(current)
        except FileNotFoundError:
            continue
        stack += [f"{current}/{name}" for name in directories]
        for name in files:
            path = f"{current}/{name}"
            if path not in referenced:
                yield path


# --- receiving ------------------------------------------------------------------------------------------


class OversizeUpload(UploadedFile):
    """A file that went past the limit while it arrived: its bytes were dropped, its size is kept so that
    the service refuses it by its size."""

    def __init__(self, name: str, content_type: str | None, size: int, charset: str | None) -> None:
        from io import BytesIO

        super().__init__(BytesIO(b""), name, content_type, size, charset)


class LimitedUploadHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: passes each file's bytes on until it exceeds the documents' limit,
    then keeps nothing more of it (neither memory nor a temporary file grows)."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0
        self.over = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > max_bytes():
            self.over = True
            return None  # the handlers after this one get no more of the file
        return raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.over:
            return OversizeUpload(self.file_name or "", self.content_type, self.received, self.charset)
        return None  # the next handler (memory or temporary file) returns the file


def is_upload(value: object) -> TypeGuard[File]:
    return isinstance(value, File) and not isinstance(value, FieldFile)
