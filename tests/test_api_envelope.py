"""The envelope every endpoint answers (docs/api.md): success and error shapes, authentication,
unknown paths and methods, session clients, content negotiation, request ids and the health check —
checked as an outside client would."""

import re

import pytest
from rest_framework.test import APIClient

from orders.models import Order
from tests.conftest import client_for
from tests.factories import make_order, order_body
from tests.helpers import BASE, assert_error, raw

# Every endpoint of docs/api.md as (method, path); ids need not exist: auth comes first.
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
