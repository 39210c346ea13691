"""One operation on many orders (`POST orders/bulk`, the admin's list actions).

Each order gets its own transaction through `order_apply_operation` — the same lock, guards,
journal row and notifications as one at a time — so an order that fails leaves the others
committed, and a concurrent single operation on the same order is serialised by its row lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from orders.exceptions import DomainError
from orders.models import Order
from orders.services.lifecycle import order_apply_operation


@dataclass(frozen=True)
class BulkResult:
    """The outcome for one order: the order as it is now, or why it was refused."""

    order_id: int
    order: Order | None = None
    error: DomainError | None = None


def orders_bulk_apply(
    *,
    user: Any,
    order_ids: Sequence[int],
    operation: str,
    remark: str = "",
    operator_name: str = "",
    expected_status: str = "",
) -> list[BulkResult]:
    """`operation` on each order of `order_ids` (once per id, in the order given), each in its own
    transaction; a refusal is that order's result, not the others'."""
    results = []
    for order_id in dict.fromkeys(order_ids):
        try:
            order = order_apply_operation(
                user=user,
                order_id=order_id,
                operation=operation,
                remark=remark,
                operator_name=operator_name,
                expected_status=expected_status,
            )
        except DomainError as exc:
            results.append(BulkResult(order_id, error=exc))
        else:
            results.append(BulkResult(order_id, order=order))
    return results
