"""Attachments in the back office: the inline with thumbnails served by the API's routes (the admin's
session authenticates them), upload and removal through the same services and rules as the API,
the attachment count in the changelist without a query per row, and the journal in words."""

import io
import os
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from PIL import Image

from afterservice_site.settings import attachments_storage
from orders import services
from orders.admin.changes import describe_changes
from orders.models import Attachment, Journal, Order
from orders.workflow import Operation, Status
from tests import files
from tests.factories import make_order
from tests.helpers import login

MiB = 1024 * 1024


@pytest.fixture(autouse=True)
def attachments_root(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "attachments": attachments_storage({}, tmp_path / "media")}
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "upload-tmp")
    os.mkdir(settings.FILE_UPLOAD_TEMP_DIR)
    return tmp_path / "media" / "attachments"


@pytest.fixture
def order(creator, suppliers, products):
    return make_order(creator, suppliers["customer"], suppliers["accuser"], abnormal_products=[{"sku_code": "SKU-1"}])


def change_url(order):
    return reverse("admin:orders_order_change", args=[order.pk])


def upload_url(order):
    return reverse("admin:orders_order_attachment_upload", args=[order.pk])


def remove_url(attachment):
    return reverse("admin:orders_order_attachment_remove", args=[attachment.order_id, attachment.pk])


def add(user, order, data=None, name="现场照片.jpg"):
    return services.attachment_add(
        user=user, order_id=order.pk, uploaded_file=SimpleUploadedFile(name, files.jpeg() if data is None else data)
    )


def stored_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def snapshot(order):
    fresh = Order.objects.get(pk=order.pk)
    return list(fresh.attachments.values_list("id", flat=True)), fresh.attachment_count, fresh.journals.count()


def advance(order, status, superuser):
    order.refresh_from_db()
    while order.status != status:
        order = services.order_apply_operation(user=superuser, order_id=order.pk, operation=Operation.DONE)
    return order


# --- The inline ------------------------------------------------------------------------------------
def test_change_page_shows_thumbnails_linking_to_the_files(staff, order, creator):
    photo = add(creator, order, files.jpeg(), "现场照片.jpg")
    report = add(creator, order, files.pdf(), "质检报告.pdf")

    page = login(staff["service"]).get(change_url(order))

    assert page.status_code == 200
    api = f"/api/v1/afterservice/orders/{order.pk}/attachments"
    assert f'src="{api}/{photo.pk}/thumbnail"' in page.text
    assert f'href="{api}/{photo.pk}/download"' in page.text
    assert f'href="{api}/{report.pk}/download"' in page.text
    assert f'src="{api}/{report.pk}/thumbnail"' not in page.text
    assert "现场照片.jpg" in page.text and "质检报告.pdf" in page.text


def test_admin_session_opens_the_api_thumbnail_and_download(staff, order, creator):
    attachment = add(creator, order, files.jpeg((800, 600)))
    client = login(staff["manager"])

    thumbnail = client.get(f"/api/v1/afterservice/orders/{order.pk}/attachments/{attachment.pk}/thumbnail")
    download = client.get(f"/api/v1/afterservice/orders/{order.pk}/attachments/{attachment.pk}/download")

    assert thumbnail.status_code == 200
    assert Image.open(io.BytesIO(b"".join(thumbnail.streaming_content))).size == (320, 240)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment; ")


def test_upload_panel_shown_only_to_who_may_add_now(staff, order):
    assert 'name="file"' in login(staff["service"]).get(change_url(order)).text
    assert 'name="file"' in login(staff["superuser"]).get(change_url(order)).text
    assert 'name="file"' not in login(staff["manager"]).get(change_url(order)).text


def test_remove_button_shown_only_to_the_uploader_at_its_status(staff, order, users):
    attachment = add(staff["service"], order)
    button = f'formaction="{remove_url(attachment)}"'

    assert button in login(staff["service"]).get(change_url(order)).text
    assert button in login(staff["superuser"]).get(change_url(order)).text
    assert button not in login(staff["manager"]).get(change_url(order)).text
    advance(order, Status.SERVICE_APPROVING, users["superuser"])
    assert button not in login(staff["service"]).get(change_url(order)).text


# --- Upload ----------------------------------------------------------------------------------------
def test_upload_through_the_admin_adds_the_file_with_the_service(staff, order, attachments_root):
    line = order.abnormal_products.get()
    client = login(staff["service"])

    response = client.post(
        upload_url(order),
        {
            "file": SimpleUploadedFile("划痕.jpg", files.jpeg(orientation=files.ROTATE_CLOCKWISE)),
            "remark": "近景",
            "abnormal_product_id": str(line.pk),
        },
    )

    assert response.status_code == 302
    assert response["Location"] == change_url(order) + "#attachments-group"
    attachment = Attachment.objects.get()
    assert (attachment.name, attachment.remark, attachment.abnormal_product_id) == ("划痕.jpg", "近景", line.pk)
    assert (attachment.width, attachment.height, attachment.uploaded_by_name) == (480, 640, "李四")
    assert len(stored_files(attachments_root)) == 2
    journal = Journal.objects.filter(order=order).latest("id")
    assert (journal.operation, journal.changes[0]["record"], journal.changes[0]["action"]) == (
        "edit",
        "attachment",
        "create",
    )
    assert any("划痕.jpg" in text for text in messages_of(response))


def test_upload_through_the_admin_streams_with_the_limited_handler(staff, order, monkeypatch):
    # The handler hashes a PDF while it streams; Django's default handlers would leave the hashing
    # to prepare_upload.
    monkeypatch.setattr("orders.uploads.preparing._sha256_of", lambda file: pytest.fail("not streamed by our handler"))

    response = login(staff["service"]).post(upload_url(order), {"file": SimpleUploadedFile("a.pdf", files.pdf())})

    assert response.status_code == 302
    assert Attachment.objects.get().content_type == "application/pdf"


def test_upload_over_the_limit_through_the_admin_is_an_error_and_stores_nothing(
    staff, order, attachments_root, settings
):
    before = snapshot(order)

    response = login(staff["service"]).post(
        upload_url(order), {"file": SimpleUploadedFile("big.pdf", files.pdf_of_size(10 * MiB + 1))}
    )

    assert response.status_code == 302
    assert any("10 MB" in text for text in messages_of(response))
    assert snapshot(order) == before
    assert stored_files(attachments_root) == []
    assert os.listdir(settings.FILE_UPLOAD_TEMP_DIR) == []


@pytest.mark.parametrize(
    ("data", "name"), [(files.HTML, "photo.jpg"), (b"", "empty.jpg")], ids=["html-renamed-jpg", "empty"]
)
def test_upload_of_a_refused_file_through_the_admin_is_an_error_message(staff, order, attachments_root, data, name):
    before = snapshot(order)

    response = login(staff["service"]).post(upload_url(order), {"file": SimpleUploadedFile(name, data)})

    assert response.status_code == 302
    assert messages_of(response)
    assert snapshot(order) == before
    assert stored_files(attachments_root) == []


def test_upload_of_a_duplicate_through_the_admin_is_an_error_message(staff, order, attachments_root):
    add(staff["service"], order, files.jpeg(), "a.jpg")
    before, kept = snapshot(order), stored_files(attachments_root)

    response = login(staff["service"]).post(upload_url(order), {"file": SimpleUploadedFile("b.jpg", files.jpeg())})

    assert any("a.jpg" in text for text in messages_of(response))
    assert snapshot(order) == before
    assert stored_files(attachments_root) == kept


def test_upload_forged_by_a_role_that_may_not_add_now_is_refused(staff, order, attachments_root):
    before = snapshot(order)

    response = login(staff["manager"]).post(upload_url(order), {"file": SimpleUploadedFile("a.jpg", files.jpeg())})

    assert response.status_code == 403
    assert snapshot(order) == before
    assert stored_files(attachments_root) == []


def test_upload_to_a_finished_order_is_an_error_message(staff, order, users, attachments_root):
    advance(order, Status.SERVICE_APPROVED, users["superuser"])
    services.duty_report_upsert(user=users["superuser"], order_id=order.pk, values={"abnormal_type": ""})
    advance(order, Status.END, users["superuser"])
    before = snapshot(order)

    response = login(staff["superuser"]).post(upload_url(order), {"file": SimpleUploadedFile("a.jpg", files.jpeg())})

    assert response.status_code == 302
    assert messages_of(response)
    assert snapshot(order) == before
    assert stored_files(attachments_root) == []


def test_upload_without_the_csrf_token_is_refused(staff, order, attachments_root):
    client = login(staff["service"], enforce_csrf_checks=True)
    client.get(change_url(order))

    refused = client.post(upload_url(order), {"file": SimpleUploadedFile("a.jpg", files.jpeg())})
    accepted = client.post(
        upload_url(order),
        {"file": SimpleUploadedFile("a.jpg", files.jpeg()), "csrfmiddlewaretoken": client.cookies["csrftoken"].value},
    )

    assert refused.status_code == 403
    assert accepted.status_code == 302
    assert Attachment.objects.count() == 1


def test_upload_view_answers_405_to_get(staff, order):
    assert login(staff["service"]).get(upload_url(order)).status_code == 405


# --- Remove ----------------------------------------------------------------------------------------
def test_remove_through_the_admin_by_the_uploader_deletes_row_and_files(
    staff, order, attachments_root, django_capture_on_commit_callbacks
):
    attachment = add(staff["service"], order)

    with django_capture_on_commit_callbacks(execute=True):
        response = login(staff["service"]).post(remove_url(attachment))

    assert response.status_code == 302
    assert not Attachment.objects.exists()
    assert stored_files(attachments_root) == []
    assert Journal.objects.filter(order=order).latest("id").changes[0]["action"] == "delete"
    assert any("现场照片.jpg" in text for text in messages_of(response))


def test_remove_forged_by_someone_else_is_refused(staff, order, attachments_root):
    attachment = add(staff["service"], order)
    before, kept = snapshot(order), stored_files(attachments_root)

    response = login(staff["manager"]).post(remove_url(attachment))

    assert response.status_code == 403
    assert snapshot(order) == before
    assert stored_files(attachments_root) == kept


def test_remove_after_the_order_moved_on_is_an_error_message(staff, order, users, attachments_root):
    attachment = add(staff["service"], order)
    advance(order, Status.SERVICE_APPROVING, users["superuser"])
    before = snapshot(order)

    response = login(staff["service"]).post(remove_url(attachment))

    assert response.status_code == 302
    assert messages_of(response)
    assert snapshot(order) == before


# --- Changelist and journal -----------------------------------------------------------------------
def test_changelist_shows_the_attachment_count_without_a_query_per_row(staff, creator, suppliers):
    def changelist_queries():
        client = login(staff["service"])
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("admin:orders_order_changelist"))
        assert response.status_code == 200
        return len(queries), response

    first = make_order(creator, suppliers["customer"], suppliers["accuser"])
    add(creator, first, files.jpeg(), "a.jpg")
    few, _ = changelist_queries()
    for n in range(49):
        order = make_order(creator, suppliers["customer"], suppliers["accuser"])
        add(creator, order, files.pdf_of_size(1000 + n), f"{n}.pdf")
        add(creator, order, files.pdf_of_size(5000 + n), f"{n}b.pdf")

    many, response = changelist_queries()

    assert many == few
    counts = [row.attachment_count for row in response.context["cl"].result_list]
    assert sorted(counts) == [1] + [2] * 49
    assert '<td class="field-attachments">2</td>' in response.text


def test_journal_shows_attachment_changes_in_words(order, creator):
    add(creator, order, files.jpeg(), "现场照片.jpg")
    journal = Journal.objects.filter(order=order).latest("id")

    with translation.override("zh-hans"):
        text = describe_changes(journal.changes)

    assert "附件" in text
    assert "文件名：“现场照片.jpg”" in text
    assert "上传人：“张三”" in text
