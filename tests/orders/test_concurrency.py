"""Concurrent writes on PostgreSQL: serial numbers and double-tapped operations (docs/api.md).

Threads share a `threading.Barrier` so they hit the database together; each uses its own
connection and closes it when done. SQLite serialises every writer on one file lock, so these
tests only prove something on PostgreSQL and are skipped elsewhere.

`postgres_only` makes them transactional with a serialized rollback (tests/conftest.py): the
threads must see committed rows, and the role groups of the data migration are restored after
each test's flush.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from orders import services
from orders.exceptions import NotAllowedNow, NotPermitted
from orders.models import Journal, Order
from orders.workflow import Status
from tests.factories import make_order
from tests.helpers import NEXT, advance

pytestmark = pytest.mark.postgres_only

OK = "ok"


def run_together(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Runs `work(i)` in `count` threads released at once; returns each result or the exception raised."""
    barrier = threading.Barrier(count, timeout=30)

    def one(index: int) -> Any:
        try:
            barrier.wait()
            return work(index)
        except Exception as exc:  # the test inspects what each thread got
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


def fresh_user(user: Any) -> Any:
    """The same user loaded in the calling thread (role caches are per object)."""
    return get_user_model().objects.get(pk=user.pk)


def outcome(result: Any) -> str:
    return result if result == OK else type(result).__name__


def test_concurrent_creates_get_distinct_consecutive_serial_numbers(users, suppliers):
    day = timezone.localdate()
    creator = users["creator"]

    def create(index: int) -> Any:
        order = services.order_create(
            user=fresh_user(creator),
            type="质量投诉",
            customer_name=suppliers["customer"].name,
            accuser_name=suppliers["accuser"].name,
            creator_name="张三",
            reason="成品",
            remark=f"并发 {index}",
        )
        return order.serial_number

    results = run_together(40, create)

    assert [r for r in results if not isinstance(r, str)] == []
    assert sorted(results) == [f"SH{day:%Y%m%d}{n:04d}" for n in range(1, 41)]
    assert Order.objects.count() == 40
    assert Journal.objects.filter(operation="create").count() == 40


@pytest.mark.parametrize(
    ("status", "actor"),
    [(Status.SERVICE_APPROVING, "service"), (Status.FINANCE_REVIEWING, "finance")],
)
def test_concurrent_done_with_expected_status_moves_order_once(users, suppliers, status, actor):
    order = advance(
        users, make_order(users["creator"], suppliers["customer"], suppliers["accuser"]), status, ready=True
    )
    journals = Journal.objects.filter(order=order).count()

    def done(index: int) -> Any:
        services.order_update(
            user=fresh_user(users[actor]),
            order_id=order.pk,
            operation="done",
            expected_status=status,
            remark=f"第{index}次点击",
        )
        return OK

    results = run_together(10, done)

    assert Counter(outcome(r) for r in results) == {OK: 1, "Conflict": 9}
    order.refresh_from_db()
    assert order.status == NEXT[status]
    assert Journal.objects.filter(order=order).count() == journals + 1


def test_concurrent_done_without_expected_status_applies_one_after_another(users, suppliers):
    order = advance(
        users, make_order(users["creator"], suppliers["customer"], suppliers["accuser"]), Status.SERVICE_APPROVING
    )
    # The specialist's duty report is written already, so leaving service_approved is not blocked.
    services.duty_report_upsert(user=users["service"], order_id=order.pk, values={"compensation": None})
    journals = Journal.objects.filter(order=order).count()

    def done(index: int) -> Any:
        services.order_update(user=fresh_user(users["service"]), order_id=order.pk, operation="done", remark=f"{index}")
        return OK

    results = run_together(10, done)

    # service acts at service_approving and at service_approved, not at manager_reviewing: each tap
    # sees the previous one's result, so exactly two move the order and the rest are refused.
    successes = sum(r == OK for r in results)
    assert successes == 2
    refused = [r for r in results if r != OK]
    assert all(isinstance(r, (NotPermitted, NotAllowedNow)) for r in refused), refused
    order.refresh_from_db()
    assert (order.status, order.workflow_status) == (Status.MANAGER_REVIEWING, "in_progress")
    rows = list(Journal.objects.filter(order=order).order_by("id")[journals:].values_list("source", "target"))
    assert len(rows) == successes
    assert rows == [
        (Status.SERVICE_APPROVING, Status.SERVICE_APPROVED),
        (Status.SERVICE_APPROVED, Status.MANAGER_REVIEWING),
    ]
