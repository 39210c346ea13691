"""`orders` endpoints (DESIGN.md §5–§7): create, list and its filters, visibility, detail,
header updates, delete, journals and the query counts of the hot paths."""

import re
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from orders import services
from orders.models import AbnormalProduct, Deduction, DutyReport, Journal, OptionValue, Order, Track
from orders.workflow import SERVICE
from tests.factories import (
    ProductFactory,
    SupplierFactory,
    UserFactory,
    make_order,
    order_body,
    order_for_former_specialist,
)
from tests.helpers import advance

BASE = "/api/v1/afterservice/"
LIST = BASE + "orders"
SHANGHAI = ZoneInfo("Asia/Shanghai")
WIRE_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
ORDER_FIELDS = {
    "id",
    "serial_number",
    "charge_number",
    "type",
    "customer_name",
    "accuser_name",
    "creator_name",
    "saler",
    "status",
    "workflow_status",
    "summitted_at",
    "created_at",
    "updated_at",
    "remark",
    "reason",
    "last_reject_reason",
    "abnormal_products",
    "duty_report",
    "tracks",
    "deductions",
    "operations",
}
JOURNAL_FIELDS = {
    "id",
    "order_id",
    "operation",
    "source",
    "target",
    "workflow_source",
    "workflow_target",
    "operator_name",
    "on_behalf_of",
    "remark",
    "changes",
    "created_at",
}
ALL_STATUSES = [
    "created",
    "waiting",
    "service_approving",
    "service_approved",
    "manager_reviewing",
    "manager_reviewed",
    "chief_reviewing",
    "chief_reviewed",
    "finance_reviewing",
    "end",
]


def detail(order_id):
    return f"{BASE}orders/{order_id}"


def wire(value):
    """A stored datetime as the API renders it: local (Asia/Shanghai) "YYYY-MM-DD HH:MM:SS"."""
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def state(order_id=None):
    """Everything a write could touch, to assert that a refused request changed nothing."""
    orders = Order.objects.all() if order_id is None else Order.objects.filter(pk=order_id)
    return {
        "orders": list(orders.order_by("id").values()),
        "lines": list(AbnormalProduct.objects.order_by("id").values()),
        "reports": list(DutyReport.objects.order_by("id").values()),
        "tracks": list(Track.objects.order_by("id").values()),
        "deductions": list(Deduction.objects.order_by("id").values()),
        "journal": list(Journal.objects.order_by("id").values()),
    }


def assert_error(response, http_status, code):
    assert response.status_code == http_status, response.content
    body = response.json()
    assert body["status"] == http_status
    assert body["code"] == code
    assert body["message"]
    return body


def assert_field_error(response, *fields):
    body = assert_error(response, 400, "validation_error")
    for field in fields:
        assert field in body["data"]["errors"], body
    return body["data"]["errors"]


def ids(response):
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["data"]]


def today():
    return timezone.localdate().strftime("%Y%m%d")


# --- POST orders --------------------------------------------------------------------------------------------
def test_post_order_valid_answers_201_with_waiting_order(api, creator, suppliers, service_user):
    response = api.post(LIST, order_body(suppliers), format="json")

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
    response = api.post(LIST, order_body(suppliers), format="json")

    data = response.json()["data"]
    order = Order.objects.get()
    assert WIRE_DATETIME.match(data["created_at"])
    assert WIRE_DATETIME.match(data["updated_at"])
    assert data["created_at"] == wire(order.created_at)
    assert data["updated_at"] == wire(order.updated_at)
    # Asia/Shanghai is UTC+8 all year: the wire time is 8 hours ahead of the stored UTC.
    shown = datetime.strptime(data["created_at"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=SHANGHAI)
    assert abs((shown - order.created_at).total_seconds()) < 1


def test_post_order_journals_creation(api, creator, suppliers):
    response = api.post(LIST, order_body(suppliers), format="json")

    (row,) = Journal.objects.filter(order_id=response.json()["data"]["id"])
    assert row.operation == "create"
    assert (row.source, row.target) == ("created", "waiting")
    assert (row.workflow_source, row.workflow_target) == ("in_progress", "in_progress")
    assert row.operator == creator
    assert row.operator_name == "张三"


def test_post_order_serial_numbers_sequential_per_day(api, suppliers):
    serials = [
        api.post(LIST, order_body(suppliers, remark=f"第{n}单"), format="json").json()["data"]["serial_number"]
        for n in range(3)
    ]

    assert serials == [f"SH{today()}0001", f"SH{today()}0002", f"SH{today()}0003"]


def test_post_order_refused_create_does_not_consume_serial_number(api, suppliers):
    refused = api.post(LIST, order_body(suppliers, customer_name="无此工厂"), format="json")
    accepted = api.post(LIST, order_body(suppliers), format="json")

    assert refused.status_code == 400
    assert accepted.json()["data"]["serial_number"] == f"SH{today()}0001"


@pytest.mark.parametrize("field", ["type", "customer_name", "accuser_name", "creator_name", "reason", "remark"])
def test_post_order_missing_required_field_answers_400_naming_it(api, suppliers, field):
    body = order_body(suppliers)
    del body[field]

    response = api.post(LIST, body, format="json")

    errors = assert_field_error(response, field)
    assert list(errors) == [field]
    assert field in response.json()["message"]
    assert Order.objects.count() == 0
    assert Journal.objects.count() == 0


@pytest.mark.parametrize("field", ["type", "customer_name", "accuser_name", "creator_name", "reason", "remark"])
@pytest.mark.parametrize("value", ["", "   ", None])
def test_post_order_blank_required_field_answers_400(api, suppliers, field, value):
    response = api.post(LIST, order_body(suppliers, **{field: value}), format="json")

    assert_field_error(response, field)
    assert Order.objects.count() == 0


def test_post_order_missing_everything_answers_400_naming_all_required(api, suppliers):
    response = api.post(LIST, {}, format="json")

    errors = assert_field_error(response, "type", "customer_name", "accuser_name", "creator_name", "reason", "remark")
    assert set(errors) == {"type", "customer_name", "accuser_name", "creator_name", "reason", "remark"}
    assert Order.objects.count() == 0


@pytest.mark.parametrize("field", ["customer_name", "accuser_name"])
def test_post_order_unknown_supplier_answers_400(api, suppliers, field):
    response = api.post(LIST, order_body(suppliers, **{field: "无此工厂"}), format="json")

    errors = assert_field_error(response, field)
    assert list(errors) == [field]
    assert "无此工厂" in errors[field][0]
    assert Order.objects.count() == 0


@pytest.mark.parametrize("field", ["customer_name", "accuser_name"])
def test_post_order_inactive_supplier_answers_400(api, suppliers, field):
    SupplierFactory(name="停用工厂", active=False)

    response = api.post(LIST, order_body(suppliers, **{field: "停用工厂"}), format="json")

    assert list(assert_field_error(response, field)) == [field]
    assert Order.objects.count() == 0


@pytest.mark.parametrize("reason", ["质量", "finished", "成品 ", "", 1, ["成品"]])
def test_post_order_reason_outside_enum_answers_400_listing_allowed(api, suppliers, reason):
    response = api.post(LIST, order_body(suppliers, reason=reason), format="json")

    errors = assert_field_error(response, "reason")
    if reason not in ("", "成品 "):
        message = errors["reason"][0]
        for allowed in ("成品", "材料", "其它"):
            assert allowed in message
    assert Order.objects.count() == 0


@pytest.mark.parametrize("reason", ["成品", "材料", "其它"])
def test_post_order_each_allowed_reason_accepted(api, suppliers, reason):
    response = api.post(LIST, order_body(suppliers, reason=reason), format="json")

    assert response.status_code == 201
    assert response.json()["data"]["reason"] == reason
    assert Order.objects.get().reason == reason


def test_post_order_one_megabyte_remark_answers_400(api, suppliers):
    response = api.post(LIST, order_body(suppliers, remark="x" * 1_000_000), format="json")

    errors = assert_field_error(response, "remark")
    assert list(errors) == ["remark"]
    assert Order.objects.count() == 0


def test_post_order_remark_at_limit_accepted_whole(api, suppliers):
    remark = "异" * 5000

    response = api.post(LIST, order_body(suppliers, remark=remark), format="json")

    assert response.status_code == 201
    assert response.json()["data"]["remark"] == remark
    assert Order.objects.get().remark == remark


def test_post_order_remark_over_limit_answers_400_not_cut(api, suppliers):
    response = api.post(LIST, order_body(suppliers, remark="异" * 5001), format="json")

    assert list(assert_field_error(response, "remark")) == ["remark"]
    assert Order.objects.count() == 0


@pytest.mark.parametrize("field", ["type", "customer_name", "accuser_name", "creator_name", "saler"])
def test_post_order_name_over_100_chars_answers_400(api, suppliers, field):
    response = api.post(LIST, order_body(suppliers, **{field: "名" * 101}), format="json")

    assert list(assert_field_error(response, field)) == [field]
    assert Order.objects.count() == 0


@pytest.mark.parametrize("field", ["type", "creator_name"])
def test_post_order_name_at_100_chars_accepted_whole(api, suppliers, field):
    OptionValue.objects.create(category="ordertype", value="名" * 100, position=99)  # `type` takes a listed value

    response = api.post(LIST, order_body(suppliers, **{field: "名" * 100}), format="json")

    assert response.status_code == 201
    assert response.json()["data"][field] == "名" * 100
    assert getattr(Order.objects.get(), field) == "名" * 100


@pytest.mark.parametrize("field", ["type", "customer_name", "accuser_name", "creator_name", "remark", "saler"])
def test_post_order_nul_byte_in_text_answers_400(api, suppliers, field):
    response = api.post(LIST, order_body(suppliers, **{field: "a\u0000b"}), format="json")

    assert list(assert_field_error(response, field)) == [field]
    assert Order.objects.count() == 0


def test_post_order_nul_byte_in_line_remark_answers_400(api, suppliers, products):
    body = order_body(suppliers, abnormal_products=[{"skuCode": "SKU-1", "remark": "x\u0000"}])

    response = api.post(LIST, body, format="json")

    assert_field_error(response, "abnormal_products")
    assert Order.objects.count() == 0
    assert AbnormalProduct.objects.count() == 0


@pytest.mark.parametrize("field", ["type", "remark", "creator_name"])
def test_post_order_non_string_text_answers_400(api, suppliers, field):
    response = api.post(LIST, order_body(suppliers, **{field: {"a": 1}}), format="json")

    assert_field_error(response, field)
    assert Order.objects.count() == 0


def test_post_order_without_saler_defaults_to_defendant_specialist(api, suppliers, service_user):
    response = api.post(LIST, order_body(suppliers), format="json")

    assert response.json()["data"]["saler"] == "李四"
    assert Order.objects.get().saler == service_user


def test_post_order_defendant_without_specialist_leaves_saler_empty(api, suppliers):
    SupplierFactory(name="无专员工厂")

    response = api.post(LIST, order_body(suppliers, customer_name="无专员工厂"), format="json")

    assert response.status_code == 201
    assert response.json()["data"]["saler"] == ""
    assert Order.objects.get().saler is None


def test_post_order_defendant_specialist_without_full_name_shown_by_username(api, suppliers, manager_user):
    SupplierFactory(name="无名专员厂", specialist=manager_user)

    response = api.post(LIST, order_body(suppliers, customer_name="无名专员厂"), format="json")

    assert response.json()["data"]["saler"] == "manager1"
    assert Order.objects.get().saler == manager_user


@pytest.mark.parametrize(
    ("given", "username", "shown"),
    [("service2", "service2", "service2"), ("李四", "service1", "李四"), ("service1", "service1", "李四")],
)
def test_post_order_explicit_saler_by_username_or_full_name(api, users, suppliers, given, username, shown):
    UserFactory(username="service2", roles=[SERVICE])  # a specialist without a full name

    response = api.post(LIST, order_body(suppliers, saler=given), format="json")

    assert response.status_code == 201, response.content
    assert response.json()["data"]["saler"] == shown
    assert Order.objects.get().saler.username == username


def test_post_order_explicit_saler_first_and_last_name_accepted(api, suppliers):
    specialist = UserFactory(username="wzhang", first_name="Wei", last_name="Zhang", roles=[SERVICE])

    response = api.post(LIST, order_body(suppliers, saler="Wei Zhang"), format="json")

    assert response.status_code == 201, response.content
    assert response.json()["data"]["saler"] == "Wei Zhang"
    assert Order.objects.get().saler == specialist


def test_post_order_unknown_saler_answers_400(api, suppliers):
    response = api.post(LIST, order_body(suppliers, saler="查无此人"), format="json")

    assert list(assert_field_error(response, "saler")) == ["saler"]
    assert Order.objects.count() == 0


def test_post_order_inactive_saler_answers_400(api, suppliers):
    UserFactory(username="gone", is_active=False)

    response = api.post(LIST, order_body(suppliers, saler="gone"), format="json")

    assert_field_error(response, "saler")
    assert Order.objects.count() == 0


def test_post_order_ambiguous_full_name_saler_answers_400(api, suppliers):
    UserFactory(username="a1", first_name="同名")
    UserFactory(username="a2", first_name="同名")

    response = api.post(LIST, order_body(suppliers, saler="同名"), format="json")

    assert_field_error(response, "saler")
    assert Order.objects.count() == 0


def test_post_order_legacy_aliases_accepted(api, users, suppliers, products):
    body = order_body(suppliers)
    del body["creator_name"]
    body.update(
        creater_name="老客户端",
        saler_name="service1",
        product_list=[{"skuCode": "SKU-1", "remark": "开裂"}, {"skuCode": "SKU-2"}],
    )

    response = api.post(LIST, body, format="json")

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
    response = api.post(LIST, order_body(suppliers, creater_name="旧名字"), format="json")

    assert response.json()["data"]["creator_name"] == "张三"


def test_post_order_with_abnormal_products_answers_lines(api, suppliers, products):
    body = order_body(suppliers, abnormal_products=[{"skuCode": "SKU-3", "remark": "色差"}])

    response = api.post(LIST, body, format="json")

    (line,) = response.json()["data"]["abnormal_products"]
    assert set(line) == {"id", "skuCode", "remark", "product_item_name"}
    assert line["skuCode"] == "SKU-3"
    assert line["product_item_name"] == "沙发3"
    assert AbnormalProduct.objects.get().pk == line["id"]


def test_post_order_unknown_sku_answers_400_and_creates_nothing(api, suppliers, products):
    body = order_body(suppliers, abnormal_products=[{"skuCode": "SKU-1"}, {"skuCode": "NOPE"}])

    response = api.post(LIST, body, format="json")

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

    response = api.post(LIST, body, format="json")

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

    response = api.post(LIST, body, format="json")

    assert response.status_code == 201
    data = response.json()["data"]
    assert (data["duty_report"], data["tracks"], data["deductions"]) == (None, [], [])
    assert DutyReport.objects.count() == Track.objects.count() == Deduction.objects.count() == 0


def test_post_order_plain_user_may_create(clients, suppliers, other_creator):
    response = clients["other"].post(LIST, order_body(suppliers), format="json")

    assert response.status_code == 201
    assert Order.objects.get().creator == other_creator


def test_post_order_created_order_visible_to_its_creator(api, suppliers):
    created = api.post(LIST, order_body(suppliers), format="json").json()["data"]

    fetched = api.get(detail(created["id"]))

    assert fetched.status_code == 200
    assert fetched.json()["data"] == created


# --- GET orders: filters ------------------------------------------------------------------------------------
@pytest.fixture
def catalogue_orders(users, suppliers):
    """Four orders in different states, by different people, against different suppliers."""
    other_factory = SupplierFactory(name="其他工厂", role="成品商")
    UserFactory(username="service2", first_name="王五", roles=[SERVICE])
    o1 = make_order(users["creator"], suppliers["customer"], suppliers["accuser"])
    o2 = make_order(users["creator"], suppliers["customer"], suppliers["accuser"], remark="抽屉卡顿")
    advance(users, o2, "service_approving")
    o3 = make_order(
        users["service"],
        other_factory,
        suppliers["customer"],
        type="交期投诉",
        reason="材料",
        remark="延迟交货",
        saler="service2",
    )
    services.order_update(user=users["service"], order_id=o3.pk, operation="halt")
    o4 = make_order(users["other"], other_factory, suppliers["accuser"], reason="其它", remark="包装破损")
    return [Order.objects.get(pk=o.pk) for o in (o1, o2, o3, o4)]


def listed(client, **params):
    response = client.get(LIST, {"per_page": 100, **params})
    return set(ids(response))


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {0, 1, 2, 3}),
        ({"status": "waiting"}, {0, 2, 3}),
        ({"status": "waitting"}, {0, 2, 3}),
        ({"status": "service_approving"}, {1}),
        ({"status": "end"}, set()),
        ({"workflow_status": "halt"}, {2}),
        ({"workflow_status": "in_progress"}, {0, 1, 3}),
        ({"workflow_status": "cancel"}, set()),
        ({"status": "waiting", "workflow_status": "in_progress"}, {0, 3}),
        ({"creator_name": "张三"}, {0, 1}),
        ({"creator_name": "creator"}, {0, 1}),
        ({"creater_name": "张三"}, {0, 1}),
        ({"creater_name": "creator"}, {0, 1}),
        ({"creator_name": "李四"}, {2}),
        ({"creator_name": "service1"}, {2}),
        ({"creator_name": "other"}, {3}),
        ({"creator_name": "查无此人"}, set()),
        ({"saler": "李四"}, {0, 1}),
        ({"saler": "service1"}, {0, 1}),
        ({"saler_name": "李四"}, {0, 1}),
        ({"saler_name": "service1"}, {0, 1}),
        ({"saler": "service2"}, {2}),
        ({"saler": "王五"}, {2}),
        ({"customer_name": "被告工厂"}, {0, 1}),
        ({"customer_name": "其他工厂"}, {2, 3}),
        ({"accuser_name": "被告工厂"}, {2}),
        ({"accuser_name": "原告材料厂"}, {0, 1, 3}),
        ({"type": "交期投诉"}, {2}),
        ({"type": "质量投诉"}, {0, 1, 3}),
        ({"reason": "成品"}, {0, 1}),
        ({"reason": "材料"}, {2}),
        ({"reason": "其它"}, {3}),
        ({"key_word": "抽屉"}, {1}),
        ({"key_word": "其他"}, {2, 3}),
        ({"key_word": "原告"}, {0, 1, 3}),
        ({"key_word": "不存在的词"}, set()),
        ({"creator_name": "张三", "status": "service_approving"}, {1}),
    ],
)
def test_get_orders_filter_answers_matching_orders(clients, catalogue_orders, params, expected):
    assert listed(clients["service"], **params) == {catalogue_orders[i].pk for i in expected}


def test_get_orders_filter_serial_number_exact(clients, catalogue_orders):
    target = catalogue_orders[1]

    assert listed(clients["service"], serial_number=target.serial_number) == {target.pk}
    assert listed(clients["service"], serial_number=target.serial_number[:-1]) == set()


def test_get_orders_key_word_matches_serial_number_part(clients, catalogue_orders):
    target = catalogue_orders[2]

    assert listed(clients["service"], key_word=target.serial_number[-4:]) == {target.pk}
    assert listed(clients["service"], key_word=target.serial_number[:10]) == {o.pk for o in catalogue_orders}


def test_get_orders_canonical_filter_wins_over_legacy_alias(clients, catalogue_orders):
    assert listed(clients["service"], creator_name="李四", creater_name="张三") == {catalogue_orders[2].pk}


def test_get_orders_created_after_before_use_local_dates(clients, catalogue_orders):
    o1, o2, o3, o4 = catalogue_orders
    # 00:30 in Shanghai on the 21st is still the 20th in UTC: the filter must use the local date.
    Order.objects.filter(pk=o1.pk).update(created_at=datetime(2024, 1, 10, 12, 0, tzinfo=SHANGHAI))
    Order.objects.filter(pk=o2.pk).update(created_at=datetime(2024, 1, 21, 0, 30, tzinfo=SHANGHAI))
    Order.objects.filter(pk=o3.pk).update(created_at=datetime(2024, 1, 20, 23, 59, 59, tzinfo=SHANGHAI))
    Order.objects.filter(pk=o4.pk).update(created_at=datetime(2024, 2, 1, 8, 0, tzinfo=SHANGHAI))
    service = clients["service"]

    assert listed(service, created_after="2024-01-21") == {o2.pk, o4.pk}
    assert listed(service, created_before="2024-01-20") == {o1.pk, o3.pk}
    assert listed(service, created_after="2024-01-20", created_before="2024-01-21") == {o2.pk, o3.pk}
    assert listed(service, created_after="2024-01-10", created_before="2024-01-10") == {o1.pk}
    assert listed(service, created_after="2024-02-02") == set()
    assert listed(service, created_after="2024-02-01", created_before="2024-01-01") == set()


@pytest.mark.parametrize("param", ["created_after", "created_before"])
@pytest.mark.parametrize("value", ["2024-13-01", "2024-02-30", "yesterday", "20240101x"])
def test_get_orders_bad_date_answers_400(clients, catalogue_orders, param, value):
    response = clients["service"].get(LIST, {param: value})

    assert list(assert_field_error(response, param)) == [param]


@pytest.mark.parametrize(
    ("param", "allowed"),
    [
        ("status", ALL_STATUSES),
        ("workflow_status", ["halt", "in_progress", "done", "cancel", "overdue"]),
        ("reason", ["成品", "材料", "其它"]),
    ],
)
def test_get_orders_unknown_enum_answers_400_listing_allowed(clients, catalogue_orders, param, allowed):
    response = clients["service"].get(LIST, {param: "bogus"})

    errors = assert_field_error(response, param)
    assert list(errors) == [param]
    message = errors[param][0]
    assert "bogus" in message
    for value in allowed:
        assert value in message


@pytest.mark.parametrize("param", ["creator_name", "saler", "customer_name", "accuser_name", "type", "key_word"])
def test_get_orders_overlong_filter_answers_400(clients, catalogue_orders, param):
    response = clients["service"].get(LIST, {param: "x" * 101})

    assert_field_error(response, param)


def test_get_orders_unknown_parameter_ignored(clients, catalogue_orders):
    assert listed(clients["service"], colour="red") == {o.pk for o in catalogue_orders}


# --- GET orders: ordering -----------------------------------------------------------------------------------
def test_get_orders_default_order_most_recently_updated_first(api, creator, suppliers):
    first, second, third = (make_order(creator, suppliers["customer"], suppliers["accuser"]) for _ in range(3))

    assert ids(api.get(LIST)) == [third.pk, second.pk, first.pk]

    touched = api.put(detail(first.pk), {"remark": "更新后"}, format="json")
    assert touched.status_code == 200

    assert ids(api.get(LIST)) == [first.pk, third.pk, second.pk]


def test_get_orders_equal_updated_at_ordered_by_id_descending(api, creator, suppliers):
    orders = [make_order(creator, suppliers["customer"], suppliers["accuser"]) for _ in range(4)]
    same = timezone.now()
    Order.objects.update(updated_at=same)

    assert ids(api.get(LIST)) == [o.pk for o in reversed(orders)]
    assert ids(api.get(LIST, {"per_page": 2, "page": 2})) == [orders[1].pk, orders[0].pk]


# --- Visibility ---------------------------------------------------------------------------------------------
def test_get_orders_plain_user_sees_only_own_orders(clients, catalogue_orders):
    o1, o2, _o3, o4 = catalogue_orders

    assert listed(clients["creator"]) == {o1.pk, o2.pk}
    assert listed(clients["other"]) == {o4.pk}


def test_get_orders_plain_user_sees_orders_assigned_to_them(clients, users, suppliers, catalogue_orders):
    assigned, _ = order_for_former_specialist(users["creator"], suppliers["customer"], suppliers["accuser"], "other")

    assert listed(clients["other"]) == {catalogue_orders[3].pk, assigned.pk}
    assert clients["other"].get(detail(assigned.pk)).status_code == 200


def test_get_orders_plain_user_total_counts_only_visible(clients, catalogue_orders):
    response = clients["other"].get(LIST)

    assert response.json()["pagination"]["total"] == 1


@pytest.mark.parametrize("role", ["service", "manager", "chief", "finance", "superuser"])
def test_get_orders_role_user_sees_all_orders(clients, catalogue_orders, role):
    assert listed(clients[role]) == {o.pk for o in catalogue_orders}


@pytest.mark.parametrize("role", ["service", "manager", "chief", "finance", "superuser"])
def test_get_order_role_user_sees_any_order_detail(clients, catalogue_orders, role):
    response = clients[role].get(detail(catalogue_orders[3].pk))

    assert response.status_code == 200
    assert response.json()["data"]["id"] == catalogue_orders[3].pk


def test_get_orders_deleted_order_hidden_from_everyone(clients, users, catalogue_orders):
    services.order_delete(user=users["creator"], order_id=catalogue_orders[0].pk)

    assert catalogue_orders[0].pk not in listed(clients["creator"])
    assert catalogue_orders[0].pk not in listed(clients["superuser"])


NESTED = [
    ("get", "orders/{id}", None),
    ("put", "orders/{id}", {"remark": "偷改"}),
    ("patch", "orders/{id}", {"remark": "偷改"}),
    ("put", "orders/{id}", {"operation": "done"}),
    ("delete", "orders/{id}", None),
    ("get", "{id}/journals", None),
    ("get", "orders/{id}/journals", None),
    ("get", "orders/{id}/abnormal-products", None),
    ("post", "orders/{id}/abnormal-products", {"skuCode": "SKU-1"}),
    ("post", "orders/{id}/abnormal-products", [{"skuCode": "SKU-1"}]),
    ("get", "orders/{id}/abnormal-products/{line}", None),
    ("put", "orders/{id}/abnormal-products/{line}", {"remark": "偷改"}),
    ("delete", "orders/{id}/abnormal-products/{line}", None),
    ("get", "orders/{id}/duty-report", None),
    ("put", "orders/{id}/duty-report", {"duty_to": "偷改"}),
    ("get", "orders/{id}/tracks", None),
    ("post", "orders/{id}/tracks", {"remark": "偷看"}),
    ("get", "orders/{id}/deductions", None),
    ("post", "orders/{id}/deductions", {"compensation": "1"}),
    ("put", "orders/{id}/deductions/{deduction}", {"compensation": "1"}),
    ("delete", "orders/{id}/deductions/{deduction}", None),
]


@pytest.fixture
def full_order(users, suppliers, products):
    """The creator's order, back at `waiting`, with one of every nested record: the specialist wrote
    the duty report and a deduction at service_approved, then rejected the order back twice."""
    order = make_order(
        users["creator"], suppliers["customer"], suppliers["accuser"], abnormal_products=[{"sku_code": "SKU-1"}]
    )
    services.track_add(user=users["creator"], order_id=order.pk, remark="已联系工厂")
    advance(users, order, "service_approved")
    services.duty_report_upsert(user=users["service"], order_id=order.pk, values={"duty_to": "被告工厂"})
    services.deduction_add(user=users["service"], order_id=order.pk, values={"compensation": Decimal("100")})
    for _ in range(2):
        services.order_update(user=users["service"], order_id=order.pk, operation="reject", remark="补充照片")
    return Order.objects.get(pk=order.pk)


def _nested_path(template, order):
    return BASE + template.format(
        id=order.pk, line=order.abnormal_products.get().pk, deduction=order.deductions.get().pk
    )


@pytest.mark.parametrize(("method", "template", "body"), NESTED, ids=[f"{m} {t}" for m, t, _ in NESTED])
def test_request_other_users_order_answers_404_and_changes_nothing(clients, full_order, method, template, body):
    before = state()

    response = getattr(clients["other"], method)(_nested_path(template, full_order), body, format="json")

    body = assert_error(response, 404, "not_found")
    assert body["data"] is None
    assert state() == before


@pytest.mark.parametrize(("method", "template", "body"), NESTED, ids=[f"{m} {t}" for m, t, _ in NESTED])
def test_request_deleted_order_answers_404(clients, users, full_order, method, template, body):
    path = _nested_path(template, full_order)
    Order.objects.filter(pk=full_order.pk).update(is_deleted=True)
    before = state()

    response = getattr(clients["service"], method)(path, body, format="json")

    assert_error(response, 404, "not_found")
    assert state() == before


@pytest.mark.parametrize(("method", "template", "body"), NESTED, ids=[f"{m} {t}" for m, t, _ in NESTED])
def test_request_missing_order_answers_404(clients, full_order, method, template, body):
    path = _nested_path(template, full_order).replace(f"/{full_order.pk}/", "/999999/", 1)
    path = re.sub(rf"/{full_order.pk}$", "/999999", path)
    before = state()

    response = getattr(clients["superuser"], method)(path, body, format="json")

    assert_error(response, 404, "not_found")
    assert state() == before


# --- GET orders/<id> ----------------------------------------------------------------------------------------
def test_get_order_answers_full_order(api, users, full_order, finance_user):
    response = api.get(detail(full_order.pk))

    assert response.status_code == 200
    data = response.json()["data"]
    assert set(data) == ORDER_FIELDS
    assert data["id"] == full_order.pk
    assert data["charge_number"] == f"CH{today()}0001"
    assert data["last_reject_reason"] == "补充照片"
    (line,) = data["abnormal_products"]
    assert line == {
        "id": full_order.abnormal_products.get().pk,
        "skuCode": "SKU-1",
        "remark": "",
        "product_item_name": "沙发1",
    }
    assert data["duty_report"] == {
        "abnormal_type": "",
        "abnormal_reason": "",
        "publishment": "",
        "publish_to": "",
        "compensation": None,
        "duty_to_id": full_order.customer_id,
        "duty_to": "被告工厂",
        "duty_date": None,
    }
    (track,) = data["tracks"]
    assert set(track) == {"id", "remark", "operator_name", "created_at"}
    assert (track["remark"], track["operator_name"]) == ("已联系工厂", "张三")
    assert WIRE_DATETIME.match(track["created_at"])
    (deduction,) = data["deductions"]
    assert set(deduction) == {"id", "compensation", "has_receipt", "remark", "created_at"}
    assert (deduction["compensation"], deduction["has_receipt"], deduction["remark"]) == ("100.00", False, "")
    assert WIRE_DATETIME.match(deduction["created_at"])


def test_get_order_detail_equals_list_item(api, full_order):
    listed_item = api.get(LIST).json()["data"][0]

    assert api.get(detail(full_order.pk)).json()["data"] == listed_item


@pytest.mark.parametrize(
    ("client_name", "operations"),
    [
        ("creator", ["done", "halt", "cancel"]),
        ("service", ["done", "halt", "cancel"]),
        ("manager", ["halt", "cancel"]),
        ("superuser", ["done", "halt", "cancel"]),
    ],
)
def test_get_order_operations_follow_requesting_user(clients, full_order, client_name, operations):
    response = clients[client_name].get(detail(full_order.pk))

    assert response.json()["data"]["operations"] == operations


def test_get_order_resubmitted_shows_latest_summitted_at(api, users, full_order):
    services.order_update(user=users["creator"], order_id=full_order.pk, operation="done")
    full_order.refresh_from_db()

    data = api.get(detail(full_order.pk)).json()["data"]

    assert data["status"] == "service_approving"
    assert data["summitted_at"] == wire(full_order.summitted_at)
    assert data["operations"] == ["halt", "cancel"]


# --- PUT/PATCH orders/<id> (header fields) ------------------------------------------------------------------
@pytest.mark.parametrize("method", ["put", "patch"])
def test_put_order_header_fields_updated(api, creator, suppliers, method):
    order = make_order(creator, suppliers["customer"], suppliers["accuser"])
    SupplierFactory(name="新被告厂")

    response = getattr(api, method)(
        detail(order.pk),
        {"type": "交期投诉", "remark": "新的描述", "reason": "材料", "customer_name": "新被告厂"},
        format="json",
    )

    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert (data["type"], data["remark"], data["reason"], data["customer_name"]) == (
        "交期投诉",
        "新的描述",
        "材料",
        "新被告厂",
    )
    order.refresh_from_db()
    assert (order.type, order.remark, order.reason, order.customer.name) == ("交期投诉", "新的描述", "材料", "新被告厂")
    assert data["updated_at"] == wire(order.updated_at)


def test_put_order_only_given_fields_change(api, creator, suppliers):
    order = make_order(creator, suppliers["customer"], suppliers["accuser"])
    before = Order.objects.filter(pk=order.pk).values().get()

    response = api.put(detail(order.pk), {"type": "交期投诉"}, format="json")

    assert response.status_code == 200
    after = Order.objects.filter(pk=order.pk).values().get()
    changed = {key for key in before if before[key] != after[key]}
    assert changed == {"type", "updated_at"}


def test_put_order_saler_by_username_updates_saler(api, creator, suppliers):
    order = make_order(creator, suppliers["customer"], suppliers["accuser"])
    specialist = UserFactory(username="service2", roles=[SERVICE])

    response = api.put(detail(order.pk), {"saler": "service2"}, format="json")

    assert response.json()["data"]["saler"] == "service2"
    order.refresh_from_db()
    assert order.saler == specialist


def test_put_order_legacy_saler_name_and_creater_name_accepted(api, creator, suppliers):
    order = make_order(creator, suppliers["customer"], suppliers["accuser"])
    UserFactory(username="service2", roles=[SERVICE])

    response = api.put(detail(order.pk), {"saler_name": "service2", "creater_name": "新名字"}, format="json")

    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["saler"], data["creator_name"]) == ("service2", "新名字")


def test_put_order_empty_body_changes_nothing(api, creator, suppliers):
    order = make_order(creator, suppliers["customer"], suppliers["accuser"])
    before = state()

    response = api.put(detail(order.pk), {}, format="json")

    assert response.status_code == 200
    assert response.json()["data"]["id"] == order.pk
    assert state() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"customer_name": "无此工厂"}, "customer_name"),
        ({"accuser_name": "无此工厂"}, "accuser_name"),
        ({"reason": "质量"}, "reason"),
        ({"type": ""}, "type"),
        ({"remark": ""}, "remark"),
        ({"remark": "x" * 5001}, "remark"),
        ({"creator_name": "名" * 101}, "creator_name"),
        ({"saler": "查无此人"}, "saler"),
        ({"type": "a\u0000"}, "type"),
    ],
)
def test_put_order_invalid_header_answers_400_and_changes_nothing(api, creator, suppliers, body, field):
    order = make_order(creator, suppliers["customer"], suppliers["accuser"])
    before = state()

    response = api.put(detail(order.pk), {"type": "交期投诉", **body}, format="json")

    assert field in assert_field_error(response, field)
    assert state() == before


def test_put_order_read_only_fields_ignored(api, creator, suppliers):
    order = make_order(creator, suppliers["customer"], suppliers["accuser"])

    response = api.put(
        detail(order.pk),
        {"status": "end", "workflow_status": "done", "serial_number": "X", "charge_number": "Y", "id": 1},
        format="json",
    )

    assert response.status_code == 200
    order.refresh_from_db()
    assert (order.status, order.workflow_status, order.charge_number) == ("waiting", "in_progress", None)
    assert order.serial_number.startswith("SH")


def test_put_order_plain_assigned_specialist_may_not_edit(clients, users, suppliers):
    order, _ = order_for_former_specialist(users["creator"], suppliers["customer"], suppliers["accuser"], "other")
    before = state()

    response = clients["other"].put(detail(order.pk), {"remark": "专员改"}, format="json")

    assert_error(response, 403, "permission_denied")
    assert state() == before


def test_put_order_header_after_submission_reviewed_answers_409(clients, users, suppliers):
    order = make_order(users["creator"], suppliers["customer"], suppliers["accuser"])
    advance(users, order, "service_approved")
    before = state()

    response = clients["service"].put(detail(order.pk), {"type": "交期投诉"}, format="json")

    assert_error(response, 409, "invalid_operation")
    assert state() == before


# --- DELETE orders/<id> -------------------------------------------------------------------------------------
def test_delete_order_answers_200_null_then_404(api, creator, suppliers):
    order = make_order(creator, suppliers["customer"], suppliers["accuser"])

    response = api.delete(detail(order.pk))

    assert response.status_code == 200
    assert response.json() == {"status": 0, "message": "ok", "data": None}
    assert_error(api.get(detail(order.pk)), 404, "not_found")
    assert_error(api.delete(detail(order.pk)), 404, "not_found")
    assert_error(api.put(detail(order.pk), {"remark": "复活"}, format="json"), 404, "not_found")
    assert ids(api.get(LIST)) == []


def test_delete_order_soft_deletes_and_journals(api, creator, suppliers):
    order = make_order(creator, suppliers["customer"], suppliers["accuser"])

    api.delete(detail(order.pk), {"remark": "重复提交"}, format="json")

    order.refresh_from_db()
    assert order.is_deleted is True
    assert order.deleted_at is not None
    last = Journal.objects.filter(order=order).order_by("id").last()
    assert (last.operation, last.remark, last.operator) == ("delete", "重复提交", creator)


def test_delete_order_without_body_accepted(api, creator, suppliers):
    order = make_order(creator, suppliers["customer"], suppliers["accuser"])

    response = api.delete(detail(order.pk))

    assert response.status_code == 200
    assert Order.objects.get(pk=order.pk).is_deleted


@pytest.mark.parametrize("role", ["manager", "chief", "finance"])
def test_delete_order_role_other_than_service_answers_403(clients, users, suppliers, role):
    order = make_order(users["creator"], suppliers["customer"], suppliers["accuser"])
    before = state()

    response = clients[role].delete(detail(order.pk))

    assert_error(response, 403, "permission_denied")
    assert state() == before


def test_delete_order_by_service_answers_200(clients, users, suppliers):
    order = make_order(users["creator"], suppliers["customer"], suppliers["accuser"])

    response = clients["service"].delete(detail(order.pk))

    assert response.status_code == 200
    assert Order.objects.get(pk=order.pk).is_deleted


def test_delete_order_after_submission_answers_409(api, users, suppliers):
    order = make_order(users["creator"], suppliers["customer"], suppliers["accuser"])
    advance(users, order, "service_approving")
    before = state()

    response = api.delete(detail(order.pk))

    assert_error(response, 409, "invalid_operation")
    assert state() == before


# --- Journals -----------------------------------------------------------------------------------------------
@pytest.fixture
def journaled_order(users, suppliers):
    order = make_order(users["creator"], suppliers["customer"], suppliers["accuser"], reason="其它")
    services.order_update(
        user=users["creator"], order_id=order.pk, operation="done", remark="提交", operator_name="张三"
    )
    services.order_update(user=users["service"], order_id=order.pk, operation="reject", remark="缺照片")
    return order


@pytest.mark.parametrize("template", ["{id}/journals", "orders/{id}/journals", "{id}/journals/"])
def test_get_journals_answers_rows_oldest_first(api, journaled_order, template):
    response = api.get(BASE + template.format(id=journaled_order.pk))

    assert response.status_code == 200
    body = response.json()
    assert body["pagination"] == {"page": 1, "per_page": 20, "total": 3, "pages": 1}
    rows = body["data"]
    assert all(set(row) == JOURNAL_FIELDS for row in rows)
    assert [row["id"] for row in rows] == sorted(row["id"] for row in rows)
    assert [(r["operation"], r["source"], r["target"]) for r in rows] == [
        ("create", "created", "waiting"),
        ("done", "waiting", "service_approving"),
        ("reject", "service_approving", "waiting"),
    ]
    assert all(r["workflow_source"] == r["workflow_target"] == "in_progress" for r in rows)
    assert [r["operator_name"] for r in rows] == ["张三", "张三", "李四"]
    assert [r["remark"] for r in rows] == ["", "提交", "缺照片"]
    assert all(r["order_id"] == journaled_order.pk for r in rows)
    stored = Journal.objects.filter(order=journaled_order).order_by("id")
    assert [r["created_at"] for r in rows] == [wire(j.created_at) for j in stored]


def test_get_journals_both_paths_answer_same_body(api, journaled_order):
    short = api.get(f"{BASE}{journaled_order.pk}/journals")
    long = api.get(f"{BASE}orders/{journaled_order.pk}/journals")

    assert short.json() == long.json()


def test_get_journals_paginated(api, journaled_order):
    response = api.get(f"{BASE}{journaled_order.pk}/journals", {"per_page": 1, "page": 2})

    body = response.json()
    assert [row["operation"] for row in body["data"]] == ["done"]
    assert body["pagination"] == {"page": 2, "per_page": 1, "total": 3, "pages": 3}


def test_get_journals_page_past_end_answers_empty_list(api, journaled_order):
    response = api.get(f"{BASE}orders/{journaled_order.pk}/journals", {"page": 9})

    assert response.status_code == 200
    assert response.json()["data"] == []
    assert response.json()["pagination"] == {"page": 9, "per_page": 20, "total": 3, "pages": 1}


def test_get_journals_only_this_orders_rows(api, creator, suppliers, journaled_order):
    make_order(creator, suppliers["customer"], suppliers["accuser"])

    rows = api.get(f"{BASE}{journaled_order.pk}/journals").json()["data"]

    assert {row["order_id"] for row in rows} == {journaled_order.pk}


@pytest.mark.parametrize("value", ["0", "101", "x"])
def test_get_journals_bad_per_page_answers_400(api, journaled_order, value):
    response = api.get(f"{BASE}{journaled_order.pk}/journals", {"per_page": value})

    assert list(assert_field_error(response, "per_page")) == ["per_page"]


# --- Query counts -------------------------------------------------------------------------------------------
# Token + role groups + count + orders + one query per nested collection (lines, tracks,
# deductions; the duty report is joined) — whatever the page size.
LIST_QUERY_BOUND = 7
# The same without the count.
DETAIL_QUERY_BOUND = 6


@pytest.fixture
def busy_orders(users, suppliers):
    """100 orders, each with two abnormal products, two tracks, two deductions and a duty report."""
    products = [ProductFactory(sku_code=f"Q-{i}", item_name=f"查询{i}") for i in range(2)]
    orders = [
        make_order(
            users["creator"],
            suppliers["customer"],
            suppliers["accuser"],
            abnormal_products=[{"sku_code": p.sku_code, "remark": "坏"} for p in products],
        )
        for _ in range(100)
    ]
    DutyReport.objects.bulk_create(
        DutyReport(order=o, abnormal_type="质量", compensation=Decimal("5000"), duty_to="被告工厂") for o in orders
    )
    Track.objects.bulk_create(
        Track(order=o, remark=f"跟进{n}", operator=users["creator"], operator_name="张三")
        for o in orders
        for n in range(2)
    )
    Deduction.objects.bulk_create(Deduction(order=o, compensation=Decimal(n + 1)) for o in orders for n in range(2))
    return orders


@pytest.mark.parametrize("per_page", [1, 20, 100])
@pytest.mark.parametrize("client_name", ["creator", "service"])
def test_get_orders_query_count_flat_in_page_size(
    clients, busy_orders, django_assert_max_num_queries, per_page, client_name
):
    client = clients[client_name]

    with django_assert_max_num_queries(LIST_QUERY_BOUND):
        response = client.get(LIST, {"per_page": per_page})

    data = response.json()["data"]
    assert len(data) == per_page
    assert all(len(o["abnormal_products"]) == 2 and len(o["tracks"]) == 2 for o in data)
    assert all(len(o["deductions"]) == 2 and o["duty_report"]["compensation"] == "5000.00" for o in data)


def test_get_orders_query_count_with_filters_flat(clients, busy_orders, django_assert_max_num_queries):
    with django_assert_max_num_queries(LIST_QUERY_BOUND):
        response = clients["service"].get(
            LIST, {"per_page": 100, "status": "waitting", "creator_name": "张三", "saler": "李四", "key_word": "SH"}
        )

    assert len(response.json()["data"]) == 100


def test_get_order_detail_query_count_bounded(clients, busy_orders, django_assert_max_num_queries):
    with django_assert_max_num_queries(DETAIL_QUERY_BOUND):
        response = clients["creator"].get(detail(busy_orders[0].pk))

    assert response.status_code == 200
    assert len(response.json()["data"]["abnormal_products"]) == 2
