"""What the attachment files may be: the accepted types, their stored formats and extensions, the
size limits and the names they are kept and downloaded under."""

from __future__ import annotations

import logging
import os
import re
import unicodedata
from enum import StrEnum
from urllib.parse import quote

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from orders.exceptions import FileTooLarge

logger = logging.getLogger("afterservice.uploads")


STORAGE_ALIAS = "attachments"
THUMBNAIL_SIDE = 320
MAX_NAME_LENGTH = 200
# Room in a multipart body for the boundaries, part headers and the small form fields (a remark
# of 5,000 characters is at most 20 KB of UTF-8).
MULTIPART_OVERHEAD = 64 * 1024
DOWNLOAD_BLOCK_SIZE = 64 * 1024
# PDF readers accept an end-of-file marker within the last 1,024 bytes.
PDF_TAIL_BYTES = 1024
HEAD_BYTES = 256
JPEG_QUALITY = 90
THUMBNAIL_QUALITY = 85


class SourceType(StrEnum):
    """The type of a received file, recognised by its first bytes."""

    JPEG = "jpeg"
    PNG = "png"
    WEBP = "webp"
    HEIF = "heif"
    PDF = "pdf"


# source type -> (Pillow's format name to open it with, format stored, content type stored)
IMAGE_FORMATS: dict[SourceType, tuple[str, str, str]] = {
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
HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"}
HEIF_GENERIC_BRANDS = {b"mif1", b"msf1"}

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
