"""Exact totals without scanning: the live-order counters move with every create, transition,
overdue mark, soft delete and bulk operation — in random sequences and concurrently — and always
equal `COUNT(*)`; `recount` finds and repairs drift; the list's total comes from them."""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders import counters, services
from orders.exceptions import DomainError
from orders.models import Order, OrderCount
from orders.workflow import Status, WorkflowStatus
from stats.services import figures_rebuild
from tests.conftest import client_for
from tests.factories import make_order
from tests.helpers import ORDERS, advance, make_overdue, prepare_done
from tests.stats.test_services import snapshot as statistics_snapshot

# Every filter set a role user's list answers from the counters.
COUNTED_FILTERS = [
    {},
    {"status": "waiting"},
    {"status": "manager_reviewing,chief_reviewing"},
    {"workflow_status": "in_progress"},
    {"workflow_status": "overdue,halt"},
    {"status": "service_approving", "workflow_status": "in_progress"},
    {"todo": "1"},
    {"todo": "1", "status": "waiting"},
    {"todo": "1", "workflow_status": "overdue"},
]


def assert_counters_exact() -> None:
    drifts = counters.recount()
    assert drifts == [], drifts
    # The statistics' pre-counted totals move in the same transactions: a rebuild finds them right.
    kept = statistics_snapshot()
    figures_rebuild()
    assert statistics_snapshot() == kept


def assert_api_totals_exact(users: dict[str, Any]) -> None:
    for role in ("service", "manager", "superuser"):
        client = client_for(users[role])
        for params in COUNTED_FILTERS:
            response = client.get(ORDERS, {**params, "per_page": 100})
            listed = response.json()
            assert response.status_code == 200, listed
            # A page of up to 100 holds every matching order here: its length is the true count.
            assert listed["pagination"]["total"] == len(listed["data"]), (role, params)


@pytest.fixture
def orders(users, suppliers, products):
    return [
        make_order(
            users["creator"],
            suppliers["customer"],
            suppliers["accuser"],
            abnormal_products=[{"sku_code": products[0].sku_code}],
        )
        for _ in range(6)
    ]


def test_each_kind_of_move_keeps_the_counters_exact(users, orders):
    first, second, third, fourth, fifth, sixth = orders
    assert_counters_exact()

    advance(users, first, Status.FINANCE_REVIEWING)
    advance(users, first, Status.END)
    advance(users, second, Status.MANAGER_REVIEWING)
    services.order_apply_operation(user=users["manager"], order_id=second.pk, operation="reject", remark="补充材料")
    services.order_apply_operation(user=users["creator"], order_id=third.pk, operation="halt")
    services.order_apply_operation(user=users["creator"], order_id=fourth.pk, operation="cancel")
    make_overdue(fifth)
    services.order_delete(user=users["creator"], order_id=sixth.pk)
    assert_counters_exact()

    services.order_apply_operation(user=users["creator"], order_id=third.pk, operation="resume")
    services.order_apply_operation(user=users["creator"], order_id=fifth.pk, operation="done")  # overdue → on
    services.orders_bulk_apply(user=users["service"], order_ids=[second.pk, third.pk, 999999], operation="done")

    assert_counters_exact()
    assert_api_totals_exact(users)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_sequences_keep_the_counters_exact(users, suppliers, products, seed):
    rng = random.Random(seed)
    made: list[Order] = []
    people = ["creator", "service", "manager", "chief", "finance", "superuser"]
    for step in range(60):
        choice = rng.random()
        if choice < 0.2 or not made:
            made.append(
                make_order(
                    users["creator"],
                    suppliers["customer"],
                    suppliers["accuser"],
                    abnormal_products=[{"sku_code": products[0].sku_code}],
                )
            )
            continue
        order = Order.objects.get(pk=rng.choice(made).pk)
        operation = rng.choice(
            ["done", "done", "done", "reject", "halt", "resume", "cancel", "delete", "overdue", "bulk"]
        )
        try:
            if operation == "bulk":
                picked = rng.sample(made, min(len(made), 4))
                for each in picked:
                    prepare_done(users, Order.objects.get(pk=each.pk))
                services.orders_bulk_apply(
                    user=users[rng.choice(people)],
                    order_ids=[each.pk for each in picked],
                    operation=rng.choice(["done", "halt", "resume", "cancel"]),
                )
            elif operation == "delete":
                services.order_delete(user=users[rng.choice(["creator", "service"])], order_id=order.pk)
            elif operation == "overdue":
                if order.workflow_status == WorkflowStatus.IN_PROGRESS and not order.is_deleted:
                    make_overdue(order)
            else:
                if operation == "done":
                    prepare_done(users, order)
                services.order_apply_operation(
                    user=users[rng.choice(people)], order_id=order.pk, operation=operation, remark=f"第{step}步"
                )
        except DomainError:
            pass  # refused moves are part of the sequence: they must change no counter either
        if step % 15 == 14:
            assert_counters_exact()
    assert_counters_exact()
    assert_api_totals_exact(users)


def test_recount_reports_and_repairs_a_corrupted_counter(orders, capsys):
    OrderCount.objects.filter(status=Status.WAITING, workflow_status=WorkflowStatus.IN_PROGRESS).update(live=99)

    drifts = counters.recount()
    with pytest.raises(CommandError, match="drifted"):
        call_command("recount")
    call_command("recount", "--repair")

    assert [(d.status, d.workflow_status, d.counted, d.actual) for d in drifts] == [
        (Status.WAITING, WorkflowStatus.IN_PROGRESS, 99, len(orders))
    ]
    assert "repaired" in capsys.readouterr().out
    assert_counters_exact()


def test_recount_recreates_a_missing_counter_row(orders):
    OrderCount.objects.filter(status=Status.WAITING, workflow_status=WorkflowStatus.IN_PROGRESS).delete()

    counters.recount(repair=True)

    assert OrderCount.objects.get(status=Status.WAITING, workflow_status=WorkflowStatus.IN_PROGRESS).live == 6


@pytest.mark.parametrize("params", COUNTED_FILTERS)
def test_role_users_list_total_is_read_without_counting_the_orders(users, orders, params):
    with CaptureQueriesContext(connection) as queries:
        response = client_for(users["service"]).get(ORDERS, params)

    assert response.status_code == 200
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper() and '"orders_order"' in q["sql"]]
    if params.get("todo"):
        # The creator's own share of the to-do queue (none for a service user) is the only count.
        assert len(counts) <= 1
    else:
        assert counts == []


def test_other_filters_and_plain_users_count_their_orders(users, orders):
    for client, params in ((client_for(users["service"]), {"reason": "成品"}), (client_for(users["creator"]), {})):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(ORDERS, params)
        assert response.json()["pagination"]["total"] == len(orders)
        assert any("COUNT(" in q["sql"].upper() for q in queries)


@pytest.mark.postgres_only
def test_concurrent_moves_keep_the_counters_exact_without_deadlocks(users, suppliers, products):
    made = [
        make_order(
            users["creator"], suppliers["customer"], suppliers["accuser"], abnormal_products=[{"sku_code": "SKU-1"}]
        )
        for _ in range(12)
    ]
    barrier = threading.Barrier(6)
    errors: list[BaseException] = []

    def work(index: int) -> None:
        try:
            barrier.wait()
            for order in made[index::6]:
                services.order_apply_operation(user=users["creator"], order_id=order.pk, operation="done")
                services.order_apply_operation(user=users["service"], order_id=order.pk, operation="halt")
                make_order(users["creator"], suppliers["customer"], suppliers["accuser"], reason="其它")
        except BaseException as exc:  # reported below, with the others
            errors.append(exc)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(work, range(6)))

    assert errors == []
    assert_counters_exact()
    assert counters.total(statuses=[Status.SERVICE_APPROVING], workflow_statuses=[WorkflowStatus.HALT]) == 12
    assert counters.total(statuses=[Status.WAITING]) == 12
