"""Attachment files: accepted by content, re-encoded, hashed, thumbnailed and stored privately.

Everything about the *file* of an attachment lives here; the order side (model, service, views,
admin) calls the functions below and stores what they return. No models, no DRF; errors are the
domain's own (`orders.exceptions`), downloads plain Django responses.

What is accepted, decided from the bytes (magic numbers), never from the name or the client's
content type:

| received                           | stored as                                   | content_type      | thumbnail |
|------------------------------------|---------------------------------------------|-------------------|-----------|
| JPEG                               | JPEG, re-encoded                            | `image/jpeg`      | yes       |
| PNG                                | PNG, re-encoded, transparency kept          | `image/png`       | yes       |
| WebP                               | WebP, re-encoded, transparency kept (1)     | `image/webp`      | yes       |
| HEIC / HEIF (phones)               | JPEG: browsers but Safari cannot show HEIC  | `image/jpeg`      | yes       |
| PDF: `%PDF-` first, `%%EOF` in the last KiB | the bytes as sent, never parsed    | `application/pdf` | no        |

(1) A lossless WebP of the simple format (screenshots, drawings) stays lossless.

Anything else is `UnsupportedFile` (415); an empty file `InvalidInput` on `file` (400); a file
above `AFTERSERVICE_ATTACHMENT_MAX_MB` MiB `FileTooLarge` (413); an image above
`AFTERSERVICE_ATTACHMENT_MAX_PIXELS` (50 megapixels) `InvalidInput` (400), decided from its
header before any pixel is decoded (decompression bombs); an image whose pixels cannot be decoded
`InvalidInput` (400). Images are re-encoded after applying their EXIF orientation, with EXIF (GPS
positions), XMP, comments and text chunks dropped (the ICC colour profile is kept); only the
first frame of an animated image is kept. `width`/`height` are after orientation, `sha256` is of
the stored bytes. Thumbnails are JPEG, longest side at most 320 px, never upscaled, transparency
on white.

The interface the order side calls:

    uploaded = uploaded_file_from(request.FILES)          # `file`, or the old app's `file_data`
    with prepare_upload(uploaded) as prepared:            # all the CPU work, before any row lock
        stored = store(prepared, prefix=f"orders/{order_id}")
        try:
            with transaction.atomic():
                ...  # lock the order, check the rules, create the row from `prepared.name`,
                     # `.content_type`, `.size`, `.sha256`, `.width`, `.height`, `stored.name`,
                     # `stored.thumbnail_name`
        except BaseException:
            delete_stored(stored.names)                   # rolled back: leave no orphan file
            raise

    transaction.on_commit(lambda: delete_stored(names))   # deleting an attachment's row

    return file_response(open_stored(row.file_name), filename=row.name, content_type=row.content_type)
    return file_response(open_stored(row.thumbnail_name), filename=..., content_type="image/jpeg", inline=True)

- `uploaded_file_from(files, *, fields=("file", "file_data"))`: the one uploaded file of a request.
- `prepare_upload(uploaded_file, *, field="file") -> PreparedFile`: validated, re-encoded into a
  temporary file, hashed, measured, thumbnailed. Close it (or use `with`) when done: it owns its
  temporary file. It is stored once (`store()` may move its temporary file into place).
- `store(prepared, *, prefix) -> StoredFile`: writes the file and its thumbnail to
  `STORAGES["attachments"]` under `prefix` with random names (the client's name is metadata only).
- `delete_stored(names)`: deletes stored files; missing ones and storage errors are logged, never
  raised (it runs while another error propagates, or after a commit).
- `open_stored(name) -> File`: a stored file to stream; `NotFound` when it is gone.
- `file_response(file, *, filename, content_type, inline=False) -> FileResponse`: a streaming
  download with `Content-Disposition` (an ASCII `filename=` and the UTF-8 `filename*=`),
  `X-Content-Type-Options: nosniff` and `Cache-Control: private`.
- `LimitedTemporaryFileUploadHandler`: streams an upload to a temporary file, hashing it, and
  aborts with `FileTooLarge` as soon as it passes the limit (`orders.parsers` installs it on the
  upload routes only). `max_upload_body_bytes()` is the request-body limit of those routes.

Memory: the upload itself is never held in memory whole (the handler streams it to disk, a PDF
is checked by its first and last bytes, the storage moves or streams the file). Decoding an image
costs its pixels: about width × height × 3 or 4 bytes, twice for a rotated one — the pixel limit
is the bound (docs/attachments.md has the figures). WebP and HEIC decoders read the compressed
file whole (at most the size limit).
"""

from __future__ import annotations

from orders.uploads.formats import (
    DOWNLOAD_BLOCK_SIZE,
    MAX_NAME_LENGTH,
    MULTIPART_OVERHEAD,
    NOT_ACCEPTED,
    PDF_CONTENT_TYPE,
    PDF_TAIL_BYTES,
    STORAGE_ALIAS,
    THUMBNAIL_SIDE,
    SourceType,
    content_disposition,
    download_name,
    max_file_bytes,
    max_upload_body_bytes,
    sanitize_filename,
    too_large,
)
from orders.uploads.preparing import PreparedFile, prepare_upload, sniff
from orders.uploads.receiving import LimitedTemporaryFileUploadHandler, uploaded_file_from
from orders.uploads.storing import StoredFile, attachment_storage, delete_stored, file_response, open_stored, store

__all__ = [
    "DOWNLOAD_BLOCK_SIZE",
    "MAX_NAME_LENGTH",
    "MULTIPART_OVERHEAD",
    "NOT_ACCEPTED",
    "PDF_CONTENT_TYPE",
    "PDF_TAIL_BYTES",
    "STORAGE_ALIAS",
    "THUMBNAIL_SIDE",
    "LimitedTemporaryFileUploadHandler",
    "PreparedFile",
    "SourceType",
    "StoredFile",
    "attachment_storage",
    "content_disposition",
    "delete_stored",
    "download_name",
    "file_response",
    "max_file_bytes",
    "max_upload_body_bytes",
    "open_stored",
    "prepare_upload",
    "sanitize_filename",
    "sniff",
    "store",
    "too_large",
    "uploaded_file_from",
]
