"""Helpers shared by the tests: the API's envelope, snapshots of the database, probing in a
rolled-back savepoint, and moving an order along the approval chain the way its people do.
Fixtures live in `tests/conftest.py`, factories in `tests/factories.py`."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from orders import services
from orders.models import AbnormalProduct, Deduction, DutyReport, Journal, Order, Track
from products.models import Product
from tests.factories import ProductFactory

BASE = "/api/v1/afterservice/"
ORDERS = BASE + "orders"
SHANGHAI = ZoneInfo("Asia/Shanghai")


# The order's fields on the wire, every one of them, list and detail alike.
ORDER_FIELDS = frozenset(
    {
        "id",
        "serial_number",
        "charge_number",
        "type",
        "customer_name",
        "accuser_name",
        "creator_name",
        "saler",
        "status",
        "workflow_status",
        "summitted_at",
        "created_at",
        "updated_at",
        "remark",
        "reason",
        "last_reject_reason",
        "abnormal_products",
        "duty_report",
        "tracks",
        "deductions",
        "attachments",
        "operations",
    }
)


def login(user: Any, **kwargs: Any) -> Any:
    """A Django test client signed in as `user` (the admin's session)."""
    from django.test import Client

    client = Client(**kwargs)
    client.force_login(user)
    return client


def order_url(order_id: int, suffix: str = "") -> str:
    return f"{ORDERS}/{order_id}{suffix}"


# --- The envelope ------------------------------------------------------------------------------------
def assert_ok(response: Any, http_status: int = 200) -> Any:
    """A success in the envelope; returns its `data`."""
    assert response.status_code == http_status, response.content
    body = response.json()
    assert (body["status"], body["message"]) == (0, "ok"), body
    return body["data"]


def assert_error(response: Any, http_status: int, code: str) -> dict[str, Any]:
    """The error envelope: status = the HTTP status, a message sentence, the stable code word, no
    traceback. Returns the body."""
    assert response.status_code == http_status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"status", "message", "code", "data"}, body
    assert (body["status"], body["code"]) == (http_status, code), body
    assert isinstance(body["message"], str) and body["message"].strip(), body
    assert b"Traceback" not in response.content
    return body


def assert_field_error(response: Any, *fields: str) -> dict[str, Any]:
    """A 400 `validation_error` naming at least `fields`; returns the field errors."""
    errors = assert_error(response, 400, "validation_error")["data"]["errors"]
    for field in fields:
        assert field in errors, errors
    return errors


def raw(client: Any, method: str, path: str, body: Any, content_type: str = "application/json", **extra: Any) -> Any:
    """A request to `BASE + path` with a literal body (GET sends none)."""
    if method == "get":
        return client.get(BASE + path, **extra)
    return getattr(client, method)(BASE + path, data=body, content_type=content_type, **extra)


def ids(response: Any) -> list[int]:
    """The ids of a list's items, in order (asserting a 200)."""
    return [item["id"] for item in assert_ok(response)]


def wire_datetime(value: datetime) -> str:
    """A stored datetime as the API renders it: local (Asia/Shanghai) "YYYY-MM-DD HH:MM:SS"."""
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def today() -> str:
    """The local date as serial and charge numbers carry it."""
    return timezone.localdate().strftime("%Y%m%d")


# --- The database ------------------------------------------------------------------------------------
def db_state(*orders: Order) -> dict[str, list[dict[str, Any]]]:
    """Every row a write to orders could touch — orders, their records, the journal — to assert
    that a refused request changed nothing; only the rows of `orders` when given."""
    ids = [order.pk for order in orders]

    def rows(model: Any, key: str) -> list[dict[str, Any]]:
        query = model.objects.order_by("id")
        return list((query.filter(**{f"{key}__in": ids}) if ids else query).values())

    return {
        "orders": rows(Order, "id"),
        "abnormal_products": rows(AbnormalProduct, "order_id"),
        "duty_reports": rows(DutyReport, "order_id"),
        "tracks": rows(Track, "order_id"),
        "deductions": rows(Deduction, "order_id"),
        "journal": rows(Journal, "order_id"),
    }


def journal_rows(order: Order | int) -> list[Journal]:
    """The order's journal, oldest first."""
    return list(Journal.objects.filter(order_id=getattr(order, "pk", order)).order_by("id"))


class _Undo(Exception):  # noqa: N818 - control flow, not an error
    pass


@contextlib.contextmanager
def rolled_back() -> Iterator[None]:
    """Runs the block in a savepoint that is rolled back afterwards, so one order state can be
    probed by many requests, successful writes included."""
    with contextlib.suppress(_Undo), transaction.atomic():
        yield
        raise _Undo


# --- The approval chain ------------------------------------------------------------------------------
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
    there (`users`: the `users` fixture; "creator" is whoever filed the order), after giving the
    step what its guard asks (`prepare_done`). `ready`: also prepare `done` at `target`, so the order
    may move on from there. Returns the order as stored."""
    order = Order.objects.get(pk=order.pk)
    while order.status != target:
        assert order.status in NEXT, f"{target} does not follow {order.status}"
        key = dict(CHAIN)[order.status]
        actor = order.creator if key == "creator" else users[key]
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
