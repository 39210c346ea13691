"""Attachment files (orders/uploads.py): accepted by content, re-encoded without metadata,
measured, thumbnailed, stored privately on disk or in an S3-compatible bucket, served as downloads;
and the upload route's streaming parser and body limit, through the test client.

The attachment routes come with the order side; until then the upload probe
(devtools/upload_probe.py: the same parser, checks and storage, no order) stands in for them.
"""

import hashlib
import io
import json
import os
import socket
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http.multipartparser import MultiPartParser
from PIL import Image
from rest_framework.test import APIClient

from afterservice_site.settings import BASE_DIR, attachments_storage
from devtools.upload_probe import PROBE_PATH
from orders.exceptions import FileTooLarge, InvalidInput, NotFound, UnsupportedFile
from orders.models import Order
from orders.uploads import (
    MULTIPART_OVERHEAD,
    LimitedTemporaryFileUploadHandler,
    SourceType,
    delete_stored,
    file_response,
    open_stored,
    prepare_upload,
    sanitize_filename,
    sniff,
    store,
    uploaded_file_from,
)
from tests import files
from tests.conftest import client_for

MiB = 1024 * 1024


@pytest.fixture(autouse=True)
def attachments_root(settings, tmp_path):
    """A private attachments folder and upload temp folder per test (to see what is left there)."""
    settings.STORAGES = {**settings.STORAGES, "attachments": attachments_storage({}, tmp_path / "media")}
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "upload-tmp")
    os.mkdir(settings.FILE_UPLOAD_TEMP_DIR)
    return tmp_path / "media" / "attachments"


def upload(data: bytes, name: str = "evidence.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type)


def stored_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def read_prepared(prepared) -> bytes:
    prepared.file.seek(0)
    return prepared.file.read()


def assert_no_metadata(data: bytes) -> None:
    assert b"Exif" not in data
    assert b"ExamplePhone" not in data
    assert b"xmp" not in data.lower()
    assert b"supplier's gate" not in data
    assert b"warehouse 3" not in data


# --- Images: re-encoded without metadata ---------------------------------------------------------
def test_prepare_jpeg_with_gps_and_rotation_stores_it_upright_without_exif():
    original = files.jpeg((640, 480), orientation=files.ROTATE_CLOCKWISE)
    assert b"Exif" in original

    with prepare_upload(upload(original, "现场照片.jpg")) as prepared:
        data = read_prepared(prepared)

    assert (prepared.width, prepared.height) == (480, 640)
    assert prepared.content_type == "image/jpeg"
    assert prepared.name == "现场照片.jpg"
    assert prepared.size == len(data)
    assert prepared.sha256 == hashlib.sha256(data).hexdigest()
    assert_no_metadata(data)
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert image.size == (480, 640)
    assert not image.getexif()
    # The red corner (top-left as the sensor saw it) is top-right once turned clockwise.
    assert image.getpixel((470, 10))[0] > 200
    assert image.getpixel((10, 10))[2] > 200


def test_prepare_jpeg_makes_a_jpeg_thumbnail_at_most_320_px():
    with prepare_upload(upload(files.jpeg((1600, 1200), orientation=files.ROTATE_CLOCKWISE))) as prepared:
        thumbnail = Image.open(io.BytesIO(prepared.thumbnail))

    assert thumbnail.format == "JPEG"
    assert thumbnail.size == (240, 320)


def test_prepare_small_image_keeps_its_size_in_the_thumbnail():
    with prepare_upload(upload(files.jpeg((100, 50)))) as prepared:
        assert Image.open(io.BytesIO(prepared.thumbnail)).size == (100, 50)


def test_prepare_png_keeps_png_and_transparency_without_text_or_exif():
    with prepare_upload(upload(files.png_transparent((400, 300)), "截图.png", "image/png")) as prepared:
        data = read_prepared(prepared)
        thumbnail = Image.open(io.BytesIO(prepared.thumbnail))

    assert prepared.content_type == "image/png"
    assert (prepared.width, prepared.height) == (400, 300)
    assert_no_metadata(data)
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    assert image.mode == "RGBA"
    assert image.getpixel((10, 150))[3] == 0
    assert image.getpixel((390, 150)) == (0, 0, 255, 255)
    assert "Comment" not in image.info
    # The thumbnail is a JPEG: the transparent half on white.
    assert thumbnail.format == "JPEG"
    assert thumbnail.size == (320, 240)
    assert min(thumbnail.getpixel((10, 120))) > 240


def test_prepare_palette_png_keeps_its_transparent_colour():
    with prepare_upload(upload(files.png_palette_transparent(), "icon.png", "image/png")) as prepared:
        image = Image.open(io.BytesIO(read_prepared(prepared)))

    assert image.mode == "P"
    assert image.convert("RGBA").getpixel((10, 10))[3] == 0
    assert image.convert("RGBA").getpixel((190, 10)) == (255, 0, 0, 255)


@pytest.mark.parametrize("lossless", [False, True], ids=["lossy", "lossless"])
def test_prepare_webp_keeps_webp_and_transparency_without_exif(lossless):
    with prepare_upload(upload(files.webp((400, 300), lossless=lossless), "a.webp", "image/webp")) as prepared:
        data = read_prepared(prepared)

    assert prepared.content_type == "image/webp"
    assert prepared.name == "a.webp"
    assert_no_metadata(data)
    image = Image.open(io.BytesIO(data))
    assert image.format == "WEBP"
    assert image.size == (400, 300)
    assert image.mode == "RGBA"
    assert image.getpixel((10, 150))[3] == 0
    if lossless:
        assert image.getpixel((390, 150)) == (0, 0, 255, 255)


def test_prepare_heic_from_a_phone_stores_a_jpeg_without_exif():
    original = files.heic((640, 480))
    assert original[4:12] == b"ftypheic"

    with prepare_upload(upload(original, "IMG_0001.HEIC", "image/heic")) as prepared:
        data = read_prepared(prepared)

    assert prepared.source_type is SourceType.HEIF
    assert prepared.content_type == "image/jpeg"
    assert prepared.name == "IMG_0001.jpg"
    assert (prepared.width, prepared.height) == (640, 480)
    assert_no_metadata(data)
    assert Image.open(io.BytesIO(data)).format == "JPEG"
    assert Image.open(io.BytesIO(prepared.thumbnail)).size == (320, 240)


def test_prepare_cmyk_jpeg_stores_rgb():
    buffer = io.BytesIO()
    Image.new("CMYK", (50, 40), (0, 255, 255, 0)).save(buffer, format="JPEG")

    with prepare_upload(upload(buffer.getvalue())) as prepared:
        image = Image.open(io.BytesIO(read_prepared(prepared)))

    assert image.mode == "RGB"
    assert image.getpixel((25, 20))[0] > 200


def test_prepare_image_named_as_another_type_gets_the_extension_of_its_content():
    with prepare_upload(upload(files.png_transparent(), "photo.jpg", "image/jpeg")) as prepared:
        assert prepared.content_type == "image/png"
        assert prepared.name == "photo.png"


# --- PDF: checked by its markers, stored as sent -------------------------------------------------
def test_prepare_pdf_keeps_the_bytes_and_has_no_thumbnail():
    original = files.pdf()

    with prepare_upload(upload(original, "质检报告", "application/octet-stream")) as prepared:
        data = read_prepared(prepared)

    assert data == original
    assert prepared.content_type == "application/pdf"
    assert prepared.name == "质检报告.pdf"
    assert prepared.sha256 == hashlib.sha256(original).hexdigest()
    assert (prepared.width, prepared.height, prepared.thumbnail) == (None, None, None)


def test_prepare_pdf_without_end_marker_is_refused_as_unsupported():
    truncated = files.pdf()[:-200]

    with pytest.raises(UnsupportedFile):
        prepare_upload(upload(truncated, "report.pdf", "application/pdf"))


# --- Refused files -------------------------------------------------------------------------------
def test_prepare_html_renamed_jpg_is_refused_as_unsupported():
    with pytest.raises(UnsupportedFile) as refused:
        prepare_upload(upload(files.HTML, "photo.jpg", "image/jpeg"))

    assert "JPEG" in refused.value.message


@pytest.mark.parametrize(
    "head",
    [
        b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf\x00\x00\x00\x00",  # AVIF
        b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom",  # an MP4 video
        b"GIF89a\x01\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00",
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00",  # zip, docx
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8\x00\x00\x00",  # exe
        b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x02\x00",  # wav
        b"    %PDF-1.7 leading spaces...",
    ],
    ids=["avif", "mp4", "gif", "zip", "exe", "wav", "pdf-not-at-start"],
)
def test_sniff_other_types_answers_none(head):
    assert sniff(head) is None


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", SourceType.HEIF),
        (b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1heic", SourceType.HEIF),
        (b"\x00\x00\x00\x18ftypheix\x00\x00\x00\x00mif1heix", SourceType.HEIF),
    ],
    ids=["heic", "mif1-with-heic", "heix"],
)
def test_sniff_heif_brands_answers_heif(head, expected):
    assert sniff(head) is expected


def test_prepare_png_declaring_20000_by_20000_is_refused_as_too_many_pixels():
    bomb = files.png_header(20_000, 20_000)
    assert len(bomb) < 200

    with pytest.raises(InvalidInput) as refused:
        prepare_upload(upload(bomb, "bomb.png", "image/png"))

    assert list(refused.value.errors) == ["file"]
    assert "50" in refused.value.message


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")  # Pillow's own, below its error
def test_prepare_image_just_above_50_megapixels_is_refused_from_its_header():
    # 7072 × 7072 = 50.01 megapixels: under Pillow's own error threshold (twice the limit).
    with pytest.raises(InvalidInput) as refused:
        prepare_upload(upload(files.png_header(7072, 7072), "big.png", "image/png"))

    assert list(refused.value.errors) == ["file"]


def test_prepare_bomb_allocates_no_pixels():
    # In a fresh process, so its peak memory is this file's alone: decoding 20,000 × 20,000 RGB
    # would need 1.2 GB.
    script = (
        "import resource, django; django.setup()\n"
        "from django.core.files.uploadedfile import SimpleUploadedFile\n"
        "from orders.exceptions import InvalidInput\n"
        "from orders.uploads import prepare_upload\n"
        "from tests.files import png_header\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "try:\n"
        "    prepare_upload(SimpleUploadedFile('b.png', png_header(20000, 20000)))\n"
        "except InvalidInput:\n"
        "    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "afterservice_site.settings", "AFTERSERVICE_DEV_KEY_OK": "1"}
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr
    growth_kib = int(result.stdout.strip())
    assert growth_kib < 20 * 1024


@pytest.mark.parametrize(
    "damaged",
    [
        files.jpeg((640, 480))[:300] + b"\x00" * 100,
        files.png_transparent()[:100],
        files.webp()[:60],
        files.heic()[:40],
        files.heic()[:400],
        b"\xff\xd8\xff\xe0" + b"\x00" * 10,
    ],
    ids=["jpeg", "png", "webp", "heic-header", "heic-half", "jpeg-marker-only"],
)
def test_prepare_damaged_image_is_refused_as_invalid(damaged):
    with pytest.raises(InvalidInput) as refused:
        prepare_upload(upload(damaged))

    assert list(refused.value.errors) == ["file"]


def test_prepare_empty_file_is_refused_on_field_file():
    with pytest.raises(InvalidInput) as refused:
        prepare_upload(upload(b""))

    assert list(refused.value.errors) == ["file"]


def test_prepare_file_one_byte_over_the_limit_is_refused_as_too_large(settings):
    assert settings.AFTERSERVICE_ATTACHMENT_MAX_MB == 10

    with pytest.raises(FileTooLarge) as refused:
        prepare_upload(upload(files.pdf_of_size(10 * MiB + 1), "big.pdf", "application/pdf"))

    assert "10 MB" in refused.value.message


def test_prepare_file_exactly_at_the_limit_is_accepted():
    with prepare_upload(upload(files.pdf_of_size(10 * MiB), "big.pdf", "application/pdf")) as prepared:
        assert prepared.size == 10 * MiB


def test_prepare_leaves_no_temporary_file_after_close(settings):
    with prepare_upload(upload(files.jpeg())):
        assert len(os.listdir(settings.FILE_UPLOAD_TEMP_DIR)) == 1

    assert os.listdir(settings.FILE_UPLOAD_TEMP_DIR) == []


# --- Names ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("C:\\Users\\张三\\Desktop\\质量问题照片.jpg", "质量问题照片.jpg"),
        ("../../etc/passwd", "passwd"),
        ("a\x00b\x07c\r\n.pdf", "abc.pdf"),
        ("invoice\u202egpj.exe", "invoicegpj.exe"),  # a right-to-left override hiding ".exe"
        ("..", "attachment"),
        ("   ", "attachment"),
        ("", "attachment"),
        (None, "attachment"),
        (".hidden. ", "hidden"),
        ("供应商 A（二厂） 2026-11-28.pdf", "供应商 A（二厂） 2026-11-28.pdf"),
    ],
)
def test_sanitize_filename_keeps_a_safe_display_name(raw, expected):
    assert sanitize_filename(raw) == expected


def test_sanitize_filename_cuts_long_names_to_200_keeping_the_extension():
    name = sanitize_filename("照" * 300 + ".jpeg")

    assert len(name) == 200
    assert name.endswith("照.jpeg")


# --- Storage: a private folder -------------------------------------------------------------------
def test_store_writes_file_and_thumbnail_under_random_names(attachments_root):
    original = files.jpeg(orientation=files.ROTATE_CLOCKWISE)
    with prepare_upload(upload(original, "现场照片.jpg")) as prepared:
        stored = store(prepared, prefix="orders/42")

    assert stored.name.startswith("orders/42/") and stored.name.endswith(".jpg")
    assert stored.thumbnail_name.startswith("orders/42/") and stored.thumbnail_name.endswith(".thumb.jpg")
    assert "现场照片" not in stored.name
    data = (attachments_root / stored.name).read_bytes()
    assert hashlib.sha256(data).hexdigest() == prepared.sha256
    assert_no_metadata(data)
    assert Image.open(attachments_root / stored.thumbnail_name).size == (240, 320)
    assert stored_files(attachments_root) == sorted(attachments_root / name for name in stored.names)


def test_store_keeps_files_private_to_the_service(attachments_root):
    with prepare_upload(upload(files.pdf(), "r.pdf")) as prepared:
        stored = store(prepared, prefix="orders/7")

    assert stat.S_IMODE((attachments_root / stored.name).stat().st_mode) == 0o640
    assert stat.S_IMODE((attachments_root / "orders" / "7").stat().st_mode) == 0o750


def test_store_same_file_twice_gets_two_names():
    with prepare_upload(upload(files.pdf())) as first, prepare_upload(upload(files.pdf())) as second:
        assert store(first, prefix="p").name != store(second, prefix="p").name


@pytest.mark.parametrize("prefix", ["../etc", "/abs", "a//b", "", "orders/42/", "a b"])
def test_store_refuses_a_prefix_outside_its_folder(prefix, attachments_root):
    with prepare_upload(upload(files.pdf())) as prepared, pytest.raises(ValueError):
        store(prepared, prefix=prefix)

    assert stored_files(attachments_root) == []


def test_delete_stored_removes_the_files_and_ignores_missing_ones(attachments_root):
    with prepare_upload(upload(files.jpeg())) as prepared:
        stored = store(prepared, prefix="orders/1")

    delete_stored([*stored.names, "orders/1/never-stored.jpg", None])

    assert stored_files(attachments_root) == []


def test_open_stored_missing_file_raises_not_found():
    with pytest.raises(NotFound):
        open_stored("orders/1/never-stored.jpg")


# --- Downloads -----------------------------------------------------------------------------------
def test_file_response_streams_a_download_with_the_original_name():
    original = files.pdf()
    with prepare_upload(upload(original, "质检报告 (1).pdf", "application/pdf")) as prepared:
        stored = store(prepared, prefix="orders/9")

    opened = open_stored(stored.name)
    response = file_response(opened, filename=prepared.name, content_type=prepared.content_type)

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(len(original))
    assert response["Content-Disposition"] == (
        "attachment; filename=\"(1).pdf\"; filename*=UTF-8''%E8%B4%A8%E6%A3%80%E6%8A%A5%E5%91%8A%20%281%29.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private"
    assert b"".join(response.streaming_content) == original
    opened.close()


def test_file_response_ascii_name_keeps_it_in_both_forms():
    response = file_response(io.BytesIO(b"x"), filename='report "final".pdf', content_type="application/pdf")

    assert response["Content-Disposition"] == (
        "attachment; filename=\"report_final.pdf\"; filename*=UTF-8''report%20%22final%22.pdf"
    )


def test_file_response_inline_thumbnail_says_inline():
    response = file_response(io.BytesIO(b"x"), filename="a.jpg", content_type="image/jpeg", inline=True)

    assert response["Content-Disposition"].startswith("inline; ")


# --- The upload route: streaming parser, size limits, body limit (through the test client) -----
def multipart(*files_sent: tuple[str, str, bytes, str]) -> tuple[bytes, str]:
    """A multipart/form-data body of (field, file name, bytes, content type) parts, as a browser or
    the app sends it, and its content type."""
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n".encode()
        + data
        + b"\r\n"
        for field, name, data, content_type in files_sent
    ]
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def post_probe(*files_sent: tuple[str, str, bytes, str]):
    body, content_type = multipart(*files_sent)
    return APIClient().generic("POST", PROBE_PATH, body, content_type)


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:500]
    body = response.json()
    assert (body["status"], body["code"]) == (status, code)
    return body


probe_route = pytest.mark.urls("devtools.upload_probe")


@probe_route
def test_upload_jpeg_through_the_route_is_stored_upright(attachments_root):
    response = post_probe(("file", "现场.jpg", files.jpeg(orientation=files.ROTATE_CLOCKWISE), "image/jpeg"))

    assert response.status_code == 201, response.content
    data = response.json()["data"]
    assert (data["name"], data["width"], data["height"]) == ("现场.jpg", 480, 640)
    stored = (attachments_root / data["stored_name"]).read_bytes()
    assert hashlib.sha256(stored).hexdigest() == data["sha256"]
    assert_no_metadata(stored)


@probe_route
def test_upload_with_the_old_apps_field_name_is_accepted():
    response = post_probe(("file_data", "a.pdf", files.pdf(), "application/pdf"))

    assert response.status_code == 201
    assert response.json()["data"]["content_type"] == "application/pdf"


@probe_route
def test_upload_pdf_hash_is_taken_while_streaming(monkeypatch):
    original = files.pdf_of_size(3 * MiB)
    # The PDF is not read again to hash it: the handler's digest is the stored bytes' digest.
    monkeypatch.setattr("orders.uploads.preparing._sha256_of", lambda file: pytest.fail("hashed twice"))

    response = post_probe(("file", "big.pdf", original, "application/pdf"))

    assert response.status_code == 201
    assert response.json()["data"]["sha256"] == hashlib.sha256(original).hexdigest()


@probe_route
def test_upload_without_a_file_answers_400_naming_file():
    response = post_probe()

    body = assert_error(response, 400, "validation_error")
    assert list(body["data"]["errors"]) == ["file"]


@probe_route
def test_upload_two_files_answers_400(attachments_root):
    response = post_probe(
        ("file", "a.pdf", files.pdf(), "application/pdf"), ("file", "b.pdf", files.pdf(), "application/pdf")
    )

    assert_error(response, 400, "validation_error")
    assert stored_files(attachments_root) == []


@probe_route
def test_upload_html_renamed_jpg_answers_415(attachments_root, settings):
    response = post_probe(("file", "photo.jpg", files.HTML, "image/jpeg"))

    assert_error(response, 415, "unsupported_media_type")
    assert stored_files(attachments_root) == []
    assert os.listdir(settings.FILE_UPLOAD_TEMP_DIR) == []


@probe_route
def test_upload_bomb_answers_400_and_stores_nothing(attachments_root):
    response = post_probe(("file", "bomb.png", files.png_header(20_000, 20_000), "image/png"))

    body = assert_error(response, 400, "validation_error")
    assert list(body["data"]["errors"]) == ["file"]
    assert stored_files(attachments_root) == []


@probe_route
def test_upload_empty_file_answers_400_naming_file():
    response = post_probe(("file", "empty.jpg", b"", "image/jpeg"))

    body = assert_error(response, 400, "validation_error")
    assert list(body["data"]["errors"]) == ["file"]


@probe_route
def test_upload_one_byte_over_the_limit_answers_413_and_leaves_nothing(attachments_root, settings):
    response = post_probe(("file", "big.pdf", files.pdf_of_size(10 * MiB + 1), "application/pdf"))

    body = assert_error(response, 413, "request_too_large")
    assert "10 MB" in body["message"]
    assert stored_files(attachments_root) == []
    assert os.listdir(settings.FILE_UPLOAD_TEMP_DIR) == []


@probe_route
def test_upload_exactly_at_the_limit_is_stored(attachments_root):
    response = post_probe(("file", "big.pdf", files.pdf_of_size(10 * MiB), "application/pdf"))

    assert response.status_code == 201
    assert (attachments_root / response.json()["data"]["stored_name"]).stat().st_size == 10 * MiB


@probe_route
def test_upload_body_over_file_limit_plus_form_room_answers_413_before_reading(attachments_root):
    oversize = 10 * MiB + MULTIPART_OVERHEAD + 1

    response = APIClient().generic("POST", PROBE_PATH, b"x" * oversize, "multipart/form-data; boundary=x")

    assert_error(response, 413, "request_too_large")
    assert stored_files(attachments_root) == []


@probe_route
def test_upload_route_answers_415_to_json():
    response = APIClient().post(PROBE_PATH, {"file": "aGVsbG8="}, format="json")

    assert_error(response, 415, "unsupported_media_type")


@probe_route
def test_upload_malformed_multipart_answers_400():
    response = APIClient().generic("POST", PROBE_PATH, b"--x\r\nnonsense", "multipart/form-data")

    assert_error(response, 400, "parse_error")


def test_upload_to_a_json_route_answers_415(db, creator):
    body, content_type = multipart(("file", "a.pdf", files.pdf(), "application/pdf"))

    response = client_for(creator).generic("POST", "/api/v1/afterservice/orders", body, content_type)

    assert_error(response, 415, "unsupported_media_type")
    assert not Order.objects.exists()


def test_upload_of_3_mib_to_a_json_route_answers_413(db, creator):
    body, content_type = multipart(("file", "a.pdf", files.pdf_of_size(3 * MiB), "application/pdf"))

    response = client_for(creator).generic("POST", "/api/v1/afterservice/orders", body, content_type)

    assert_error(response, 413, "request_too_large")
    assert not Order.objects.exists()


def test_upload_handler_stops_reading_as_soon_as_the_file_passes_the_limit(settings):
    settings.AFTERSERVICE_ATTACHMENT_MAX_MB = 1
    body, content_type = multipart(("file", "big.pdf", files.pdf_of_size(8 * MiB), "application/pdf"))

    class CountingStream(io.BytesIO):
        read_bytes = 0

        def read(self, size=-1):
            chunk = super().read(size)
            CountingStream.read_bytes += len(chunk)
            return chunk

    meta = {"CONTENT_TYPE": content_type, "CONTENT_LENGTH": str(len(body))}
    parser = MultiPartParser(meta, CountingStream(body), [LimitedTemporaryFileUploadHandler()])

    with pytest.raises(FileTooLarge):
        parser.parse()

    assert CountingStream.read_bytes < 1 * MiB + 256 * 1024
    assert os.listdir(settings.FILE_UPLOAD_TEMP_DIR) == []


def test_uploaded_file_from_no_file_names_the_first_field():
    with pytest.raises(InvalidInput) as refused:
        uploaded_file_from({})

    assert list(refused.value.errors) == ["file"]


# --- Storage: an S3-compatible bucket (moto's server on a free loopback port) -------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_bucket(s3_endpoint, settings, tmp_path):
    import boto3

    bucket = f"attachments-{uuid.uuid4().hex[:12]}"
    env = {
        "ATTACHMENTS_S3_BUCKET": bucket,
        "ATTACHMENTS_S3_ENDPOINT_URL": s3_endpoint,
        "ATTACHMENTS_S3_ACCESS_KEY_ID": "test-key",
        "ATTACHMENTS_S3_SECRET_ACCESS_KEY": "test-secret",
        "ATTACHMENTS_S3_REGION": "us-east-1",
    }
    settings.STORAGES = {**settings.STORAGES, "attachments": attachments_storage(env, tmp_path / "media")}
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id="test-key",
        aws_secret_access_key="test-secret",
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=bucket)
    return client, bucket


def object_keys(client, bucket) -> list[str]:
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=bucket).get("Contents", []))


def test_store_in_s3_writes_private_objects_with_our_content_type(s3_bucket, attachments_root):
    client, bucket = s3_bucket
    original = files.jpeg(orientation=files.ROTATE_CLOCKWISE)
    with prepare_upload(upload(original, "现场.jpg", "text/html")) as prepared:
        stored = store(prepared, prefix="orders/42")

    assert object_keys(client, bucket) == sorted(stored.names)
    assert stored_files(attachments_root) == []
    head = client.head_object(Bucket=bucket, Key=stored.name)
    assert head["ContentType"] == "image/jpeg"
    assert head["ContentLength"] == prepared.size
    data = client.get_object(Bucket=bucket, Key=stored.name)["Body"].read()
    assert hashlib.sha256(data).hexdigest() == prepared.sha256
    assert_no_metadata(data)
    grants = client.get_object_acl(Bucket=bucket, Key=stored.name)["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]
    assert all(grant["Grantee"].get("Type") == "CanonicalUser" for grant in grants)


def test_store_pdf_in_s3_ignores_the_clients_content_type(s3_bucket):
    client, bucket = s3_bucket
    with prepare_upload(upload(files.pdf(), "report.html", "text/html")) as prepared:
        stored = store(prepared, prefix="orders/1")

    assert client.head_object(Bucket=bucket, Key=stored.name)["ContentType"] == "application/pdf"
    assert stored.thumbnail_name is None


def test_open_stored_from_s3_streams_the_download(s3_bucket):
    original = files.pdf()
    with prepare_upload(upload(original, "报告.pdf")) as prepared:
        stored = store(prepared, prefix="orders/3")

    opened = open_stored(stored.name)
    response = file_response(opened, filename=prepared.name, content_type=prepared.content_type)

    assert b"".join(response.streaming_content) == original
    assert response["Content-Length"] == str(len(original))
    opened.close()


def test_delete_stored_in_s3_removes_the_objects(s3_bucket):
    client, bucket = s3_bucket
    with prepare_upload(upload(files.jpeg())) as prepared:
        stored = store(prepared, prefix="orders/5")

    delete_stored([*stored.names, "orders/5/never-stored.jpg"])

    assert object_keys(client, bucket) == []


def test_open_stored_missing_object_in_s3_raises_not_found(s3_bucket):
    with pytest.raises(NotFound):
        open_stored("orders/1/never-stored.jpg")


def test_s3_storage_gives_only_signed_urls(s3_bucket):
    from orders.uploads import attachment_storage

    url = attachment_storage().url("orders/1/x.jpg")

    assert "X-Amz-Signature=" in url


# --- Configuration -------------------------------------------------------------------------------
def test_attachments_storage_default_is_a_private_folder_under_media_root(tmp_path):
    config = attachments_storage({}, tmp_path)

    assert config["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert config["OPTIONS"]["location"] == tmp_path / "attachments"


def test_attachments_storage_acl_can_be_left_to_the_bucket(tmp_path):
    config = attachments_storage({"ATTACHMENTS_S3_BUCKET": "b", "ATTACHMENTS_S3_DEFAULT_ACL": ""}, tmp_path)

    assert config["BACKEND"] == "storages.backends.s3.S3Storage"
    assert config["OPTIONS"]["default_acl"] is None


def test_default_storage_works_without_boto3_loaded():
    # The default (a folder) never imports django-storages or boto3: they matter only for S3.
    script = (
        "import sys, django; django.setup()\n"
        "from orders.uploads import attachment_storage\n"
        "attachment_storage().exists('x')\n"
        "print(sorted(m for m in ('boto3', 'botocore', 'storages') if m in sys.modules))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "afterservice_site.settings", "AFTERSERVICE_DEV_KEY_OK": "1"}
    env.pop("ATTACHMENTS_S3_BUCKET", None)
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.replace("'", '"')) == []
