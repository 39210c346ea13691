"""Attachments on orders through the API: every route, the rules of evidence (types, limits, the
50-per-order cap, duplicates), the edit table for adding and the uploader's rule for removing,
visibility, the journal, the order output and its query count, the old app's two paths, and the
same add/download/remove on an S3-compatible bucket (moto's server).

Real files, generated (tests/files.py); the storage is a private folder per test, so every test
can see what was stored and what was left behind.
"""

import hashlib
import io
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from afterservice_site.settings import attachments_storage
from orders import services
from orders.models import Attachment, Journal, Order
from orders.workflow import Operation, Status
from tests import files
from tests.factories import make_order
from tests.orders.test_uploads import object_keys, s3_bucket, s3_endpoint  # noqa: F401 - moto fixtures

BASE = "/api/v1/afterservice/"
MiB = 1024 * 1024
FIELDS = [
    "id",
    "order_id",
    "abnormal_product_id",
    "name",
    "content_type",
    "size",
    "sha256",
    "width",
    "height",
    "remark",
    "uploaded_by",
    "created_at",
    "download_url",
    "thumbnail_url",
]


# --- Fixtures and helpers ------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def attachments_root(settings, tmp_path):
    """A private attachments folder and upload temp folder per test (to see what is left there)."""
    settings.STORAGES = {**settings.STORAGES, "attachments": attachments_storage({}, tmp_path / "media")}
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "upload-tmp")
    os.mkdir(settings.FILE_UPLOAD_TEMP_DIR)
    return tmp_path / "media" / "attachments"


@pytest.fixture
def order(creator, suppliers, products):
    """A waiting order of the plain creator with one abnormal product line."""
    return make_order(
        creator,
        suppliers["customer"],
        suppliers["accuser"],
        abnormal_products=[{"sku_code": "SKU-1", "remark": "划伤"}],
    )


def stored_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def post_file(client, order_id, data=None, name="现场照片.jpg", *, field="file", url=None, **fields):
    """A multipart upload as the app sends it (the client's content type says nothing true)."""
    body = {field: SimpleUploadedFile(name, files.jpeg() if data is None else data, "application/octet-stream")}
    body.update({key: str(value) for key, value in fields.items()})
    return client.post(url or f"{BASE}orders/{order_id}/attachments", body, format="multipart")


def unique_pdf(n: int) -> bytes:
    return files.pdf_of_size(1000 + n)


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:500]
    body = response.json()
    assert (body["status"], body["code"]) == (status, code)
    return body


def snapshot(order):
    """What a refused write must leave as it was."""
    fresh = Order.objects.get(pk=order.pk)
    return (
        list(Attachment.objects.filter(order=order).values_list("id", flat=True)),
        fresh.attachment_count,
        fresh.updated_at,
        Journal.objects.filter(order=order).count(),
    )


def at_status(order, status, superuser):
    """`done` as the superuser until the order is at `status` (writing the duty report the
    specialist's step needs on the way)."""
    order.refresh_from_db()
    while order.status != status:
        if order.status == Status.SERVICE_APPROVED:
            services.duty_report_upsert(user=superuser, order_id=order.pk, values={"abnormal_type": ""})
        order = services.order_apply_operation(user=superuser, order_id=order.pk, operation=Operation.DONE)
    return order


def add(user, order, data=None, name="现场照片.jpg", **kwargs):
    """An attachment added through the service, as the API adds it."""
    return services.attachment_add(
        user=user,
        order_id=order.pk,
        uploaded_file=SimpleUploadedFile(name, files.jpeg() if data is None else data),
        **kwargs,
    )


# --- Add ------------------------------------------------------------------------------------------
def test_post_attachment_jpeg_by_creator_answers_201_and_stores_it_upright_without_exif(api, order, attachments_root):
    photo = files.jpeg((640, 480), orientation=files.ROTATE_CLOCKWISE)

    response = post_file(api, order.pk, photo, remark="左侧扶手划伤")

    assert response.status_code == 201, response.content
    data = response.json()["data"]
    assert list(data) == FIELDS
    attachment = Attachment.objects.get()
    url = f"http://testserver{BASE}orders/{order.pk}/attachments/{attachment.pk}"
    assert data == {
        "id": attachment.pk,
        "order_id": order.pk,
        "abnormal_product_id": None,
        "name": "现场照片.jpg",
        "content_type": "image/jpeg",
        "size": attachment.size,
        "sha256": attachment.sha256,
        "width": 480,
        "height": 640,
        "remark": "左侧扶手划伤",
        "uploaded_by": "张三",
        "created_at": timezone.localtime(attachment.created_at).strftime("%Y-%m-%d %H:%M:%S"),
        "download_url": f"{url}/download",
        "thumbnail_url": f"{url}/thumbnail",
    }
    stored = (attachments_root / attachment.file_name).read_bytes()
    assert hashlib.sha256(stored).hexdigest() == data["sha256"]
    assert len(stored) == data["size"]
    assert b"Exif" not in stored and b"ExamplePhone" not in stored
    assert stored_files(attachments_root) == sorted(attachments_root / name for name in attachment.stored_names)
    assert (attachment.status, attachment.uploaded_by_id) == (Status.WAITING, order.creator_id)
    assert Order.objects.get(pk=order.pk).attachment_count == 1


def test_post_attachment_journals_one_edit_row_with_the_attachment(api, order):
    response = post_file(api, order.pk, files.pdf(), "质检报告.pdf", remark="第三方报告")

    data = response.json()["data"]
    journal = Journal.objects.filter(order=order).latest("id")
    assert (journal.operation, journal.source, journal.target, journal.operator_name) == (
        "edit",
        "waiting",
        "waiting",
        "张三",
    )
    assert journal.changes == [
        {
            "record": "attachment",
            "id": data["id"],
            "action": "create",
            "fields": {
                "abnormal_product_id": [None, None],
                "name": [None, "质检报告.pdf"],
                "content_type": [None, "application/pdf"],
                "size": [None, data["size"]],
                "sha256": [None, data["sha256"]],
                "width": [None, None],
                "height": [None, None],
                "remark": [None, "第三方报告"],
                "uploaded_by": [None, "张三"],
            },
        }
    ]


def test_post_attachment_moves_the_order_to_the_top_of_lists(api, order, creator, suppliers):
    newer = make_order(creator, suppliers["customer"], suppliers["accuser"])
    assert api.get(BASE + "orders").json()["data"][0]["id"] == newer.pk

    post_file(api, order.pk)

    assert api.get(BASE + "orders").json()["data"][0]["id"] == order.pk


def test_post_attachment_pdf_has_no_thumbnail(api, order, attachments_root):
    response = post_file(api, order.pk, files.pdf(), "质检报告")

    data = response.json()["data"]
    assert (data["name"], data["content_type"], data["width"], data["height"]) == (
        "质检报告.pdf",
        "application/pdf",
        None,
        None,
    )
    assert data["thumbnail_url"] is None
    assert len(stored_files(attachments_root)) == 1
    thumbnail = api.get(f"{BASE}orders/{order.pk}/attachments/{data['id']}/thumbnail")
    assert_error(thumbnail, 404, "not_found")


def test_post_attachment_with_the_old_apps_field_name_is_accepted(api, order):
    response = post_file(api, order.pk, files.png_transparent(), "截图.png", field="file_data")

    assert response.status_code == 201
    assert response.json()["data"]["content_type"] == "image/png"


def test_post_attachment_tied_to_a_line_of_the_order(api, order):
    line = order.abnormal_products.get()

    response = post_file(api, order.pk, abnormal_product_id=line.pk)

    assert response.status_code == 201
    assert response.json()["data"]["abnormal_product_id"] == line.pk
    assert Attachment.objects.get().abnormal_product_id == line.pk


def test_post_attachment_tied_to_a_line_of_another_order_answers_400_and_stores_nothing(
    api, order, creator, suppliers, attachments_root
):
    other = make_order(creator, suppliers["customer"], suppliers["accuser"], abnormal_products=[{"sku_code": "SKU-2"}])
    before = snapshot(order)

    response = post_file(api, order.pk, abnormal_product_id=other.abnormal_products.get().pk)

    body = assert_error(response, 400, "validation_error")
    assert list(body["data"]["errors"]) == ["abnormal_product_id"]
    assert snapshot(order) == before
    assert stored_files(attachments_root) == []


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"abnormal_product_id": "abc"}, "abnormal_product_id"),
        ({"abnormal_product_id": "0"}, "abnormal_product_id"),
        ({"abnormal_product_id": str(2**64)}, "abnormal_product_id"),
        ({"remark": "x" * 5001}, "remark"),
        ({"remark": "a\x00b"}, "remark"),
    ],
    ids=["id-text", "id-zero", "id-overflow", "remark-too-long", "remark-nul"],
)
def test_post_attachment_bad_form_field_answers_400_naming_it(api, order, attachments_root, fields, field):
    before = snapshot(order)

    response = post_file(api, order.pk, **fields)

    body = assert_error(response, 400, "validation_error")
    assert list(body["data"]["errors"]) == [field]
    assert snapshot(order) == before
    assert stored_files(attachments_root) == []


def test_post_attachment_empty_line_id_means_no_line(api, order):
    response = post_file(api, order.pk, abnormal_product_id="")

    assert response.status_code == 201
    assert response.json()["data"]["abnormal_product_id"] is None


@pytest.mark.parametrize(
    ("data", "name", "status", "code"),
    [
        (files.HTML, "photo.jpg", 415, "unsupported_media_type"),
        (b"", "empty.jpg", 400, "validation_error"),
        (files.png_header(20_000, 20_000), "bomb.png", 400, "validation_error"),
        (files.pdf_of_size(10 * MiB + 1), "big.pdf", 413, "request_too_large"),
    ],
    ids=["html-renamed-jpg", "empty", "decompression-bomb", "one-byte-over"],
)
def test_post_attachment_refused_file_changes_nothing_and_stores_nothing(
    api, order, attachments_root, settings, data, name, status, code
):
    before = snapshot(order)

    response = post_file(api, order.pk, data, name)

    assert_error(response, status, code)
    assert snapshot(order) == before
    assert stored_files(attachments_root) == []
    assert os.listdir(settings.FILE_UPLOAD_TEMP_DIR) == []


def test_post_attachment_without_a_file_answers_400_naming_file(api, order):
    response = api.post(f"{BASE}orders/{order.pk}/attachments", {"remark": "忘了选文件"}, format="multipart")

    body = assert_error(response, 400, "validation_error")
    assert list(body["data"]["errors"]) == ["file"]


def test_post_attachment_as_json_answers_415(api, order):
    response = api.post(f"{BASE}orders/{order.pk}/attachments", {"file": "aGVsbG8="}, format="json")

    assert_error(response, 415, "unsupported_media_type")
    assert not Attachment.objects.exists()


def test_post_attachment_same_file_twice_answers_409_and_keeps_one(api, order, attachments_root):
    first = post_file(api, order.pk, files.jpeg(), "a.jpg")
    before, kept = snapshot(order), stored_files(attachments_root)

    again = post_file(api, order.pk, files.jpeg(), "b.jpg")

    body = assert_error(again, 409, "conflict")
    assert "a.jpg" in body["message"]
    assert first.status_code == 201
    assert snapshot(order) == before
    assert stored_files(attachments_root) == kept


def test_post_attachment_same_file_on_another_order_is_accepted(api, order, creator, suppliers):
    other = make_order(creator, suppliers["customer"], suppliers["accuser"])

    assert post_file(api, order.pk).status_code == 201
    assert post_file(api, other.pk).status_code == 201


def test_post_attachment_51st_answers_409_and_stores_nothing(api, order, creator, attachments_root):
    for n in range(50):
        add(creator, order, unique_pdf(n), f"{n}.pdf")
    before, kept = snapshot(order), stored_files(attachments_root)

    response = post_file(api, order.pk, unique_pdf(50), "50.pdf")

    assert_error(response, 409, "conflict")
    assert snapshot(order) == before
    assert before[1] == 50
    assert stored_files(attachments_root) == kept


# --- Who may add, at which status (the edit table; superusers always may) -------------------------
@pytest.mark.parametrize(
    ("status", "who", "expected"),
    [
        (Status.WAITING, "creator", 201),
        (Status.WAITING, "service", 201),
        (Status.WAITING, "manager", 403),
        (Status.SERVICE_APPROVING, "service", 201),
        (Status.SERVICE_APPROVING, "creator", 403),
        (Status.SERVICE_APPROVED, "service", 201),
        (Status.MANAGER_REVIEWING, "manager", 201),
        (Status.MANAGER_REVIEWING, "service", 403),
        (Status.MANAGER_REVIEWED, "manager", 201),
        (Status.CHIEF_REVIEWING, "chief", 201),
        (Status.CHIEF_REVIEWED, "finance", 403),
        (Status.FINANCE_REVIEWING, "finance", 201),
        (Status.FINANCE_REVIEWING, "chief", 403),
        (Status.FINANCE_REVIEWING, "superuser", 201),
        (Status.END, "finance", 409),
        (Status.END, "superuser", 409),
    ],
)
def test_post_attachment_follows_the_edit_table(clients, users, order, attachments_root, status, who, expected):
    order = at_status(order, status, users["superuser"])
    before = snapshot(order)

    response = post_file(clients[who], order.pk)

    assert response.status_code == expected, response.content
    if expected == 201:
        assert Attachment.objects.get().status == status
        return
    assert_error(response, expected, "permission_denied" if expected == 403 else "invalid_operation")
    assert snapshot(order) == before
    assert stored_files(attachments_root) == []


@pytest.mark.parametrize("operation", [Operation.HALT, Operation.CANCEL])
def test_post_attachment_to_a_halted_or_cancelled_order_answers_409(api, order, creator, attachments_root, operation):
    services.order_apply_operation(user=creator, order_id=order.pk, operation=operation, remark="暂缓")
    before = snapshot(order)

    response = post_file(api, order.pk)

    assert_error(response, 409, "invalid_operation")
    assert snapshot(order) == before
    assert stored_files(attachments_root) == []


def test_post_attachment_to_an_overdue_order_is_accepted(api, order):
    services.orders_mark_overdue(now=timezone.now() + timedelta(days=30))
    assert Order.objects.get(pk=order.pk).workflow_status == "overdue"

    assert post_file(api, order.pk).status_code == 201


# --- Read -----------------------------------------------------------------------------------------
def test_get_attachments_lists_them_oldest_first(api, order, creator):
    first = add(creator, order, files.jpeg((300, 200)), "一.jpg")
    second = add(creator, order, files.pdf(), "二.pdf")

    response = api.get(f"{BASE}orders/{order.pk}/attachments")

    assert response.status_code == 200
    body = response.json()
    assert "pagination" not in body
    assert [item["id"] for item in body["data"]] == [first.pk, second.pk]
    assert [item["name"] for item in body["data"]] == ["一.jpg", "二.pdf"]
    assert all(list(item) == FIELDS for item in body["data"])


def test_get_attachment_answers_its_metadata(api, order, creator):
    attachment = add(creator, order, remark="近景")

    response = api.get(f"{BASE}orders/{order.pk}/attachments/{attachment.pk}")

    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["id"], data["order_id"], data["remark"], data["sha256"]) == (
        attachment.pk,
        order.pk,
        "近景",
        attachment.sha256,
    )


def test_get_attachment_of_another_order_answers_404(api, order, creator, suppliers):
    other = make_order(creator, suppliers["customer"], suppliers["accuser"])
    attachment = add(creator, other)

    for suffix in ("", "/download", "/thumbnail"):
        response = api.get(f"{BASE}orders/{order.pk}/attachments/{attachment.pk}{suffix}")
        assert_error(response, 404, "not_found")


def test_download_answers_the_stored_bytes_with_the_original_name(api, order, creator, attachments_root):
    attachment = add(creator, order, files.jpeg(orientation=files.ROTATE_CLOCKWISE), "现场 照片(1).jpg")

    response = api.get(f"{BASE}orders/{order.pk}/attachments/{attachment.pk}/download")

    assert response.status_code == 200
    assert response.streaming
    body = b"".join(response.streaming_content)
    assert body == (attachments_root / attachment.file_name).read_bytes()
    assert hashlib.sha256(body).hexdigest() == attachment.sha256
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Length"] == str(attachment.size)
    assert response["Content-Disposition"] == (
        f"attachment; filename=\"(1).jpg\"; filename*=UTF-8''{quote('现场 照片(1).jpg', safe='')}"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private"


def test_download_pdf_answers_the_bytes_as_sent(api, order, creator):
    original = files.pdf()
    attachment = add(creator, order, original, "报告.pdf")

    response = api.get(f"{BASE}orders/{order.pk}/attachments/{attachment.pk}/download")

    assert b"".join(response.streaming_content) == original
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment; ")


def test_download_whatever_the_accept_header_answers_the_file(api, order, creator):
    attachment = add(creator, order)

    response = api.get(
        f"{BASE}orders/{order.pk}/attachments/{attachment.pk}/download", HTTP_ACCEPT="image/avif,image/webp,*/*;q=0.8"
    )
    pdf_only = api.get(f"{BASE}download/{attachment.pk}", HTTP_ACCEPT="application/pdf")

    assert response.status_code == 200
    assert pdf_only.status_code == 200
    assert pdf_only["Content-Type"] == "image/jpeg"


def test_thumbnail_answers_a_jpeg_of_at_most_320_px_inline(api, order, creator):
    attachment = add(creator, order, files.jpeg((1600, 1200), orientation=files.ROTATE_CLOCKWISE))

    response = api.get(f"{BASE}orders/{order.pk}/attachments/{attachment.pk}/thumbnail")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline; ")
    assert response["X-Content-Type-Options"] == "nosniff"
    image = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert (image.format, image.size) == ("JPEG", (240, 320))


def test_download_of_a_file_gone_from_storage_answers_404(api, order, creator, attachments_root):
    attachment = add(creator, order)
    (attachments_root / attachment.file_name).unlink()

    response = api.get(f"{BASE}orders/{order.pk}/attachments/{attachment.pk}/download")

    assert_error(response, 404, "not_found")


# --- Visibility: another user's order is not there ------------------------------------------------
def test_another_users_attachment_answers_404_on_every_route(clients, order, creator, attachments_root):
    attachment = add(creator, order)
    other = clients["other"]
    before, kept = snapshot(order), stored_files(attachments_root)
    paths = [
        f"orders/{order.pk}/attachments",
        f"orders/{order.pk}/attachments/{attachment.pk}",
        f"orders/{order.pk}/attachments/{attachment.pk}/download",
        f"orders/{order.pk}/attachments/{attachment.pk}/thumbnail",
        f"download/{attachment.pk}",
    ]

    for path in paths:
        assert_error(other.get(BASE + path), 404, "not_found")
    assert_error(other.delete(f"{BASE}orders/{order.pk}/attachments/{attachment.pk}"), 404, "not_found")
    assert_error(post_file(other, order.pk, files.pdf()), 404, "not_found")
    assert_error(post_file(other, order.pk, files.pdf(), url=f"{BASE}uploads/{order.pk}"), 404, "not_found")
    assert snapshot(order) == before
    assert stored_files(attachments_root) == kept


def test_role_user_downloads_any_orders_attachment(clients, order, creator):
    attachment = add(creator, order)

    assert clients["finance"].get(f"{BASE}download/{attachment.pk}").status_code == 200


def test_anonymous_download_answers_401(anon_client, order, creator):
    attachment = add(creator, order)

    assert_error(anon_client.get(f"{BASE}download/{attachment.pk}"), 401, "not_authenticated")


def test_soft_deleted_order_keeps_its_files_and_hides_them(api, order, creator, attachments_root):
    attachment = add(creator, order)
    kept = stored_files(attachments_root)

    services.order_delete(user=creator, order_id=order.pk)

    assert_error(api.get(f"{BASE}orders/{order.pk}/attachments"), 404, "not_found")
    assert_error(api.get(f"{BASE}download/{attachment.pk}"), 404, "not_found")
    assert Attachment.objects.filter(pk=attachment.pk).exists()
    assert stored_files(attachments_root) == kept


# --- Remove ---------------------------------------------------------------------------------------
def test_delete_attachment_by_its_uploader_removes_row_and_files_and_journals(
    api, order, creator, attachments_root, django_capture_on_commit_callbacks
):
    attachment = add(creator, order, files.jpeg(), "划痕.jpg")
    journals = Journal.objects.filter(order=order).count()

    with django_capture_on_commit_callbacks(execute=True):
        response = api.delete(f"{BASE}orders/{order.pk}/attachments/{attachment.pk}")

    assert response.status_code == 200
    assert response.json() == {"status": 0, "message": "ok", "data": None}
    assert not Attachment.objects.exists()
    assert stored_files(attachments_root) == []
    assert Order.objects.get(pk=order.pk).attachment_count == 0
    journal = Journal.objects.filter(order=order).latest("id")
    assert Journal.objects.filter(order=order).count() == journals + 1
    assert journal.operation == "edit"
    (change,) = journal.changes
    assert (change["record"], change["id"], change["action"]) == ("attachment", attachment.pk, "delete")
    assert change["fields"]["name"] == ["划痕.jpg", None]
    assert change["fields"]["sha256"] == [attachment.sha256, None]


def test_delete_attachment_keeps_files_until_the_removal_is_committed(
    api, order, creator, attachments_root, django_capture_on_commit_callbacks
):
    attachment = add(creator, order)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        api.delete(f"{BASE}orders/{order.pk}/attachments/{attachment.pk}")
        assert len(stored_files(attachments_root)) == 2

    assert len(callbacks) == 1


def test_delete_attachment_by_someone_else_who_may_add_answers_403(clients, order, creator, attachments_root):
    attachment = add(creator, order)
    before, kept = snapshot(order), stored_files(attachments_root)

    response = clients["service"].delete(f"{BASE}orders/{order.pk}/attachments/{attachment.pk}")

    body = assert_error(response, 403, "permission_denied")
    assert "张三" in body["message"]
    assert snapshot(order) == before
    assert stored_files(attachments_root) == kept


def test_delete_attachment_after_the_order_moved_on_answers_409(clients, users, order, creator, attachments_root):
    attachment = add(creator, order)
    at_status(order, Status.SERVICE_APPROVING, users["superuser"])
    before, kept = snapshot(order), stored_files(attachments_root)

    for who in ("creator", "superuser"):
        response = clients[who].delete(f"{BASE}orders/{order.pk}/attachments/{attachment.pk}")
        assert_error(response, 409, "invalid_operation")
    assert snapshot(order) == before
    assert stored_files(attachments_root) == kept


def test_delete_attachment_after_a_reject_back_to_its_status_is_allowed_again(
    clients, users, order, creator, django_capture_on_commit_callbacks
):
    attachment = add(users["service"], at_status(order, Status.SERVICE_APPROVING, users["superuser"]))
    services.order_apply_operation(user=users["service"], order_id=order.pk, operation=Operation.DONE)
    services.order_apply_operation(
        user=users["service"], order_id=order.pk, operation=Operation.REJECT, remark="补充照片"
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = clients["service"].delete(f"{BASE}orders/{order.pk}/attachments/{attachment.pk}")

    assert response.status_code == 200


@pytest.mark.parametrize("operation", [Operation.HALT, Operation.CANCEL])
def test_delete_attachment_of_a_halted_or_cancelled_order_answers_409(api, order, creator, operation):
    attachment = add(creator, order)
    services.order_apply_operation(user=creator, order_id=order.pk, operation=operation, remark="暂缓")
    before = snapshot(order)

    response = api.delete(f"{BASE}orders/{order.pk}/attachments/{attachment.pk}")

    assert_error(response, 409, "invalid_operation")
    assert snapshot(order) == before


def test_delete_attachment_by_superuser_at_the_same_status_is_allowed(
    clients, order, creator, django_capture_on_commit_callbacks
):
    attachment = add(creator, order)

    with django_capture_on_commit_callbacks(execute=True):
        response = clients["superuser"].delete(f"{BASE}orders/{order.pk}/attachments/{attachment.pk}")

    assert response.status_code == 200
    assert not Attachment.objects.exists()


def test_delete_missing_attachment_answers_404(api, order):
    assert_error(api.delete(f"{BASE}orders/{order.pk}/attachments/999999"), 404, "not_found")


def test_removing_the_line_keeps_its_attachment_on_the_order(api, order, creator):
    line = order.abnormal_products.get()
    attachment = add(creator, order, abnormal_product_id=line.pk)

    services.abnormal_product_delete(user=creator, order_id=order.pk, line_id=line.pk)

    attachment.refresh_from_db()
    assert attachment.abnormal_product_id is None
    assert api.get(f"{BASE}orders/{order.pk}/attachments").json()["data"][0]["id"] == attachment.pk


# --- The old app's paths --------------------------------------------------------------------------
def test_old_app_upload_path_takes_file_data(api, order):
    response = post_file(
        api, order.pk, files.heic(), "IMG_0001.HEIC", field="file_data", url=f"{BASE}uploads/{order.pk}"
    )

    assert response.status_code == 201, response.content
    data = response.json()["data"]
    assert (data["name"], data["content_type"], data["order_id"]) == ("IMG_0001.jpg", "image/jpeg", order.pk)


def test_old_app_upload_path_names_file_data_in_its_errors(api, order):
    response = post_file(api, order.pk, b"", "empty.jpg", field="file_data", url=f"{BASE}uploads/{order.pk}")

    body = assert_error(response, 400, "validation_error")
    assert list(body["data"]["errors"]) == ["file_data"]


def test_old_app_upload_path_follows_the_edit_table(clients, order, attachments_root):
    response = post_file(clients["manager"], order.pk, field="file_data", url=f"{BASE}uploads/{order.pk}")

    assert_error(response, 403, "permission_denied")
    assert stored_files(attachments_root) == []


def test_old_app_download_path_answers_the_same_file(api, order, creator):
    attachment = add(creator, order, files.pdf(), "报告.pdf")

    legacy = api.get(f"{BASE}download/{attachment.pk}")
    current = api.get(f"{BASE}orders/{order.pk}/attachments/{attachment.pk}/download")

    assert legacy.status_code == 200
    assert b"".join(legacy.streaming_content) == b"".join(current.streaming_content)
    assert legacy["Content-Disposition"] == current["Content-Disposition"]


@pytest.mark.parametrize("suffix", ["", "/"])
def test_attachment_paths_answer_with_and_without_trailing_slash(api, order, creator, suffix):
    attachment = add(creator, order)

    assert api.get(f"{BASE}orders/{order.pk}/attachments{suffix}").status_code == 200
    assert api.get(f"{BASE}download/{attachment.pk}{suffix}").status_code == 200


# --- The order's output ---------------------------------------------------------------------------
def test_order_output_lists_attachments_without_the_order_id(api, order, creator):
    photo = add(creator, order, files.jpeg(), "a.jpg")
    report = add(creator, order, files.pdf(), "b.pdf")

    detail = api.get(f"{BASE}orders/{order.pk}").json()["data"]
    listed = api.get(BASE + "orders").json()["data"][0]

    expected_fields = [name for name in FIELDS if name != "order_id"]
    assert [item["id"] for item in detail["attachments"]] == [photo.pk, report.pk]
    assert all(list(item) == expected_fields for item in detail["attachments"])
    assert detail["attachments"][1]["thumbnail_url"] is None
    assert detail["attachments"][0]["download_url"].startswith("http://testserver/api/v1/afterservice/orders/")
    assert listed["attachments"] == detail["attachments"]
    full = api.get(f"{BASE}orders/{order.pk}/attachments").json()["data"]
    assert [{k: v for k, v in item.items() if k != "order_id"} for item in full] == detail["attachments"]


def test_order_output_without_attachments_has_an_empty_list(api, order):
    assert api.get(f"{BASE}orders/{order.pk}").json()["data"]["attachments"] == []


# A list page reads attachments with one query for the whole page, and none when no order on it
# has any: token with roles, count, page ids, orders with duty reports, abnormal products, tracks,
# deductions (7), + attachments (8). Detail: the same without the count.
LIST_QUERIES, DETAIL_QUERIES = 8, 7


@pytest.fixture
def orders_with_attachments(users, suppliers, products):
    """101 orders (one more than the largest page), each with two attachments."""
    creator = users["creator"]
    made = []
    for n in range(101):
        order = make_order(creator, suppliers["customer"], suppliers["accuser"])
        add(creator, order, unique_pdf(2 * n), f"{n}-a.pdf")
        add(creator, order, unique_pdf(2 * n + 1), f"{n}-b.pdf")
        made.append(order)
    return made


@pytest.mark.parametrize("per_page", [1, 20, 100])
def test_list_with_attachments_runs_one_more_query_per_page(
    clients, orders_with_attachments, django_assert_num_queries, per_page
):
    with django_assert_num_queries(LIST_QUERIES):
        response = clients["service"].get(BASE + "orders", {"per_page": per_page})

    data = response.json()["data"]
    assert len(data) == per_page
    assert all(len(order["attachments"]) == 2 for order in data)


def test_list_without_attachments_runs_no_attachment_query(clients, users, suppliers, django_assert_num_queries):
    for _ in range(20):
        make_order(users["creator"], suppliers["customer"], suppliers["accuser"])

    with django_assert_num_queries(LIST_QUERIES - 1):
        response = clients["service"].get(BASE + "orders")

    assert all(order["attachments"] == [] for order in response.json()["data"])


def test_detail_with_attachments_runs_fixed_queries(clients, orders_with_attachments, django_assert_num_queries):
    with django_assert_num_queries(DETAIL_QUERIES):
        response = clients["service"].get(f"{BASE}orders/{orders_with_attachments[50].pk}")

    assert len(response.json()["data"]["attachments"]) == 2


def test_attachment_list_runs_fixed_queries(clients, orders_with_attachments, django_assert_num_queries):
    # token with roles, the visible order, its attachments
    with django_assert_num_queries(3):
        response = clients["service"].get(f"{BASE}orders/{orders_with_attachments[0].pk}/attachments")

    assert len(response.json()["data"]) == 2


# --- The same on an S3-compatible bucket (moto's server) ------------------------------------------
def test_add_download_and_delete_on_s3(api, order, s3_bucket, attachments_root, django_capture_on_commit_callbacks):  # noqa: F811
    client, bucket = s3_bucket
    photo = files.jpeg(orientation=files.ROTATE_CLOCKWISE)

    added = post_file(api, order.pk, photo, "现场.jpg")
    data = added.json()["data"]
    attachment = Attachment.objects.get()
    download = api.get(f"{BASE}orders/{order.pk}/attachments/{attachment.pk}/download")
    thumbnail = api.get(f"{BASE}orders/{order.pk}/attachments/{attachment.pk}/thumbnail")

    assert added.status_code == 201
    assert object_keys(client, bucket) == sorted(attachment.stored_names)
    assert stored_files(attachments_root) == []
    body = b"".join(download.streaming_content)
    assert hashlib.sha256(body).hexdigest() == data["sha256"]
    assert download["Content-Disposition"].endswith(quote("现场.jpg", safe=""))
    assert Image.open(io.BytesIO(b"".join(thumbnail.streaming_content))).size == (240, 320)

    with django_capture_on_commit_callbacks(execute=True):
        removed = api.delete(f"{BASE}orders/{order.pk}/attachments/{attachment.pk}")

    assert removed.status_code == 200
    assert object_keys(client, bucket) == []


def test_refused_upload_on_s3_leaves_no_object(api, order, creator, s3_bucket):  # noqa: F811
    client, bucket = s3_bucket
    add(creator, order, files.jpeg(), "a.jpg")
    kept = object_keys(client, bucket)

    response = post_file(api, order.pk, files.jpeg(), "again.jpg")

    assert_error(response, 409, "conflict")
    assert object_keys(client, bucket) == kept
