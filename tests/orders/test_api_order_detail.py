"""`GET/PUT/PATCH/DELETE orders/<id>` (docs/api.md): the order as shown, header updates, soft
delete, and 404 for orders a user may not see."""

import re
from decimal import Decimal

import pytest

from orders import services
from orders.models import Journal, Order
from orders.workflow import SERVICE
from tests.factories import (
    SupplierFactory,
    UserFactory,
    make_order,
    order_for_former_specialist,
)
from tests.helpers import (
    BASE,
    ORDER_FIELDS,
    ORDERS,
    advance,
    assert_error,
    assert_field_error,
    db_state,
    ids,
    order_url,
    today,
    wire_datetime,
)

WIRE_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


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


def _nested_path(template, order):
    return BASE + template.format(
        id=order.pk, line=order.abnormal_products.get().pk, deduction=order.deductions.get().pk
    )


# --- Someone else's, deleted or missing orders ----------------------------------------------------
def assert_every_request_not_found(client, paths):
    """Each of NESTED (method, path, body) answers the 404 envelope and changes nothing."""
    before = db_state()
    for (method, template, body), path in zip(NESTED, paths, strict=True):
        response = getattr(client, method)(path, body, format="json")
        assert assert_error(response, 404, "not_found")["data"] is None, (method, template)
        assert db_state() == before, (method, template)


def test_request_other_users_order_answers_404_and_changes_nothing(clients, full_order):
    assert_every_request_not_found(clients["other"], [_nested_path(t, full_order) for _m, t, _b in NESTED])


def test_request_deleted_order_answers_404_and_changes_nothing(clients, full_order):
    paths = [_nested_path(t, full_order) for _m, t, _b in NESTED]
    Order.objects.filter(pk=full_order.pk).update(is_deleted=True)

    assert_every_request_not_found(clients["service"], paths)


def test_request_missing_order_answers_404_and_changes_nothing(clients, full_order):
    paths = []
    for _method, template, _body in NESTED:
        path = _nested_path(template, full_order).replace(f"/{full_order.pk}/", "/999999/", 1)
        paths.append(re.sub(rf"/{full_order.pk}$", "/999999", path))

    assert_every_request_not_found(clients["superuser"], paths)


# --- GET orders/<id> ------------------------------------------------------------------------------
def test_get_order_answers_full_order(api, users, full_order, finance_user):
    response = api.get(order_url(full_order.pk))

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
    listed_item = api.get(ORDERS).json()["data"][0]

    assert api.get(order_url(full_order.pk)).json()["data"] == listed_item


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
    response = clients[client_name].get(order_url(full_order.pk))

    assert response.json()["data"]["operations"] == operations


def test_get_order_resubmitted_shows_latest_summitted_at(api, users, full_order):
    services.order_update(user=users["creator"], order_id=full_order.pk, operation="done")
    full_order.refresh_from_db()

    data = api.get(order_url(full_order.pk)).json()["data"]

    assert data["status"] == "service_approving"
    assert data["summitted_at"] == wire_datetime(full_order.summitted_at)
    assert data["operations"] == ["halt", "cancel"]


# --- PUT/PATCH orders/<id> (header fields) --------------------------------------------------------
@pytest.mark.parametrize("method", ["put", "patch"])
def test_put_order_header_fields_updated(api, creator, suppliers, method):
    order = make_order(creator, suppliers["customer"], suppliers["accuser"])
    SupplierFactory(name="新被告厂")

    response = getattr(api, method)(
        order_url(order.pk),
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
    assert data["updated_at"] == wire_datetime(order.updated_at)


def test_put_order_only_given_fields_change(api, creator, suppliers):
    order = make_order(creator, suppliers["customer"], suppliers["accuser"])
    before = Order.objects.filter(pk=order.pk).values().get()

    response = api.put(order_url(order.pk), {"type": "交期投诉"}, format="json")

    assert response.status_code == 200
    after = Order.objects.filter(pk=order.pk).values().get()
    changed = {key for key in before if before[key] != after[key]}
    assert changed == {"type", "updated_at"}


def test_put_order_saler_by_username_updates_saler(api, creator, suppliers):
    order = make_order(creator, suppliers["customer"], suppliers["accuser"])
    specialist = UserFactory(username="service2", roles=[SERVICE])

    response = api.put(order_url(order.pk), {"saler": "service2"}, format="json")

    assert response.json()["data"]["saler"] == "service2"
    order.refresh_from_db()
    assert order.saler == specialist


def test_put_order_legacy_saler_name_and_creater_name_accepted(api, creator, suppliers):
    order = make_order(creator, suppliers["customer"], suppliers["accuser"])
    UserFactory(username="service2", roles=[SERVICE])

    response = api.put(order_url(order.pk), {"saler_name": "service2", "creater_name": "新名字"}, format="json")

    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["saler"], data["creator_name"]) == ("service2", "新名字")


def test_put_order_empty_body_changes_nothing(api, creator, suppliers):
    order = make_order(creator, suppliers["customer"], suppliers["accuser"])
    before = db_state()

    response = api.put(order_url(order.pk), {}, format="json")

    assert response.status_code == 200
    assert response.json()["data"]["id"] == order.pk
    assert db_state() == before


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
    before = db_state()

    response = api.put(order_url(order.pk), {"type": "交期投诉", **body}, format="json")

    assert field in assert_field_error(response, field)
    assert db_state() == before


def test_put_order_read_only_fields_ignored(api, creator, suppliers):
    order = make_order(creator, suppliers["customer"], suppliers["accuser"])

    response = api.put(
        order_url(order.pk),
        {"status": "end", "workflow_status": "done", "serial_number": "X", "charge_number": "Y", "id": 1},
        format="json",
    )

    assert response.status_code == 200
    order.refresh_from_db()
    assert (order.status, order.workflow_status, order.charge_number) == ("waiting", "in_progress", None)
    assert order.serial_number.startswith("SH")


def test_put_order_plain_assigned_specialist_may_not_edit(clients, users, suppliers):
    order, _ = order_for_former_specialist(users["creator"], suppliers["customer"], suppliers["accuser"], "other")
    before = db_state()

    response = clients["other"].put(order_url(order.pk), {"remark": "专员改"}, format="json")

    assert_error(response, 403, "permission_denied")
    assert db_state() == before


def test_put_order_header_after_submission_reviewed_answers_409(clients, users, suppliers):
    order = make_order(users["creator"], suppliers["customer"], suppliers["accuser"])
    advance(users, order, "service_approved")
    before = db_state()

    response = clients["service"].put(order_url(order.pk), {"type": "交期投诉"}, format="json")

    assert_error(response, 409, "invalid_operation")
    assert db_state() == before


# --- DELETE orders/<id> ---------------------------------------------------------------------------
def test_delete_order_answers_200_null_then_404(api, creator, suppliers):
    order = make_order(creator, suppliers["customer"], suppliers["accuser"])

    response = api.delete(order_url(order.pk))

    assert response.status_code == 200
    assert response.json() == {"status": 0, "message": "ok", "data": None}
    assert_error(api.get(order_url(order.pk)), 404, "not_found")
    assert_error(api.delete(order_url(order.pk)), 404, "not_found")
    assert_error(api.put(order_url(order.pk), {"remark": "复活"}, format="json"), 404, "not_found")
    assert ids(api.get(ORDERS)) == []


def test_delete_order_soft_deletes_and_journals(api, creator, suppliers):
    order = make_order(creator, suppliers["customer"], suppliers["accuser"])

    api.delete(order_url(order.pk), {"remark": "重复提交"}, format="json")

    order.refresh_from_db()
    assert order.is_deleted is True
    assert order.deleted_at is not None
    last = Journal.objects.filter(order=order).order_by("id").last()
    assert (last.operation, last.remark, last.operator) == ("delete", "重复提交", creator)


def test_delete_order_without_body_accepted(api, creator, suppliers):
    order = make_order(creator, suppliers["customer"], suppliers["accuser"])

    response = api.delete(order_url(order.pk))

    assert response.status_code == 200
    assert Order.objects.get(pk=order.pk).is_deleted


def test_delete_order_after_submission_answers_409(api, users, suppliers):
    order = make_order(users["creator"], suppliers["customer"], suppliers["accuser"])
    advance(users, order, "service_approving")
    before = db_state()

    response = api.delete(order_url(order.pk))

    assert_error(response, 409, "invalid_operation")
    assert db_state() == before


@pytest.mark.parametrize(
    ("who", "http_status"),
    [
        ("creator", 200),
        ("service", 200),
        ("superuser", 200),
        ("manager", 403),
        ("chief", 403),
        ("finance", 403),
        ("other", 404),
    ],
)
def test_delete_waiting_order_only_by_creator_or_service(clients, users, suppliers, who, http_status):
    order = make_order(users["creator"], suppliers["customer"], suppliers["accuser"])
    before = db_state()

    response = clients[who].delete(order_url(order.pk), {"remark": "重复提交"}, format="json")

    assert response.status_code == http_status, response.json()
    if http_status != 200:
        assert db_state() == before
        return
    assert response.json() == {"status": 0, "message": "ok", "data": None}
    stored = Order.objects.get(pk=order.pk)
    assert stored.is_deleted and stored.deleted_at is not None
    assert (stored.status, stored.workflow_status) == ("waiting", "in_progress")
    journal = Journal.objects.filter(order=order).last()
    assert (
        journal.operation,
        journal.source,
        journal.target,
        journal.workflow_source,
        journal.workflow_target,
        journal.operator_id,
        journal.remark,
    ) == ("delete", "waiting", "waiting", "in_progress", "in_progress", users[who].pk, "重复提交")
    assert Journal.objects.filter(order=order).count() == len(before["journal"]) + 1
    # Gone from the API for everyone, journal included; still in the database.
    for key in ("creator", "service", "superuser"):
        assert clients[key].get(order_url(order.pk)).status_code == 404
        assert clients[key].get(order_url(order.pk, "/journals")).status_code == 404
        assert order.pk not in [row["id"] for row in clients[key].get(ORDERS).json()["data"]]
        assert clients[key].put(order_url(order.pk), {"operation": "done"}, format="json").status_code == 404
        assert clients[key].delete(order_url(order.pk)).status_code == 404
