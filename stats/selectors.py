"""Statistics over orders: claims per group, and how long orders spend at each step.

Each function takes the orders to count — the user's visible orders
(`orders.selectors.orders_visible_to`, soft-deleted orders never in them), already narrowed by the
order filters of `GET orders` — and answers with one query: the counting and summing happen in the
database, never in a loop over orders.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import connections
from django.db.models import Count, DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from orders import workflow
from orders.models import Deduction, Journal, Order
from orders.workflow import Status, WorkflowStatus

# What `GET stats/orders` may group by: the month the order was filed (local time) or a column.
GROUP_BY = ("month", "customer_name", "accuser_name", "type", "reason", "abnormal_type", "status")
# Open claims: still moving, late, or halted — so that orders = in_progress + finished + cancelled.
OPEN_WORKFLOW = (WorkflowStatus.IN_PROGRESS, WorkflowStatus.OVERDUE, WorkflowStatus.HALT)
ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=20, decimal_places=2)


@dataclass(frozen=True)
class OrderStats:
    """One group of `order_stats`. `key` is "" for orders without a value (no duty report)."""

    key: str
    orders: int
    in_progress: int
    finished: int
    cancelled: int
    compensation: Decimal
    deducted: Decimal


def _group_key(group_by: str) -> Any:
    if group_by == "month":
        return TruncMonth("created_at", tzinfo=timezone.get_default_timezone())
    if group_by == "abnormal_type":
        # No duty report (or one without a type): one group with the key "".
        return Coalesce(F("duty_report__abnormal_type"), Value(""))
    return F(group_by)


def _month_key(value: datetime) -> str:
    return value.astimezone(timezone.get_default_timezone()).strftime("%Y-%m")


def order_stats(*, orders: QuerySet[Order], group_by: str) -> list[OrderStats]:
    """Orders per group with their workflow outcome and money: `compensation` sums the duty reports'
    compensation, `deducted` the deductions. Biggest group first (ties by key); months in calendar
    order. `group_by` is one of GROUP_BY."""
    if group_by not in GROUP_BY:
        raise ValueError(f"group_by must be one of {GROUP_BY}")
    deducted = (
        Deduction.objects.filter(order_id=OuterRef("pk"))
        .order_by()
        .values("order_id")
        .annotate(total=Sum("compensation"))
        .values("total")
    )
    rows = (
        orders.order_by()
        .annotate(key=_group_key(group_by), order_deducted=Subquery(deducted, output_field=MONEY))
        .values("key")
        .annotate(
            n=Count("id"),
            open=Count("id", filter=Q(workflow_status__in=OPEN_WORKFLOW)),
            finished=Count("id", filter=Q(workflow_status=WorkflowStatus.DONE)),
            cancelled=Count("id", filter=Q(workflow_status=WorkflowStatus.CANCEL)),
            compensation=Sum("duty_report__compensation", output_field=MONEY),
            deducted=Sum("order_deducted", output_field=MONEY),
        )
        .order_by(*(("key",) if group_by == "month" else ("-n", "key")))
    )
    return [
        OrderStats(
            key=_month_key(row["key"]) if group_by == "month" else row["key"],
            orders=row["n"],
            in_progress=row["open"],
            finished=row["finished"],
            cancelled=row["cancelled"],
            compensation=(row["compensation"] or ZERO).quantize(ZERO),
            deducted=(row["deducted"] or ZERO).quantize(ZERO),
        )
        for row in rows
    ]


# --- Cycle times ------------------------------------------------------------------------------------
# Statuses an order enters and leaves: `created` is never entered (the create row moves created →
# waiting) and `end` is never left.
CYCLE_STATUSES = tuple(step.status for step in workflow.STEPS if step.status not in (Status.CREATED, Status.END))


@dataclass(frozen=True)
class CycleTime:
    """The completed stays in one status: how many, and their median and 90th percentile in hours
    (nearest rank, to 0.1 h; None without any stay)."""

    status: str
    count: int
    median_hours: float | None
    p90_hours: float | None


# A stay's length in seconds, per database (SQLite stores datetimes as text).
_SECONDS = {
    "postgresql": "EXTRACT(EPOCH FROM (left_at - entered_at))",
    "sqlite": "(julianday(left_at) - julianday(entered_at)) * 86400.0",
}

# A stay starts at a journal row that moves the order (its source differs from its target: create,
# done, reject) and ends at the order's next such row; rows that keep the status (overdue, halt,
# resume, cancel, edit) do not count. Stays still open (the order sits in that status now) are left
# out. Lengths are counted per tenth of an hour: the percentiles are read off that histogram, so the
# database sorts a few thousand buckets instead of every stay.
_CYCLE_SQL = """
WITH moves AS (
    SELECT j.target AS status, j.created_at AS entered_at,
           LEAD(j.created_at) OVER (PARTITION BY j.order_id ORDER BY j.id) AS left_at
    FROM {journal} j
    WHERE j.source <> j.target AND j.order_id IN ({orders})
),
histogram AS (
    SELECT status, ROUND({seconds} / 360.0) AS tenths, COUNT(*) AS n
    FROM moves WHERE left_at IS NOT NULL
    GROUP BY status, ROUND({seconds} / 360.0)
),
running AS (
    SELECT status, tenths,
           SUM(n) OVER (PARTITION BY status ORDER BY tenths) AS upto,
           SUM(n) OVER (PARTITION BY status) AS total
    FROM histogram
)
SELECT status, MAX(total),
       MIN(CASE WHEN upto >= 0.5 * total THEN tenths END),
       MIN(CASE WHEN upto >= 0.9 * total THEN tenths END)
FROM running
GROUP BY status
"""


def _hours(tenths: Any) -> float | None:
    return None if tenths is None else round(float(tenths) / 10, 1)


def cycle_times(*, orders: QuerySet[Order]) -> list[CycleTime]:
    """Per status of the chain (waiting … finance_reviewing, in that order), the completed stays of
    `orders` in it, from the journal: count, median and 90th percentile in hours. A status visited
    twice (after a reject) counts two stays."""
    connection = connections[orders.db]
    ids_sql, params = orders.order_by().values("id").query.sql_with_params()
    sql = _CYCLE_SQL.format(
        journal=connection.ops.quote_name(Journal._meta.db_table), orders=ids_sql, seconds=_SECONDS[connection.vendor]
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = {status: (int(total), _hours(median), _hours(p90)) for status, total, median, p90 in cursor.fetchall()}
    return [CycleTime(status, *found.get(status, (0, None, None))) for status in CYCLE_STATUSES]
