"""Real files for the upload tests, generated in memory: photos as phones write them (EXIF with a
GPS position and an orientation), transparent PNG and WebP, HEIC, PDF, and hostile ones."""

import io
import struct
import zlib

import pillow_heif
from PIL import ExifTags, Image

RED, BLUE = (255, 0, 0), (0, 0, 255)
# Shanghai, as a phone writes it: degrees, minutes, seconds.
GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (31.0, 13.0, 48.0),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (121.0, 28.0, 12.0),
}
# EXIF orientation 6: the sensor's image must be turned 90° clockwise to be seen upright.
ROTATE_CLOCKWISE = 6


def phone_exif(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "ExamplePhone"
    exif[ExifTags.Base.DateTime] = "2026:11:28 10:00:00"
    exif[ExifTags.IFD.GPSInfo] = GPS
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    return exif


def marked_image(size: tuple[int, int] = (640, 480), mode: str = "RGB") -> Image.Image:
    """A blue image with a red square in its top-left corner (to see where a rotation put it)."""
    image = Image.new(mode, size, BLUE)
    image.paste(RED, (0, 0, size[0] // 8, size[1] // 8))
    return image


def jpeg(size: tuple[int, int] = (640, 480), *, orientation: int | None = None, exif: bool = True) -> bytes:
    buffer = io.BytesIO()
    params = {"exif": phone_exif(orientation), "comment": b"taken at the supplier's gate"} if exif else {}
    marked_image(size).save(buffer, format="JPEG", quality=90, **params)
    return buffer.getvalue()


def png_transparent(size: tuple[int, int] = (400, 300)) -> bytes:
    """RGBA: a fully transparent left half, a text chunk and EXIF with a GPS position."""
    from PIL import PngImagePlugin

    image = marked_image(size, "RGBA")
    image.paste((0, 0, 0, 0), (0, 0, size[0] // 2, size[1]))
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "warehouse 3, row 7")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", pnginfo=text, exif=phone_exif())
    return buffer.getvalue()


def png_palette_transparent(size: tuple[int, int] = (200, 100)) -> bytes:
    """A palette PNG whose colour 0 is transparent (screenshots, icons)."""
    image = Image.new("P", size, 0)
    image.putpalette([255, 255, 255, 255, 0, 0] + [0] * 762)
    image.paste(1, (size[0] // 2, 0, size[0], size[1]))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", transparency=0)
    return buffer.getvalue()


def webp(size: tuple[int, int] = (400, 300), *, lossless: bool = False) -> bytes:
    image = marked_image(size, "RGBA")
    image.paste((0, 0, 0, 0), (0, 0, size[0] // 2, size[1]))
    buffer = io.BytesIO()
    image.save(buffer, format="WEBP", lossless=lossless, quality=80, exif=phone_exif())
    return buffer.getvalue()


def heic(size: tuple[int, int] = (640, 480)) -> bytes:
    pillow_heif.register_heif_opener()
    buffer = io.BytesIO()
    marked_image(size).save(buffer, format="HEIF", quality=80, exif=phone_exif())
    return buffer.getvalue()


def pdf() -> bytes:
    """A real one-page PDF (Pillow writes it)."""
    buffer = io.BytesIO()
    marked_image((200, 100)).save(buffer, format="PDF")
    return buffer.getvalue()


def pdf_of_size(size: int) -> bytes:
    """A PDF header, a comment filling it to exactly `size` bytes, the end-of-file marker."""
    head, tail = b"%PDF-1.7\n%", b"\n%%EOF\n"
    return head + b"0" * (size - len(head) - len(tail)) + tail


def png_header(width: int, height: int) -> bytes:
    """A tiny PNG that *declares* width × height: a decompression bomb's header."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 1024))
        + chunk(b"IEND", b"")
    )


HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
