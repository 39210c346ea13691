"""Reads load a page with a fixed number of queries, whatever `per_page` (README "Performance").

Every order here has all its nested records (3 abnormal products, 2 tracks, 2 deductions, a duty
report, 8 journal rows), so a per-order query anywhere would show as a count that grows with the
page. The counts are exact: a new query on the hot path must be a decision, not an accident.

- list: token with roles (1) + count (1) + page ids (1) + the page's orders with duty reports (1)
  + one per nested collection (3) = 7;
- detail: the same without the count = 6;
- journal list: token (1) + the visible order (1) + count (1) + page (1) = 4.

`operations` needs no query of its own (the roles come with the token), and throttling none (its
counters are not in the database).
"""

from decimal import Decimal

import pytest

from orders.models import AbnormalProduct, Deduction, DutyReport, Journal, Track
from orders.workflow import JournalOperation, Status, WorkflowStatus
from tests.factories import make_order
from tests.helpers import BASE

LIST_QUERIES = 7
DETAIL_QUERIES = 6
JOURNAL_QUERIES = 4


@pytest.fixture
def full_orders(users, suppliers, products):
    """101 orders (one more than the largest page) with every kind of nested record."""
    creator = users["creator"]
    orders = [make_order(creator, suppliers["customer"], suppliers["accuser"]) for _ in range(101)]
    AbnormalProduct.objects.bulk_create(
        AbnormalProduct(order=o, product=p, sku_code=p.sku_code, remark="划伤", product_item_name=p.item_name)
        for o in orders
        for p in products
    )
    Track.objects.bulk_create(
        Track(order=o, remark=f"跟进{n}", operator=creator, operator_name="张三") for o in orders for n in range(2)
    )
    Deduction.objects.bulk_create(
        Deduction(order=o, compensation=Decimal(500 * (n + 1)), has_receipt=bool(n)) for o in orders for n in range(2)
    )
    DutyReport.objects.bulk_create(
        DutyReport(order=o, abnormal_type="质量", compensation=Decimal("5000"), duty_to="被告工厂") for o in orders
    )
    journal = dict(
        operation=JournalOperation.DONE,
        source=Status.WAITING,
        target=Status.WAITING,
        workflow_source=WorkflowStatus.IN_PROGRESS,
        workflow_target=WorkflowStatus.IN_PROGRESS,
        operator_name="张三",
    )
    # make_order journaled the creation; 7 more rows each.
    Journal.objects.bulk_create(Journal(order=o, **journal) for o in orders for _ in range(7))
    return orders


def assert_complete(order):
    assert len(order["abnormal_products"]) == 3
    assert len(order["tracks"]) == 2
    assert len(order["deductions"]) == 2
    assert order["duty_report"]["compensation"] == "5000.00"
    assert order["operations"]


@pytest.mark.parametrize("per_page", [1, 20, 100])
@pytest.mark.parametrize("client_name", ["service", "creator", "superuser"])
def test_list_per_page_any_runs_fixed_queries(clients, full_orders, django_assert_num_queries, per_page, client_name):
    with django_assert_num_queries(LIST_QUERIES):
        response = clients[client_name].get(BASE + "orders", {"per_page": per_page})

    assert response.status_code == 200
    body = response.json()
    assert len(body["data"]) == per_page
    assert body["pagination"]["total"] == 101
    for order in body["data"]:
        assert_complete(order)


@pytest.mark.parametrize("per_page", [1, 20, 100])
@pytest.mark.parametrize(
    "filters",
    [
        {"status": "waiting"},
        {"status": "waitting", "workflow_status": "in_progress"},
        {"creator_name": "creator"},
        {"creater_name": "张三", "saler": "service1"},
        {"customer_name": "被告工厂", "key_word": "SH"},
    ],
)
def test_list_filtered_per_page_any_runs_fixed_queries(
    clients, full_orders, django_assert_num_queries, per_page, filters
):
    with django_assert_num_queries(LIST_QUERIES):
        response = clients["service"].get(BASE + "orders", {"per_page": per_page, **filters})

    assert response.status_code == 200
    assert len(response.json()["data"]) == per_page


def test_list_page_past_the_end_runs_no_row_queries(clients, full_orders, django_assert_num_queries):
    # token + count; the page starts past the total, so no page, row or nested queries
    with django_assert_num_queries(2):
        response = clients["service"].get(BASE + "orders", {"per_page": 100, "page": 3})

    assert response.json()["data"] == []


@pytest.mark.parametrize("client_name", ["service", "creator"])
def test_detail_runs_fixed_queries(clients, full_orders, django_assert_num_queries, client_name):
    with django_assert_num_queries(DETAIL_QUERIES):
        response = clients[client_name].get(f"{BASE}orders/{full_orders[50].pk}")

    assert response.status_code == 200
    assert_complete(response.json()["data"])


@pytest.mark.parametrize("per_page", [1, 20, 100])
def test_journal_list_per_page_any_runs_fixed_queries(clients, full_orders, django_assert_num_queries, per_page):
    with django_assert_num_queries(JOURNAL_QUERIES):
        response = clients["service"].get(f"{BASE}orders/{full_orders[0].pk}/journals", {"per_page": per_page})

    assert response.status_code == 200
    assert len(response.json()["data"]) == min(per_page, 8)


def test_session_user_roles_cost_one_query_once(clients, users, full_orders, django_assert_num_queries, client):
    # Session authentication (the admin's browser) has no token query to carry the roles: they are
    # read once per request, as before.
    client.force_login(users["service"])
    with django_assert_num_queries(LIST_QUERIES + 2):  # session + user, then the role groups
        response = client.get(BASE + "orders", {"per_page": 20})

    assert response.status_code == 200
    assert len(response.json()["data"]) == 20
