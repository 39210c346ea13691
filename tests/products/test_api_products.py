"""`GET all-products` (docs/api.md): the catalogue, searchable by SKU or name, paginated."""

import pytest

from tests.factories import ProductFactory

URL = "/api/v1/afterservice/all-products"
ITEM_FIELDS = {"id", "skuCode", "item_name", "item_code", "sku_name", "img_path"}


@pytest.fixture
def catalogue(db):
    return {
        "sofa": ProductFactory(
            sku_code="SF-1001", item_name="真皮沙发", item_code="IC-1", sku_name="三人位", img_path="/img/sf.png"
        ),
        "bed": ProductFactory(sku_code="BD-2002", item_name="实木床", item_code="IC-2", sku_name="1.8米", img_path=""),
        "chair": ProductFactory(sku_code="CH-3003", item_name="餐椅", item_code="IC-3", sku_name="胡桃色"),
        "retired": ProductFactory(sku_code="SF-9999", item_name="旧款沙发", active=False),
    }


def skus(response):
    return [item["skuCode"] for item in response.json()["data"]]


def test_get_products_any_user_answers_active_catalogue(api, catalogue):
    response = api.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == 0
    assert body["message"] == "ok"
    assert skus(response) == ["BD-2002", "CH-3003", "SF-1001"]
    assert body["pagination"] == {"page": 1, "per_page": 20, "total": 3, "pages": 1}


def test_get_products_item_fields_exactly_contract(api, catalogue):
    response = api.get(URL, {"key_word": "SF-1001"})

    (item,) = response.json()["data"]
    assert set(item) == ITEM_FIELDS
    sofa = catalogue["sofa"]
    assert item == {
        "id": sofa.pk,
        "skuCode": "SF-1001",
        "item_name": "真皮沙发",
        "item_code": "IC-1",
        "sku_name": "三人位",
        "img_path": "/img/sf.png",
    }


def test_get_products_inactive_product_hidden(api, catalogue):
    response = api.get(URL, {"key_word": "SF-9999"})

    assert response.status_code == 200
    assert response.json()["data"] == []
    assert response.json()["pagination"]["total"] == 0


@pytest.mark.parametrize(
    ("key_word", "expected"),
    [
        ("SF-1001", ["SF-1001"]),
        ("sf-10", ["SF-1001"]),
        ("2002", ["BD-2002"]),
        ("-", ["BD-2002", "CH-3003", "SF-1001"]),
    ],
)
def test_get_products_key_word_matches_sku_code(api, catalogue, key_word, expected):
    response = api.get(URL, {"key_word": key_word})

    assert response.status_code == 200
    assert skus(response) == expected


@pytest.mark.parametrize(
    ("key_word", "expected"),
    [("沙发", ["SF-1001"]), ("实木", ["BD-2002"]), ("餐椅", ["CH-3003"])],
)
def test_get_products_key_word_matches_item_name(api, catalogue, key_word, expected):
    response = api.get(URL, {"key_word": key_word})

    assert skus(response) == expected


def test_get_products_key_word_matches_sku_name(api, catalogue):
    response = api.get(URL, {"key_word": "胡桃"})

    assert skus(response) == ["CH-3003"]


def test_get_products_key_word_no_match_answers_empty_list(api, catalogue):
    response = api.get(URL, {"key_word": "不存在"})

    assert response.status_code == 200
    assert response.json()["data"] == []
    assert response.json()["pagination"] == {"page": 1, "per_page": 20, "total": 0, "pages": 0}


def test_get_products_empty_key_word_answers_everything(api, catalogue):
    response = api.get(URL, {"key_word": ""})

    assert skus(response) == ["BD-2002", "CH-3003", "SF-1001"]


def test_get_products_key_word_with_like_wildcards_matched_literally(api, catalogue):
    ProductFactory(sku_code="PCT_50%", item_name="百分比")

    percent = api.get(URL, {"key_word": "%"})
    underscore = api.get(URL, {"key_word": "_"})

    assert skus(percent) == ["PCT_50%"]
    assert skus(underscore) == ["PCT_50%"]


def test_get_products_key_word_too_long_answers_400(api, catalogue):
    response = api.get(URL, {"key_word": "x" * 101})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert list(body["data"]["errors"]) == ["key_word"]


def test_get_products_paginated_pages_cover_catalogue_once(api, catalogue):
    first = api.get(URL, {"per_page": 2})
    second = api.get(URL, {"per_page": 2, "page": 2})
    past_end = api.get(URL, {"per_page": 2, "page": 3})

    assert skus(first) == ["BD-2002", "CH-3003"]
    assert first.json()["pagination"] == {"page": 1, "per_page": 2, "total": 3, "pages": 2}
    assert skus(second) == ["SF-1001"]
    assert second.json()["pagination"] == {"page": 2, "per_page": 2, "total": 3, "pages": 2}
    assert past_end.status_code == 200
    assert past_end.json()["data"] == []


def test_get_products_key_word_and_pagination_combined(api, catalogue):
    for index in range(5):
        ProductFactory(sku_code=f"SF-20{index}", item_name=f"布艺沙发{index}")

    response = api.get(URL, {"key_word": "沙发", "per_page": 4, "page": 2})

    assert skus(response) == ["SF-203", "SF-204"]
    assert response.json()["pagination"] == {"page": 2, "per_page": 4, "total": 6, "pages": 2}


@pytest.mark.parametrize("value", ["0", "101", "abc", "-1"])
def test_get_products_bad_per_page_answers_400(api, catalogue, value):
    response = api.get(URL, {"per_page": value})

    assert response.status_code == 400
    assert list(response.json()["data"]["errors"]) == ["per_page"]


def test_get_products_anonymous_answers_401(anon_client, catalogue):
    response = anon_client.get(URL)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_write_products_answers_405_and_catalogue_unchanged(api, catalogue, method):
    from products.models import Product

    before = list(Product.objects.order_by("id").values())

    response = getattr(api, method)(URL, {"skuCode": "NEW-1", "item_name": "x"}, format="json")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert list(Product.objects.order_by("id").values()) == before


def test_get_products_query_count_flat(api, catalogue, django_assert_max_num_queries):
    for index in range(30):
        ProductFactory(sku_code=f"BULK-{index:03d}")

    with django_assert_max_num_queries(3):
        response = api.get(URL, {"per_page": 100})

    assert len(response.json()["data"]) == 33
