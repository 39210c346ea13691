"""The statistics tables (`stats.models`): kept per order inside the order services' transactions,
rebuilt whole from the orders and their journal for an existing database or a bulk load."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, DateField, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from orders.models import Deduction, Journal, Order
from orders.workflow import WorkflowStatus
from stats.models import (
    GROUP_BY,
    OPEN_WORKFLOW,
    DayCount,
    GroupCount,
    GroupTotal,
    OrderFigures,
    Stay,
    StayCount,
    StayMonth,
    StayTotal,
    length_bucket,
)

ZERO = Decimal("0.00")
_ORDER_COLUMNS = ("created_at", "customer_name", "accuser_name", "type", "reason", "status", "workflow_status")
_FIGURE_COLUMNS = (*_ORDER_COLUMNS, "abnormal_type", "compensation", "deducted")


def local_month(moment: datetime) -> date:
    return moment.astimezone(timezone.get_default_timezone()).date().replace(day=1)


def order_figures_refresh(*, order_id: int) -> None:
    """Derives the order's `OrderFigures` row and its `Stay` rows again from the order, its duty
    report, deductions and journal, and moves the pre-counted totals (`StayMonth`, `StayTotal`, `GroupCount`,
    `DayCount`, `StayCount`) by the difference; a soft-deleted order keeps none of them.

    Call it inside the transaction of every service that changes an order, its status, duty report
    or deductions, after the change (and its journal row) is written: the statistics then move with
    the data or not at all. Idempotent. Three single-order queries (the order with its money and
    counts, its figures before, the figures' upsert), one per table of totals that moves, two more
    when a stay has just ended.
    """
    deducted = Deduction.objects.filter(order_id=OuterRef("pk")).order_by().values("order_id")
    moves = _moves(OuterRef("pk")).order_by().values("order_id")
    stays = Stay.objects.filter(order_id=OuterRef("pk")).order_by().values("order_id")
    order = (
        Order.objects.filter(pk=order_id)
        .values(
            "is_deleted",
            *_ORDER_COLUMNS,
            abnormal_type=F("duty_report__abnormal_type"),
            compensation=F("duty_report__compensation"),
            deducted=Subquery(deducted.annotate(total=Sum("compensation")).values("total")),
            moves=Subquery(moves.annotate(n=Count("id")).values("n")),
            stays=Subquery(stays.annotate(n=Count("id")).values("n")),
        )
        .first()
    )
    if order is None:
        return
    before = OrderFigures.objects.filter(order_id=order_id).values(*_FIGURE_COLUMNS).first()
    month = local_month(order["created_at"])
    ended, kept = max((order.pop("moves") or 0) - 1, 0), order.pop("stays") or 0
    after: dict[str, Any] | None = None
    if order.pop("is_deleted"):
        ended = 0
        OrderFigures.objects.filter(order_id=order_id).delete()
    else:
        after = order
        after.update(
            abnormal_type=after["abnormal_type"] or "",
            compensation=after["compensation"] or ZERO,
            deducted=after["deducted"] or ZERO,
        )
        OrderFigures.objects.bulk_create(
            [OrderFigures(order_id=order_id, month=month, **after)],
            update_conflicts=True,
            unique_fields=["order"],
            update_fields=[*after, "month"],
        )
    _count_orders(before, after)
    state_before, state_after = _state(before), _state(after)
    if ended == kept and state_before == state_after:
        return
    old = _buckets(Stay.objects.filter(order_id=order_id).values_list("status", "seconds")) if kept else Counter()
    if ended == kept + 1:  # the usual: a move has just ended the stay before it (journal rows are only appended)
        added = _stays(order_id, order["created_at"], last=True)
        Stay.objects.bulk_create(added)
        new = old + _buckets((s.status, s.seconds) for s in added)
    elif ended != kept:
        Stay.objects.filter(order_id=order_id).delete()
        added = _stays(order_id, order["created_at"]) if ended else []
        Stay.objects.bulk_create(added)
        new = _buckets((s.status, s.seconds) for s in added)
    else:
        new = old
    _add(
        StayMonth,
        ("month", "status", "tenths"),
        ("stays",),
        _delta({(month, *k): (n,) for k, n in new.items()}, {(month, *k): (n,) for k, n in old.items()}),
    )
    _add(
        StayTotal,
        ("status", "tenths"),
        ("stays",),
        _delta({k: (n,) for k, n in new.items()}, {k: (n,) for k, n in old.items()}),
    )
    _add(
        StayCount,
        ("order_status", "order_workflow_status", "status", "tenths"),
        ("stays",),
        _delta(
            {(*state_after, *k): (n,) for k, n in new.items()} if state_after else {},
            {(*state_before, *k): (n,) for k, n in old.items()} if state_before else {},
        ),
    )


def _state(figures: dict[str, Any] | None) -> tuple[str, str] | None:
    return None if figures is None else (figures["status"], figures["workflow_status"])


def _count_orders(before: dict[str, Any] | None, after: dict[str, Any] | None) -> None:
    """Moves GroupCount, GroupTotal and DayCount from the order's figures `before` to `after` (None: none)."""
    _add(GroupCount, ("kind", "key", "status", "workflow_status"), _MONEY, _delta(_groups(after), _groups(before)))
    _add(GroupTotal, ("kind", "key"), _OUTCOMES, _delta(_group_totals(after), _group_totals(before)))
    _add(DayCount, ("day", "status", "workflow_status"), _MONEY, _delta(_day(after), _day(before)))


_MONEY = ("orders", "compensation", "deducted")
_OUTCOMES = ("orders", "in_progress", "finished", "cancelled", "compensation", "deducted")
Totals = dict[tuple[Any, ...], tuple[Any, ...]]


def _groups(figures: dict[str, Any] | None) -> Totals:
    """The order's contribution to GroupCount: one row per kind."""
    if figures is None:
        return {}
    state, money = _state(figures), (1, figures["compensation"], figures["deducted"])
    keys = {kind: figures[kind] for kind in GROUP_BY if kind != "month"}
    keys["month"] = f"{local_month(figures['created_at']):%Y-%m}"
    return {(kind, key, *state): money for kind, key in keys.items()}


def _group_totals(figures: dict[str, Any] | None) -> Totals:
    """The order's contribution to GroupTotal: one row per kind, its outcome counted."""
    if figures is None:
        return {}
    state = figures["workflow_status"]
    outcome = (
        1,
        int(state in OPEN_WORKFLOW),
        int(state == WorkflowStatus.DONE),
        int(state == WorkflowStatus.CANCEL),
        figures["compensation"],
        figures["deducted"],
    )
    return {(kind, key): outcome for kind, key, *_state in _groups(figures)}


def _day(figures: dict[str, Any] | None) -> Totals:
    if figures is None:
        return {}
    day = figures["created_at"].astimezone(timezone.get_default_timezone()).date()
    return {(day, *_state(figures)): (1, figures["compensation"], figures["deducted"])}


def _delta(new: Totals, old: Totals) -> Totals:
    """`new` minus `old`, key by key, without the keys that did not move."""
    moved = {}
    for key in new.keys() | old.keys():
        added, removed = new.get(key), old.get(key)
        if added is None:
            change = tuple(-value for value in removed)
        elif removed is None:
            change = added
        else:
            change = tuple(a - b for a, b in zip(added, removed, strict=True))
        if any(change):
            moved[key] = change
    return moved


def _add(model: type[Any], keys: tuple[str, ...], values: tuple[str, ...], rows: Totals) -> None:
    """Adds each row's values to `model`'s row of that key (created at the values if missing), in
    one statement. Rows in key order: two transactions never lock each other's rows the other way round."""
    if not rows:
        return
    q = connection.ops.quote_name
    table = q(model._meta.db_table)
    row = "(" + ", ".join(["%s"] * (len(keys) + len(values))) + ")"
    params = [value for key in sorted(rows) for value in (*key, *rows[key])]
    updates = ", ".join(f"{q(v)} = {table}.{q(v)} + EXCLUDED.{q(v)}" for v in values)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(q(c) for c in (*keys, *values))}) "  # noqa: S608 - names from the models
            f"VALUES {', '.join([row] * len(rows))} "
            f"ON CONFLICT ({', '.join(q(k) for k in keys)}) DO UPDATE SET {updates}",
            params,
        )


def _moves(order_id: Any) -> QuerySet[Journal]:
    """The journal rows that moved the order (source ≠ target: create, done, reject)."""
    return Journal.objects.filter(order_id=order_id).exclude(source=F("target"))


def _buckets(stays: Iterable[tuple[str, int]]) -> Counter[tuple[str, int]]:
    return Counter((status, length_bucket(seconds)) for status, seconds in stays)


def _stays(order_id: int, created_at: datetime, *, last: bool = False) -> list[Stay]:
    """The completed stays: each move to the next (`last`: only the latest one)."""
    moves = _moves(order_id).values_list("target", "created_at")
    moves = list(reversed(moves.order_by("-id")[:2])) if last else moves.order_by("id")
    return [
        Stay(order_id=order_id, created_at=created_at, status=status, seconds=(left - entered) // timedelta(seconds=1))
        for (status, entered), (_, left) in pairwise(moves)
    ]


# --- Rebuild -----------------------------------------------------------------------------------------
# Whole seconds between two journal times, rounded down (as `_stays` counts them).
_SECONDS = {
    "postgresql": "FLOOR(EXTRACT(EPOCH FROM (m.left_at - m.entered_at)))",
    # SQLite keeps datetimes as text and computes julianday to the millisecond.
    "sqlite": "CAST(ROUND((julianday(m.left_at) - julianday(m.entered_at)) * 86400000) AS INTEGER) / 1000",
}
# `length_bucket` in SQL (integer division in both databases).
BUCKET_SQL = "CASE WHEN {s} < 360000 THEN ({s} + 180) / 360 ELSE 10 * (({s} + 1800) / 3600) END"


@transaction.atomic
def figures_rebuild() -> tuple[int, int]:
    """Rebuilds the statistics tables from every live order (set-based SQL, ~2 min at 1M orders on
    PostgreSQL). For the migration that adds them, a bulk load (bench/seed.py) or a check.
    Returns (orders, stays) written."""
    q = connection.ops.quote_name
    figures, stays, months = (q(model._meta.db_table) for model in (OrderFigures, Stay, StayMonth))
    stay_counts, stay_totals = q(StayCount._meta.db_table), q(StayTotal._meta.db_table)
    orders, journal = q(Order._meta.db_table), q(Journal._meta.db_table)
    deducted = (
        Deduction.objects.filter(order_id=OuterRef("pk")).order_by().values("order_id").annotate(t=Sum("compensation"))
    )
    source = (
        Order.objects.filter(is_deleted=False)
        .order_by()
        .annotate(
            f_month=TruncMonth("created_at", output_field=DateField(), tzinfo=timezone.get_default_timezone()),
            f_abnormal_type=Coalesce(F("duty_report__abnormal_type"), Value("")),
            f_compensation=Coalesce(F("duty_report__compensation"), Value(ZERO)),
            f_deducted=Coalesce(Subquery(deducted.values("t")), Value(ZERO)),
        )
        .values_list("id", *_ORDER_COLUMNS, "f_month", "f_abnormal_type", "f_compensation", "f_deducted")
    )
    select, params = source.query.sql_with_params()
    columns = ", ".join(("order_id", *_ORDER_COLUMNS, "month", "abnormal_type", "compensation", "deducted"))
    with connection.cursor() as cursor:
        for table in (
            stay_totals,
            stay_counts,
            months,
            stays,
            figures,
            *(q(m._meta.db_table) for m in (GroupCount, GroupTotal, DayCount)),
        ):
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - table names from the models
        cursor.execute(f"INSERT INTO {figures} ({columns}) {select}", params)
        written_orders = cursor.rowcount
        cursor.execute(
            f"""
            INSERT INTO {stays} (order_id, created_at, status, seconds)
            SELECT m.order_id, m.created_at, m.status, {_SECONDS[connection.vendor]}
            FROM (
                SELECT j.order_id, o.created_at, j.target AS status, j.created_at AS entered_at,
                       LEAD(j.created_at) OVER (PARTITION BY j.order_id ORDER BY j.id) AS left_at
                FROM {journal} j JOIN {orders} o ON o.id = j.order_id
                WHERE j.source <> j.target AND NOT o.is_deleted
            ) m
            WHERE m.left_at IS NOT NULL
            """  # noqa: S608
        )
        written_stays = cursor.rowcount
        cursor.execute(
            f"""
            INSERT INTO {months} (month, status, tenths, stays)
            SELECT f.month, s.status, {BUCKET_SQL.format(s="s.seconds")}, COUNT(*)
            FROM {stays} s JOIN {figures} f ON f.order_id = s.order_id
            GROUP BY f.month, s.status, {BUCKET_SQL.format(s="s.seconds")}
            """  # noqa: S608
        )
        cursor.execute(
            f"""
            INSERT INTO {stay_counts} (order_status, order_workflow_status, status, tenths, stays)
            SELECT f.status, f.workflow_status, s.status, {BUCKET_SQL.format(s="s.seconds")}, COUNT(*)
            FROM {stays} s JOIN {figures} f ON f.order_id = s.order_id
            GROUP BY f.status, f.workflow_status, s.status, {BUCKET_SQL.format(s="s.seconds")}
            """  # noqa: S608
        )
        cursor.execute(
            f"INSERT INTO {stay_totals} (status, tenths, stays) "  # noqa: S608
            f"SELECT status, tenths, SUM(stays) FROM {months} GROUP BY status, tenths"
        )
    _rebuild_order_counts()
    return written_orders, written_stays


def _rebuild_order_counts() -> None:
    """GroupCount and DayCount from the figures: a GROUP BY in the database per kind, a few
    thousand rows each (tens of thousands of days at 1M orders), written in batches."""
    money = {"n": Count("pk"), "c": Sum("compensation"), "d": Sum("deducted")}
    state = ("status", "workflow_status")
    groups = []
    for kind in GROUP_BY:
        for row in OrderFigures.objects.order_by().values(kind, *state).annotate(**money):
            key = f"{row[kind]:%Y-%m}" if kind == "month" else row[kind]
            groups.append(GroupCount(kind=kind, key=key, **_counted(row)))
    GroupCount.objects.bulk_create(groups, batch_size=2000)
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {q(GroupTotal._meta.db_table)} "  # noqa: S608 - names from the models
            "(kind, key, orders, in_progress, finished, cancelled, compensation, deducted) "
            "SELECT kind, key, SUM(orders), "
            "SUM(CASE WHEN workflow_status IN (%s, %s, %s) THEN orders ELSE 0 END), "
            "SUM(CASE WHEN workflow_status = %s THEN orders ELSE 0 END), "
            "SUM(CASE WHEN workflow_status = %s THEN orders ELSE 0 END), "
            f"SUM(compensation), SUM(deducted) FROM {q(GroupCount._meta.db_table)} GROUP BY kind, key",
            [*OPEN_WORKFLOW, WorkflowStatus.DONE, WorkflowStatus.CANCEL],
        )
    local_day = TruncDate("created_at", tzinfo=timezone.get_default_timezone())
    days = OrderFigures.objects.order_by().annotate(day=local_day).values("day", *state).annotate(**money)
    DayCount.objects.bulk_create([DayCount(day=row["day"], **_counted(row)) for row in days], batch_size=2000)


def _counted(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "status": row["status"],
        "workflow_status": row["workflow_status"],
        "orders": row["n"],
        "compensation": row["c"] or ZERO,
        "deducted": row["d"] or ZERO,
    }
