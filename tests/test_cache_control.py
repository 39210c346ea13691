"""`Cache-Control: no-store` on every API response, success or error; other paths and responses that
chose their own caching are left alone."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from rest_framework.test import APIClient

from afterservice_site.middleware import ApiNoStoreMiddleware
from tests.factories import make_order

BASE = "/api/v1/afterservice/"


def test_order_list_answers_no_store(api):
    response = api.get(BASE + "orders")

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_order_detail_answers_no_store(api, creator, suppliers):
    order = make_order(creator, suppliers["customer"], suppliers["accuser"])

    response = api.get(f"{BASE}orders/{order.pk}")

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", BASE + "orders", 401),  # anonymous
        ("get", "/api/v1/afterservice/no-such-thing", 404),
        ("get", "/api/elsewhere", 404),
    ],
)
def test_api_error_answers_no_store(db, method, path, status):
    response = getattr(APIClient(), method)(path)

    assert response.status_code == status
    assert response["Cache-Control"] == "no-store"


def test_body_over_limit_answers_no_store(api):
    response = api.generic("POST", BASE + "orders", b"[" + b"1," * 1_100_000 + b"1]", "application/json")

    assert response.status_code == 413
    assert response["Cache-Control"] == "no-store"


def test_api_schema_answers_no_store(db):
    response = APIClient().get("/api/schema")

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_api_response_with_its_own_cache_control_keeps_it():
    def download(request):
        response = HttpResponse(b"%PDF-1.7")
        response["Cache-Control"] = "private, max-age=300"
        return response

    response = ApiNoStoreMiddleware(download)(RequestFactory().get(BASE + "orders/1/attachments/1/download"))

    assert response["Cache-Control"] == "private, max-age=300"


@pytest.mark.parametrize("path", ["/static/admin/css/base.css", "/healthz"])
def test_paths_outside_api_get_no_cache_control_from_it(path):
    response = ApiNoStoreMiddleware(lambda request: HttpResponse(b"x"))(RequestFactory().get(path))

    assert not response.has_header("Cache-Control")
