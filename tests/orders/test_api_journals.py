"""`GET <id>/journals` and `GET orders/<id>/journals` (docs/api.md): the order's journal, oldest first,
paginated."""

import pytest

from orders import services
from orders.models import Journal
from tests.factories import (
    make_order,
)
from tests.helpers import (
    BASE,
    assert_field_error,
    wire_datetime,
)

JOURNAL_FIELDS = {
    "id",
    "order_id",
    "operation",
    "source",
    "target",
    "workflow_source",
    "workflow_target",
    "operator_name",
    "on_behalf_of",
    "remark",
    "changes",
    "created_at",
}


@pytest.fixture
def journaled_order(users, suppliers):
    order = make_order(users["creator"], suppliers["customer"], suppliers["accuser"], reason="其它")
    services.order_update(
        user=users["creator"], order_id=order.pk, operation="done", remark="提交", operator_name="张三"
    )
    services.order_update(user=users["service"], order_id=order.pk, operation="reject", remark="缺照片")
    return order


@pytest.mark.parametrize("template", ["{id}/journals", "orders/{id}/journals", "{id}/journals/"])
def test_get_journals_answers_rows_oldest_first(api, journaled_order, template):
    response = api.get(BASE + template.format(id=journaled_order.pk))

    assert response.status_code == 200
    body = response.json()
    assert body["pagination"] == {"page": 1, "per_page": 20, "total": 3, "pages": 1}
    rows = body["data"]
    assert all(set(row) == JOURNAL_FIELDS for row in rows)
    assert [row["id"] for row in rows] == sorted(row["id"] for row in rows)
    assert [(r["operation"], r["source"], r["target"]) for r in rows] == [
        ("create", "created", "waiting"),
        ("done", "waiting", "service_approving"),
        ("reject", "service_approving", "waiting"),
    ]
    assert all(r["workflow_source"] == r["workflow_target"] == "in_progress" for r in rows)
    assert [r["operator_name"] for r in rows] == ["张三", "张三", "李四"]
    assert [r["remark"] for r in rows] == ["", "提交", "缺照片"]
    assert all(r["order_id"] == journaled_order.pk for r in rows)
    stored = Journal.objects.filter(order=journaled_order).order_by("id")
    assert [r["created_at"] for r in rows] == [wire_datetime(j.created_at) for j in stored]


def test_get_journals_both_paths_answer_same_body(api, journaled_order):
    short = api.get(f"{BASE}{journaled_order.pk}/journals")
    long = api.get(f"{BASE}orders/{journaled_order.pk}/journals")

    assert short.json() == long.json()


def test_get_journals_paginated(api, journaled_order):
    response = api.get(f"{BASE}{journaled_order.pk}/journals", {"per_page": 1, "page": 2})

    body = response.json()
    assert [row["operation"] for row in body["data"]] == ["done"]
    assert body["pagination"] == {"page": 2, "per_page": 1, "total": 3, "pages": 3}


def test_get_journals_page_past_end_answers_empty_list(api, journaled_order):
    response = api.get(f"{BASE}orders/{journaled_order.pk}/journals", {"page": 9})

    assert response.status_code == 200
    assert response.json()["data"] == []
    assert response.json()["pagination"] == {"page": 9, "per_page": 20, "total": 3, "pages": 1}


def test_get_journals_only_this_orders_rows(api, creator, suppliers, journaled_order):
    make_order(creator, suppliers["customer"], suppliers["accuser"])

    rows = api.get(f"{BASE}{journaled_order.pk}/journals").json()["data"]

    assert {row["order_id"] for row in rows} == {journaled_order.pk}


@pytest.mark.parametrize("value", ["0", "101", "x"])
def test_get_journals_bad_per_page_answers_400(api, journaled_order, value):
    response = api.get(f"{BASE}{journaled_order.pk}/journals", {"per_page": value})

    assert list(assert_field_error(response, "per_page")) == ["per_page"]
