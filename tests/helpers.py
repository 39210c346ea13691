"""Helpers shared by the tests: moving an order along the approval chain the way its people do."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from orders import services
from orders.models import DutyReport, Order
from products.models import Product
from tests.factories import ProductFactory

# Who moves an order on from each status with `done`, in chain order (the contract's role table;
# written out here, not read from `orders.workflow`, so a wrong table there cannot walk an order).
CHAIN: tuple[tuple[str, str], ...] = (
    ("waiting", "creator"),
    ("service_approving", "service"),
    ("service_approved", "service"),
    ("manager_reviewing", "manager"),
    ("manager_reviewed", "manager"),
    ("chief_reviewing", "chief"),
    ("chief_reviewed", "chief"),
    ("finance_reviewing", "finance"),
)
NEXT = {status: CHAIN[index + 1][0] if index + 1 < len(CHAIN) else "end" for index, (status, _) in enumerate(CHAIN)}
# The compensation of the duty report `advance` writes when an order has none.
COMPENSATION = Decimal("5000.00")


def _actor(users: dict[str, Any], order: Order, key: str) -> Any:
    # "creator" is whoever filed this order (not necessarily the `creator` fixture).
    return order.creator if key == "creator" else users[key]


def prepare_done(users: dict[str, Any], order: Order) -> None:
    """Gives the order what `done` at its current status needs, when it lacks it, written by those
    who may write it there: an abnormal product to submit a 成品/材料 claim (the order's creator), a
    duty report to leave service_approved (the specialist), deductions adding up to the duty report's
    compensation to leave finance_reviewing (finance)."""
    order = Order.objects.get(pk=order.pk)
    if order.status == "waiting" and order.reason in ("成品", "材料") and not order.abnormal_products.exists():
        product = Product.objects.filter(active=True).order_by("id").first() or ProductFactory()
        services.abnormal_products_add(
            user=order.creator, order_id=order.pk, items=[{"sku_code": product.sku_code, "remark": "样品"}]
        )
    elif order.status == "service_approved" and not DutyReport.objects.filter(order=order).exists():
        services.duty_report_upsert(user=users["service"], order_id=order.pk, values={"compensation": COMPENSATION})
    elif order.status == "finance_reviewing":
        report = DutyReport.objects.filter(order=order).first()
        due = report.compensation if report is not None and report.compensation else Decimal("0")
        missing = due - (order.deductions.aggregate(total=Sum("compensation"))["total"] or Decimal("0"))
        if missing > 0:
            services.deduction_add(user=users["finance"], order_id=order.pk, values={"compensation": missing})


def advance(users: dict[str, Any], order: Order, target: str, *, ready: bool = False) -> Order:
    """Moves the order forward with `done` until it is at `target`, each step by someone who acts
    there (`users`: the `users` fixture), after giving the step what its guard asks (`prepare_done`).
    `ready`: also prepare `done` at `target`, so the order may move on from there. Returns the
    order as stored."""
    order = Order.objects.get(pk=order.pk)
    while order.status != target:
        assert order.status in NEXT, f"{target} does not follow {order.status}"
        actor = _actor(users, order, dict(CHAIN)[order.status])
        prepare_done(users, order)
        services.order_update(user=actor, order_id=order.pk, operation="done", expected_status=order.status)
        order = Order.objects.get(pk=order.pk)
    if ready and target in NEXT:
        prepare_done(users, order)
    return Order.objects.get(pk=order.pk)


def make_overdue(order: Order) -> Order:
    """Ages the order's current step past the SLA and runs the overdue sweep, as cron would."""
    stale = timezone.now() - timedelta(hours=settings.AFTERSERVICE_STEP_SLA_HOURS + 1)
    Order.objects.filter(pk=order.pk).update(step_started_at=stale)
    services.orders_mark_overdue()
    order = Order.objects.get(pk=order.pk)
    assert order.workflow_status == "overdue"
    return order
