"""Exact totals of live orders without scanning them: a count per (status, workflow status).

`pagination.total` is exact. Counting a million live orders for every poll of an unfiltered list
takes a full index scan (~150 ms at 1M); the lists that role users and the admin poll — no filter,
`status`, `workflow_status`, the to-do queue, and their combinations — are sums of these counts
instead, read in one small query.

The counts move in the transaction of every change of an order's state: `record_move` is called
by the journal writer (`orders.services.audit.record_journal`), the one place every create,
transition, overdue mark and soft delete passes through. Counter rows exist for every pair (a
migration creates them) and are updated in a fixed order, so concurrent moves never deadlock and
never lose an update (`UPDATE … SET live = live + 1` under the row lock). `manage.py recount`
compares them with `COUNT(*)` and repairs drift.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, F, Sum

from orders.models import Order, OrderCount
from orders.workflow import Status, WorkflowStatus

State = tuple[str, str]  # (status, workflow_status)


def record_move(before: State | None, after: State | None) -> None:
    """One live order left `before` (None: it is new) and is now in `after` (None: soft-deleted)."""
    if before == after:
        return
    deltas = {}
    if before is not None:
        deltas[before] = deltas.get(before, 0) - 1
    if after is not None:
        deltas[after] = deltas.get(after, 0) + 1
    for (status, workflow_status), delta in sorted(deltas.items()):  # a fixed lock order
        OrderCount.objects.filter(status=status, workflow_status=workflow_status).update(live=F("live") + delta)


def total(*, statuses: Iterable[str] | None = None, workflow_statuses: Iterable[str] | None = None) -> int:
    """Live orders whose status is one of `statuses` and workflow status one of
    `workflow_statuses` (None: any)."""
    counts = OrderCount.objects.all()
    if statuses is not None:
        counts = counts.filter(status__in=list(statuses))
    if workflow_statuses is not None:
        counts = counts.filter(workflow_status__in=list(workflow_statuses))
    return counts.aggregate(n=Sum("live"))["n"] or 0


@dataclass(frozen=True)
class Drift:
    status: str
    workflow_status: str
    counted: int  # what the counter said
    actual: int  # COUNT(*) of live orders


def recount(*, repair: bool = False) -> list[Drift]:
    """Compares every counter with `COUNT(*)` of the live orders; with `repair`, sets the drifted
    ones to the real count (run it when nothing writes, or accept a one-off race)."""
    actual = {
        (row["status"], row["workflow_status"]): row["n"]
        for row in Order.objects.alive().values("status", "workflow_status").annotate(n=Count("id")).order_by()
    }
    counted = {(row.status, row.workflow_status): row for row in OrderCount.objects.all()}
    drifts = []
    for status in Status.values:
        for workflow_status in WorkflowStatus.values:
            key = (status, workflow_status)
            row = counted.get(key)
            have, want = (row.live if row else 0), actual.get(key, 0)
            if row is None or have != want:
                drifts.append(Drift(status, workflow_status, have, want))
                if repair:
                    OrderCount.objects.update_or_create(
                        status=status, workflow_status=workflow_status, defaults={"live": want}
                    )
    return drifts
