"""Nested records of an order (DESIGN.md §7): abnormal products, duty report, tracks, deductions,
and the duty-report option lists."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone

from orders import services
from orders.models import AbnormalProduct, Deduction, DutyReport, Journal, OptionValue, Order, Track
from tests.factories import ProductFactory, SupplierFactory, make_order
from tests.helpers import advance

BASE = "/api/v1/afterservice/"
WIRE_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
LINE_FIELDS = {"id", "skuCode", "remark", "product_item_name"}
REPORT_FIELDS = {
    "abnormal_type",
    "abnormal_reason",
    "publishment",
    "publish_to",
    "compensation",
    "duty_to_id",
    "duty_to",
    "duty_date",
}
SEEDED = {
    "typerank": ["单价", "服务", "货款", "交期", "结算", "其他", "色差", "送货", "损耗", "质量"],
    "reasonrank": ["生产质量把控问题", "不能如期交货", "成品工厂自行采购", "检查方式有误", "质疑质量问题"],
    "dutyrank": ["成品供应商", "材料供应商"],
    "compensationrank": ["5000", "10000", "15000", "20000", "25000", "30000"],
    "publishmentrank": ["处罚", "不处罚"],
}


def state():
    """Everything a nested write could touch, to assert that a refused request changed nothing."""
    return {
        "orders": list(Order.objects.order_by("id").values()),
        "lines": list(AbnormalProduct.objects.order_by("id").values()),
        "reports": list(DutyReport.objects.order_by("id").values()),
        "tracks": list(Track.objects.order_by("id").values()),
        "deductions": list(Deduction.objects.order_by("id").values()),
        "journal": list(Journal.objects.order_by("id").values()),
    }


def assert_ok(response, http_status=200):
    assert response.status_code == http_status, response.content
    body = response.json()
    assert body["status"] == 0
    assert body["message"] == "ok"
    return body["data"]


def assert_error(response, http_status, code):
    assert response.status_code == http_status, response.content
    body = response.json()
    assert body["status"] == http_status
    assert body["code"] == code
    assert body["message"]
    return body


def field_errors(response):
    return assert_error(response, 400, "validation_error")["data"]["errors"]


def today():
    return timezone.localdate().strftime("%Y%m%d")


@pytest.fixture
def order(users, suppliers, products):
    return make_order(users["creator"], suppliers["customer"], suppliers["accuser"])


@pytest.fixture
def other_order(users, suppliers, products):
    return make_order(users["creator"], suppliers["customer"], suppliers["accuser"])


@pytest.fixture
def specialist(clients):
    """The after-sales specialist's client: the duty report and the first deductions are theirs."""
    return clients["service"]


@pytest.fixture
def reviewing(users, order):
    """The order at service_approving, where the specialist writes the duty report."""
    return advance(users, order, "service_approving")


@pytest.fixture
def charging(users, order):
    """The order at service_approved, where the specialist writes deductions."""
    return advance(users, order, "service_approved")


@pytest.fixture
def cancelled_order(users, suppliers, products):
    cancelled = make_order(users["creator"], suppliers["customer"], suppliers["accuser"])
    services.order_update(user=users["creator"], order_id=cancelled.pk, operation="cancel")
    return cancelled


# --- Abnormal products --------------------------------------------------------------------------------------
def lines_url(order_id):
    return f"{BASE}orders/{order_id}/abnormal-products"


def line_url(order_id, line_id):
    return f"{BASE}orders/{order_id}/abnormal-products/{line_id}"


def add_line(order, sku="SKU-1", remark=""):
    (line,) = services.abnormal_products_add(
        user=order.creator, order_id=order.pk, items=[{"sku_code": sku, "remark": remark}]
    )
    return line


def test_get_abnormal_products_none_answers_empty_list_unpaginated(api, order):
    response = api.get(lines_url(order.pk))

    assert assert_ok(response) == []
    assert "pagination" not in response.json()


def test_post_abnormal_product_single_answers_201_object(api, order):
    response = api.post(lines_url(order.pk), {"skuCode": "SKU-2", "remark": "开裂"}, format="json")

    data = assert_ok(response, 201)
    line = AbnormalProduct.objects.get()
    assert data == {"id": line.pk, "skuCode": "SKU-2", "remark": "开裂", "product_item_name": "沙发2"}
    assert (line.order_id, line.sku_code, line.product.sku_code, line.product_item_name) == (
        order.pk,
        "SKU-2",
        "SKU-2",
        "沙发2",
    )


def test_post_abnormal_product_without_remark_stores_empty_remark(api, order):
    data = assert_ok(api.post(lines_url(order.pk), {"skuCode": "SKU-1"}, format="json"), 201)

    assert data["remark"] == ""


def test_post_abnormal_products_list_answers_201_list(api, order):
    body = [{"skuCode": "SKU-1", "remark": "划伤"}, {"skuCode": "SKU-3", "remark": "色差"}]

    data = assert_ok(api.post(lines_url(order.pk), body, format="json"), 201)

    assert [(d["skuCode"], d["remark"], d["product_item_name"]) for d in data] == [
        ("SKU-1", "划伤", "沙发1"),
        ("SKU-3", "色差", "沙发3"),
    ]
    assert all(set(d) == LINE_FIELDS for d in data)
    assert [d["id"] for d in data] == list(
        AbnormalProduct.objects.filter(order=order).order_by("id").values_list("id", flat=True)
    )


def test_post_abnormal_products_legacy_product_list_answers_201_list(api, order):
    body = {"product_list": [{"skuCode": "SKU-1", "remark": "a"}, {"skuCode": "SKU-2", "remark": "b"}]}

    data = assert_ok(api.post(lines_url(order.pk), body, format="json"), 201)

    assert [d["skuCode"] for d in data] == ["SKU-1", "SKU-2"]
    assert AbnormalProduct.objects.filter(order=order).count() == 2


def test_post_abnormal_products_canonical_wrapper_answers_201_list(api, order):
    body = {"abnormal_products": [{"skuCode": "SKU-1"}]}

    data = assert_ok(api.post(lines_url(order.pk), body, format="json"), 201)

    assert [d["skuCode"] for d in data] == ["SKU-1"]


def test_post_abnormal_products_same_sku_twice_adds_two_lines(api, order):
    body = [{"skuCode": "SKU-1", "remark": "左"}, {"skuCode": "SKU-1", "remark": "右"}]

    data = assert_ok(api.post(lines_url(order.pk), body, format="json"), 201)

    assert len(data) == 2
    assert AbnormalProduct.objects.filter(order=order, sku_code="SKU-1").count() == 2


@pytest.mark.parametrize(
    "body",
    [
        [{"skuCode": "SKU-1"}, {"skuCode": "NOPE"}, {"skuCode": "SKU-2"}],
        {"product_list": [{"skuCode": "SKU-1"}, {"skuCode": "NOPE"}, {"skuCode": "SKU-2"}]},
    ],
    ids=["list", "legacy"],
)
def test_post_abnormal_products_batch_with_unknown_sku_answers_400_adds_none(api, order, body):
    add_line(order)
    before = state()

    response = api.post(lines_url(order.pk), body, format="json")

    errors = field_errors(response)
    assert list(errors) == ["abnormal_products"]
    assert list(errors["abnormal_products"]) == ["2"]  # the second element, counted from 1
    assert "NOPE" in errors["abnormal_products"]["2"]["skuCode"][0]
    assert state() == before


def test_post_abnormal_products_batch_with_invalid_item_answers_400_adds_none(api, order):
    before = state()

    response = api.post(lines_url(order.pk), [{"skuCode": "SKU-1"}, {"remark": "缺编号"}], format="json")

    assert list(field_errors(response)) == ["abnormal_products"]
    assert state() == before


def test_post_abnormal_product_single_unknown_sku_answers_400(api, order):
    before = state()

    response = api.post(lines_url(order.pk), {"skuCode": "NOPE", "remark": "x"}, format="json")

    assert list(field_errors(response)) == ["skuCode"]
    assert state() == before


def test_post_abnormal_product_inactive_sku_answers_400(api, order):
    ProductFactory(sku_code="OLD-1", item_name="停产", active=False)
    before = state()

    response = api.post(lines_url(order.pk), {"skuCode": "OLD-1"}, format="json")

    assert list(field_errors(response)) == ["skuCode"]
    assert state() == before


@pytest.mark.parametrize(
    "body",
    [{}, {"remark": "没有编号"}, {"skuCode": ""}, {"skuCode": None}, [], {"product_list": []}, "SKU-1", 5],
    ids=["empty", "no-sku", "blank-sku", "null-sku", "empty-list", "empty-legacy", "string", "number"],
)
def test_post_abnormal_product_invalid_body_answers_400(api, order, body):
    before = state()

    response = api.post(lines_url(order.pk), body, format="json")

    assert_error(response, 400, "validation_error")
    assert state() == before


def test_post_abnormal_product_remark_too_long_answers_400(api, order):
    before = state()

    response = api.post(lines_url(order.pk), {"skuCode": "SKU-1", "remark": "x" * 5001}, format="json")

    assert list(field_errors(response)) == ["remark"]
    assert state() == before


def test_post_abnormal_product_nul_in_remark_answers_400(api, order):
    before = state()

    response = api.post(lines_url(order.pk), {"skuCode": "SKU-1", "remark": "x\u0000y"}, format="json")

    assert list(field_errors(response)) == ["remark"]
    assert state() == before


def test_post_abnormal_product_by_service_at_waiting_allowed(clients, order):
    response = clients["service"].post(lines_url(order.pk), {"skuCode": "SKU-1"}, format="json")

    assert_ok(response, 201)
    assert AbnormalProduct.objects.filter(order=order).count() == 1


@pytest.mark.parametrize("role", ["manager", "chief", "finance"])
def test_post_abnormal_product_by_other_roles_at_waiting_answers_403_unchanged(clients, order, role):
    before = state()

    response = clients[role].post(lines_url(order.pk), {"skuCode": "SKU-1"}, format="json")

    assert_error(response, 403, "permission_denied")
    assert state() == before


def test_post_abnormal_product_cancelled_order_answers_409(api, cancelled_order):
    before = state()

    response = api.post(lines_url(cancelled_order.pk), {"skuCode": "SKU-1"}, format="json")

    assert_error(response, 409, "invalid_operation")
    assert state() == before


def test_post_abnormal_product_touches_order_updated_at(api, order):
    before = Order.objects.get(pk=order.pk).updated_at

    api.post(lines_url(order.pk), {"skuCode": "SKU-1"}, format="json")

    assert Order.objects.get(pk=order.pk).updated_at > before


def test_get_abnormal_products_lists_lines_in_id_order(api, order, other_order):
    first, second = add_line(order, "SKU-2", "a"), add_line(order, "SKU-1", "b")
    add_line(other_order, "SKU-3")

    data = assert_ok(api.get(lines_url(order.pk)))

    assert data == [
        {"id": first.pk, "skuCode": "SKU-2", "remark": "a", "product_item_name": "沙发2"},
        {"id": second.pk, "skuCode": "SKU-1", "remark": "b", "product_item_name": "沙发1"},
    ]


def test_get_abnormal_product_answers_one_line(api, order):
    line = add_line(order, "SKU-3", "色差")

    data = assert_ok(api.get(line_url(order.pk, line.pk)))

    assert data == {"id": line.pk, "skuCode": "SKU-3", "remark": "色差", "product_item_name": "沙发3"}


def test_put_abnormal_product_new_sku_updates_item_name_keeps_remark(api, order):
    line = add_line(order, "SKU-1", "划伤")

    data = assert_ok(api.put(line_url(order.pk, line.pk), {"skuCode": "SKU-2"}, format="json"))

    assert data == {"id": line.pk, "skuCode": "SKU-2", "remark": "划伤", "product_item_name": "沙发2"}
    line.refresh_from_db()
    assert (line.sku_code, line.product.sku_code, line.product_item_name, line.remark) == (
        "SKU-2",
        "SKU-2",
        "沙发2",
        "划伤",
    )


def test_put_abnormal_product_remark_only_keeps_sku(api, order):
    line = add_line(order, "SKU-1", "旧")

    data = assert_ok(api.put(line_url(order.pk, line.pk), {"remark": "新"}, format="json"))

    assert (data["skuCode"], data["remark"]) == ("SKU-1", "新")
    line.refresh_from_db()
    assert (line.sku_code, line.remark) == ("SKU-1", "新")


def test_patch_abnormal_product_updates_like_put(api, order):
    line = add_line(order, "SKU-1", "旧")

    data = assert_ok(api.patch(line_url(order.pk, line.pk), {"remark": "补丁"}, format="json"))

    assert data["remark"] == "补丁"


def test_put_abnormal_product_unknown_sku_answers_400_unchanged(api, order):
    line = add_line(order, "SKU-1", "旧")
    before = state()

    response = api.put(line_url(order.pk, line.pk), {"skuCode": "NOPE", "remark": "新"}, format="json")

    assert list(field_errors(response)) == ["skuCode"]
    assert state() == before


def test_put_abnormal_product_cancelled_order_answers_409_unchanged(api, users, order):
    line = add_line(order, "SKU-1", "旧")
    services.order_update(user=users["creator"], order_id=order.pk, operation="cancel")
    before = state()

    response = api.put(line_url(order.pk, line.pk), {"remark": "新"}, format="json")

    assert_error(response, 409, "invalid_operation")
    assert state() == before


def test_delete_abnormal_product_answers_200_null_then_404(api, order):
    line, kept = add_line(order, "SKU-1"), add_line(order, "SKU-2")

    response = api.delete(line_url(order.pk, line.pk))

    assert response.status_code == 200
    assert response.json() == {"status": 0, "message": "ok", "data": None}
    assert list(AbnormalProduct.objects.filter(order=order)) == [kept]
    assert_error(api.get(line_url(order.pk, line.pk)), 404, "not_found")
    assert_error(api.delete(line_url(order.pk, line.pk)), 404, "not_found")


@pytest.mark.parametrize(
    ("method", "body"), [("get", None), ("put", {"remark": "跨单"}), ("patch", {"remark": "跨单"}), ("delete", None)]
)
def test_request_line_of_another_order_answers_404_unchanged(api, order, other_order, method, body):
    foreign = add_line(other_order, "SKU-1", "别人的")
    before = state()

    response = getattr(api, method)(line_url(order.pk, foreign.pk), body, format="json")

    assert_error(response, 404, "not_found")
    assert state() == before


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_request_missing_line_answers_404(api, order, method):
    response = getattr(api, method)(line_url(order.pk, 999999), {"remark": "x"}, format="json")

    assert_error(response, 404, "not_found")


# --- Duty report --------------------------------------------------------------------------------------------
def report_url(order_id):
    return f"{BASE}orders/{order_id}/duty-report"


FULL_REPORT = {
    "abnormal_type": "质量",
    "abnormal_reason": "生产质量把控问题",
    "publishment": "处罚",
    "publish_to": "成品供应商",
    "compensation": "5000",
    "duty_to": "被告工厂",
    "duty_date": "2026-11-28",
}


def test_get_duty_report_before_one_exists_answers_null(api, order):
    response = api.get(report_url(order.pk))

    assert response.status_code == 200
    assert response.json() == {"status": 0, "message": "ok", "data": None}


def test_put_duty_report_creates_it(specialist, reviewing, suppliers):
    data = assert_ok(specialist.put(report_url(reviewing.pk), FULL_REPORT, format="json"))

    assert set(data) == REPORT_FIELDS
    assert data == {**FULL_REPORT, "compensation": "5000.00", "duty_to_id": suppliers["customer"].pk}
    report = DutyReport.objects.get(order=reviewing)
    assert report.compensation == Decimal("5000.00")
    assert report.duty_to_supplier == suppliers["customer"]
    assert str(report.duty_date) == "2026-11-28"
    assert assert_ok(specialist.get(report_url(reviewing.pk))) == data


def test_put_duty_report_partial_update_keeps_other_fields(specialist, reviewing, suppliers):
    specialist.put(report_url(reviewing.pk), FULL_REPORT, format="json")

    data = assert_ok(
        specialist.put(report_url(reviewing.pk), {"compensation": 100, "publishment": "不处罚"}, format="json")
    )

    assert data == {
        **FULL_REPORT,
        "compensation": "100.00",
        "publishment": "不处罚",
        "duty_to_id": suppliers["customer"].pk,
    }
    assert DutyReport.objects.filter(order=reviewing).count() == 1


def test_patch_duty_report_updates_like_put(specialist, reviewing):
    specialist.put(report_url(reviewing.pk), FULL_REPORT, format="json")

    data = assert_ok(specialist.patch(report_url(reviewing.pk), {"abnormal_type": "交期"}, format="json"))

    assert (data["abnormal_type"], data["abnormal_reason"]) == ("交期", "生产质量把控问题")


def test_put_duty_report_empty_body_creates_empty_report(specialist, reviewing):
    data = assert_ok(specialist.put(report_url(reviewing.pk), {}, format="json"))

    assert data == {
        "abnormal_type": "",
        "abnormal_reason": "",
        "publishment": "",
        "publish_to": "",
        "compensation": None,
        "duty_to_id": None,
        "duty_to": "",
        "duty_date": None,
    }
    assert DutyReport.objects.filter(order=reviewing).count() == 1


def test_put_duty_report_shows_in_order_detail(specialist, reviewing):
    report = assert_ok(specialist.put(report_url(reviewing.pk), FULL_REPORT, format="json"))

    assert assert_ok(specialist.get(f"{BASE}orders/{reviewing.pk}"))["duty_report"] == report


@pytest.mark.parametrize(
    ("field", "option_list"),
    [
        ("abnormal_type", "typerank"),
        ("abnormal_reason", "reasonrank"),
        ("publish_to", "dutyrank"),
        ("publishment", "publishmentrank"),
    ],
)
def test_put_duty_report_value_outside_option_list_answers_400_listing_allowed(
    specialist, reviewing, field, option_list
):
    before = state()

    response = specialist.put(report_url(reviewing.pk), {**FULL_REPORT, field: "乱填的值"}, format="json")

    errors = field_errors(response)
    assert list(errors) == [field]
    message = errors[field][0]
    assert "乱填的值" in message
    for allowed in SEEDED[option_list]:
        assert allowed in message
    assert state() == before


def test_put_duty_report_invalid_option_on_existing_report_keeps_it(specialist, reviewing):
    specialist.put(report_url(reviewing.pk), FULL_REPORT, format="json")
    before = state()

    response = specialist.put(report_url(reviewing.pk), {"abnormal_type": "不存在", "compensation": "1"}, format="json")

    assert list(field_errors(response)) == ["abnormal_type"]
    assert state() == before


def test_put_duty_report_inactive_option_value_answers_400(specialist, reviewing):
    OptionValue.objects.filter(category="typerank", value="质量").update(active=False)
    before = state()

    response = specialist.put(report_url(reviewing.pk), {"abnormal_type": "质量"}, format="json")

    assert list(field_errors(response)) == ["abnormal_type"]
    assert state() == before


def test_put_duty_report_admin_added_option_value_accepted(specialist, reviewing):
    OptionValue.objects.create(category="typerank", value="新类型", position=99)

    data = assert_ok(specialist.put(report_url(reviewing.pk), {"abnormal_type": "新类型"}, format="json"))

    assert data["abnormal_type"] == "新类型"


def test_put_duty_report_blank_option_clears_value(specialist, reviewing):
    specialist.put(report_url(reviewing.pk), FULL_REPORT, format="json")

    data = assert_ok(specialist.put(report_url(reviewing.pk), {"abnormal_type": ""}, format="json"))

    assert data["abnormal_type"] == ""
    assert DutyReport.objects.get(order=reviewing).abnormal_type == ""


def test_put_duty_report_legacy_duty_date_alias_accepted(specialist, reviewing):
    data = assert_ok(specialist.put(report_url(reviewing.pk), {"DutyDate": "2026-01-31"}, format="json"))

    assert data["duty_date"] == "2026-01-31"
    assert "DutyDate" not in data
    assert str(DutyReport.objects.get(order=reviewing).duty_date) == "2026-01-31"


def test_put_duty_report_canonical_duty_date_wins_over_alias(specialist, reviewing):
    data = assert_ok(
        specialist.put(report_url(reviewing.pk), {"duty_date": "2026-02-01", "DutyDate": "2026-01-31"}, format="json")
    )

    assert data["duty_date"] == "2026-02-01"


@pytest.mark.parametrize("value", ["2026-02-30", "31/01/2026", "tomorrow", 20260131])
def test_put_duty_report_bad_date_answers_400(specialist, reviewing, value):
    before = state()

    response = specialist.put(report_url(reviewing.pk), {"duty_date": value}, format="json")

    assert list(field_errors(response)) == ["duty_date"]
    assert state() == before


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        (5000, "5000.00"),
        ("5000", "5000.00"),
        ("5000.00", "5000.00"),
        (5000.5, "5000.50"),
        ("0.1", "0.10"),
        (0, "0.00"),
        ("9999999999.99", "9999999999.99"),
    ],
)
def test_put_duty_report_compensation_number_or_string_answers_two_decimals(specialist, reviewing, given, shown):
    data = assert_ok(specialist.put(report_url(reviewing.pk), {"compensation": given}, format="json"))

    assert data["compensation"] == shown
    stored = DutyReport.objects.get(order=reviewing).compensation
    assert isinstance(stored, Decimal)
    assert stored == Decimal(shown)


@pytest.mark.parametrize("given", [-1, "-0.01", "abc", True, "1.234", "NaN", "Infinity", "-Infinity", "99999999999"])
def test_put_duty_report_invalid_compensation_answers_400(specialist, reviewing, given):
    before = state()

    response = specialist.put(report_url(reviewing.pk), {"compensation": given}, format="json")

    assert list(field_errors(response)) == ["compensation"]
    assert state() == before


def test_put_duty_report_null_compensation_clears_it(specialist, reviewing):
    specialist.put(report_url(reviewing.pk), FULL_REPORT, format="json")

    data = assert_ok(specialist.put(report_url(reviewing.pk), {"compensation": None}, format="json"))

    assert data["compensation"] is None
    assert DutyReport.objects.get(order=reviewing).compensation is None


def test_put_duty_report_duty_to_follows_the_named_supplier_and_empty_clears_it(specialist, reviewing, suppliers):
    named = assert_ok(specialist.put(report_url(reviewing.pk), {"duty_to": "原告材料厂"}, format="json"))
    again = assert_ok(specialist.put(report_url(reviewing.pk), {"duty_to": "被告工厂"}, format="json"))
    cleared = assert_ok(specialist.put(report_url(reviewing.pk), {"duty_to": ""}, format="json"))

    assert (named["duty_to"], named["duty_to_id"]) == ("原告材料厂", suppliers["accuser"].pk)
    assert (again["duty_to"], again["duty_to_id"]) == ("被告工厂", suppliers["customer"].pk)
    assert (cleared["duty_to"], cleared["duty_to_id"]) == ("", None)
    assert DutyReport.objects.get(order=reviewing).duty_to_supplier_id is None


@pytest.mark.parametrize("name", ["仓库搬运组", "停业工厂"], ids=["unknown", "inactive"])
def test_put_duty_report_duty_to_not_an_active_supplier_answers_400_unchanged(specialist, reviewing, name):
    SupplierFactory(name="停业工厂", active=False)
    specialist.put(report_url(reviewing.pk), {"duty_to": "被告工厂"}, format="json")
    before = state()

    response = specialist.put(report_url(reviewing.pk), {"duty_to": name}, format="json")

    errors = field_errors(response)
    assert list(errors) == ["duty_to"]
    assert name in errors["duty_to"][0]
    assert state() == before


def test_put_duty_report_client_duty_to_id_ignored(specialist, reviewing, suppliers):
    data = assert_ok(
        specialist.put(
            report_url(reviewing.pk), {"duty_to": "原告材料厂", "duty_to_id": suppliers["customer"].pk}, format="json"
        )
    )

    assert data["duty_to_id"] == suppliers["accuser"].pk
    assert DutyReport.objects.get(order=reviewing).duty_to_supplier_id == suppliers["accuser"].pk


@pytest.mark.parametrize("field", ["duty_to", "abnormal_type"])
def test_put_duty_report_name_over_100_chars_answers_400(specialist, reviewing, field):
    before = state()

    response = specialist.put(report_url(reviewing.pk), {field: "名" * 101}, format="json")

    assert list(field_errors(response)) == [field]
    assert state() == before


def test_put_duty_report_cancelled_order_answers_409(api, cancelled_order):
    before = state()

    response = api.put(report_url(cancelled_order.pk), FULL_REPORT, format="json")

    assert_error(response, 409, "invalid_operation")
    assert state() == before


@pytest.mark.parametrize(
    ("status", "role"),
    [("service_approving", "service"), ("service_approved", "service"), ("manager_reviewing", "manager")],
)
def test_put_duty_report_by_the_steps_writer_allowed(clients, users, order, status, role):
    advance(users, order, status)

    assert_ok(clients[role].put(report_url(order.pk), {"abnormal_type": "质量"}, format="json"))

    assert DutyReport.objects.get(order=order).abnormal_type == "质量"


@pytest.mark.parametrize("role", ["creator", "manager", "chief", "finance"])
def test_put_duty_report_at_service_approving_by_other_than_service_answers_403_unchanged(clients, reviewing, role):
    before = state()

    response = clients[role].put(report_url(reviewing.pk), {"abnormal_type": "质量"}, format="json")

    assert_error(response, 403, "permission_denied")
    assert state() == before


# --- Tracks -------------------------------------------------------------------------------------------------
def tracks_url(order_id):
    return f"{BASE}orders/{order_id}/tracks"


def test_get_tracks_none_answers_empty_list(api, order):
    response = api.get(tracks_url(order.pk))

    assert assert_ok(response) == []
    assert "pagination" not in response.json()


def test_post_track_answers_201_with_operator_full_name(api, order, creator):
    data = assert_ok(api.post(tracks_url(order.pk), {"remark": "已联系工厂"}, format="json"), 201)

    track = Track.objects.get()
    assert set(data) == {"id", "remark", "operator_name", "created_at"}
    assert (data["id"], data["remark"], data["operator_name"]) == (track.pk, "已联系工厂", "张三")
    assert data["created_at"] == timezone.localtime(track.created_at).strftime("%Y-%m-%d %H:%M:%S")
    assert (track.order_id, track.operator, track.operator_name) == (order.pk, creator, "张三")


def test_post_track_user_without_full_name_defaults_to_username(clients, order):
    data = assert_ok(clients["manager"].post(tracks_url(order.pk), {"remark": "看过"}, format="json"), 201)

    assert data["operator_name"] == "manager1"


@pytest.mark.parametrize("operator_name", ["", None])
def test_post_track_blank_operator_name_defaults_to_user(api, order, operator_name):
    body = {"remark": "跟进"} if operator_name is None else {"remark": "跟进", "operator_name": operator_name}

    data = assert_ok(api.post(tracks_url(order.pk), body, format="json"), 201)

    assert data["operator_name"] == "张三"


def test_post_track_explicit_operator_name_kept(api, order, creator):
    data = assert_ok(api.post(tracks_url(order.pk), {"remark": "跟进", "operator_name": "王经理"}, format="json"), 201)

    assert data["operator_name"] == "王经理"
    assert Track.objects.get().operator == creator


@pytest.mark.parametrize(
    "body",
    [{}, {"remark": ""}, {"remark": "   "}, {"remark": None}, {"remark": "x" * 5001}, {"remark": "a\u0000"}],
    ids=["missing", "empty", "spaces", "null", "too-long", "nul"],
)
def test_post_track_invalid_remark_answers_400(api, order, body):
    before = state()

    response = api.post(tracks_url(order.pk), body, format="json")

    assert list(field_errors(response)) == ["remark"]
    assert state() == before


def test_post_track_operator_name_too_long_answers_400(api, order):
    before = state()

    response = api.post(tracks_url(order.pk), {"remark": "跟进", "operator_name": "名" * 101}, format="json")

    assert list(field_errors(response)) == ["operator_name"]
    assert state() == before


def test_get_tracks_oldest_first(api, clients, order):
    api.post(tracks_url(order.pk), {"remark": "第一"}, format="json")
    clients["service"].post(tracks_url(order.pk), {"remark": "第二"}, format="json")
    api.post(tracks_url(order.pk), {"remark": "第三"}, format="json")

    data = assert_ok(api.get(tracks_url(order.pk)))

    assert [(t["remark"], t["operator_name"]) for t in data] == [("第一", "张三"), ("第二", "李四"), ("第三", "张三")]
    assert [t["id"] for t in data] == sorted(t["id"] for t in data)
    assert all(WIRE_DATETIME.match(t["created_at"]) for t in data)


def test_post_track_cancelled_order_answers_409(api, cancelled_order):
    before = state()

    response = api.post(tracks_url(cancelled_order.pk), {"remark": "跟进"}, format="json")

    assert_error(response, 409, "invalid_operation")
    assert state() == before


def test_put_single_track_path_answers_404_unchanged(api, order):
    track = services.track_add(user=order.creator, order_id=order.pk, remark="不可改")

    response = api.put(f"{tracks_url(order.pk)}/{track.pk}", {"remark": "改"}, format="json")

    assert_error(response, 404, "not_found")
    assert Track.objects.get().remark == "不可改"


# --- Deductions ---------------------------------------------------------------------------------------------
def deductions_url(order_id):
    return f"{BASE}orders/{order_id}/deductions"


def deduction_url(order_id, deduction_id):
    return f"{BASE}orders/{order_id}/deductions/{deduction_id}"


def add_deduction(user, order, amount="100"):
    return services.deduction_add(user=user, order_id=order.pk, values={"compensation": Decimal(amount)})


def test_post_deduction_service_answers_201_and_assigns_charge_number(clients, charging):
    response = clients["service"].post(
        deductions_url(charging.pk), {"compensation": "100.5", "has_receipt": True, "remark": "首笔"}, format="json"
    )

    data = assert_ok(response, 201)
    deduction = Deduction.objects.get()
    assert set(data) == {"id", "compensation", "has_receipt", "remark", "created_at"}
    assert (data["id"], data["compensation"], data["has_receipt"], data["remark"]) == (
        deduction.pk,
        "100.50",
        True,
        "首笔",
    )
    assert WIRE_DATETIME.match(data["created_at"])
    assert deduction.compensation == Decimal("100.50")
    charging.refresh_from_db()
    assert charging.charge_number == f"CH{today()}0001"


def test_post_deduction_second_keeps_charge_number_next_order_gets_next(clients, users, charging, other_order):
    other_order = advance(users, other_order, "service_approved")
    service = clients["service"]
    service.post(deductions_url(charging.pk), {"compensation": 1}, format="json")
    service.post(deductions_url(charging.pk), {"compensation": 2}, format="json")
    service.post(deductions_url(other_order.pk), {"compensation": 3}, format="json")

    charging.refresh_from_db()
    other_order.refresh_from_db()
    assert charging.charge_number == f"CH{today()}0001"
    assert other_order.charge_number == f"CH{today()}0002"
    assert assert_ok(service.get(f"{BASE}orders/{charging.pk}"))["charge_number"] == f"CH{today()}0001"


def test_post_deduction_finance_at_finance_reviewing_allowed(clients, users, charging):
    advance(users, charging, "finance_reviewing")

    assert_ok(clients["finance"].post(deductions_url(charging.pk), {"compensation": "10"}, format="json"), 201)

    assert Deduction.objects.filter(order=charging).count() == 1


@pytest.mark.parametrize("role", ["creator", "manager", "chief", "finance"])
def test_post_deduction_at_service_approved_by_other_than_service_answers_403_unchanged(clients, charging, role):
    before = state()

    response = clients[role].post(deductions_url(charging.pk), {"compensation": "10"}, format="json")

    assert_error(response, 403, "permission_denied")
    assert state() == before
    assert Order.objects.get(pk=charging.pk).charge_number is None


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (True, True),
        (False, False),
        (1, True),
        (0, False),
        ("1", True),
        ("0", False),
        ("true", True),
        ("false", False),
        ("是", True),
        ("否", False),
    ],
)
def test_post_deduction_has_receipt_accepts_boolean_spellings(clients, charging, given, expected):
    data = assert_ok(
        clients["service"].post(deductions_url(charging.pk), {"compensation": 1, "has_receipt": given}, format="json"),
        201,
    )

    assert data["has_receipt"] is expected
    assert Deduction.objects.get().has_receipt is expected


@pytest.mark.parametrize("given", ["maybe", 2, "有", None, []])
def test_post_deduction_invalid_has_receipt_answers_400(clients, charging, given):
    before = state()

    response = clients["service"].post(
        deductions_url(charging.pk), {"compensation": 1, "has_receipt": given}, format="json"
    )

    assert list(field_errors(response)) == ["has_receipt"]
    assert state() == before


def test_post_deduction_has_receipt_omitted_defaults_false(clients, charging):
    data = assert_ok(clients["service"].post(deductions_url(charging.pk), {"compensation": 1}, format="json"), 201)

    assert data["has_receipt"] is False


@pytest.mark.parametrize(
    "body",
    [{}, {"compensation": -1}, {"compensation": "abc"}, {"compensation": None}, {"compensation": "1.001"}],
    ids=["missing", "negative", "text", "null", "three-decimals"],
)
def test_post_deduction_invalid_compensation_answers_400(clients, charging, body):
    before = state()

    response = clients["service"].post(deductions_url(charging.pk), body, format="json")

    assert list(field_errors(response)) == ["compensation"]
    assert state() == before


def test_post_deduction_client_id_ignored(clients, charging):
    data = assert_ok(
        clients["service"].post(deductions_url(charging.pk), {"id": 424242, "compensation": 1}, format="json"), 201
    )

    assert data["id"] != 424242
    assert not Deduction.objects.filter(pk=424242).exists()


def test_post_deduction_cancelled_order_answers_409(clients, cancelled_order):
    before = state()

    response = clients["service"].post(deductions_url(cancelled_order.pk), {"compensation": 1}, format="json")

    assert_error(response, 409, "invalid_operation")
    assert state() == before


def test_get_deductions_creator_reads_list(api, users, charging):
    first = add_deduction(users["service"], charging, "1")
    second = add_deduction(users["service"], charging, "2.5")

    response = api.get(deductions_url(charging.pk))

    data = assert_ok(response)
    assert "pagination" not in response.json()
    assert [(d["id"], d["compensation"]) for d in data] == [(first.pk, "1.00"), (second.pk, "2.50")]


@pytest.mark.parametrize(("status", "role"), [("service_approved", "service"), ("finance_reviewing", "finance")])
def test_put_deduction_by_the_steps_writer_updates_given_fields(clients, users, charging, status, role):
    deduction = add_deduction(users["service"], charging, "100")
    advance(users, charging, status)

    data = assert_ok(clients[role].put(deduction_url(charging.pk, deduction.pk), {"has_receipt": "是"}, format="json"))

    assert (data["compensation"], data["has_receipt"]) == ("100.00", True)
    deduction.refresh_from_db()
    assert (deduction.compensation, deduction.has_receipt) == (Decimal("100.00"), True)


def test_patch_deduction_updates_like_put(clients, users, charging):
    deduction = add_deduction(users["service"], charging, "100")

    data = assert_ok(
        clients["service"].patch(deduction_url(charging.pk, deduction.pk), {"compensation": "7"}, format="json")
    )

    assert data["compensation"] == "7.00"


@pytest.mark.parametrize("role", ["creator", "manager", "chief", "finance"])
def test_put_deduction_at_service_approved_by_other_than_service_answers_403_unchanged(clients, users, charging, role):
    deduction = add_deduction(users["service"], charging)
    before = state()

    response = clients[role].put(deduction_url(charging.pk, deduction.pk), {"compensation": "1"}, format="json")

    assert_error(response, 403, "permission_denied")
    assert state() == before


def test_put_deduction_negative_compensation_answers_400_unchanged(clients, users, charging):
    deduction = add_deduction(users["service"], charging)
    before = state()

    response = clients["service"].put(deduction_url(charging.pk, deduction.pk), {"compensation": "-5"}, format="json")

    assert list(field_errors(response)) == ["compensation"]
    assert state() == before


def test_delete_deduction_answers_200_null_then_gone(clients, users, charging):
    deduction = add_deduction(users["service"], charging)

    response = clients["service"].delete(deduction_url(charging.pk, deduction.pk))

    assert response.status_code == 200
    assert response.json() == {"status": 0, "message": "ok", "data": None}
    assert not Deduction.objects.filter(pk=deduction.pk).exists()
    assert_error(clients["service"].delete(deduction_url(charging.pk, deduction.pk)), 404, "not_found")


@pytest.mark.parametrize("role", ["creator", "manager", "finance"])
def test_delete_deduction_at_service_approved_by_other_than_service_answers_403_unchanged(
    clients, users, charging, role
):
    deduction = add_deduction(users["service"], charging)
    before = state()

    response = clients[role].delete(deduction_url(charging.pk, deduction.pk))

    assert_error(response, 403, "permission_denied")
    assert state() == before


@pytest.mark.parametrize(("method", "body"), [("put", {"compensation": "9"}), ("delete", None)])
def test_request_deduction_of_another_order_answers_404_unchanged(clients, users, charging, other_order, method, body):
    foreign = add_deduction(users["service"], advance(users, other_order, "service_approved"))
    before = state()

    response = getattr(clients["service"], method)(deduction_url(charging.pk, foreign.pk), body, format="json")

    assert_error(response, 404, "not_found")
    assert state() == before


# --- Option lists -------------------------------------------------------------------------------------------
def option_url(name):
    return f"{BASE}dutyreports/{name}"


@pytest.mark.parametrize("name", list(SEEDED))
def test_get_option_list_answers_seeded_values_in_order(api, name):
    response = api.get(option_url(name))

    assert assert_ok(response) == SEEDED[name]
    assert "pagination" not in response.json()


def test_get_abnormalrank_answers_order_reasons(api):
    assert assert_ok(api.get(option_url("abnormalrank"))) == ["成品", "材料", "其它"]


def test_get_option_list_follows_admin_positions_and_active_flag(api):
    OptionValue.objects.filter(category="publishmentrank", value="不处罚").update(position=0)
    OptionValue.objects.create(category="publishmentrank", value="警告", position=5)
    OptionValue.objects.create(category="publishmentrank", value="停用值", position=6, active=False)

    assert assert_ok(api.get(option_url("publishmentrank"))) == ["不处罚", "处罚", "警告"]


@pytest.fixture
def reports(users, suppliers):
    """Duty reports on the creator's orders: 质量 twice, 单价 once; one order of another user."""
    rows = [
        ({"abnormal_type": "质量", "compensation": Decimal("5000")}, "成品"),
        ({"abnormal_type": "质量", "compensation": Decimal("3000.50")}, "成品"),
        ({"abnormal_type": "单价", "compensation": Decimal("10000")}, "材料"),
        ({"abnormal_type": "", "compensation": None}, "其它"),
    ]
    for data, reason in rows:
        order = make_order(users["creator"], suppliers["customer"], suppliers["accuser"], reason=reason)
        advance(users, order, "service_approving")
        services.duty_report_upsert(user=users["service"], order_id=order.pk, values=data)
    foreign = advance(
        users, make_order(users["other"], suppliers["customer"], suppliers["accuser"]), "service_approving"
    )
    services.duty_report_upsert(
        user=users["service"], order_id=foreign.pk, values={"abnormal_type": "色差", "compensation": Decimal("7")}
    )


def zero_rows(values):
    return [{"value": value, "count": 0, "compensation": "0.00"} for value in values]


def test_get_option_stats_ranked_by_use(clients, reports):
    data = assert_ok(clients["service"].get(option_url("typerank"), {"stats": 1}))

    assert data == [
        {"value": "质量", "count": 2, "compensation": "8000.50"},
        {"value": "单价", "count": 1, "compensation": "10000.00"},
        {"value": "色差", "count": 1, "compensation": "7.00"},
        *zero_rows(["服务", "货款", "交期", "结算", "其他", "送货", "损耗"]),
    ]


def test_get_option_stats_plain_user_counts_only_visible_reports(api, reports):
    data = assert_ok(api.get(option_url("typerank"), {"stats": "1"}))

    by_value = {row["value"]: row for row in data}
    assert by_value["色差"] == {"value": "色差", "count": 0, "compensation": "0.00"}
    assert [row["value"] for row in data[:2]] == ["质量", "单价"]


def test_get_option_stats_compensationrank_matches_amounts(clients, reports):
    data = assert_ok(clients["service"].get(option_url("compensationrank"), {"stats": "true"}))

    assert data[:2] == [
        {"value": "5000", "count": 1, "compensation": "5000.00"},
        {"value": "10000", "count": 1, "compensation": "10000.00"},
    ]
    assert data[2:] == zero_rows(["15000", "20000", "25000", "30000"])


def test_get_option_stats_abnormalrank_counts_by_order_reason(clients, reports):
    data = assert_ok(clients["service"].get(option_url("abnormalrank"), {"stats": 1}))

    assert data == [
        {"value": "成品", "count": 3, "compensation": "8007.50"},
        {"value": "材料", "count": 1, "compensation": "10000.00"},
        {"value": "其它", "count": 1, "compensation": "0.00"},
    ]


def test_get_option_stats_without_reports_keeps_display_order(api):
    data = assert_ok(api.get(option_url("dutyrank"), {"stats": 1}))

    assert data == zero_rows(["成品供应商", "材料供应商"])


@pytest.mark.parametrize("value", ["0", "false", ""])
def test_get_option_list_stats_off_answers_plain_values(api, value):
    assert assert_ok(api.get(option_url("dutyrank"), {"stats": value})) == SEEDED["dutyrank"]


@pytest.mark.parametrize("value", ["maybe", "2", "yes please"])
def test_get_option_list_bad_stats_answers_400(api, value):
    response = api.get(option_url("typerank"), {"stats": value})

    assert list(field_errors(response)) == ["stats"]


@pytest.mark.parametrize("name", ["nosuchrank", "typeranks", "TYPERANK", "type-rank", "1"])
def test_get_unknown_option_list_answers_404(api, name):
    response = api.get(option_url(name))

    assert_error(response, 404, "not_found")


def test_get_option_list_anonymous_answers_401(anon_client, db):
    response = anon_client.get(option_url("typerank"))

    assert_error(response, 401, "not_authenticated")
