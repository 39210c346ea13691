"""The attachments in the order output, pinned byte for byte against DRF's own fields over model
instances (the reference tests/orders/test_output_format.py uses for the rest of the order), on an
order with a photo tied to a line and a PDF, in the list and in the detail."""

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework import serializers

from afterservice_site.settings import attachments_storage
from orders import services
from orders.models import Order
from tests import files
from tests.factories import make_order
from tests.helpers import BASE

URL_BASE = f"http://testserver{BASE}orders"


class AttachmentReference(serializers.Serializer):
    """The documented attachment shape in the order output (no `order_id`), in DRF's own fields."""

    id = serializers.IntegerField()
    abnormal_product_id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    remark = serializers.CharField()
    uploaded_by = serializers.CharField(source="uploaded_by_name")
    created_at = serializers.DateTimeField()
    download_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    def get_download_url(self, attachment):
        return f"{URL_BASE}/{attachment.order_id}/attachments/{attachment.pk}/download"

    def get_thumbnail_url(self, attachment):
        if attachment.content_type == "application/pdf":
            return None
        return f"{URL_BASE}/{attachment.order_id}/attachments/{attachment.pk}/thumbnail"


@pytest.fixture(autouse=True)
def attachments_root(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "attachments": attachments_storage({}, tmp_path / "media")}
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "upload-tmp")
    os.mkdir(settings.FILE_UPLOAD_TEMP_DIR)


@pytest.fixture
def order_with_attachments(users, suppliers, products):
    order = make_order(
        users["creator"], suppliers["customer"], suppliers["accuser"], abnormal_products=[{"sku_code": "SKU-1"}]
    )
    line = order.abnormal_products.get()
    for data, name, kwargs in (
        (files.jpeg(orientation=files.ROTATE_CLOCKWISE), '现场 "照片".jpg', {"abnormal_product_id": line.pk}),
        (files.pdf(), "质检报告", {"remark": "第三方 \\ 报告 \n 😀"}),
    ):
        services.attachment_add(
            user=users["service"], order_id=order.pk, uploaded_file=SimpleUploadedFile(name, data), **kwargs
        )
    return order


def reference(order, user):
    from tests.orders.test_output_format import OrderReference  # it imports this module

    return OrderReference(Order.objects.get(pk=order.pk), context={"user": user}).data


def test_detail_with_attachments_matches_drf_field_rendering_byte_for_byte(clients, users, order_with_attachments):
    from tests.orders.test_output_format import envelope, wire

    response = clients["service"].get(f"{BASE}orders/{order_with_attachments.pk}")

    expected = reference(order_with_attachments, users["service"])
    assert len(expected["attachments"]) == 2
    assert response.content == wire(envelope(expected))


def test_list_with_attachments_matches_drf_field_rendering_byte_for_byte(clients, users, order_with_attachments):
    from tests.orders.test_output_format import envelope, wire

    response = clients["service"].get(BASE + "orders")

    assert response.content == wire(envelope([reference(order_with_attachments, users["service"])], total=1))
