"""`orders/<id>/abnormal-products` (docs/api.md, docs/workflow.md): add one line or a batch (all or nothing),
read, change and remove lines; SKU codes checked against the catalogue."""

import pytest

from orders import services
from orders.models import AbnormalProduct, Order
from tests.factories import ProductFactory, make_order
from tests.helpers import BASE, assert_error, assert_field_error, assert_ok, db_state

LINE_FIELDS = {"id", "skuCode", "remark", "product_item_name"}


@pytest.fixture
def order(users, suppliers, products):
    return make_order(users["creator"], suppliers["customer"], suppliers["accuser"])


@pytest.fixture
def other_order(users, suppliers, products):
    return make_order(users["creator"], suppliers["customer"], suppliers["accuser"])


@pytest.fixture
def cancelled_order(users, suppliers, products):
    cancelled = make_order(users["creator"], suppliers["customer"], suppliers["accuser"])
    services.order_update(user=users["creator"], order_id=cancelled.pk, operation="cancel")
    return cancelled


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
    before = db_state()

    response = api.post(lines_url(order.pk), body, format="json")

    errors = assert_field_error(response)
    assert list(errors) == ["abnormal_products"]
    assert list(errors["abnormal_products"]) == ["2"]  # the second element, counted from 1
    assert "NOPE" in errors["abnormal_products"]["2"]["skuCode"][0]
    assert db_state() == before


def test_post_abnormal_products_batch_with_invalid_item_answers_400_adds_none(api, order):
    before = db_state()

    response = api.post(lines_url(order.pk), [{"skuCode": "SKU-1"}, {"remark": "缺编号"}], format="json")

    assert list(assert_field_error(response)) == ["abnormal_products"]
    assert db_state() == before


def test_post_abnormal_product_single_unknown_sku_answers_400(api, order):
    before = db_state()

    response = api.post(lines_url(order.pk), {"skuCode": "NOPE", "remark": "x"}, format="json")

    assert list(assert_field_error(response)) == ["skuCode"]
    assert db_state() == before


def test_post_abnormal_product_inactive_sku_answers_400(api, order):
    ProductFactory(sku_code="OLD-1", item_name="停产", active=False)
    before = db_state()

    response = api.post(lines_url(order.pk), {"skuCode": "OLD-1"}, format="json")

    assert list(assert_field_error(response)) == ["skuCode"]
    assert db_state() == before


@pytest.mark.parametrize(
    "body",
    [{}, {"remark": "没有编号"}, {"skuCode": ""}, {"skuCode": None}, [], {"product_list": []}, "SKU-1", 5],
    ids=["empty", "no-sku", "blank-sku", "null-sku", "empty-list", "empty-legacy", "string", "number"],
)
def test_post_abnormal_product_invalid_body_answers_400(api, order, body):
    before = db_state()

    response = api.post(lines_url(order.pk), body, format="json")

    assert_error(response, 400, "validation_error")
    assert db_state() == before


def test_post_abnormal_product_remark_too_long_answers_400(api, order):
    before = db_state()

    response = api.post(lines_url(order.pk), {"skuCode": "SKU-1", "remark": "x" * 5001}, format="json")

    assert list(assert_field_error(response)) == ["remark"]
    assert db_state() == before


def test_post_abnormal_product_nul_in_remark_answers_400(api, order):
    before = db_state()

    response = api.post(lines_url(order.pk), {"skuCode": "SKU-1", "remark": "x\u0000y"}, format="json")

    assert list(assert_field_error(response)) == ["remark"]
    assert db_state() == before


def test_post_abnormal_product_by_service_at_waiting_allowed(clients, order):
    response = clients["service"].post(lines_url(order.pk), {"skuCode": "SKU-1"}, format="json")

    assert_ok(response, 201)
    assert AbnormalProduct.objects.filter(order=order).count() == 1


@pytest.mark.parametrize("role", ["manager", "chief", "finance"])
def test_post_abnormal_product_by_other_roles_at_waiting_answers_403_unchanged(clients, order, role):
    before = db_state()

    response = clients[role].post(lines_url(order.pk), {"skuCode": "SKU-1"}, format="json")

    assert_error(response, 403, "permission_denied")
    assert db_state() == before


def test_post_abnormal_product_cancelled_order_answers_409(api, cancelled_order):
    before = db_state()

    response = api.post(lines_url(cancelled_order.pk), {"skuCode": "SKU-1"}, format="json")

    assert_error(response, 409, "invalid_operation")
    assert db_state() == before


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
    before = db_state()

    response = api.put(line_url(order.pk, line.pk), {"skuCode": "NOPE", "remark": "新"}, format="json")

    assert list(assert_field_error(response)) == ["skuCode"]
    assert db_state() == before


def test_put_abnormal_product_cancelled_order_answers_409_unchanged(api, users, order):
    line = add_line(order, "SKU-1", "旧")
    services.order_update(user=users["creator"], order_id=order.pk, operation="cancel")
    before = db_state()

    response = api.put(line_url(order.pk, line.pk), {"remark": "新"}, format="json")

    assert_error(response, 409, "invalid_operation")
    assert db_state() == before


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
    before = db_state()

    response = getattr(api, method)(line_url(order.pk, foreign.pk), body, format="json")

    assert_error(response, 404, "not_found")
    assert db_state() == before


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_request_missing_line_answers_404(api, order, method):
    body = {} if method == "get" else {"data": {"remark": "x"}, "format": "json"}  # GET data is a query string
    response = getattr(api, method)(line_url(order.pk, 999999), **body)

    assert_error(response, 404, "not_found")
