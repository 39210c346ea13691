"""The audit trail of one request: every record it creates, changes or deletes, field by field,
written as the `changes` of the request's one journal row.

Values are compared and recorded as the wire shows them (`orders.wire`: money as strings,
dates as strings), so the journal reads like what the client saw; a value equal to the stored
one is no change.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from afterservice_site.people import display_name
from orders import counters
from orders.models import Journal, Order
from orders.workflow import JournalOperation
from stats.services import order_figures_refresh

SYSTEM_NAME = "system"

# The records a change can touch (the journal's `record` word).
ORDER, ABNORMAL_PRODUCT, DUTY_REPORT, DEDUCTION, TRACK, ATTACHMENT = (
    "order",
    "abnormal_product",
    "duty_report",
    "deduction",
    "track",
    "attachment",
)


class ChangeLog:
    """What one request changed, in the order it changed it."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    def __bool__(self) -> bool:
        return bool(self.entries)

    def created(self, record: str, record_id: int | None, after: Mapping[str, Any]) -> None:
        fields = {name: [None, value] for name, value in after.items()}
        self.entries.append({"record": record, "id": record_id, "action": "create", "fields": fields})

    def updated(self, record: str, record_id: int | None, before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
        """Records the fields whose value differs; whether any did."""
        fields = {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}
        if fields:
            self.entries.append({"record": record, "id": record_id, "action": "update", "fields": fields})
        return bool(fields)

    def deleted(self, record: str, record_id: int | None, before: Mapping[str, Any]) -> None:
        fields = {name: [value, None] for name, value in before.items()}
        self.entries.append({"record": record, "id": record_id, "action": "delete", "fields": fields})


def record_journal(
    order: Order,
    operation: str,
    *,
    source: str,
    workflow_source: str,
    user: Any = None,
    on_behalf_of: str = "",
    remark: str = "",
    changes: ChangeLog | None = None,
) -> Journal:
    """The request's one journal row (the order's current state is the target). The operator is
    the signed-in user, always; a different name the client sent is kept as `on_behalf_of`. The
    order's move from `source` to its current state also moves the live-order totals."""
    operator = user if getattr(user, "is_authenticated", False) else None
    operator_name = display_name(operator) or SYSTEM_NAME
    # Every change of an order's state passes here: the exact totals move with it.
    counters.record_move(
        None if operation == JournalOperation.CREATE else (source, workflow_source),
        None if operation == JournalOperation.DELETE else (order.status, order.workflow_status),
    )
    row = Journal.objects.create(
        order=order,
        operation=operation,
        source=source,
        target=order.status,
        workflow_source=workflow_source,
        workflow_target=order.workflow_status,
        operator=operator,
        operator_name=operator_name,
        on_behalf_of=on_behalf_of if on_behalf_of and on_behalf_of != operator_name else "",
        remark=remark,
        changes=changes.entries if changes else [],
    )
    # Every changing request ends here: the statistics' figures of the order follow it.
    order_figures_refresh(order_id=order.pk)
    return row
