"""The order output is pinned byte for byte (docs/api.md, "The order").

The output is rendered by hand-written `to_representation` methods over rows read without model
instances (README "Performance"). These tests hold it to two references that share none of that
code: a golden order written out literally, and a rendering by DRF's own fields (DateTimeField,
DecimalField, nested serializers) over model instances read through the plain ORM — both
encoded with the standard library's `json`, and compared to the response's bytes.
"""

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from rest_framework import serializers

from orders import services, workflow
from orders.models import Deduction, DutyReport, Order, Track
from orders.workflow import Operation
from tests.factories import make_order
from tests.helpers import BASE, CHAIN, advance
from tests.orders.test_attachment_output import AttachmentReference


def wire(body):
    """The bytes the API must answer: compact JSON, UTF-8, keys in the given order."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def envelope(data, total=None, per_page=20):
    body = {"status": 0, "message": "ok", "data": data}
    if total is not None:
        body["pagination"] = {"page": 1, "per_page": per_page, "total": total, "pages": -(-total // per_page)}
    return body


# --- The golden order ----------------------------------------------------------------------------------------
@pytest.fixture
def golden_order(users, suppliers, products):
    order = make_order(
        users["creator"],
        suppliers["customer"],
        suppliers["accuser"],
        abnormal_products=[{"sku_code": "SKU-1", "remark": "划伤"}, {"sku_code": "SKU-2", "remark": ""}],
    )
    DutyReport.objects.create(
        order=order,
        abnormal_type="质量",
        abnormal_reason="生产质量把控问题",
        publishment="处罚",
        publish_to="成品供应商",
        compensation=Decimal("5000"),
        duty_to="被告工厂",
        duty_to_supplier=suppliers["customer"],
        duty_date=date(2026, 11, 29),
    )
    Track.objects.create(
        order=order, remark="已联系供应商", operator_name="李四", created_at=datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
    )
    Deduction.objects.create(
        order=order,
        compensation=Decimal("100.5"),
        has_receipt=True,
        remark="扣款",
        created_at=datetime(2026, 11, 28, 16, 0, 1, tzinfo=UTC),  # the next day in Asia/Shanghai
    )
    Order.objects.filter(pk=order.pk).update(
        serial_number="SH202611280001",
        charge_number="CH202611280001",
        created_at=datetime(2026, 11, 28, 1, 30, tzinfo=UTC),
        updated_at=datetime(2026, 11, 28, 2, 0, 5, tzinfo=UTC),
    )
    return order


def golden(order, suppliers):
    lines = list(order.abnormal_products.order_by("id"))
    track, deduction = order.tracks.get(), order.deductions.get()
    return {
        "id": order.pk,
        "serial_number": "SH202611280001",
        "charge_number": "CH202611280001",
        "type": "质量投诉",
        "customer_name": "被告工厂",
        "accuser_name": "原告材料厂",
        "creator_name": "张三",
        "saler": "李四",
        "status": "waiting",
        "workflow_status": "in_progress",
        "summitted_at": None,
        "created_at": "2026-11-28 09:30:00",
        "updated_at": "2026-11-28 10:00:05",
        "remark": "表面划伤",
        "reason": "成品",
        "last_reject_reason": "",
        "abnormal_products": [
            {"id": lines[0].pk, "skuCode": "SKU-1", "remark": "划伤", "product_item_name": "沙发1"},
            {"id": lines[1].pk, "skuCode": "SKU-2", "remark": "", "product_item_name": "沙发2"},
        ],
        "duty_report": {
            "abnormal_type": "质量",
            "abnormal_reason": "生产质量把控问题",
            "publishment": "处罚",
            "publish_to": "成品供应商",
            "compensation": "5000.00",
            "duty_to_id": suppliers["customer"].pk,
            "duty_to": "被告工厂",
            "duty_date": "2026-11-29",
        },
        "tracks": [
            {"id": track.pk, "remark": "已联系供应商", "operator_name": "李四", "created_at": "2026-11-28 11:00:00"}
        ],
        "deductions": [
            {
                "id": deduction.pk,
                "compensation": "100.50",
                "has_receipt": True,
                "remark": "扣款",
                "created_at": "2026-11-29 00:00:01",
            }
        ],
        "attachments": [],
        "operations": ["done", "halt", "cancel"],  # the `service` user at `waiting`
    }


def test_list_fixed_order_answers_golden_bytes(clients, golden_order, suppliers):
    response = clients["service"].get(BASE + "orders")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.content == wire(envelope([golden(golden_order, suppliers)], total=1))


def test_detail_fixed_order_answers_golden_bytes(clients, golden_order, suppliers):
    response = clients["service"].get(f"{BASE}orders/{golden_order.pk}")

    assert response.content == wire(envelope(golden(golden_order, suppliers)))


def test_detail_without_nested_records_answers_empty_lists_and_null_report(clients, users, suppliers):
    order = make_order(users["creator"], suppliers["customer"], suppliers["accuser"])

    data = clients["creator"].get(f"{BASE}orders/{order.pk}").json()["data"]

    assert (data["abnormal_products"], data["duty_report"], data["tracks"], data["deductions"]) == ([], None, [], [])
    assert data["charge_number"] is None
    assert data["operations"] == ["done", "halt", "cancel"]  # the creator at `waiting`


# --- The DRF-field rendering ---------------------------------------------------------------------------------
class LineReference(serializers.Serializer):
    id = serializers.IntegerField()
    skuCode = serializers.CharField(source="sku_code")
    remark = serializers.CharField()
    product_item_name = serializers.CharField()


class ReportReference(serializers.Serializer):
    abnormal_type = serializers.CharField()
    abnormal_reason = serializers.CharField()
    publishment = serializers.CharField()
    publish_to = serializers.CharField()
    compensation = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    duty_to_id = serializers.IntegerField(source="duty_to_supplier_id", allow_null=True)
    duty_to = serializers.CharField()
    duty_date = serializers.DateField(allow_null=True)


class TrackReference(serializers.Serializer):
    id = serializers.IntegerField()
    remark = serializers.CharField()
    operator_name = serializers.CharField()
    created_at = serializers.DateTimeField()


class DeductionReference(serializers.Serializer):
    id = serializers.IntegerField()
    compensation = serializers.DecimalField(max_digits=12, decimal_places=2)
    has_receipt = serializers.BooleanField()
    remark = serializers.CharField()
    created_at = serializers.DateTimeField()


class OrderReference(serializers.Serializer):
    """The documented order shape in DRF's own fields, over a model instance."""

    id = serializers.IntegerField()
    serial_number = serializers.CharField()
    charge_number = serializers.CharField(allow_null=True)
    type = serializers.CharField()
    customer_name = serializers.CharField()
    accuser_name = serializers.CharField()
    creator_name = serializers.CharField()
    saler = serializers.CharField(source="saler_name")
    status = serializers.CharField()
    workflow_status = serializers.CharField()
    summitted_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    remark = serializers.CharField()
    reason = serializers.CharField()
    last_reject_reason = serializers.CharField()
    abnormal_products = LineReference(many=True)
    duty_report = ReportReference(allow_null=True)
    tracks = TrackReference(many=True)
    deductions = DeductionReference(many=True)
    attachments = AttachmentReference(many=True)
    operations = serializers.SerializerMethodField()

    def get_operations(self, order):
        return workflow.operations_for(order, self.context["user"])


@pytest.fixture
def varied_orders(users, suppliers, products):
    """Orders across the chain, halted and cancelled, with and without each kind of record."""
    creator, service = users["creator"], users["service"]
    orders = []
    for index in range(8):
        order = make_order(
            creator if index % 3 else users["other"],
            suppliers["customer"],
            suppliers["accuser"],
            remark=f'第{index}单 "引号" \\ 反斜杠 \n 换行 😀',
            abnormal_products=[
                {"sku_code": p.sku_code, "remark": f"行{n}"} for n, p in enumerate(products[: index % 4])
            ],
        )
        advance(users, order, CHAIN[index % 5][0])
        if index % 2:  # nulls: no amount, no date
            DutyReport.objects.update_or_create(
                order=order, defaults={"abnormal_type": "质量", "duty_to": "某厂", "compensation": None}
            )
        if index % 3 == 0:
            Track.objects.create(order=order, remark="跟进", operator=service, operator_name="李四")
            Deduction.objects.create(order=order, compensation=Decimal("0.1"), has_receipt=False)
            Deduction.objects.create(order=order, compensation=Decimal("12345678.99"), has_receipt=True, remark="票")
        orders.append(order)
    services.order_update(user=creator, order_id=orders[1].pk, operation=Operation.HALT, remark="暂停")
    services.order_update(user=creator, order_id=orders[2].pk, operation=Operation.CANCEL, remark="撤销")
    services.order_update(
        user=users["manager"], order_id=orders[3].pk, operation=Operation.REJECT, remark='退回 "补充"'
    )
    return orders


@pytest.mark.parametrize("client_name", ["creator", "service", "manager", "finance", "superuser"])
def test_list_matches_drf_field_rendering_byte_for_byte(clients, users, varied_orders, client_name):
    response = clients[client_name].get(BASE + "orders", {"per_page": 100})

    visible = Order.objects.alive()
    if not workflow.has_any_role(users[client_name]):
        visible = visible.filter(creator=users[client_name]) | visible.filter(saler=users[client_name])
    orders = visible.order_by("-updated_at", "-id").prefetch_related("abnormal_products", "tracks", "deductions")
    reference = OrderReference(orders, many=True, context={"user": users[client_name]}).data
    assert len(reference) > 0
    assert response.content == wire(envelope(reference, total=len(reference), per_page=100))


def test_detail_matches_drf_field_rendering_byte_for_byte(clients, users, varied_orders):
    for order in varied_orders:
        response = clients["superuser"].get(f"{BASE}orders/{order.pk}")

        reference = OrderReference(Order.objects.get(pk=order.pk), context={"user": users["superuser"]}).data
        assert response.content == wire(envelope(reference))
