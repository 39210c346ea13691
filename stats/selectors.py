"""Statistics over orders: claims per group, and how long orders spend at each step.

Both read the statistics tables (`stats.models`), narrowed to the orders to count by
`stats.filters.scope` (the user's visible orders with the filters of `GET orders`), and answer
with one query: counting, summing and ranking happen in the database, never in a loop over orders.
Where the scope offers pre-counted totals for the question, they are summed instead of the rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connections
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from orders import workflow
from orders.workflow import Status, WorkflowStatus
from stats.models import GROUP_BY, OPEN_WORKFLOW, DayCount, GroupCount, GroupTotal, OrderFigures, Stay
from stats.services import BUCKET_SQL

__all__ = ["GROUP_BY", "CycleTime", "OrderStats", "Scope", "cycle_times", "order_stats"]
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Scope:
    """The statistics rows of the counted orders: their figures; their stays as single rows (each
    queryset of `stays`) plus pre-counted ones (each queryset of `stay_counts`: StayMonth or
    StayCount rows). Where the filters allow, the orders' totals come pre-counted too:
    `group_totals` (GroupTotal: every live order), `group_counts` (GroupCount rows of some states)
    or `day_counts` (DayCount rows of the date range: by month or status); None where they do not."""

    figures: QuerySet[OrderFigures]
    stays: tuple[QuerySet[Stay], ...] = ()
    stay_counts: tuple[QuerySet[Any], ...] = ()
    group_totals: QuerySet[GroupTotal] | None = None
    group_counts: QuerySet[GroupCount] | None = None
    day_counts: QuerySet[DayCount] | None = None


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


def order_stats(*, scope: Scope, group_by: str) -> list[OrderStats]:
    """Orders per group with their workflow outcome and money: `compensation` sums the duty reports'
    compensation, `deducted` the deductions. Biggest group first (ties by key); months in calendar
    order. `group_by` is one of GROUP_BY."""
    if group_by not in GROUP_BY:
        raise ValueError(f"group_by must be one of {GROUP_BY}")
    if scope.group_totals is not None:
        rows = scope.group_totals.filter(kind=group_by, orders__gt=0).values(
            "finished",
            "cancelled",
            "compensation",
            "deducted",
            group_key=F("key"),
            n=F("orders"),
            open=F("in_progress"),
        )
    elif scope.group_counts is not None:
        rows = _summed(scope.group_counts.filter(kind=group_by), F("key"))
    elif scope.day_counts is not None and group_by in ("month", "status"):
        rows = _summed(scope.day_counts, TruncMonth("day") if group_by == "month" else F("status"))
    else:
        rows = _counted(scope.figures, F(group_by))
    rows = rows.order_by(*(("group_key",) if group_by == "month" else ("-n", "group_key")))
    return [
        OrderStats(
            key=row["group_key"]
            if isinstance(row["group_key"], str)
            else f"{row['group_key']:%Y-%m}",  # a month: a date or "YYYY-MM"
            orders=row["n"],
            in_progress=row["open"],
            finished=row["finished"],
            cancelled=row["cancelled"],
            compensation=(row["compensation"] or ZERO).quantize(ZERO),
            deducted=(row["deducted"] or ZERO).quantize(ZERO),
        )
        for row in rows
    ]


def _counted(figures: QuerySet[Any], key: Any) -> QuerySet[Any]:
    """Groups of order figures, one row per order."""
    return (
        figures.order_by()
        .annotate(group_key=key)
        .values("group_key")
        .annotate(
            n=Count("pk"),
            open=Count("pk", filter=Q(workflow_status__in=OPEN_WORKFLOW)),
            finished=Count("pk", filter=Q(workflow_status=WorkflowStatus.DONE)),
            cancelled=Count("pk", filter=Q(workflow_status=WorkflowStatus.CANCEL)),
            compensation=Sum("compensation"),
            deducted=Sum("deducted"),
        )
    )


def _summed(counts: QuerySet[Any], key: Any) -> QuerySet[Any]:
    """Groups of pre-counted totals (GroupCount, DayCount): the same columns as `_counted`; a group
    whose orders all moved away (its rows count 0) is left out."""
    return (
        counts.order_by()
        .annotate(group_key=key)
        .values("group_key")
        .annotate(
            n=Sum("orders"),
            open=Sum("orders", filter=Q(workflow_status__in=OPEN_WORKFLOW), default=0),
            finished=Sum("orders", filter=Q(workflow_status=WorkflowStatus.DONE), default=0),
            cancelled=Sum("orders", filter=Q(workflow_status=WorkflowStatus.CANCEL), default=0),
            compensation=Sum("compensation"),
            deducted=Sum("deducted"),
        )
        .filter(n__gt=0)
    )


# --- Cycle times ------------------------------------------------------------------------------------
# Statuses an order enters and leaves: `created` is never entered (the create row moves created →
# waiting) and `end` is never left.
CYCLE_STATUSES = tuple(step.status for step in workflow.STEPS if step.status not in (Status.CREATED, Status.END))


@dataclass(frozen=True)
class CycleTime:
    """The completed stays in one status: how many, and their median and 90th percentile in hours
    (nearest rank; to 0.1 h below 100 h, to the hour above; None without any stay)."""

    status: str
    count: int
    median_hours: float | None
    p90_hours: float | None


# Percentiles are read off a histogram of the stays, so the database ranks a few thousand buckets
# instead of every stay (at 1M orders: 7M stays, a 2-3 s sort). A bucket is a stay's length rounded
# to 0.1 h below 100 h and to the hour above (`stats.models.length_bucket`): rounding is monotonic, so
# the nearest-rank percentile of the buckets is the percentile of the stays, rounded the same way.
# Pre-counted stays (StayMonth, StayCount) come as histogram rows; single stays are counted for the rest.
_CYCLE_SQL = """
WITH counted AS ({parts}),
histogram AS (SELECT status, tenths, SUM(n) AS n FROM counted GROUP BY status, tenths),
running AS (
    SELECT status, tenths,
           SUM(n) OVER (PARTITION BY status ORDER BY tenths) AS upto,
           SUM(n) OVER (PARTITION BY status) AS total
    FROM histogram
    WHERE n > 0
)
SELECT status, MAX(total),
       MIN(CASE WHEN upto >= 0.5 * total THEN tenths END),
       MIN(CASE WHEN upto >= 0.9 * total THEN tenths END)
FROM running
GROUP BY status
"""


def _hours(tenths: Any) -> float | None:
    return None if tenths is None else round(float(tenths) / 10, 1)


def cycle_times(*, scope: Scope) -> list[CycleTime]:
    """Per status of the chain (waiting … finance_reviewing, in that order): the completed stays of
    the scope's orders — its single stays plus its pre-counted ones — their count, median and 90th
    percentile in hours. A status visited twice by one order (after a reject) counts two stays; a
    stay still going on (the order sits there now) is not among them."""
    parts, params, db = [], [], None
    for queryset in scope.stays:
        sql, stay_params = queryset.order_by().values("status", "seconds").query.sql_with_params()
        bucket = BUCKET_SQL.format(s="s.seconds")
        parts.append(f"SELECT s.status, {bucket} AS tenths, 1 AS n FROM ({sql}) s")  # noqa: S608 - ORM-compiled
        params.extend(stay_params)
        db = queryset.db
    for queryset in scope.stay_counts:
        sql, count_params = queryset.order_by().values("status", "tenths", "stays").query.sql_with_params()
        parts.append(f"SELECT m.status, m.tenths, m.stays AS n FROM ({sql}) m")  # noqa: S608 - ORM-compiled
        params.extend(count_params)
        db = queryset.db
    found = {}
    if parts:
        with connections[db].cursor() as cursor:
            cursor.execute(_CYCLE_SQL.format(parts=" UNION ALL ".join(parts)), params)
            found = {status: (int(total), _hours(p50), _hours(p90)) for status, total, p50, p90 in cursor.fetchall()}
    return [CycleTime(status, *found.get(status, (0, None, None))) for status in CYCLE_STATUSES]
