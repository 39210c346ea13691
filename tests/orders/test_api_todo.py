"""The approver's desk: `GET orders?todo=1` is exactly the visible orders whose `operations` hold
`done` — for every role and the creator, over orders in every state — computed in SQL with a query
count flat in the page size; `GET orders/summary` counts the same."""

from __future__ import annotations

import pytest

from orders import services
from orders.workflow import Status
from tests.conftest import client_for
from tests.factories import make_order
from tests.helpers import ORDERS, advance, assert_ok, make_overdue

PEOPLE = ["creator", "other", "service", "manager", "chief", "finance", "superuser"]


@pytest.fixture
def desk(users, suppliers, products):
    """Orders in every status, plus halted, overdue and cancelled ones, one filed by a manager."""

    def new(by="creator"):
        return make_order(
            users[by], suppliers["customer"], suppliers["accuser"], abnormal_products=[{"sku_code": "SKU-1"}]
        )

    made = []
    for status in Status.values:
        if status != Status.CREATED:
            made.append(advance(users, new(), status))
    halted = advance(users, new(), Status.MANAGER_REVIEWING)
    services.order_apply_operation(user=users["creator"], order_id=halted.pk, operation="halt")
    overdue = make_overdue(advance(users, new(), Status.CHIEF_REVIEWING))
    cancelled = new()
    services.order_apply_operation(user=users["creator"], order_id=cancelled.pk, operation="cancel")
    return [*made, halted, overdue, cancelled, new(by="manager")]


def _all_pages(client, params):
    listed, page = [], 1
    while True:
        response = client.get(ORDERS, {**params, "per_page": 100, "page": page})
        assert_ok(response)
        body = response.json()
        listed += body["data"]
        if page >= body["pagination"]["pages"]:
            return listed, body["pagination"]["total"]
        page += 1


@pytest.mark.parametrize("person", PEOPLE)
def test_todo_is_exactly_the_orders_whose_operations_hold_done(users, desk, person):
    client = client_for(users[person])

    everything, _total = _all_pages(client, {})
    todo, total = _all_pages(client, {"todo": "1"})

    expected = {order["id"] for order in everything if "done" in order["operations"]}
    assert {order["id"] for order in todo} == expected
    assert total == len(expected)
    if person in ("service", "manager", "chief", "finance", "superuser", "creator"):
        assert expected, f"the desk has work for {person}"


def test_todo_combines_with_status_and_workflow_filters(users, desk):
    client = client_for(users["chief"])

    _data, overdue_total = _all_pages(client, {"todo": "1", "workflow_status": "overdue"})
    data, reviewing_total = _all_pages(client, {"todo": "1", "status": "chief_reviewing"})

    assert overdue_total == 1
    assert reviewing_total == 2 and {order["status"] for order in data} == {"chief_reviewing"}


@pytest.mark.parametrize("per_page", [1, 5, 10])
def test_todo_list_query_count_flat_in_page_size(users, desk, per_page, django_assert_num_queries):
    client = client_for(users["superuser"])
    client.get(ORDERS, {"todo": "1", "per_page": per_page})  # the token's first use

    # token, the to-do total (counters), page ids, the page's rows, one per nested collection
    with django_assert_num_queries(7):
        response = client.get(ORDERS, {"todo": "1", "per_page": per_page})

    assert len(response.json()["data"]) == per_page


def test_todo_flag_must_be_1_or_0(users):
    response = client_for(users["service"]).get(ORDERS, {"todo": "yes please"})

    assert response.status_code == 400 and "todo" in response.json()["data"]["errors"]


@pytest.mark.parametrize("person", PEOPLE)
def test_summary_counts_the_desk(users, desk, person):
    client = client_for(users[person])
    everything, total = _all_pages(client, {})
    _todo, todo_total = _all_pages(client, {"todo": "1"})

    summary = assert_ok(client.get(ORDERS + "/summary"))

    assert summary["todo"] == todo_total
    assert summary["overdue"] == sum(1 for order in everything if order["workflow_status"] == "overdue")
    assert sum(summary["by_status"].values()) == total
    assert summary["by_status"]["waiting"] == sum(1 for order in everything if order["status"] == "waiting")
    assert summary["unread_notifications"] >= 0
    assert set(summary["by_status"]) == set(Status.values)
