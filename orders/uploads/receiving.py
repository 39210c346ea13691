"""Receiving an upload: streamed to a temporary file, refused as soon as it passes the limit."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.utils.translation import gettext_lazy as _

from orders.exceptions import InvalidInput
from orders.uploads.formats import (
    max_file_bytes,
    too_large,
)

logger = logging.getLogger("afterservice.uploads")


# --- Receiving -----------------------------------------------------------------------------------
class LimitedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    """Streams each uploaded file to a temporary file, hashing it as it goes, and aborts with
    `FileTooLarge` as soon as it passes the size limit (the rest of the body is never read).

    Memory stays at one chunk (64 KiB) whatever the file's size. The SHA-256 of the received bytes
    is kept on the file (`streamed_sha256`): a PDF is stored as received, so it is the stored
    bytes' hash without reading the file again.
    """

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.limit = max_file_bytes()
        self.received = 0
        self.hasher = hashlib.sha256()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.file.close()  # the partial temporary file goes now, not at garbage collection
            raise too_large()
        self.hasher.update(raw_data)
        self.file.write(raw_data)

    def file_complete(self, file_size: int) -> UploadedFile:
        uploaded = super().file_complete(file_size)
        uploaded.streamed_sha256 = self.hasher.hexdigest()
        return uploaded


def uploaded_file_from(files: Mapping[str, Any], *, fields: Iterable[str] = ("file", "file_data")) -> UploadedFile:
    """The one file of a multipart request (`request.FILES`), under the first of `fields` sent
    (the old app sends `file_data`). None or several files is `InvalidInput` on the first field."""
    fields = tuple(fields)
    for name in fields:
        sent = files.getlist(name) if hasattr(files, "getlist") else [files[name]] if name in files else []
        if len(sent) > 1:
            raise InvalidInput.field(fields[0], _("Send one file per request."))
        if sent:
            return sent[0]
    raise InvalidInput.field(fields[0], _("No file was sent."))
