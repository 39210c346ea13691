"""`GET supplier_user_matcher` (docs/api.md): suppliers with their after-sales specialist."""

import pytest

from tests.factories import SupplierFactory, UserFactory

URL = "/api/v1/afterservice/supplier_user_matcher"
ITEM_FIELDS = {"supplier_id", "supplier_name", "role", "afterservice_salername", "saler_id"}


@pytest.fixture
def specialists(db):
    return {
        "chinese": UserFactory(username="wangwu", first_name="王五"),
        "western": UserFactory(username="wzhang", first_name="Wei", last_name="Zhang"),
        "bare": UserFactory(username="zhaoliu", first_name=""),
    }


@pytest.fixture
def matcher(db, specialists):
    return {
        "sofa": SupplierFactory(name="华美沙发厂", role="成品商", specialist=specialists["chinese"]),
        "bed": SupplierFactory(name="安睡床业", role="成品商", specialist=specialists["bare"]),
        "leather": SupplierFactory(name="真皮材料行", role="材料商", specialist=specialists["western"]),
        "foam": SupplierFactory(name="海绵材料厂", role="材料商", specialist=None),
        "closed": SupplierFactory(name="倒闭沙发厂", role="成品商", specialist=specialists["chinese"], active=False),
    }


def names(response):
    return [item["supplier_name"] for item in response.json()["data"]]


def test_get_matcher_any_user_answers_active_suppliers(api, matcher):
    response = api.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == 0
    assert sorted(names(response)) == sorted(["华美沙发厂", "安睡床业", "真皮材料行", "海绵材料厂"])
    assert body["pagination"] == {"page": 1, "per_page": 20, "total": 4, "pages": 1}


def test_get_matcher_item_fields_exactly_contract(api, matcher, specialists):
    response = api.get(URL, {"key_word": "华美"})

    (item,) = response.json()["data"]
    assert set(item) == ITEM_FIELDS
    assert item == {
        "supplier_id": matcher["sofa"].pk,
        "supplier_name": "华美沙发厂",
        "role": "成品商",
        "afterservice_salername": "王五",
        "saler_id": specialists["chinese"].pk,
    }


def test_get_matcher_specialist_without_full_name_answers_username(api, matcher, specialists):
    response = api.get(URL, {"key_word": "安睡"})

    (item,) = response.json()["data"]
    assert item["afterservice_salername"] == "zhaoliu"
    assert item["saler_id"] == specialists["bare"].pk


def test_get_matcher_specialist_first_and_last_name_answers_full_name(api, matcher, specialists):
    response = api.get(URL, {"key_word": "真皮"})

    (item,) = response.json()["data"]
    assert item["afterservice_salername"] == "Wei Zhang"
    assert item["saler_id"] == specialists["western"].pk


def test_get_matcher_supplier_without_specialist_answers_empty_name_and_null_id(api, matcher):
    response = api.get(URL, {"key_word": "海绵"})

    (item,) = response.json()["data"]
    assert item["afterservice_salername"] == ""
    assert item["saler_id"] is None


def test_get_matcher_inactive_supplier_hidden(api, matcher):
    response = api.get(URL, {"key_word": "倒闭"})

    assert response.status_code == 200
    assert response.json()["data"] == []


@pytest.mark.parametrize(
    ("key_word", "expected"),
    [
        ("沙发", ["华美沙发厂"]),
        ("材料", ["海绵材料厂", "真皮材料行"]),
        ("床业", ["安睡床业"]),
    ],
)
def test_get_matcher_key_word_matches_supplier_name(api, matcher, key_word, expected):
    response = api.get(URL, {"key_word": key_word})

    assert sorted(names(response)) == sorted(expected)


@pytest.mark.parametrize(
    ("key_word", "expected"),
    [
        ("zhaoliu", ["安睡床业"]),
        ("ZHAOLIU", ["安睡床业"]),
        ("wangwu", ["华美沙发厂"]),
        ("wzhang", ["真皮材料行"]),
    ],
)
def test_get_matcher_key_word_matches_specialist_username(api, matcher, key_word, expected):
    response = api.get(URL, {"key_word": key_word})

    assert names(response) == expected


@pytest.mark.parametrize(
    ("key_word", "expected"),
    [
        ("王五", ["华美沙发厂"]),
        ("王", ["华美沙发厂"]),
        ("Wei", ["真皮材料行"]),
        ("Zhang", ["真皮材料行"]),
        ("Wei Zhang", ["真皮材料行"]),
    ],
)
def test_get_matcher_key_word_matches_specialist_full_name(api, matcher, key_word, expected):
    response = api.get(URL, {"key_word": key_word})

    assert names(response) == expected


def test_get_matcher_key_word_no_match_answers_empty_list(api, matcher):
    response = api.get(URL, {"key_word": "不存在"})

    assert response.status_code == 200
    assert response.json()["data"] == []
    assert response.json()["pagination"]["total"] == 0


@pytest.mark.parametrize(
    ("role", "expected"),
    [("成品商", ["华美沙发厂", "安睡床业"]), ("材料商", ["海绵材料厂", "真皮材料行"]), ("物流商", [])],
)
def test_get_matcher_role_filter_answers_that_category(api, matcher, role, expected):
    response = api.get(URL, {"role": role})

    assert response.status_code == 200
    assert sorted(names(response)) == sorted(expected)
    assert all(item["role"] == role for item in response.json()["data"])


def test_get_matcher_role_and_key_word_combined(api, matcher):
    response = api.get(URL, {"role": "材料商", "key_word": "Wei"})

    assert names(response) == ["真皮材料行"]


def test_get_matcher_paginated_pages_cover_suppliers_once(api, matcher):
    first = api.get(URL, {"per_page": 3})
    second = api.get(URL, {"per_page": 3, "page": 2})
    past_end = api.get(URL, {"per_page": 3, "page": 3})

    assert first.json()["pagination"] == {"page": 1, "per_page": 3, "total": 4, "pages": 2}
    assert second.json()["pagination"] == {"page": 2, "per_page": 3, "total": 4, "pages": 2}
    assert len(names(first)) == 3
    assert len(names(second)) == 1
    assert sorted(names(first) + names(second)) == sorted(["华美沙发厂", "安睡床业", "真皮材料行", "海绵材料厂"])
    assert past_end.status_code == 200
    assert past_end.json()["data"] == []


@pytest.mark.parametrize(("param", "length"), [("key_word", 101), ("role", 51)])
def test_get_matcher_too_long_filter_answers_400(api, matcher, param, length):
    response = api.get(URL, {param: "x" * length})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert list(body["data"]["errors"]) == [param]


def test_get_matcher_anonymous_answers_401(anon_client, matcher):
    response = anon_client.get(URL)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_write_matcher_answers_405_and_suppliers_unchanged(api, matcher, method):
    from suppliers.models import Supplier

    before = list(Supplier.objects.order_by("id").values())

    response = getattr(api, method)(URL, {"supplier_name": "新厂"}, format="json")

    assert response.status_code == 405
    assert list(Supplier.objects.order_by("id").values()) == before


def test_get_matcher_query_count_flat(api, matcher, django_assert_max_num_queries):
    for index in range(30):
        SupplierFactory(name=f"批量厂{index:02d}", specialist=UserFactory(username=f"spec{index}"))

    with django_assert_max_num_queries(3):
        response = api.get(URL, {"per_page": 100})

    assert len(response.json()["data"]) == 34
