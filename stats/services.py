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
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from orders.models import Deduction, Journal, Order
from stats.models import OrderFigures, Stay, StayMonth, length_bucket

ZERO = Decimal("0.00")
_ORDER_COLUMNS = ("created_at", "customer_name", "accuser_name", "type", "reason", "status", "workflow_status")


def local_month(moment: datetime) -> date:
    return moment.astimezone(timezone.get_default_timezone()).date().replace(day=1)


def order_figures_refresh(*, order_id: int) -> None:
    """Derives the order's `OrderFigures` row and its `Stay` rows again from the order, its duty
    report, deductions and journal, and moves the counts of `StayMonth` by the difference; a
    soft-deleted order keeps none of them.

    Call it inside the transaction of every service that changes an order, its status, duty report
    or deductions, after the change (and its journal row) is written: the statistics then move with
    the data or not at all. Idempotent. Two single-order queries (the order with its money and
    counts, the figures' upsert), three more when a stay has just ended.
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
    month = local_month(order["created_at"])
    ended, kept = max((order.pop("moves") or 0) - 1, 0), order.pop("stays") or 0
    if order.pop("is_deleted"):
        ended = 0
        OrderFigures.objects.filter(order_id=order_id).delete()
    else:
        order.update(
            abnormal_type=order["abnormal_type"] or "",
            compensation=order["compensation"] or ZERO,
            deducted=order["deducted"] or ZERO,
        )
        OrderFigures.objects.bulk_create(
            [OrderFigures(order_id=order_id, month=month, **order)],
            update_conflicts=True,
            unique_fields=["order"],
            update_fields=[*order, "month"],
        )
    if ended == kept:
        return
    if ended == kept + 1:  # the usual: a move has just ended the stay before it (journal rows are only appended)
        added = _stays(order_id, order["created_at"], last=True)
        Stay.objects.bulk_create(added)
        _count_stays(month, _buckets((s.status, s.seconds) for s in added), Counter())
        return
    old = _buckets(Stay.objects.filter(order_id=order_id).values_list("status", "seconds"))
    Stay.objects.filter(order_id=order_id).delete()
    added = _stays(order_id, order["created_at"]) if ended else []
    Stay.objects.bulk_create(added)
    _count_stays(month, _buckets((s.status, s.seconds) for s in added), old)


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


def _count_stays(month: date, new: Counter[tuple[str, int]], old: Counter[tuple[str, int]]) -> None:
    table = connection.ops.quote_name(StayMonth._meta.db_table)
    # In key order, so that two transactions never wait on each other's rows the other way round.
    for key in sorted(new.keys() | old.keys()):
        delta = new[key] - old[key]
        if delta:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {table} (month, status, tenths, stays) VALUES (%s, %s, %s, %s) "  # noqa: S608
                    f"ON CONFLICT (month, status, tenths) DO UPDATE SET stays = {table}.stays + EXCLUDED.stays",
                    [month, *key, delta],
                )


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
        for table in (months, stays, figures):
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
    return written_orders, written_stays
