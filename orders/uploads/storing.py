"""Storing, deleting and serving attachment files through `STORAGES["attachments"]`."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.http import FileResponse

from orders.exceptions import NotFound
from orders.uploads.formats import (
    DOWNLOAD_BLOCK_SIZE,
    STORAGE_ALIAS,
    content_disposition,
)
from orders.uploads.preparing import PreparedFile

logger = logging.getLogger("afterservice.uploads")


# --- Storing -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StoredFile:
    """Where a prepared file went: storage names of the file and of its thumbnail (or None)."""

    name: str
    thumbnail_name: str | None

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, self.thumbnail_name) if self.thumbnail_name else (self.name,)


_PREFIX = re.compile(r"[A-Za-z0-9_-]{1,64}(/[A-Za-z0-9_-]{1,64}){0,7}")


def attachment_storage() -> Storage:
    """`STORAGES["attachments"]`: a private folder under MEDIA_ROOT, or an S3-compatible bucket."""
    return storages[STORAGE_ALIAS]


def store(prepared: PreparedFile, *, prefix: str) -> StoredFile:
    """Writes a prepared file and its thumbnail under `prefix` (e.g. `orders/42`) with random
    names. On a failure nothing stays stored. A prepared file is stored once (a file-system
    storage moves its temporary file into place)."""
    if not _PREFIX.fullmatch(prefix):
        raise ValueError(f"storage prefix {prefix!r}: folder names of letters, digits, '-' and '_' only")
    storage = attachment_storage()
    key = f"{prefix}/{uuid.uuid4().hex}"
    prepared.file.seek(0)
    content = prepared.file if prepared.owns_file else _Content(prepared.file, prepared.content_type)
    name = storage.save(key + prepared.extension, content)
    if prepared.thumbnail is None:
        return StoredFile(name=name, thumbnail_name=None)
    try:
        thumbnail_name = storage.save(f"{key}.thumb.jpg", _Content(ContentFile(prepared.thumbnail), "image/jpeg"))
    except BaseException:
        delete_stored([name])
        raise
    return StoredFile(name=name, thumbnail_name=thumbnail_name)


class _Content(File):
    """A file to store with the content type *we* determined: a storage that records one (S3)
    would otherwise take the client's, or guess it from the name."""

    def __init__(self, file: Any, content_type: str) -> None:
        super().__init__(file, name=getattr(file, "name", None))
        self.content_type = content_type


def delete_stored(names: Iterable[str | None]) -> None:
    """Deletes stored files. Missing files are fine; a storage error is logged, never raised —
    this runs while another error propagates, or after a commit that must not be undone."""
    storage = attachment_storage()
    for name in names:
        if not name:
            continue
        try:
            storage.delete(name)
        except Exception:
            logger.exception("Could not delete the stored attachment file %s", name)


def open_stored(name: str) -> File:
    """A stored file opened for reading, to stream; `NotFound` when it is not there."""
    try:
        return attachment_storage().open(name, "rb")
    except FileNotFoundError:
        raise NotFound() from None


# --- Serving -------------------------------------------------------------------------------------
def file_response(file: File, *, filename: str, content_type: str, inline: bool = False) -> FileResponse:
    """A streaming response of a stored file: read and sent in 64 KiB blocks, the file closed at
    the end. `filename` is the name the user sees (the attachment's sanitised original name);
    `inline` for thumbnails shown in a page, else a download."""
    response = FileResponse(file, content_type=content_type)
    response.block_size = DOWNLOAD_BLOCK_SIZE
    response["Content-Disposition"] = content_disposition(filename, inline=inline)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private"
    return response
