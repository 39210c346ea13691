"""Paginated lists and paths (docs/api.md, "Pagination"): `page` and `per_page` bounds, pages past the end, and
paths with or without a trailing slash."""

import pytest

from orders.models import Order
from tests.factories import make_order, order_body
from tests.helpers import BASE, assert_error


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
