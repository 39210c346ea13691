"""What a request body may be (docs/api.md, "Requests"): JSON only, well formed, UTF-8, at most 2 MiB — and no
body, however hostile, answers a 500 or a traceback."""

import json

import pytest

from orders.models import Order
from tests.factories import make_order, order_body
from tests.helpers import BASE, assert_error, raw


# --- Malformed bodies ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "body",
    [
        b'{"type": ',
        b"{'type': 'x'}",
        b'{"type": "x",}',
        b"nope",
        b'{"a": NaN}',
        b'{"a": 1}{"b": 2}',
        b"\x00",
    ],
    ids=["truncated", "single-quotes", "trailing-comma", "bare-word", "nan", "two-documents", "nul"],
)
def test_post_malformed_json_answers_400_parse_error(api, suppliers, body):
    response = raw(api, "post", "orders", body)

    body = assert_error(response, 400, "parse_error")
    assert body["data"] is None
    assert Order.objects.count() == 0


def test_put_malformed_json_answers_400_and_changes_nothing(api, creator, suppliers):
    order = make_order(creator, suppliers["customer"], suppliers["accuser"])

    response = raw(api, "put", f"orders/{order.pk}", b'{"remark": "new"')

    assert_error(response, 400, "parse_error")
    order.refresh_from_db()
    assert order.remark == "表面划伤"


@pytest.mark.parametrize(
    "body",
    [b'{"type": "\xff\xfe"}', b"\xff\xfe{\x00}", '{"remark": "表面"}'.encode("gbk")],
    ids=["invalid-bytes", "utf16-bom", "gbk"],
)
def test_post_non_utf8_body_answers_400(api, suppliers, body):
    response = raw(api, "post", "orders", body)

    assert_error(response, 400, "parse_error")
    assert Order.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [b"[" * 5000 + b"]" * 5000, b'{"a":' * 5000 + b"1" + b"}" * 5000],
    ids=["arrays", "objects"],
)
def test_post_deeply_nested_json_answers_400(api, suppliers, body):
    response = raw(api, "post", "orders", body)

    assert_error(response, 400, "parse_error")
    assert Order.objects.count() == 0


def test_post_deeply_nested_json_on_nested_endpoint_answers_400(api, creator, suppliers):
    order = make_order(creator, suppliers["customer"], suppliers["accuser"])

    response = raw(api, "post", f"orders/{order.pk}/abnormal-products", b"[" * 5000 + b"]" * 5000)

    assert_error(response, 400, "parse_error")
    assert order.abnormal_products.count() == 0


@pytest.mark.parametrize(
    "body",
    ["[]", '"text"', "42", "null", "true", '[{"type": "x"}]'],
    ids=["empty-list", "string", "number", "null", "true", "list-of-objects"],
)
def test_post_orders_non_object_json_answers_400_validation_error(api, suppliers, body):
    response = raw(api, "post", "orders", body)

    assert_error(response, 400, "validation_error")
    assert Order.objects.count() == 0


def test_post_huge_number_answers_400_not_500(api, suppliers):
    body = json.dumps(order_body(suppliers))[:-1] + ', "id": ' + "9" * 5000 + "}"

    response = raw(api, "post", "orders", body)

    assert response.status_code == 400
    assert response.json()["status"] == 400
    assert Order.objects.count() == 0


# --- Body size ----------------------------------------------------------------------------------------------
def test_post_body_over_2mib_answers_413_request_too_large(api, suppliers):
    body = json.dumps(order_body(suppliers, remark="x" * (2 * 1024 * 1024)))

    response = raw(api, "post", "orders", body)

    body = assert_error(response, 413, "request_too_large")
    assert body["data"] is None
    assert response["X-Request-ID"]
    assert Order.objects.count() == 0


def test_put_body_over_2mib_answers_413_and_changes_nothing(api, creator, suppliers):
    order = make_order(creator, suppliers["customer"], suppliers["accuser"])
    body = json.dumps({"remark": "y" * (2 * 1024 * 1024 + 1)})

    response = raw(api, "put", f"orders/{order.pk}", body)

    assert_error(response, 413, "request_too_large")
    order.refresh_from_db()
    assert order.remark == "表面划伤"


def test_post_body_over_2mib_anonymous_answers_413(db, anon_client):
    response = raw(anon_client, "post", "orders", "[" + "1," * (1024 * 1024 + 10) + "1]")

    assert_error(response, 413, "request_too_large")


def test_post_body_just_under_2mib_is_parsed_and_validated(api, suppliers):
    # Under the limit the body is read; the oversize remark is then a 400, not a 413.
    body = json.dumps(order_body(suppliers, remark="x" * (2 * 1024 * 1024 - 400)))
    assert len(body) < 2 * 1024 * 1024

    response = raw(api, "post", "orders", body)

    errors = assert_error(response, 400, "validation_error")["data"]["errors"]
    assert list(errors) == ["remark"]
    assert Order.objects.count() == 0


# --- Content types ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "application/xml", "text/json"],
)
def test_post_wrong_content_type_answers_415(api, suppliers, content_type):
    response = raw(api, "post", "orders", json.dumps(order_body(suppliers)), content_type=content_type)

    body = assert_error(response, 415, "unsupported_media_type")
    assert body["data"] is None
    assert Order.objects.count() == 0


def test_post_multipart_form_answers_415(api, suppliers):
    response = api.post(BASE + "orders", order_body(suppliers), format="multipart")

    assert_error(response, 415, "unsupported_media_type")
    assert Order.objects.count() == 0


def test_put_form_content_type_answers_415_and_changes_nothing(api, creator, suppliers):
    order = make_order(creator, suppliers["customer"], suppliers["accuser"])

    response = raw(api, "put", f"orders/{order.pk}", "remark=new", content_type="application/x-www-form-urlencoded")

    assert_error(response, 415, "unsupported_media_type")
    order.refresh_from_db()
    assert order.remark == "表面划伤"


def test_post_json_with_charset_parameter_accepted(api, suppliers):
    body = json.dumps(order_body(suppliers))

    response = raw(api, "post", "orders", body, content_type="application/json; charset=utf-8")

    assert response.status_code == 201
    assert Order.objects.count() == 1


# --- No stack traces ----------------------------------------------------------------------------------------
HOSTILE_BODIES = [
    b'{"type": ',
    b"\xff\xfe\xfd",
    b"[" * 5000 + b"]" * 5000,
    b'{"type": ["a"], "reason": {"x": 1}, "remark": 5, "customer_name": null, "accuser_name": true}',
    b'{"abnormal_products": "nope", "product_list": {"a": 1}}',
    b'{"abnormal_products": [null, 1, "x", [], {"skuCode": {"a": 1}}]}',
    b'{"saler": ["x"], "creater_name": 1.5e308}',
    b'{"remark": "\\u0000"}',
    b'{"remark": "\\ud800"}',
    b'{"id": 1e400}',
    b"",
]


@pytest.mark.parametrize("body", HOSTILE_BODIES)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "orders"),
        ("put", "orders/{id}"),
        ("post", "orders/{id}/abnormal-products"),
        ("put", "orders/{id}/duty-report"),
        ("post", "orders/{id}/tracks"),
        ("post", "orders/{id}/deductions"),
    ],
)
def test_write_hostile_body_never_answers_traceback_or_500(clients, users, suppliers, body, method, path):
    order = make_order(users["creator"], suppliers["customer"], suppliers["accuser"])

    response = raw(clients["service"], method, path.format(id=order.pk), body)

    assert response.status_code < 500, response.content
    assert b"Traceback" not in response.content
    assert b'File "' not in response.content
    payload = response.json()
    assert payload["status"] == (0 if response.status_code < 300 else response.status_code)


@pytest.mark.parametrize(
    "query",
    [
        {"page": "9" * 200},
        {"per_page": "\x00"},
        {"status": "\x00"},
        {"created_after": "2026-02-30"},
        {"created_before": "x" * 1000},
        {"key_word": "%" * 500},
        {"key_word": "\x00"},
        {"creator_name": "a" * 1000},
    ],
)
def test_get_orders_hostile_query_never_answers_traceback_or_500(api, query):
    response = api.get(BASE + "orders", query)

    assert response.status_code in (200, 400), response.content
    assert b"Traceback" not in response.content
