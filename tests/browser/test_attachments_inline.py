"""The order page's attachments in a real browser: thumbnails drawn from the API's thumbnail route
under the admin session, a click downloads the file, a file uploaded from the page appears with
its thumbnail, and its uploader removes it."""

from __future__ import annotations

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from afterservice_site.settings import attachments_storage
from orders import services
from orders.models import Attachment
from tests import files
from tests.browser.conftest import SCREENSHOTS
from tests.factories import SupplierFactory, UserFactory, make_order

LOADED_JS = "img => img.complete ? [img.naturalWidth, img.naturalHeight] : null"


@pytest.fixture(autouse=True)
def attachments_root(settings, tmp_path):
    """A private attachments folder for the test (the live server runs in this process)."""
    settings.STORAGES = {**settings.STORAGES, "attachments": attachments_storage({}, tmp_path / "media")}
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "upload-tmp")
    os.mkdir(settings.FILE_UPLOAD_TEMP_DIR)
    return tmp_path / "media" / "attachments"


@pytest.fixture
def order(admin_user):
    creator = UserFactory(username="creator", first_name="张三")
    return make_order(creator, SupplierFactory(name="被告工厂"), SupplierFactory(name="原告工厂"), reason="其它")


def add(user, order, data: bytes, name: str, remark: str = "") -> Attachment:
    return services.attachment_add(
        user=user, order_id=order.pk, uploaded_file=SimpleUploadedFile(name, data), remark=remark
    )


def thumbnail_sizes(page) -> list[list[int] | None]:
    images = page.locator("#attachments-group img.attachment-thumbnail")
    images.first.wait_for()
    page.wait_for_function(
        "() => [...document.querySelectorAll('#attachments-group img.attachment-thumbnail')]"
        ".every(img => img.complete && img.naturalWidth > 0)"
    )
    return [images.nth(i).evaluate(LOADED_JS) for i in range(images.count())]


def test_order_page_shows_thumbnails_and_a_click_downloads_the_file(admin_page, admin_user, order, screenshot, request):
    add(admin_user, order, files.jpeg((1600, 1200), orientation=files.ROTATE_CLOCKWISE), "现场照片.jpg", "左侧扶手划伤")
    add(admin_user, order, files.png_transparent((400, 300)), "截图.png")
    add(admin_user, order, files.pdf(), "质检报告.pdf", "第三方检测")
    page = admin_page
    page.goto(f"/admin/orders/order/{order.pk}/change/")

    group = page.locator("#attachments-group")
    group.scroll_into_view_if_needed()
    assert thumbnail_sizes(page) == [[240, 320], [320, 240]]  # the photo upright, the screenshot
    assert group.locator("a.attachment-file").inner_text() == "PDF"
    rows = group.locator("tbody tr.has_original")
    assert rows.count() == 3
    assert "现场照片.jpg" in rows.nth(0).inner_text() and "左侧扶手划伤" in rows.nth(0).inner_text()
    screenshot("page")
    SCREENSHOTS.mkdir(exist_ok=True)
    group.screenshot(path=str(SCREENSHOTS / f"{request.node.name}-inline.png"))

    with page.expect_download() as download:
        group.locator("img.attachment-thumbnail").first.click()
    assert download.value.suggested_filename == "现场照片.jpg"


def test_upload_from_the_order_page_then_remove_it(admin_page, admin_user, order, tmp_path, screenshot):
    photo = tmp_path / "划痕近景.jpg"
    photo.write_bytes(files.jpeg((800, 600)))
    page = admin_page
    page.goto(f"/admin/orders/order/{order.pk}/change/")

    panel = page.locator("#attachment-upload")
    panel.locator("input[name=file]").set_input_files(str(photo))
    panel.locator("input[name=remark]").fill("近景")
    panel.locator("button[type=submit]").click()
    page.wait_for_selector(".messagelist .success")

    attachment = Attachment.objects.get(order=order)
    assert (attachment.name, attachment.remark, attachment.uploaded_by_id) == ("划痕近景.jpg", "近景", admin_user.pk)
    assert thumbnail_sizes(page) == [[320, 240]]
    screenshot("uploaded")

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#attachments-group button.attachment-remove").click()
    page.wait_for_selector(".messagelist .success")
    assert not Attachment.objects.filter(order=order).exists()
    assert page.locator("#attachments-group img.attachment-thumbnail").count() == 0


def test_remove_dismissed_in_the_dialog_keeps_the_file(admin_page, admin_user, order):
    add(admin_user, order, files.jpeg(), "保留.jpg")
    page = admin_page
    page.goto(f"/admin/orders/order/{order.pk}/change/")

    page.once("dialog", lambda dialog: dialog.dismiss())
    page.locator("#attachments-group button.attachment-remove").click()

    page.wait_for_timeout(300)
    assert Attachment.objects.filter(order=order).count() == 1
    assert page.url.endswith(f"/admin/orders/order/{order.pk}/change/")
