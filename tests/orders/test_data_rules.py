"""Rules of the data (docs/api.md, docs/limits.md): plaintiff ≠ defendant, `duty_to` an active supplier,
`type` from the admin-managed `ordertype` list, the old app's aliases, `-0` money, the specialist a
`service` user (one answer for anyone else), list errors counted from 1, and the bounds on what one
order and one request may hold.
"""

from __future__ import annotations

import json
import time
from decimal import Decimal
from typing import Any

import pytest

from orders.models import AbnormalProduct, Deduction, DutyReport, OptionValue, Order, Track
from orders.workflow import SERVICE
from tests.factories import UserFactory, make_order, order_body
from tests.helpers import (
    BASE,
    ORDERS,
    advance,
    assert_error,
    assert_field_error,
    assert_ok,
    db_state,
    order_url,
)

ORDER_TYPES = ["质量投诉", "交期投诉", "服务投诉", "结算争议", "其他"]  # the seeded `ordertype` list


@pytest.fixture
def order(users, suppliers, products):
    return make_order(
        users["creator"], suppliers["customer"], suppliers["accuser"], abnormal_products=[{"sku_code": "SKU-1"}]
    )


@pytest.fixture
def reviewing(users, order):
    """The order at service_approving, where the specialist writes the duty report."""
    return advance(users, order, "service_approving")


def label(model: Any, field: str) -> str:
    """A field's label as people read it (the active language's)."""
    return str(model._meta.get_field(field).verbose_name)


# --- Plaintiff and defendant ---------------------------------------------------------------------------
def test_create_with_plaintiff_equal_to_defendant_answers_400_on_accuser_name(api, suppliers):
    before = db_state()

    response = api.post(ORDERS, order_body(suppliers, accuser_name=suppliers["customer"].name), format="json")

    assert list(assert_field_error(response, "accuser_name")) == ["accuser_name"]
    assert db_state() == before


@pytest.mark.parametrize(
    "body",
    [
        {"customer_name": "原告材料厂"},
        {"accuser_name": "被告工厂"},
        {"customer_name": "原告材料厂", "accuser_name": "原告材料厂"},
    ],
    ids=["defendant-becomes-plaintiff", "plaintiff-becomes-defendant", "both-the-same"],
)
def test_update_making_plaintiff_equal_to_defendant_answers_400_unchanged(api, order, body):
    before = db_state()

    response = api.put(order_url(order.pk), body, format="json")

    assert list(assert_field_error(response, "accuser_name")) == ["accuser_name"]
    assert db_state() == before


def test_update_swapping_plaintiff_and_defendant_is_allowed(api, order):
    data = assert_ok(
        api.put(order_url(order.pk), {"customer_name": "原告材料厂", "accuser_name": "被告工厂"}, format="json")
    )

    assert (data["customer_name"], data["accuser_name"]) == ("原告材料厂", "被告工厂")


# --- duty_to --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("via", ["duty-report", "PUT orders/<id>"])
def test_duty_to_not_an_active_supplier_answers_400_unchanged(clients, reviewing, via):
    before = db_state()

    if via == "duty-report":
        response = clients["service"].put(
            order_url(reviewing.pk, "/duty-report"), {"duty_to": "仓库搬运组"}, format="json"
        )
    else:
        response = clients["service"].put(
            order_url(reviewing.pk), {"duty_report": {"duty_to": "仓库搬运组"}}, format="json"
        )

    errors = assert_field_error(response)
    assert "duty_to" in json.dumps(errors) and "仓库搬运组" in json.dumps(errors, ensure_ascii=False)
    assert db_state() == before


# --- type: a value of the `ordertype` list --------------------------------------------------------------
def test_get_ordertype_lists_the_seeded_order_types(api):
    response = api.get(BASE + "dutyreports/ordertype")

    assert assert_ok(response) == ORDER_TYPES
    assert "pagination" not in response.json()


@pytest.mark.parametrize("method", ["post", "put"])
def test_type_outside_the_list_answers_400_naming_the_field_label_and_the_allowed_values(api, suppliers, order, method):
    before = db_state()

    if method == "post":
        response = api.post(ORDERS, order_body(suppliers, type="退货"), format="json")
    else:
        response = api.put(order_url(order.pk), {"type": "退货"}, format="json")

    errors = assert_field_error(response, "type")
    assert list(errors) == ["type"]
    message = errors["type"][0]
    assert "退货" in message and label(Order, "type") in message
    assert all(value in message for value in ORDER_TYPES)
    assert "ordertype" not in response.content.decode()  # the list's internal name is never shown
    assert db_state() == before


def test_type_follows_the_admin_managed_list(api, suppliers):
    OptionValue.objects.create(category="ordertype", value="包装投诉", position=9)
    OptionValue.objects.filter(category="ordertype", value="服务投诉").update(active=False)

    added = api.post(ORDERS, order_body(suppliers, type="包装投诉"), format="json")
    retired = api.post(ORDERS, order_body(suppliers, type="服务投诉", remark="另一单"), format="json")

    assert assert_ok(added, 201)["type"] == "包装投诉"
    assert_field_error(retired, "type")
    assert assert_ok(api.get(BASE + "dutyreports/ordertype")) == [
        "质量投诉",
        "交期投诉",
        "结算争议",
        "其他",
        "包装投诉",
    ]


def test_duty_report_value_outside_its_list_names_the_field_label_not_the_list(clients, reviewing):
    response = clients["service"].put(order_url(reviewing.pk, "/duty-report"), {"abnormal_type": "乱填"}, format="json")

    message = assert_field_error(response, "abnormal_type")["abnormal_type"][0]
    assert label(DutyReport, "abnormal_type") in message
    assert "typerank" not in response.content.decode()


# --- The old app's aliases -------------------------------------------------------------------------------
def test_reason_alias_qita_is_stored_as_the_canonical_other(api, suppliers, order):
    created = assert_ok(api.post(ORDERS, order_body(suppliers, reason="其他"), format="json"), 201)
    updated = assert_ok(api.put(order_url(order.pk), {"reason": "其他"}, format="json"))

    assert (created["reason"], updated["reason"]) == ("其它", "其它")
    assert set(Order.objects.values_list("reason", flat=True)) == {"其它"}


@pytest.mark.parametrize("via", ["duty-report", "PUT orders/<id>"])
def test_publishment_alias_is_stored_as_the_canonical_penalty(clients, reviewing, via):
    if via == "duty-report":
        response = clients["service"].put(
            order_url(reviewing.pk, "/duty-report"), {"publishment": "需要处罚"}, format="json"
        )
        shown = assert_ok(response)["publishment"]
    else:
        response = clients["service"].put(
            order_url(reviewing.pk), {"duty_report": {"publishment": "需要处罚"}}, format="json"
        )
        shown = assert_ok(response)["duty_report"]["publishment"]

    assert shown == "处罚"
    assert DutyReport.objects.get(order=reviewing).publishment == "处罚"


# --- Money: -0 is 0.00 ------------------------------------------------------------------------------------
@pytest.mark.parametrize("given", ["-0", "-0.00", -0.0])
def test_negative_zero_compensation_is_stored_as_zero(clients, users, order, given):
    advance(users, order, "service_approved")
    service = clients["service"]

    report = assert_ok(service.put(order_url(order.pk, "/duty-report"), {"compensation": given}, format="json"))
    deduction = assert_ok(service.post(order_url(order.pk, "/deductions"), {"compensation": given}, format="json"), 201)

    assert (report["compensation"], deduction["compensation"]) == ("0.00", "0.00")
    stored = [DutyReport.objects.get(order=order).compensation, Deduction.objects.get(order=order).compensation]
    assert [str(amount) for amount in stored] == ["0.00", "0.00"]
    assert all(not amount.is_signed() for amount in stored)


# --- The specialist: a `service` user, one answer for anyone else ----------------------------------------
def _saler_refusal(response: Any, name: str) -> dict[str, Any]:
    """The 400 on `saler`, with the name it echoes replaced: what tells one refusal from another."""
    assert list(assert_field_error(response, "saler")) == ["saler"]
    return json.loads(response.content.decode().replace(name, "<name>"))


@pytest.mark.parametrize("method", ["post", "put"])
def test_saler_unknown_or_without_the_service_role_answers_the_same_400(api, users, suppliers, order, method):
    UserFactory(username="gone", roles=[SERVICE], is_active=False)
    names = {
        "unknown": "查无此人",
        "superuser without a role": users["superuser"].username,
        "another role": users["manager"].username,
        "plain user": users["other"].username,
        "inactive specialist": "gone",
    }
    before = db_state()

    refusals = {}
    for case, name in names.items():
        if method == "post":
            response = api.post(ORDERS, order_body(suppliers, saler=name), format="json")
        else:
            response = api.put(order_url(order.pk), {"saler": name}, format="json")
        refusals[case] = _saler_refusal(response, name)

    assert all(refusal == refusals["unknown"] for refusal in refusals.values()), refusals
    assert db_state() == before


# --- List errors count their elements from 1 ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "body", "field", "index", "inner"),
    [
        (
            "orders",
            {"abnormal_products": [{"skuCode": "SKU-1"}, {"skuCode": "NOPE"}]},
            "abnormal_products",
            "2",
            "skuCode",
        ),
        (
            "orders",
            {"abnormal_products": [{"skuCode": "SKU-1"}, {"remark": "缺编号"}]},
            "abnormal_products",
            "2",
            "skuCode",
        ),
        ("detail", {"tracks": [{"remark": "好"}, {"remark": "也好"}, {"remark": ""}]}, "tracks", "3", "remark"),
        ("detail", {"abnormal_products": [{"id": 999999, "skuCode": "SKU-1"}]}, "abnormal_products", "1", "id"),
        (
            "lines",
            [{"skuCode": "SKU-1"}, {"skuCode": "SKU-2"}, {"skuCode": "NOPE"}],
            "abnormal_products",
            "3",
            "skuCode",
        ),
    ],
    ids=["create-unknown-sku", "create-missing-sku", "put-tracks", "put-unknown-line", "add-lines"],
)
def test_list_element_errors_are_counted_from_one(api, suppliers, order, path, body, field, index, inner):
    url = {"orders": ORDERS, "detail": order_url(order.pk), "lines": order_url(order.pk, "/abnormal-products")}[path]
    if path == "orders":
        body = order_body(suppliers, **body)
    before = db_state()

    response = api.post(url, body, format="json") if path != "detail" else api.put(url, body, format="json")

    errors = assert_field_error(response, field)
    assert list(errors[field]) == [index]
    assert inner in errors[field][index]
    assert response.json()["message"].startswith(f"{field}: {index}: {inner}: ")
    assert db_state() == before


def test_deduction_list_errors_are_counted_from_one(clients, users, order):
    advance(users, order, "service_approved")
    before = db_state()

    response = clients["service"].put(
        order_url(order.pk),
        {"deductions": [{"compensation": 1}, {"compensation": 2}, {"compensation": -1}]},
        format="json",
    )

    assert list(assert_field_error(response, "deductions")["deductions"]) == ["3"]
    assert db_state() == before


# --- Bounds: records per order ------------------------------------------------------------------------------
def _fill(order: Order, model: Any, count: int, **fields: Any) -> None:
    model.objects.bulk_create(model(order=order, **fields) for _ in range(count))


@pytest.mark.parametrize("adding", [1, 2])
def test_abnormal_products_beyond_100_per_order_answer_409_conflict(api, order, products, adding):
    # The order holds 101 - adding lines (the fixture's one and these): adding makes 101.
    _fill(order, AbnormalProduct, 100 - adding, product=products[0], sku_code="SKU-1")
    before = db_state()

    body = [{"skuCode": "SKU-2"}] * adding
    response = api.post(order_url(order.pk, "/abnormal-products"), body if adding > 1 else body[0], format="json")

    assert_error(response, 409, "conflict")
    assert "100" in response.json()["message"]
    assert db_state() == before


def test_abnormal_products_up_to_100_per_order_are_accepted(api, order, products):
    _fill(order, AbnormalProduct, 98, product=products[0], sku_code="SKU-1")  # 99 with the fixture's

    assert_ok(api.post(order_url(order.pk, "/abnormal-products"), {"skuCode": "SKU-2"}, format="json"), 201)

    assert AbnormalProduct.objects.filter(order=order).count() == 100


def test_deductions_beyond_50_per_order_answer_409_conflict(clients, users, order):
    advance(users, order, "service_approved")
    _fill(order, Deduction, 50, compensation=Decimal("1"))
    before = db_state()

    response = clients["service"].post(order_url(order.pk, "/deductions"), {"compensation": "1"}, format="json")

    assert_error(response, 409, "conflict")
    assert "50" in response.json()["message"]
    assert db_state() == before


@pytest.mark.parametrize("via", ["POST tracks", "PUT orders/<id>"])
def test_tracks_beyond_200_per_order_answer_409_conflict(api, users, order, via):
    _fill(order, Track, 200, remark="跟进", operator=users["creator"], operator_name="张三")
    before = db_state()

    if via == "POST tracks":
        response = api.post(order_url(order.pk, "/tracks"), {"remark": "第201条"}, format="json")
    else:
        response = api.put(order_url(order.pk), {"tracks": [{"remark": "第201条"}]}, format="json")

    assert_error(response, 409, "conflict")
    assert "200" in response.json()["message"]
    assert db_state() == before


# --- Bounds: lists in a request ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "path", "field", "bound"),
    [
        ("post", "lines", "abnormal_products", 100),
        ("post", "orders", "abnormal_products", 100),
        ("put", "detail", "abnormal_products", 100),
        ("put", "detail", "tracks", 200),
        ("put", "detail", "deductions", 50),
    ],
)
def test_list_longer_than_its_bound_answers_400_before_validating_its_elements(
    api, suppliers, order, method, path, field, bound
):
    elements = [1] * 10_000  # not one of them valid: validating them would answer 10,000 errors
    url = {"orders": ORDERS, "detail": order_url(order.pk), "lines": order_url(order.pk, "/abnormal-products")}[path]
    body = {"orders": order_body(suppliers, abnormal_products=elements), "detail": {field: elements}}.get(
        path, elements
    )
    before = db_state()

    started = time.process_time()
    response = getattr(api, method)(url, body, format="json")
    spent = time.process_time() - started

    errors = assert_field_error(response, field)
    assert isinstance(errors[field], list) and len(errors[field]) == 1  # one sentence about the list, no element errors
    assert str(bound) in errors[field][0] and "10000" in errors[field][0]
    assert len(response.content) < 1024
    assert spent < 2, spent  # the parse and a len(); checking 100,001 elements takes far longer
    assert db_state() == before


@pytest.mark.parametrize("path", ["orders", "detail"])
def test_body_of_more_than_20000_values_refused_before_it_is_parsed(api, suppliers, order, path):
    elements = [1] * 1_040_000  # a 2 MB body: building it alone would cost ~33 MB
    url, body = {
        "orders": (ORDERS, order_body(suppliers, abnormal_products=elements)),
        "detail": (order_url(order.pk), {"tracks": elements}),
    }[path]
    before = db_state()

    started = time.process_time()
    response = (api.post if path == "orders" else api.put)(url, body, format="json")
    spent = time.process_time() - started

    assert_error(response, 400, "parse_error")
    assert "20000" in response.json()["message"].replace(",", "")
    assert len(response.content) < 1024
    assert spent < 2, spent
    assert db_state() == before


def test_invalid_elements_report_at_most_20_errors_in_a_small_body(api, order):
    before = db_state()

    response = api.post(
        order_url(order.pk, "/abnormal-products"), [{"skuCode": {"x": 1}, "remark": 5}] * 100, format="json"
    )

    errors = assert_field_error(response, "abnormal_products")["abnormal_products"]
    assert list(errors) == [*(str(index) for index in range(1, 21)), "more"]  # the first 20, then a count
    assert "80" in errors["more"][0]
    assert len(response.content) < 64 * 1024
    assert db_state() == before
