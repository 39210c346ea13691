"""`POST orders/bulk`: one operation on up to 100 orders, each in its own transaction with the
single-order guards, journal and notifications; committed orders stay committed when others fail;
concurrent bulk and single operations never move an order twice."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from notifications.models import Notification
from orders import services
from orders.models import Journal, Order
from orders.workflow import Status
from tests.conftest import client_for
from tests.factories import make_order
from tests.helpers import ORDERS, advance, assert_field_error, assert_ok, db_state, journal_rows

BULK = ORDERS + "/bulk"


def _new(users, suppliers, by="creator", **extra):
    return make_order(
        users[by], suppliers["customer"], suppliers["accuser"], abnormal_products=[{"sku_code": "SKU-1"}], **extra
    )


def test_bulk_of_100_mixed_orders_answers_each_and_keeps_the_successes(users, suppliers, products):
    submitted = [_new(users, suppliers) for _ in range(95)]
    without_products = _new(users, suppliers, reason="成品")
    without_products.abnormal_products.all().delete()  # the submit guard will refuse it
    someone_elses = _new(users, suppliers, by="other")  # invisible to the creator
    halted = _new(users, suppliers)
    services.order_apply_operation(user=users["creator"], order_id=halted.pk, operation="halt")
    ids = [order.pk for order in submitted] + [without_products.pk, someone_elses.pk, halted.pk, 987654]

    data = assert_ok(client_for(users["creator"]).post(BULK, {"ids": ids, "operation": "done"}, format="json"))

    results = {result["id"]: result for result in data["results"]}
    assert [result["id"] for result in data["results"]] == ids
    assert (data["succeeded"], data["failed"]) == (95, 4)
    assert {results[o.pk]["status"] for o in submitted} == {0}
    assert results[submitted[0].pk]["order_status"] == "service_approving"
    assert (results[without_products.pk]["status"], results[without_products.pk]["code"]) == (409, "invalid_operation")
    assert "异常产品" in results[without_products.pk]["message"]
    assert (results[someone_elses.pk]["status"], results[someone_elses.pk]["code"]) == (404, "not_found")
    assert (results[halted.pk]["status"], results[halted.pk]["code"]) == (409, "invalid_operation")
    assert results[987654]["status"] == 404
    assert Order.objects.filter(status=Status.SERVICE_APPROVING).count() == 95
    assert all(len(journal_rows(order)) == 2 for order in submitted)  # create + done, each its own row


def test_bulk_reject_needs_a_reason_for_each_order(users, suppliers, products):
    order = advance(users, _new(users, suppliers), Status.SERVICE_APPROVING)
    before = db_state(order)

    data = assert_ok(client_for(users["service"]).post(BULK, {"ids": [order.pk], "operation": "reject"}, format="json"))

    assert (data["results"][0]["status"], data["results"][0]["code"]) == (400, "validation_error")
    assert db_state(order) == before


def test_bulk_applies_each_id_once_and_notifies_like_one_by_one(users, suppliers, products):
    order = _new(users, suppliers)

    data = assert_ok(
        client_for(users["creator"]).post(BULK, {"ids": [order.pk, order.pk], "operation": "done"}, format="json")
    )

    assert len(data["results"]) == 1
    assert Order.objects.get(pk=order.pk).status == Status.SERVICE_APPROVING
    assert Notification.objects.filter(order=order, recipient=users["service"], kind="todo").count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"ids": [], "operation": "done"}, "ids"),
        ({"ids": list(range(1, 102)), "operation": "done"}, "ids"),
        ({"ids": ["x"], "operation": "done"}, "ids"),
        ({"ids": [1], "operation": "approve"}, "operation"),
        ({"ids": [1]}, "operation"),
        ({"ids": [1], "operation": "done", "expected_status": "nowhere"}, "expected_status"),
    ],
)
def test_bulk_bad_body_answers_400_naming_the_field(users, body, field):
    assert_field_error(client_for(users["service"]).post(BULK, body, format="json"), field)


def test_bulk_with_expected_status_moves_only_orders_still_there(users, suppliers, products):
    fresh = advance(users, _new(users, suppliers), Status.SERVICE_APPROVING)
    moved_on = advance(users, _new(users, suppliers), Status.SERVICE_APPROVED)

    data = assert_ok(
        client_for(users["service"]).post(
            BULK,
            {"ids": [fresh.pk, moved_on.pk], "operation": "done", "expected_status": "service_approving"},
            format="json",
        )
    )

    assert [(r["id"], r["status"]) for r in data["results"]] == [(fresh.pk, 0), (moved_on.pk, 409)]
    assert data["results"][1]["code"] == "conflict"


@pytest.mark.postgres_only
def test_concurrent_bulk_and_single_done_move_each_order_once(users, suppliers, products):
    orders = [advance(users, _new(users, suppliers), Status.SERVICE_APPROVING) for _ in range(10)]
    ids = [order.pk for order in orders]
    barrier = threading.Barrier(2)

    def bulk():
        barrier.wait()
        try:
            return services.orders_bulk_apply(
                user=users["service"], order_ids=ids, operation="done", expected_status="service_approving"
            )
        finally:
            connection.close()

    def singles():
        barrier.wait()
        outcomes = []
        try:
            for order_id in reversed(ids):
                try:
                    services.order_apply_operation(
                        user=users["service"], order_id=order_id, operation="done", expected_status="service_approving"
                    )
                    outcomes.append("moved")
                except Exception as exc:  # the other side won: a conflict, nothing changed
                    outcomes.append(type(exc).__name__)
        finally:
            connection.close()
        return outcomes

    with ThreadPoolExecutor(max_workers=2) as pool:
        from_bulk, from_singles = pool.submit(bulk), pool.submit(singles)
        bulk_results, single_outcomes = from_bulk.result(), from_singles.result()

    moved = sum(1 for r in bulk_results if r.error is None) + single_outcomes.count("moved")
    assert moved == 10
    assert set(Order.objects.filter(pk__in=ids).values_list("status", flat=True)) == {Status.SERVICE_APPROVED}
    assert Journal.objects.filter(order_id__in=ids, operation="done", source="service_approving").count() == 10
