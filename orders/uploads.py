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

import hashlib
import io
import logging
import os
import re
import unicodedata
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import quote

import pillow_heif
from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.core.files.uploadedfile import TemporaryUploadedFile, UploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

from orders.exceptions import FileTooLarge, InvalidInput, NotFound, UnsupportedFile

logger = logging.getLogger("afterservice.uploads")

pillow_heif.register_heif_opener(thumbnails=False)
# Any image opened in this process refuses a decompression bomb, not only ours: Pillow raises above
# twice this and warns above it; prepare_upload() refuses anything above it.
Image.MAX_IMAGE_PIXELS = settings.AFTERSERVICE_ATTACHMENT_MAX_PIXELS

STORAGE_ALIAS = "attachments"
THUMBNAIL_SIDE = 320
MAX_NAME_LENGTH = 200
# Room in a multipart body for the boundaries, part headers and the small form fields (a remark
# of 5,000 characters is at most 20 KB of UTF-8).
MULTIPART_OVERHEAD = 64 * 1024
DOWNLOAD_BLOCK_SIZE = 64 * 1024
# PDF readers accept an end-of-file marker within the last 1,024 bytes.
PDF_TAIL_BYTES = 1024
_HEAD_BYTES = 256
_JPEG_QUALITY = 90
_THUMBNAIL_QUALITY = 85


class SourceType(StrEnum):
    """The type of a received file, recognised by its first bytes."""

    JPEG = "jpeg"
    PNG = "png"
    WEBP = "webp"
    HEIF = "heif"
    PDF = "pdf"


# source type -> (Pillow's format name to open it with, format stored, content type stored)
_IMAGE_FORMATS: dict[SourceType, tuple[str, str, str]] = {
    SourceType.JPEG: ("JPEG", "JPEG", "image/jpeg"),
    SourceType.PNG: ("PNG", "PNG", "image/png"),
    SourceType.WEBP: ("WEBP", "WEBP", "image/webp"),
    SourceType.HEIF: ("HEIF", "JPEG", "image/jpeg"),
}
PDF_CONTENT_TYPE = "application/pdf"
# content type stored -> the extensions a download name may keep (the first is added otherwise)
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "image/jpeg": (".jpg", ".jpeg", ".jpe", ".jfif"),
    "image/png": (".png",),
    "image/webp": (".webp",),
    PDF_CONTENT_TYPE: (".pdf",),
}
# Extensions of the types we accept: replaced (not kept) when the content is another type.
_KNOWN_EXTENSIONS = {ext for exts in EXTENSIONS.values() for ext in exts} | {".heic", ".heif", ".hif"}
# ISO-BMFF brands of HEVC-coded HEIF (what phones write); `mif1`/`msf1` are generic HEIF brands
# that AVIF uses too, so they count only with an HEVC brand beside them.
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"}
_HEIF_GENERIC_BRANDS = {b"mif1", b"msf1"}

NOT_ACCEPTED = _("Only JPEG, PNG, WebP or HEIC images and PDF documents are accepted.")


# --- Limits --------------------------------------------------------------------------------------
def max_file_bytes() -> int:
    """The size limit of one file (`AFTERSERVICE_ATTACHMENT_MAX_MB` MiB)."""
    return settings.AFTERSERVICE_ATTACHMENT_MAX_MB * 1024 * 1024


def max_upload_body_bytes() -> int:
    """The request-body limit of an upload route: one file at the limit plus its form fields."""
    return max_file_bytes() + MULTIPART_OVERHEAD


def too_large() -> FileTooLarge:
    return FileTooLarge(_("The file is larger than %(mb)s MB.") % {"mb": settings.AFTERSERVICE_ATTACHMENT_MAX_MB})


# --- Names ---------------------------------------------------------------------------------------
def sanitize_filename(raw: str | None) -> str:
    """The client's file name as metadata: its last path part, without control or format
    characters (NUL, bidirectional overrides), trimmed, at most 200 characters with its extension
    kept; Chinese and other scripts as they are. Never empty (`attachment`)."""
    name = unicodedata.normalize("NFC", raw or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(char for char in name if not unicodedata.category(char).startswith("C"))
    # Leading and trailing dots and spaces: hidden files, `..`, names Windows cannot save.
    name = name.strip(" .\t")
    if not name:
        return "attachment"
    if len(name) > MAX_NAME_LENGTH:
        stem, extension = os.path.splitext(name)
        if len(extension) > 16:
            stem, extension = name, ""
        name = stem[: MAX_NAME_LENGTH - len(extension)].rstrip(" .") + extension
    return name


def download_name(raw: str | None, content_type: str) -> str:
    """The sanitised name with an extension that matches the stored bytes: `IMG_0001.HEIC` stored
    as JPEG downloads as `IMG_0001.jpg`; a name without a known extension gets one added."""
    name = sanitize_filename(raw)
    allowed = EXTENSIONS[content_type]
    stem, extension = os.path.splitext(name)
    if extension.lower() in allowed:
        return name
    base = stem if extension.lower() in _KNOWN_EXTENSIONS else name
    suffix = allowed[0]
    return base[: MAX_NAME_LENGTH - len(suffix)] + suffix


def _ascii_fallback(name: str) -> str:
    """`filename=` for clients without RFC 6266 `filename*`: ASCII letters, digits, `._-()`."""
    stem, extension = os.path.splitext(name)
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    ascii_stem = re.sub(r"[^A-Za-z0-9._()-]+", "_", ascii_stem).strip("._")
    ascii_extension = re.sub(r"[^A-Za-z0-9.]", "", extension)
    return (ascii_stem or "attachment") + ascii_extension


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """`attachment; filename="<ASCII>"; filename*=UTF-8''<percent-encoded name>` (RFC 6266/8187)."""
    disposition = "inline" if inline else "attachment"
    return f"{disposition}; filename=\"{_ascii_fallback(filename)}\"; filename*=UTF-8''{quote(filename, safe='')}"


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


# --- Preparing -----------------------------------------------------------------------------------
@dataclass
class PreparedFile:
    """An accepted file ready to store, with everything the attachment row records.

    `name` is the sanitised original name (metadata only, extension matching the stored bytes),
    `content_type` and `size` are of the stored bytes, `sha256` their hex digest, `width` and
    `height` the image's after orientation (None for a PDF), `thumbnail` the JPEG thumbnail's
    bytes (None for a PDF), `source_type` what was received. Owns its temporary file: `close()`.
    """

    name: str
    content_type: str
    size: int
    sha256: str
    width: int | None
    height: int | None
    thumbnail: bytes | None = field(repr=False)
    source_type: SourceType
    file: File = field(repr=False)
    owns_file: bool = field(default=False, repr=False)

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type][0]

    def close(self) -> None:
        if self.owns_file:
            self.file.close()

    def __enter__(self) -> PreparedFile:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def sniff(head: bytes) -> SourceType | None:
    """The accepted type these first bytes (at least 32) begin, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return SourceType.JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return SourceType.PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return SourceType.WEBP
    if head[4:8] == b"ftyp" and _is_heif(head):
        return SourceType.HEIF
    if head.startswith(b"%PDF-"):
        return SourceType.PDF
    return None


def _is_heif(head: bytes) -> bool:
    box_size = int.from_bytes(head[:4], "big")
    major = head[8:12]
    compatible = {head[i : i + 4] for i in range(16, min(box_size, len(head)) - 3, 4)}
    return major in _HEIF_BRANDS or (major in _HEIF_GENERIC_BRANDS and bool(compatible & _HEIF_BRANDS))


def prepare_upload(uploaded_file: File, *, field: str = "file") -> PreparedFile:
    """Checks an uploaded file by its content and prepares what is stored (all the CPU work).

    Raises `InvalidInput` on `field` (empty, too many pixels, undecodable image), `FileTooLarge`,
    `UnsupportedFile`. The caller keeps ownership of `uploaded_file`; a PDF's `PreparedFile`
    reads from it, so keep it open until stored.
    """
    size = uploaded_file.size or 0
    if size == 0:
        raise InvalidInput.field(field, _("The file is empty."))
    if size > max_file_bytes():
        raise too_large()
    uploaded_file.seek(0)
    head = uploaded_file.read(_HEAD_BYTES)
    source = sniff(head)
    if source is None:
        raise UnsupportedFile(NOT_ACCEPTED)
    if source is SourceType.PDF:
        return _prepare_pdf(uploaded_file, size)
    # A simple-format lossless WebP (a screenshot, a drawing) stays lossless.
    lossless = source is SourceType.WEBP and head[12:16] == b"VP8L"
    return _prepare_image(uploaded_file, source, field, lossless=lossless)


def _prepare_pdf(uploaded_file: File, size: int) -> PreparedFile:
    # Only the markers are checked; the document is never parsed or rendered here (it is served
    # as a download, never inline).
    uploaded_file.seek(max(0, size - PDF_TAIL_BYTES))
    if b"%%EOF" not in uploaded_file.read(PDF_TAIL_BYTES):
        raise UnsupportedFile(NOT_ACCEPTED)
    sha256 = getattr(uploaded_file, "streamed_sha256", None) or _sha256_of(uploaded_file)
    uploaded_file.seek(0)
    return PreparedFile(
        name=download_name(uploaded_file.name, PDF_CONTENT_TYPE),
        content_type=PDF_CONTENT_TYPE,
        size=size,
        sha256=sha256,
        width=None,
        height=None,
        thumbnail=None,
        source_type=SourceType.PDF,
        file=uploaded_file,
    )


def _prepare_image(uploaded_file: File, source: SourceType, field: str, *, lossless: bool) -> PreparedFile:
    pillow_format, stored_format, content_type = _IMAGE_FORMATS[source]
    uploaded_file.seek(0)
    max_pixels = settings.AFTERSERVICE_ATTACHMENT_MAX_PIXELS
    too_many_pixels = _("The image has more than %(megapixels)s megapixels.") % {"megapixels": max_pixels // 10**6}
    damaged = _("The image is damaged or incomplete.")
    # Only Pillow's decoders run inside these `try`s: any error they raise on untrusted bytes
    # means a damaged file (400), not a fault of ours; running out of memory stays a fault.
    try:
        # Lazy: reads the header (size, mode), decodes no pixel yet.
        image = Image.open(uploaded_file, formats=[pillow_format])
    except Image.DecompressionBombError:
        raise InvalidInput.field(field, too_many_pixels) from None
    except MemoryError:
        raise
    except Exception:
        raise InvalidInput.field(field, damaged) from None
    with image:
        width, height = image.size
        if width * height > max_pixels:
            raise InvalidInput.field(field, too_many_pixels)
        try:
            image.load()  # the first frame only, for an animated image
            ImageOps.exif_transpose(image, in_place=True)
        except Image.DecompressionBombError:
            raise InvalidInput.field(field, too_many_pixels) from None
        except MemoryError:
            raise
        except Exception:
            raise InvalidInput.field(field, damaged) from None
        output = _encode(image, stored_format, content_type, lossless=lossless)
        try:
            thumbnail = _thumbnail(image)
            sha256 = _sha256_of(output)
        except BaseException:
            output.close()
            raise
        width, height = image.size
    return PreparedFile(
        name=download_name(uploaded_file.name, content_type),
        content_type=content_type,
        size=output.size,
        sha256=sha256,
        width=width,
        height=height,
        thumbnail=thumbnail,
        source_type=source,
        file=output,
        owns_file=True,
    )


def _encode(image: Image.Image, stored_format: str, content_type: str, *, lossless: bool) -> TemporaryUploadedFile:
    """Writes the image afresh into a temporary file: pixels, ICC profile and PNG transparency
    only — whatever else the source carried (EXIF, XMP, comments, text chunks) is not copied."""
    icc_profile = image.info.get("icc_profile")
    transparency = image.info.get("transparency")
    image.info = {}
    params: dict[str, Any] = {}
    if stored_format == "JPEG":
        if image.mode not in ("RGB", "L"):
            if image.mode not in ("RGBA", "LA", "P", "PA", "RGBa", "La"):
                icc_profile = None  # a CMYK/Lab profile does not describe the RGB result
            image = _on_white(image)
        params["quality"] = _JPEG_QUALITY
    elif stored_format == "WEBP" and lossless:
        params["lossless"] = True
    elif stored_format == "WEBP":
        params["quality"] = _JPEG_QUALITY
    elif transparency is not None:
        params["transparency"] = transparency
    if icc_profile:
        params["icc_profile"] = icc_profile
    output = TemporaryUploadedFile("attachment", content_type, 0, None)
    try:
        image.save(output.file, format=stored_format, **params)
        output.file.flush()
        output.size = output.file.tell()
        output.file.seek(0)
    except BaseException:
        output.close()
        raise
    return output


def _on_white(image: Image.Image) -> Image.Image:
    """RGB (or L) for JPEG: transparency flattened onto white, other modes converted."""
    if image.mode in ("RGB", "L"):
        return image
    if image.has_transparency_data:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")


def _thumbnail(image: Image.Image) -> bytes:
    """JPEG bytes, longest side at most THUMBNAIL_SIDE (never upscaled)."""
    width, height = image.size
    scale = min(1.0, THUMBNAIL_SIDE / max(width, height))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    source = image
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        # Palette images resize by nearest neighbour only; CMYK and 16-bit are converted anyway.
        source = image.convert("RGBA" if image.has_transparency_data else "RGB")
    # First a cheap box reduction to about three times the thumbnail, then Lanczos. Pillow would
    # premultiply the alpha of a whole RGBA image first (a full-size copy); band by band, the
    # extra memory is one band.
    factor = min(width // size[0], height // size[1]) // 3
    if factor > 1 and source.mode in ("RGBA", "LA"):
        source = Image.merge(source.mode, [source.getchannel(band).reduce(factor) for band in source.getbands()])
    elif factor > 1:
        source = source.reduce(factor)
    small = source.resize(size, Image.Resampling.LANCZOS) if size != source.size else source
    buffer = io.BytesIO()
    _on_white(small).save(buffer, format="JPEG", quality=_THUMBNAIL_QUALITY)
    return buffer.getvalue()


def _sha256_of(file: File) -> str:
    hasher = hashlib.sha256()
    file.seek(0)
    for chunk in iter(lambda: file.read(DOWNLOAD_BLOCK_SIZE), b""):
        hasher.update(chunk)
    file.seek(0)
    return hasher.hexdigest()


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
