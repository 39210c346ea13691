"""`POST orders` (docs/api.md): the created order, its journal row, serial numbers, required
and bounded fields, suppliers, the specialist, legacy aliases and the fields a client may not set."""

import re
from datetime import datetime

import pytest

from orders.models import AbnormalProduct, Deduction, DutyReport, Journal, OptionValue, Order, Track
from orders.workflow import SERVICE
from tests.factories import (
    SupplierFactory,
    UserFactory,
    order_body,
)
from tests.helpers import (
    ORDER_FIELDS,
    ORDERS,
    SHANGHAI,
    assert_field_error,
    order_url,
    today,
    wire_datetime,
)

WIRE_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


# --- The created order ----------------------------------------------------------------------------
def test_post_order_valid_answers_201_with_waiting_order(api, creator, suppliers, service_user):
    response = api.post(ORDERS, order_body(suppliers), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == 0
    assert body["message"] == "ok"
    data = body["data"]
    assert set(data) == ORDER_FIELDS
    order = Order.objects.get()
    assert data["id"] == order.pk
    assert data["serial_number"] == f"SH{today()}0001"
    assert data["charge_number"] is None
    assert data["type"] == "质量投诉"
    assert data["customer_name"] == "被告工厂"
    assert data["accuser_name"] == "原告材料厂"
    assert data["creator_name"] == "张三"
    assert data["saler"] == "李四"
    assert data["status"] == "waiting"
    assert data["workflow_status"] == "in_progress"
    assert data["summitted_at"] is None
    assert data["remark"] == "表面划伤"
    assert data["reason"] == "成品"
    assert data["abnormal_products"] == []
    assert data["duty_report"] is None
    assert data["tracks"] == []
    assert data["deductions"] == []
    assert data["operations"] == ["done", "halt", "cancel"]
    assert order.creator == creator
    assert order.saler == service_user


def test_post_order_datetimes_local_shanghai_wire_format(api, suppliers):
    response = api.post(ORDERS, order_body(suppliers), format="json")

    data = response.json()["data"]
    order = Order.objects.get()
    assert WIRE_DATETIME.match(data["created_at"])
    assert WIRE_DATETIME.match(data["updated_at"])
    assert data["created_at"] == wire_datetime(order.created_at)
    assert data["updated_at"] == wire_datetime(order.updated_at)
    # Asia/Shanghai is UTC+8 all year: the wire time is 8 hours ahead of the stored UTC.
    shown = datetime.strptime(data["created_at"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=SHANGHAI)
    assert abs((shown - order.created_at).total_seconds()) < 1


def test_post_order_journals_creation(api, creator, suppliers):
    response = api.post(ORDERS, order_body(suppliers), format="json")

    (row,) = Journal.objects.filter(order_id=response.json()["data"]["id"])
    assert row.operation == "create"
    assert (row.source, row.target) == ("created", "waiting")
    assert (row.workflow_source, row.workflow_target) == ("in_progress", "in_progress")
    assert row.operator == creator
    assert row.operator_name == "张三"


def test_post_order_serial_numbers_sequential_per_day(api, suppliers):
    serials = [
        api.post(ORDERS, order_body(suppliers, remark=f"第{n}单"), format="json").json()["data"]["serial_number"]
        for n in range(3)
    ]

    assert serials == [f"SH{today()}0001", f"SH{today()}0002", f"SH{today()}0003"]


def test_post_order_refused_create_does_not_consume_serial_number(api, suppliers):
    refused = api.post(ORDERS, order_body(suppliers, customer_name="无此工厂"), format="json")
    accepted = api.post(ORDERS, order_body(suppliers), format="json")

    assert refused.status_code == 400
    assert accepted.json()["data"]["serial_number"] == f"SH{today()}0001"


# --- Required and bounded fields ------------------------------------------------------------------
@pytest.mark.parametrize("field", ["type", "customer_name", "accuser_name", "creator_name", "reason", "remark"])
def test_post_order_missing_required_field_answers_400_naming_it(api, suppliers, field):
    body = order_body(suppliers)
    del body[field]

    response = api.post(ORDERS, body, format="json")

    errors = assert_field_error(response, field)
    assert list(errors) == [field]
    assert field in response.json()["message"]
    assert Order.objects.count() == 0
    assert Journal.objects.count() == 0


@pytest.mark.parametrize("field", ["type", "customer_name", "accuser_name", "creator_name", "reason", "remark"])
@pytest.mark.parametrize("value", ["", "   ", None])
def test_post_order_blank_required_field_answers_400(api, suppliers, field, value):
    response = api.post(ORDERS, order_body(suppliers, **{field: value}), format="json")

    assert_field_error(response, field)
    assert Order.objects.count() == 0


def test_post_order_missing_everything_answers_400_naming_all_required(api, suppliers):
    response = api.post(ORDERS, {}, format="json")

    errors = assert_field_error(response, "type", "customer_name", "accuser_name", "creator_name", "reason", "remark")
    assert set(errors) == {"type", "customer_name", "accuser_name", "creator_name", "reason", "remark"}
    assert Order.objects.count() == 0


@pytest.mark.parametrize("field", ["customer_name", "accuser_name"])
def test_post_order_unknown_supplier_answers_400(api, suppliers, field):
    response = api.post(ORDERS, order_body(suppliers, **{field: "无此工厂"}), format="json")

    errors = assert_field_error(response, field)
    assert list(errors) == [field]
    assert "无此工厂" in errors[field][0]
    assert Order.objects.count() == 0


@pytest.mark.parametrize("field", ["customer_name", "accuser_name"])
def test_post_order_inactive_supplier_answers_400(api, suppliers, field):
    SupplierFactory(name="停用工厂", active=False)

    response = api.post(ORDERS, order_body(suppliers, **{field: "停用工厂"}), format="json")

    assert list(assert_field_error(response, field)) == [field]
    assert Order.objects.count() == 0


@pytest.mark.parametrize("reason", ["质量", "finished", "成品 ", "", 1, ["成品"]])
def test_post_order_reason_outside_enum_answers_400_listing_allowed(api, suppliers, reason):
    response = api.post(ORDERS, order_body(suppliers, reason=reason), format="json")

    errors = assert_field_error(response, "reason")
    if reason not in ("", "成品 "):
        message = errors["reason"][0]
        for allowed in ("成品", "材料", "其它"):
            assert allowed in message
    assert Order.objects.count() == 0


@pytest.mark.parametrize("reason", ["成品", "材料", "其它"])
def test_post_order_each_allowed_reason_accepted(api, suppliers, reason):
    response = api.post(ORDERS, order_body(suppliers, reason=reason), format="json")

    assert response.status_code == 201
    assert response.json()["data"]["reason"] == reason
    assert Order.objects.get().reason == reason


def test_post_order_one_megabyte_remark_answers_400(api, suppliers):
    response = api.post(ORDERS, order_body(suppliers, remark="x" * 1_000_000), format="json")

    errors = assert_field_error(response, "remark")
    assert list(errors) == ["remark"]
    assert Order.objects.count() == 0


def test_post_order_remark_at_limit_accepted_whole(api, suppliers):
    remark = "异" * 5000

    response = api.post(ORDERS, order_body(suppliers, remark=remark), format="json")

    assert response.status_code == 201
    assert response.json()["data"]["remark"] == remark
    assert Order.objects.get().remark == remark


def test_post_order_remark_over_limit_answers_400_not_cut(api, suppliers):
    response = api.post(ORDERS, order_body(suppliers, remark="异" * 5001), format="json")

    assert list(assert_field_error(response, "remark")) == ["remark"]
    assert Order.objects.count() == 0


@pytest.mark.parametrize("field", ["type", "customer_name", "accuser_name", "creator_name", "saler"])
def test_post_order_name_over_100_chars_answers_400(api, suppliers, field):
    response = api.post(ORDERS, order_body(suppliers, **{field: "名" * 101}), format="json")

    assert list(assert_field_error(response, field)) == [field]
    assert Order.objects.count() == 0


@pytest.mark.parametrize("field", ["type", "creator_name"])
def test_post_order_name_at_100_chars_accepted_whole(api, suppliers, field):
    OptionValue.objects.create(category="ordertype", value="名" * 100, position=99)  # `type` takes a listed value

    response = api.post(ORDERS, order_body(suppliers, **{field: "名" * 100}), format="json")

    assert response.status_code == 201
    assert response.json()["data"][field] == "名" * 100
    assert getattr(Order.objects.get(), field) == "名" * 100


@pytest.mark.parametrize("field", ["type", "customer_name", "accuser_name", "creator_name", "remark", "saler"])
def test_post_order_nul_byte_in_text_answers_400(api, suppliers, field):
    response = api.post(ORDERS, order_body(suppliers, **{field: "a\u0000b"}), format="json")

    assert list(assert_field_error(response, field)) == [field]
    assert Order.objects.count() == 0


def test_post_order_nul_byte_in_line_remark_answers_400(api, suppliers, products):
    body = order_body(suppliers, abnormal_products=[{"skuCode": "SKU-1", "remark": "x\u0000"}])

    response = api.post(ORDERS, body, format="json")

    assert_field_error(response, "abnormal_products")
    assert Order.objects.count() == 0
    assert AbnormalProduct.objects.count() == 0


@pytest.mark.parametrize("field", ["type", "remark", "creator_name"])
def test_post_order_non_string_text_answers_400(api, suppliers, field):
    response = api.post(ORDERS, order_body(suppliers, **{field: {"a": 1}}), format="json")

    assert_field_error(response, field)
    assert Order.objects.count() == 0


# --- The specialist (`saler`) ---------------------------------------------------------------------
def test_post_order_without_saler_defaults_to_defendant_specialist(api, suppliers, service_user):
    response = api.post(ORDERS, order_body(suppliers), format="json")

    assert response.json()["data"]["saler"] == "李四"
    assert Order.objects.get().saler == service_user


def test_post_order_defendant_without_specialist_leaves_saler_empty(api, suppliers):
    SupplierFactory(name="无专员工厂")

    response = api.post(ORDERS, order_body(suppliers, customer_name="无专员工厂"), format="json")

    assert response.status_code == 201
    assert response.json()["data"]["saler"] == ""
    assert Order.objects.get().saler is None


def test_post_order_defendant_specialist_without_full_name_shown_by_username(api, suppliers, manager_user):
    SupplierFactory(name="无名专员厂", specialist=manager_user)

    response = api.post(ORDERS, order_body(suppliers, customer_name="无名专员厂"), format="json")

    assert response.json()["data"]["saler"] == "manager1"
    assert Order.objects.get().saler == manager_user


@pytest.mark.parametrize(
    ("given", "username", "shown"),
    [("service2", "service2", "service2"), ("李四", "service1", "李四"), ("service1", "service1", "李四")],
)
def test_post_order_explicit_saler_by_username_or_full_name(api, users, suppliers, given, username, shown):
    UserFactory(username="service2", roles=[SERVICE])  # a specialist without a full name

    response = api.post(ORDERS, order_body(suppliers, saler=given), format="json")

    assert response.status_code == 201, response.content
    assert response.json()["data"]["saler"] == shown
    assert Order.objects.get().saler.username == username


def test_post_order_explicit_saler_first_and_last_name_accepted(api, suppliers):
    specialist = UserFactory(username="wzhang", first_name="Wei", last_name="Zhang", roles=[SERVICE])

    response = api.post(ORDERS, order_body(suppliers, saler="Wei Zhang"), format="json")

    assert response.status_code == 201, response.content
    assert response.json()["data"]["saler"] == "Wei Zhang"
    assert Order.objects.get().saler == specialist


def test_post_order_unknown_saler_answers_400(api, suppliers):
    response = api.post(ORDERS, order_body(suppliers, saler="查无此人"), format="json")

    assert list(assert_field_error(response, "saler")) == ["saler"]
    assert Order.objects.count() == 0


def test_post_order_inactive_saler_answers_400(api, suppliers):
    UserFactory(username="gone", is_active=False)

    response = api.post(ORDERS, order_body(suppliers, saler="gone"), format="json")

    assert_field_error(response, "saler")
    assert Order.objects.count() == 0


def test_post_order_ambiguous_full_name_saler_answers_400(api, suppliers):
    UserFactory(username="a1", first_name="同名")
    UserFactory(username="a2", first_name="同名")

    response = api.post(ORDERS, order_body(suppliers, saler="同名"), format="json")

    assert_field_error(response, "saler")
    assert Order.objects.count() == 0


# --- Legacy aliases, abnormal products, fields the server owns ------------------------------------
def test_post_order_legacy_aliases_accepted(api, users, suppliers, products):
    body = order_body(suppliers)
    del body["creator_name"]
    body.update(
        creater_name="老客户端",
        saler_name="service1",
        product_list=[{"skuCode": "SKU-1", "remark": "开裂"}, {"skuCode": "SKU-2"}],
    )

    response = api.post(ORDERS, body, format="json")

    assert response.status_code == 201, response.content
    data = response.json()["data"]
    assert data["creator_name"] == "老客户端"
    assert data["saler"] == "李四"
    assert [(line["skuCode"], line["remark"], line["product_item_name"]) for line in data["abnormal_products"]] == [
        ("SKU-1", "开裂", "沙发1"),
        ("SKU-2", "", "沙发2"),
    ]
    assert "creater_name" not in data
    assert "saler_name" not in data
    assert "product_list" not in data
    order = Order.objects.get()
    assert order.creator_name == "老客户端"
    assert order.saler == users["service"]
    assert order.abnormal_products.count() == 2


def test_post_order_canonical_name_wins_over_legacy_alias(api, suppliers):
    response = api.post(ORDERS, order_body(suppliers, creater_name="旧名字"), format="json")

    assert response.json()["data"]["creator_name"] == "张三"


def test_post_order_with_abnormal_products_answers_lines(api, suppliers, products):
    body = order_body(suppliers, abnormal_products=[{"skuCode": "SKU-3", "remark": "色差"}])

    response = api.post(ORDERS, body, format="json")

    (line,) = response.json()["data"]["abnormal_products"]
    assert set(line) == {"id", "skuCode", "remark", "product_item_name"}
    assert line["skuCode"] == "SKU-3"
    assert line["product_item_name"] == "沙发3"
    assert AbnormalProduct.objects.get().pk == line["id"]


def test_post_order_unknown_sku_answers_400_and_creates_nothing(api, suppliers, products):
    body = order_body(suppliers, abnormal_products=[{"skuCode": "SKU-1"}, {"skuCode": "NOPE"}])

    response = api.post(ORDERS, body, format="json")

    assert list(assert_field_error(response, "abnormal_products")) == ["abnormal_products"]
    assert Order.objects.count() == 0
    assert AbnormalProduct.objects.count() == 0
    assert Journal.objects.count() == 0


def test_post_order_read_only_fields_ignored_never_stored(api, suppliers):
    body = order_body(
        suppliers,
        id=987654,
        status="end",
        workflow_status="done",
        serial_number="SH200001010001",
        charge_number="CH200001010001",
        summitted_at="2000-01-01 00:00:00",
        created_at="2000-01-01 00:00:00",
        updated_at="2000-01-01 00:00:00",
        operations=["done", "reject"],
    )

    response = api.post(ORDERS, body, format="json")

    assert response.status_code == 201, response.content
    data = response.json()["data"]
    assert data["id"] != 987654
    assert data["status"] == "waiting"
    assert data["workflow_status"] == "in_progress"
    assert data["serial_number"] == f"SH{today()}0001"
    assert data["charge_number"] is None
    assert data["summitted_at"] is None
    assert not data["created_at"].startswith("2000")
    order = Order.objects.get()
    assert order.pk == data["id"]
    assert not Order.objects.filter(pk=987654).exists()
    assert (order.status, order.workflow_status) == ("waiting", "in_progress")
    assert order.serial_number == f"SH{today()}0001"
    assert order.charge_number is None
    assert order.summitted_at is None
    assert order.created_at.year != 2000


def test_post_order_nested_records_other_than_lines_ignored(api, suppliers):
    body = order_body(
        suppliers,
        duty_report={"abnormal_type": "质量"},
        tracks=[{"remark": "偷偷加的"}],
        deductions=[{"compensation": "100"}],
    )

    response = api.post(ORDERS, body, format="json")

    assert response.status_code == 201
    data = response.json()["data"]
    assert (data["duty_report"], data["tracks"], data["deductions"]) == (None, [], [])
    assert DutyReport.objects.count() == Track.objects.count() == Deduction.objects.count() == 0


def test_post_order_plain_user_may_create(clients, suppliers, other_creator):
    response = clients["other"].post(ORDERS, order_body(suppliers), format="json")

    assert response.status_code == 201
    assert Order.objects.get().creator == other_creator


def test_post_order_created_order_visible_to_its_creator(api, suppliers):
    created = api.post(ORDERS, order_body(suppliers), format="json").json()["data"]

    fetched = api.get(order_url(created["id"]))

    assert fetched.status_code == 200
    assert fetched.json()["data"] == created
