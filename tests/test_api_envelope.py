"""The wire format every endpoint shares (DESIGN.md §5): envelope, errors, limits, pagination,
languages, request ids, health check and the OpenAPI schema — checked as an outside client would."""

import json
import re

import pytest
from rest_framework.test import APIClient

from orders.models import Order
from tests.conftest import client_for
from tests.factories import make_order, order_body

BASE = "/api/v1/afterservice/"

# Every endpoint of DESIGN.md §7 as (method, path); ids need not exist: auth comes first.
ENDPOINTS = [
    ("get", "orders"),
    ("post", "orders"),
    ("get", "orders/1"),
    ("put", "orders/1"),
    ("patch", "orders/1"),
    ("delete", "orders/1"),
    ("get", "1/journals"),
    ("get", "orders/1/journals"),
    ("get", "orders/1/abnormal-products"),
    ("post", "orders/1/abnormal-products"),
    ("get", "orders/1/abnormal-products/1"),
    ("put", "orders/1/abnormal-products/1"),
    ("delete", "orders/1/abnormal-products/1"),
    ("get", "orders/1/duty-report"),
    ("put", "orders/1/duty-report"),
    ("get", "orders/1/tracks"),
    ("post", "orders/1/tracks"),
    ("get", "orders/1/deductions"),
    ("post", "orders/1/deductions"),
    ("put", "orders/1/deductions/1"),
    ("delete", "orders/1/deductions/1"),
    ("get", "all-products"),
    ("get", "supplier_user_matcher"),
    ("get", "dutyreports/typerank"),
    ("get", "dutyreports/reasonrank"),
    ("get", "dutyreports/dutyrank"),
    ("get", "dutyreports/compensationrank"),
    ("get", "dutyreports/publishmentrank"),
    ("get", "dutyreports/abnormalrank"),
]

# The paths of DESIGN.md §7 with the methods each must document.
CONTRACT_PATHS = {
    "/api/v1/afterservice/orders": {"get", "post"},
    "/api/v1/afterservice/orders/{}": {"get", "put", "patch", "delete"},
    "/api/v1/afterservice/{}/journals": {"get"},
    "/api/v1/afterservice/orders/{}/journals": {"get"},
    "/api/v1/afterservice/orders/{}/abnormal-products": {"get", "post"},
    "/api/v1/afterservice/orders/{}/abnormal-products/{}": {"get", "put", "delete"},
    "/api/v1/afterservice/orders/{}/duty-report": {"get", "put"},
    "/api/v1/afterservice/orders/{}/tracks": {"get", "post"},
    "/api/v1/afterservice/orders/{}/deductions": {"get", "post"},
    "/api/v1/afterservice/orders/{}/deductions/{}": {"put", "delete"},
    "/api/v1/afterservice/all-products": {"get"},
    "/api/v1/afterservice/supplier_user_matcher": {"get"},
    "/api/v1/afterservice/dutyreports/{}": {"get"},
}


def assert_error(response, http_status, code):
    """The error envelope: status = HTTP status, a message sentence, the stable code word."""
    assert response.status_code == http_status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"status", "message", "code", "data"}
    assert body["status"] == http_status
    assert body["code"] == code
    assert isinstance(body["message"], str)
    assert body["message"].strip()
    assert b"Traceback" not in response.content
    return body


def raw(client, method, path, body, content_type="application/json", **extra):
    """A request with a literal body (GET sends none)."""
    if method == "get":
        return client.get(BASE + path, **extra)
    return getattr(client, method)(BASE + path, data=body, content_type=content_type, **extra)


# --- Envelope on success ------------------------------------------------------------------------------------
def test_get_list_success_enveloped_with_pagination(api, creator, suppliers):
    make_order(creator, suppliers["customer"], suppliers["accuser"])

    response = api.get(BASE + "orders")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"status", "message", "data", "pagination"}
    assert body["status"] == 0
    assert body["message"] == "ok"
    assert isinstance(body["data"], list)
    assert len(body["data"]) == 1
    assert body["pagination"] == {"page": 1, "per_page": 20, "total": 1, "pages": 1}


def test_get_detail_success_enveloped_without_pagination(api, creator, suppliers):
    order = make_order(creator, suppliers["customer"], suppliers["accuser"])

    response = api.get(f"{BASE}orders/{order.pk}")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"status", "message", "data"}
    assert body["status"] == 0
    assert body["message"] == "ok"
    assert body["data"]["id"] == order.pk


def test_post_create_success_answers_201_in_envelope(api, suppliers):
    response = api.post(BASE + "orders", order_body(suppliers), format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == 0
    assert body["message"] == "ok"
    assert body["data"]["id"] == Order.objects.get().pk


def test_post_invalid_field_answers_400_envelope_with_field_errors(api, suppliers):
    response = api.post(BASE + "orders", order_body(suppliers, type=""), format="json")

    body = assert_error(response, 400, "validation_error")
    assert set(body["data"]) == {"errors"}
    assert list(body["data"]["errors"]) == ["type"]
    assert isinstance(body["data"]["errors"]["type"], list)
    assert "type" in body["message"]
    assert Order.objects.count() == 0


def test_get_missing_order_answers_404_envelope_with_null_data(api):
    response = api.get(BASE + "orders/999999")

    body = assert_error(response, 404, "not_found")
    assert body["data"] is None


# --- Authentication -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("method", "path"), ENDPOINTS, ids=[f"{m} {p}" for m, p in ENDPOINTS])
def test_request_anonymous_answers_401_not_authenticated(db, anon_client, method, path):
    response = raw(anon_client, method, path, "{}")

    body = assert_error(response, 401, "not_authenticated")
    assert body["data"] is None
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize(("method", "path"), ENDPOINTS, ids=[f"{m} {p}" for m, p in ENDPOINTS])
def test_request_bad_token_answers_401_authentication_failed(db, anon_client, method, path):
    anon_client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")

    response = raw(anon_client, method, path, "{}")

    assert_error(response, 401, "authentication_failed")


def test_post_orders_anonymous_creates_nothing(db, anon_client, suppliers):
    response = anon_client.post(BASE + "orders", order_body(suppliers), format="json")

    assert_error(response, 401, "not_authenticated")
    assert Order.objects.count() == 0


def test_request_inactive_user_token_answers_401(creator, suppliers):
    client = client_for(creator)
    creator.is_active = False
    creator.save()

    response = client.get(BASE + "orders")

    assert_error(response, 401, "authentication_failed")


@pytest.mark.parametrize("header", ["Token", "Token a b", "Bearer abc", "Token \u00e9\u00e9"])
def test_request_malformed_authorization_header_answers_401(db, anon_client, header):
    response = anon_client.get(BASE + "orders", HTTP_AUTHORIZATION=header)

    assert response.status_code == 401
    body = response.json()
    assert body["status"] == 401
    assert body["code"] in {"authentication_failed", "not_authenticated"}


# --- Unknown paths ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "path",
    [
        "/api/",
        "/api/nothing",
        "/api/v2/afterservice/orders",
        "/api/v1/afterservice/nothing",
        "/api/v1/afterservice/orders/abc",
        "/api/v1/afterservice/orders/1/unknown",
        "/api/v1/afterservice/orders/1234567890123456789012",
    ],
)
def test_get_unknown_api_path_answers_404_envelope(api, path):
    response = api.get(path)

    body = assert_error(response, 404, "not_found")
    assert body["data"] is None


def test_get_unknown_api_path_anonymous_answers_404_envelope(db, anon_client):
    response = anon_client.get("/api/v1/afterservice/nothing")

    assert_error(response, 404, "not_found")


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_write_unknown_api_path_answers_404_envelope(api, method):
    response = raw(api, method, "nothing", '{"a": 1}')

    assert_error(response, 404, "not_found")


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


# --- Methods ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("delete", "orders"),
        ("put", "orders"),
        ("patch", "orders"),
        ("post", "orders/{id}"),
        ("post", "{id}/journals"),
        ("delete", "orders/{id}/journals"),
        ("put", "orders/{id}/abnormal-products"),
        ("post", "orders/{id}/abnormal-products/1"),
        ("post", "orders/{id}/duty-report"),
        ("delete", "orders/{id}/duty-report"),
        ("put", "orders/{id}/tracks"),
        ("delete", "orders/{id}/tracks"),
        ("get", "orders/{id}/deductions/1"),
        ("post", "orders/{id}/deductions/1"),
        ("post", "all-products"),
        ("delete", "all-products"),
        ("post", "supplier_user_matcher"),
        ("post", "dutyreports/typerank"),
    ],
)
def test_request_wrong_method_answers_405(api, creator, suppliers, method, path):
    order = make_order(creator, suppliers["customer"], suppliers["accuser"])

    response = raw(api, method, path.format(id=order.pk), "{}")

    body = assert_error(response, 405, "method_not_allowed")
    assert body["data"] is None
    assert Order.objects.alive().count() == 1


# --- Pagination ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["0", "101", "abc", "-1", "1.5", "1e2", " 5", "９", "99999999999999999999"])
def test_get_list_bad_per_page_answers_400(api, value):
    response = api.get(BASE + "orders", {"per_page": value})

    body = assert_error(response, 400, "validation_error")
    assert list(body["data"]["errors"]) == ["per_page"]


@pytest.mark.parametrize("value", ["0", "-1", "abc", "1.5", "99999999999999999999"])
def test_get_list_bad_page_answers_400(api, value):
    response = api.get(BASE + "orders", {"page": value})

    body = assert_error(response, 400, "validation_error")
    assert list(body["data"]["errors"]) == ["page"]


@pytest.mark.parametrize("path", ["all-products", "supplier_user_matcher", "orders/{id}/journals", "{id}/journals"])
def test_get_other_lists_bad_per_page_answers_400(api, creator, suppliers, path):
    order = make_order(creator, suppliers["customer"], suppliers["accuser"])

    response = api.get(BASE + path.format(id=order.pk), {"per_page": "101"})

    body = assert_error(response, 400, "validation_error")
    assert list(body["data"]["errors"]) == ["per_page"]


@pytest.mark.parametrize("per_page", ["1", "100"])
def test_get_list_per_page_bounds_accepted(api, creator, suppliers, per_page):
    make_order(creator, suppliers["customer"], suppliers["accuser"])

    response = api.get(BASE + "orders", {"per_page": per_page})

    assert response.status_code == 200
    assert response.json()["pagination"]["per_page"] == int(per_page)


def test_get_list_page_past_end_answers_empty_list(api, creator, suppliers):
    for _ in range(3):
        make_order(creator, suppliers["customer"], suppliers["accuser"])

    response = api.get(BASE + "orders", {"page": 3, "per_page": 2})

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == 0
    assert body["data"] == []
    assert body["pagination"] == {"page": 3, "per_page": 2, "total": 3, "pages": 2}


def test_get_list_last_partial_page_answers_remaining_items(api, creator, suppliers):
    for _ in range(3):
        make_order(creator, suppliers["customer"], suppliers["accuser"])

    response = api.get(BASE + "orders", {"page": 2, "per_page": 2})

    body = response.json()
    assert len(body["data"]) == 1
    assert body["pagination"] == {"page": 2, "per_page": 2, "total": 3, "pages": 2}


def test_get_empty_list_answers_zero_pages(api):
    response = api.get(BASE + "orders")

    assert response.status_code == 200
    body = response.json()
    assert body["data"] == []
    assert body["pagination"] == {"page": 1, "per_page": 20, "total": 0, "pages": 0}


def test_get_empty_list_page_past_end_answers_empty_list(api):
    response = api.get(BASE + "orders", {"page": 7})

    assert response.status_code == 200
    assert response.json()["data"] == []
    assert response.json()["pagination"] == {"page": 7, "per_page": 20, "total": 0, "pages": 0}


# --- Trailing slashes ---------------------------------------------------------------------------------------
def test_get_with_trailing_slash_answers_same_as_without(api, creator, suppliers):
    order = make_order(creator, suppliers["customer"], suppliers["accuser"])

    plain = api.get(f"{BASE}orders/{order.pk}")
    slashed = api.get(f"{BASE}orders/{order.pk}/")

    assert plain.status_code == slashed.status_code == 200
    assert plain.json() == slashed.json()


@pytest.mark.parametrize(
    "path", ["all-products/", "supplier_user_matcher/", "dutyreports/typerank/", "orders/", "{id}/journals/"]
)
def test_get_list_with_trailing_slash_answers_200(api, creator, suppliers, path):
    order = make_order(creator, suppliers["customer"], suppliers["accuser"])

    response = api.get(BASE + path.format(id=order.pk))

    assert response.status_code == 200
    assert response.json()["status"] == 0


def test_post_with_trailing_slash_creates_without_redirect(api, suppliers):
    response = api.post(BASE + "orders/", order_body(suppliers), format="json")

    assert response.status_code == 201
    assert "Location" not in response
    assert Order.objects.count() == 1
    assert response.json()["data"]["id"] == Order.objects.get().pk


def test_put_with_trailing_slash_updates_without_redirect(api, creator, suppliers):
    order = make_order(creator, suppliers["customer"], suppliers["accuser"])

    response = api.put(f"{BASE}orders/{order.pk}/", {"remark": "新描述"}, format="json")

    assert response.status_code == 200
    assert response.json()["data"]["remark"] == "新描述"
    order.refresh_from_db()
    assert order.remark == "新描述"


def test_post_nested_with_trailing_slash_creates_without_redirect(api, creator, suppliers):
    order = make_order(creator, suppliers["customer"], suppliers["accuser"])

    response = api.post(f"{BASE}orders/{order.pk}/tracks/", {"remark": "跟进"}, format="json")

    assert response.status_code == 201
    assert order.tracks.count() == 1


def test_get_with_double_trailing_slash_answers_404(api):
    response = api.get(BASE + "orders//")

    assert_error(response, 404, "not_found")


# --- Languages ----------------------------------------------------------------------------------------------
def test_anonymous_default_language_answers_chinese_drf_message(db, anon_client):
    response = anon_client.get(BASE + "orders")

    body = assert_error(response, 401, "not_authenticated")
    assert body["message"] == "身份认证信息未提供。"
    assert response["Content-Language"] == "zh-hans"


def test_anonymous_accept_language_en_answers_english_message(db, anon_client):
    response = anon_client.get(BASE + "orders", HTTP_ACCEPT_LANGUAGE="en")

    body = assert_error(response, 401, "not_authenticated")
    assert body["message"] == "Authentication credentials were not provided."
    assert response["Content-Language"] == "en"


def test_bad_token_default_language_answers_chinese_drf_message(db, anon_client):
    anon_client.credentials(HTTP_AUTHORIZATION="Token nope")

    chinese = anon_client.get(BASE + "orders")
    english = anon_client.get(BASE + "orders", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert assert_error(chinese, 401, "authentication_failed")["message"] == "认证令牌无效。"
    assert assert_error(english, 401, "authentication_failed")["message"] == "Invalid token."


def test_not_found_message_follows_accept_language(api):
    chinese = api.get(BASE + "orders/999999")
    english = api.get(BASE + "orders/999999", HTTP_ACCEPT_LANGUAGE="en")

    assert assert_error(chinese, 404, "not_found")["message"] == "未找到。"
    assert assert_error(english, 404, "not_found")["message"] == "Not found."


def test_required_field_message_follows_accept_language(api, suppliers):
    body = order_body(suppliers)
    del body["type"]

    chinese = api.post(BASE + "orders", body, format="json")
    english = api.post(BASE + "orders", body, format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert assert_error(chinese, 400, "validation_error")["data"]["errors"] == {"type": ["该字段是必填项。"]}
    assert assert_error(english, 400, "validation_error")["data"]["errors"] == {"type": ["This field is required."]}
    assert Order.objects.count() == 0


def test_method_not_allowed_message_follows_accept_language(api):
    chinese = api.delete(BASE + "orders")
    english = api.delete(BASE + "orders", HTTP_ACCEPT_LANGUAGE="en")

    assert assert_error(chinese, 405, "method_not_allowed")["message"] == "方法 “DELETE” 不被允许。"
    assert assert_error(english, 405, "method_not_allowed")["message"] == 'Method "DELETE" not allowed.'


def test_unsupported_media_type_message_follows_accept_language(api):
    english = raw(api, "post", "orders", "x", content_type="text/plain", HTTP_ACCEPT_LANGUAGE="en")
    chinese = raw(api, "post", "orders", "x", content_type="text/plain")

    assert assert_error(english, 415, "unsupported_media_type")["message"] == (
        'Unsupported media type "text/plain" in request.'
    )
    assert assert_error(chinese, 415, "unsupported_media_type")["message"] == "不支持请求中的媒体类型 “text/plain”。"


def test_our_own_message_in_english_with_accept_language_en(api):
    response = api.get(BASE + "orders", {"per_page": "0"}, HTTP_ACCEPT_LANGUAGE="en")

    body = assert_error(response, 400, "validation_error")
    assert body["data"]["errors"] == {"per_page": ["Must be an integer from 1 to 100."]}


@pytest.mark.parametrize(
    ("accept_language", "message", "content_language"),
    [
        ("zh-CN", "身份认证信息未提供。", "zh-hans"),
        ("zh-Hans", "身份认证信息未提供。", "zh-hans"),
        ("en-GB", "Authentication credentials were not provided.", "en"),
        ("fr", "身份认证信息未提供。", "zh-hans"),
        ("de-DE,en;q=0.5", "Authentication credentials were not provided.", "en"),
    ],
)
def test_anonymous_accept_language_variants_pick_supported_language(
    db, anon_client, accept_language, message, content_language
):
    response = anon_client.get(BASE + "orders", HTTP_ACCEPT_LANGUAGE=accept_language)

    assert assert_error(response, 401, "not_authenticated")["message"] == message
    assert response["Content-Language"] == content_language


def test_unknown_api_path_message_follows_accept_language(db, anon_client):
    chinese = anon_client.get("/api/nothing")
    english = anon_client.get("/api/nothing", HTTP_ACCEPT_LANGUAGE="en")

    assert assert_error(chinese, 404, "not_found")["message"] == "未找到。"
    assert assert_error(english, 404, "not_found")["message"] == "Not found."


# --- Session clients (browsable API, admin users) -----------------------------------------------------------
def test_post_session_without_csrf_token_answers_403_envelope(creator, suppliers):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(creator)

    response = client.post(BASE + "orders", order_body(suppliers), format="json")

    assert_error(response, 403, "permission_denied")
    assert Order.objects.count() == 0


def test_get_session_authenticated_answers_200(creator):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(creator)

    response = client.get(BASE + "orders")

    assert response.status_code == 200
    assert response.json()["status"] == 0


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_write_unknown_api_path_with_csrf_checks_answers_404_envelope(db, method):
    client = APIClient(enforce_csrf_checks=True)

    response = getattr(client, method)("/api/nothing", {"a": 1}, format="json")

    assert_error(response, 404, "not_found")


# --- Content negotiation and OPTIONS ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "accept", ["*/*", "application/json", "application/*", "text/html,application/xhtml+xml,*/*;q=0.8"]
)
def test_get_any_json_compatible_accept_answers_json_envelope(api, accept):
    response = api.get(BASE + "orders", HTTP_ACCEPT=accept)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["status"] == 0


@pytest.mark.parametrize(("method", "path"), ENDPOINTS[::3], ids=[f"{m} {p}" for m, p in ENDPOINTS[::3]])
def test_options_request_answers_200_envelope_never_500(api, creator, suppliers, method, path):
    order = make_order(creator, suppliers["customer"], suppliers["accuser"])

    response = api.options(BASE + path.replace("/1", f"/{order.pk}", 1))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == 0
    assert "application/json" in body["data"]["parses"]


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


# --- Request id ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("client_name", "method", "path", "expected"),
    [
        ("creator", "get", BASE + "orders", 200),
        ("creator", "get", BASE + "orders/999999", 404),
        ("anonymous", "get", BASE + "orders", 401),
        ("creator", "get", "/api/nothing", 404),
        ("creator", "delete", BASE + "orders", 405),
        ("anonymous", "get", "/healthz", 200),
    ],
)
def test_request_any_outcome_answers_x_request_id(clients, client_name, method, path, expected):
    response = getattr(clients[client_name], method)(path)

    assert response.status_code == expected
    assert re.fullmatch(r"[A-Za-z0-9._-]{1,64}", response["X-Request-ID"])


def test_request_sane_incoming_request_id_echoed(api):
    response = api.get(BASE + "orders", HTTP_X_REQUEST_ID="abc-123.def_4")

    assert response["X-Request-ID"] == "abc-123.def_4"


@pytest.mark.parametrize("incoming", ["bad id with spaces", "x" * 65, "<script>", "a\tb"])
def test_request_insane_incoming_request_id_replaced(api, incoming):
    response = api.get(BASE + "orders", HTTP_X_REQUEST_ID=incoming)

    assert response["X-Request-ID"] != incoming
    assert re.fullmatch(r"[A-Za-z0-9._-]{1,64}", response["X-Request-ID"])


def test_request_twice_answers_different_request_ids(api):
    first = api.get(BASE + "orders")
    second = api.get(BASE + "orders")

    assert first["X-Request-ID"] != second["X-Request-ID"]


# --- Health check -------------------------------------------------------------------------------------------
def test_get_healthz_anonymous_answers_200_ok(db, anon_client):
    response = anon_client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": 0, "message": "ok", "data": {"database": "ok"}}


def test_post_healthz_answers_405(db, anon_client):
    response = anon_client.post("/healthz")

    assert response.status_code == 405


# --- Schema and docs ----------------------------------------------------------------------------------------
def _schema(client):
    response = client.get("/api/schema", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def _normalise(path):
    return re.sub(r"\{[^}]+\}", "{}", path)


def test_get_schema_anonymous_answers_openapi_3(db, anon_client):
    schema = _schema(anon_client)

    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"]
    assert schema["info"]["version"]
    assert isinstance(schema["paths"], dict)


def test_get_schema_default_format_answers_200_anonymous(db, anon_client):
    response = anon_client.get("/api/schema")

    assert response.status_code == 200
    assert b"openapi: 3." in response.content


def test_get_schema_with_trailing_slash_answers_200(db, anon_client):
    response = anon_client.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    assert json.loads(response.content)["openapi"].startswith("3.")


def test_get_schema_documents_every_contract_path_and_method(db, anon_client):
    schema = _schema(anon_client)
    documented = {
        _normalise(path): {m for m in ops if m in {"get", "post", "put", "patch", "delete"}}
        for path, ops in schema["paths"].items()
    }

    for path, methods in CONTRACT_PATHS.items():
        assert path in documented, f"{path} missing from the schema: {sorted(documented)}"
        assert methods <= documented[path], f"{path}: {methods - documented[path]} not documented"


def test_get_schema_every_ref_resolves_to_a_component(db, anon_client):
    schema = _schema(anon_client)
    text = json.dumps(schema)
    refs = set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', text))

    assert refs
    assert refs <= set(schema["components"]["schemas"])


def test_get_schema_documents_error_envelope_and_token_auth(db, anon_client):
    schema = _schema(anon_client)

    assert schema["components"]["schemas"]["Error"]["required"] == ["status", "message", "code", "data"]
    list_get = schema["paths"][next(p for p in schema["paths"] if _normalise(p).endswith("afterservice/orders"))]
    assert "401" in list_get["get"]["responses"]
    token_auth = schema["components"]["securitySchemes"]["tokenAuth"]
    assert token_auth["in"] == "header"
    assert token_auth["name"] == "Authorization"


def test_get_docs_anonymous_answers_swagger_ui(db, anon_client):
    response = anon_client.get("/api/docs")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    content = response.content.decode()
    assert "swagger-ui" in content.lower()
    assert "/api/schema" in content
    # Works offline: the UI's assets come from this server (sidecar), not a CDN.
    assert "cdn.jsdelivr" not in content
    assert "unpkg.com" not in content
