"""The guards on `done` (docs/workflow.md): a step cannot be left while it lacks what the next one relies
on. Each blocks with 409 `invalid_operation` and a message saying what is missing, changes nothing,
and lets the order pass once the missing piece is there.

- submit (waiting): at least one abnormal product when the reason is 成品 or 材料;
- service_approved: a duty report exists;
- finance_reviewing: when the duty report's compensation is above 0, the deductions add up to it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from orders import services
from orders.exceptions import NotAllowedNow
from orders.models import Reason
from tests.factories import make_order
from tests.helpers import advance, assert_error, assert_ok, db_state, order_url


def done(client: Any, order_id: int, **extra: Any) -> Any:
    return client.put(order_url(order_id), {"operation": "done", **extra}, format="json")


def assert_blocked(response: Any, before: dict[str, Any]) -> str:
    """409 `invalid_operation` with a message of its own (not the generic "not allowed now"), and
    the database as it was. Returns the message."""
    message = assert_error(response, 409, "invalid_operation")["message"]
    assert message != str(NotAllowedNow.default_message)
    assert db_state() == before
    return message


@pytest.fixture
def order(users, suppliers, products):
    """The creator's 成品 claim, without abnormal products yet."""
    return make_order(users["creator"], suppliers["customer"], suppliers["accuser"])


# --- Submit: abnormal products for a 成品/材料 claim ---------------------------------------------------
@pytest.mark.parametrize("reason", ["成品", "材料"])
def test_submit_without_abnormal_products_is_blocked_naming_the_reason_then_passes_with_one(
    clients, users, suppliers, products, reason
):
    order = make_order(users["creator"], suppliers["customer"], suppliers["accuser"], reason=reason)
    before = db_state()

    message = assert_blocked(done(clients["creator"], order.pk), before)

    assert str(Reason(reason).label) in message  # says which kind of claim needs the products
    services.abnormal_products_add(user=users["creator"], order_id=order.pk, items=[{"sku_code": "SKU-1"}])
    assert assert_ok(done(clients["creator"], order.pk))["status"] == "service_approving"


def test_submit_of_other_claim_needs_no_abnormal_products(clients, users, suppliers):
    order = make_order(users["creator"], suppliers["customer"], suppliers["accuser"], reason="其它")

    assert assert_ok(done(clients["creator"], order.pk))["status"] == "service_approving"


def test_submit_blocked_for_the_specialist_and_superuser_too(clients, order):
    before = db_state()

    for user in ("service", "superuser"):  # who asks does not matter: the order lacks something
        assert_blocked(done(clients[user], order.pk), before)


def test_submit_after_the_last_product_was_removed_is_blocked_again(clients, users, order):
    (line,) = services.abnormal_products_add(user=users["creator"], order_id=order.pk, items=[{"sku_code": "SKU-1"}])
    services.abnormal_product_delete(user=users["creator"], order_id=order.pk, line_id=line.pk)
    before = db_state()

    assert_blocked(done(clients["creator"], order.pk), before)


def test_submit_in_one_put_with_the_products_it_needs_passes(clients, order):
    body = {"operation": "done", "abnormal_products": [{"skuCode": "SKU-2", "remark": "开裂"}]}

    data = assert_ok(clients["creator"].put(order_url(order.pk), body, format="json"))

    assert data["status"] == "service_approving"
    assert [line["skuCode"] for line in data["abnormal_products"]] == ["SKU-2"]


# --- service_approved: the duty report -------------------------------------------------------------------
def test_leaving_service_approved_without_duty_report_is_blocked_then_passes_once_written(clients, users, order):
    advance(users, order, "service_approved")
    before = db_state()

    assert_blocked(done(clients["service"], order.pk), before)
    english = clients["service"].put(
        order_url(order.pk), {"operation": "done"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert "duty report" in assert_error(english, 409, "invalid_operation")["message"].lower()  # what is missing
    assert db_state() == before
    services.duty_report_upsert(user=users["service"], order_id=order.pk, values={"abnormal_type": "质量"})
    assert assert_ok(done(clients["service"], order.pk))["status"] == "manager_reviewing"


def test_leaving_service_approved_with_the_duty_report_in_the_same_put_passes(clients, users, order):
    advance(users, order, "service_approved")
    body = {"operation": "done", "duty_report": {"abnormal_type": "质量", "compensation": None}}

    data = assert_ok(clients["service"].put(order_url(order.pk), body, format="json"))

    assert (data["status"], data["duty_report"]["abnormal_type"]) == ("manager_reviewing", "质量")


# --- finance_reviewing: deductions equal to the compensation -------------------------------------------
def at_finance(users: dict[str, Any], order: Any, compensation: Decimal | None) -> Any:
    """The order at finance_reviewing with a duty report of `compensation` and no deductions."""
    advance(users, order, "service_approved")
    services.duty_report_upsert(user=users["service"], order_id=order.pk, values={"compensation": compensation})
    return advance(users, order, "finance_reviewing")


@pytest.mark.parametrize(
    ("deductions", "deducted"),
    [([], "0.00"), (["4000"], "4000.00"), (["3000", "2500.5"], "5500.50")],
    ids=["none", "less", "more"],
)
def test_finance_done_with_deductions_not_adding_up_is_blocked_naming_both_amounts(
    clients, users, order, deductions, deducted
):
    at_finance(users, order, Decimal("5000"))
    for amount in deductions:
        services.deduction_add(user=users["finance"], order_id=order.pk, values={"compensation": Decimal(amount)})
    before = db_state()

    message = assert_blocked(done(clients["finance"], order.pk), before)

    assert "5000.00" in message and deducted in message


def test_finance_done_once_deductions_add_up_ends_the_order(clients, users, order):
    at_finance(users, order, Decimal("5000"))
    for amount in ("3000", "2000.00"):
        services.deduction_add(user=users["finance"], order_id=order.pk, values={"compensation": Decimal(amount)})

    data = assert_ok(done(clients["finance"], order.pk))

    assert (data["status"], data["workflow_status"]) == ("end", "done")


def test_finance_done_fixing_the_deductions_in_the_same_put_passes(clients, users, order):
    at_finance(users, order, Decimal("5000"))
    body = {"operation": "done", "deductions": [{"compensation": "5000"}]}

    data = assert_ok(clients["finance"].put(order_url(order.pk), body, format="json"))

    assert (data["status"], [d["compensation"] for d in data["deductions"]]) == ("end", ["5000.00"])


@pytest.mark.parametrize("compensation", [None, Decimal("0")], ids=["none", "zero"])
def test_finance_done_without_compensation_needs_no_deductions(clients, users, order, compensation):
    at_finance(users, order, compensation)

    assert assert_ok(done(clients["finance"], order.pk))["status"] == "end"


def test_compensation_raised_by_the_manager_blocks_finance_until_deductions_follow(clients, users, order):
    # The specialist deducted 5000 for a 5000 compensation; the manager raised it to 6000 at their
    # step. Finance cannot close the order on 5000 — it closes once the deductions say 6000.
    advance(users, order, "service_approved")
    services.duty_report_upsert(user=users["service"], order_id=order.pk, values={"compensation": Decimal("5000")})
    services.deduction_add(user=users["service"], order_id=order.pk, values={"compensation": Decimal("5000")})
    advance(users, order, "manager_reviewing")
    services.duty_report_upsert(user=users["manager"], order_id=order.pk, values={"compensation": Decimal("6000")})
    advance(users, order, "finance_reviewing")
    before = db_state()

    message = assert_blocked(done(clients["finance"], order.pk), before)

    assert "6000.00" in message and "5000.00" in message
    services.deduction_add(user=users["finance"], order_id=order.pk, values={"compensation": Decimal("1000")})
    assert assert_ok(done(clients["finance"], order.pk))["status"] == "end"
