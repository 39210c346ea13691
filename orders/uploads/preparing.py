"""Preparing an upload: recognised by its bytes, re-encoded without metadata, measured, hashed,
thumbnailed — all the CPU work, before the order is locked."""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass, field
from typing import Any

import pillow_heif
from django.conf import settings
from django.core.files import File
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

from orders.exceptions import InvalidInput, UnsupportedFile
from orders.uploads.formats import (
    DOWNLOAD_BLOCK_SIZE,
    EXTENSIONS,
    HEAD_BYTES,
    HEIF_BRANDS,
    HEIF_GENERIC_BRANDS,
    IMAGE_FORMATS,
    JPEG_QUALITY,
    NOT_ACCEPTED,
    PDF_CONTENT_TYPE,
    PDF_TAIL_BYTES,
    THUMBNAIL_QUALITY,
    THUMBNAIL_SIDE,
    SourceType,
    download_name,
    max_file_bytes,
    too_large,
)

logger = logging.getLogger("afterservice.uploads")


pillow_heif.register_heif_opener(thumbnails=False)
# Any image opened in this process refuses a decompression bomb, not only ours: Pillow raises above
# twice this and warns above it; prepare_upload() refuses anything above it.
Image.MAX_IMAGE_PIXELS = settings.AFTERSERVICE_ATTACHMENT_MAX_PIXELS


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
    return major in HEIF_BRANDS or (major in HEIF_GENERIC_BRANDS and bool(compatible & HEIF_BRANDS))


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
    head = uploaded_file.read(HEAD_BYTES)
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
    pillow_format, stored_format, content_type = IMAGE_FORMATS[source]
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
        params["quality"] = JPEG_QUALITY
    elif stored_format == "WEBP" and lossless:
        params["lossless"] = True
    elif stored_format == "WEBP":
        params["quality"] = JPEG_QUALITY
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
    _on_white(small).save(buffer, format="JPEG", quality=THUMBNAIL_QUALITY)
    return buffer.getvalue()


def _sha256_of(file: File) -> str:
    hasher = hashlib.sha256()
    file.seek(0)
    for chunk in iter(lambda: file.read(DOWNLOAD_BLOCK_SIZE), b""):
        hasher.update(chunk)
    file.seek(0)
    return hasher.hexdigest()
