"""Which orders a statistic counts: the user's visible orders with the filters of `GET orders` —
the same `OrderFilter`, so the two stay one thing — applied to the statistics tables."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from orders.filters import OrderFilter
from orders.selectors import orders_visible_to
from orders.workflow import has_any_role
from stats.models import DayCount, GroupCount, GroupTotal, OrderFigures, Stay, StayCount, StayMonth, StayTotal
from stats.selectors import Scope

DATE_FILTERS = frozenset({"created_after", "created_before"})


# Order filters the statistics tables carry themselves (same field names as on the order).
STATE_FILTERS = frozenset({"status", "workflow_status"})
FIGURE_FILTERS = DATE_FILTERS | STATE_FILTERS | {"reason", "customer_name", "accuser_name", "type"}


def order_filter(*, request: Any, params: Mapping[str, Any]) -> OrderFilter:
    """The order filters of `params` over the requesting user's visible orders (check `is_valid()`)."""
    return OrderFilter(params, queryset=orders_visible_to(request.user), request=request)


def scope(*, user: Any, filterset: OrderFilter) -> Scope:
    """The statistics rows of the orders a valid `order_filter` selects.

    A role user sees every live order, which is what the tables hold. With no filter but statuses
    (the dashboard, a status's figures) everything comes pre-counted; with a date range too, the
    orders' totals per day, and — dates only — the stays of the whole months of the range from
    StayMonth, the days around them stay by stay. Other filters the tables carry (FIGURE_FILTERS)
    apply to the figures directly. Anyone else, or any other filter, goes through the ids of the
    visible, filtered orders. At 1M orders a join with the orders costs ~0.8 s by itself, a scan of
    the figures ~0.3 s, the pre-counted totals 0.3–40 ms (docs/statistics.md).
    """
    cleaned = filterset.form.cleaned_data
    named = {name for name, value in cleaned.items() if value not in (None, "", [])}
    if not (has_any_role(user) and named <= FIGURE_FILTERS):
        ids = filterset.qs.order_by().values("pk")
        return Scope(OrderFigures.objects.filter(order_id__in=ids), (Stay.objects.filter(order_id__in=ids),))
    figures = filterset.filter_queryset(OrderFigures.objects.all())
    if named <= STATE_FILTERS:
        if not named:
            return Scope(figures, stay_counts=(StayTotal.objects.all(),), group_totals=GroupTotal.objects.all())
        return Scope(
            figures,
            stay_counts=(_in_state(StayCount.objects.all(), cleaned, "order_"),),
            group_counts=_in_state(GroupCount.objects.all(), cleaned),
        )
    if not named <= DATE_FILTERS | STATE_FILTERS:
        return Scope(figures, (Stay.objects.filter(order_id__in=figures.values("order_id")),))
    days = _in_state(DayCount.objects.all(), cleaned)
    if cleaned.get("created_after") is not None:
        days = days.filter(day__gte=cleaned["created_after"])
    if cleaned.get("created_before") is not None:
        days = days.filter(day__lte=cleaned["created_before"])
    if not named <= DATE_FILTERS:
        return Scope(figures, (Stay.objects.filter(order_id__in=figures.values("order_id")),), day_counts=days)
    stays = filterset.filter_queryset(Stay.objects.all())
    first, last = _whole_months(_plausible(cleaned.get("created_after")), _plausible(cleaned.get("created_before")))
    if first is _NONE:  # no whole month in the range: every stay one by one
        return Scope(figures, (stays,), day_counts=days)
    months, edges = StayMonth.objects.all(), []
    # The days before the first whole month and after the last, each its own index range.
    if first is not None:
        months = months.filter(month__gte=first)
        edges.append(stays.filter(created_at__lt=_midnight(first)))
    if last is not None:
        months = months.filter(month__lte=last)
        after_last = _next_month(last)
        if after_last is not None:
            edges.append(stays.filter(created_at__gte=_midnight(after_last)))
    return Scope(figures, tuple(edges), (months,), day_counts=days)


def _in_state(counts: QuerySet[Any], cleaned: Mapping[str, Any], prefix: str = "") -> QuerySet[Any]:
    """Pre-counted rows of the orders in the filtered statuses (`prefix`: of the column names)."""
    for name in STATE_FILTERS:
        if cleaned.get(name):
            counts = counts.filter(**{f"{prefix}{name}__in": cleaned[name]})
    return counts


_NONE = object()  # `_whole_months`: the range holds no whole month


def _plausible(day: date | None) -> date | None:
    # Far outside any order's date a bound splits no month (and its midnight could overflow).
    return day if day is not None and date(1900, 1, 1) <= day <= date(9000, 1, 1) else None


def _next_month(month: date) -> date | None:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) if month < date(9999, 12, 1) else None


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _whole_months(after: date | None, before: date | None) -> tuple[Any, Any]:
    """The first and last month (their first days) lying whole in [after, before]; None for no
    bound on that side; (_NONE, _NONE) when no month lies whole in it."""
    first = None if after is None else (after if after.day == 1 else _next_month(after))
    last = None
    if before is not None:
        following = _next_month(before.replace(day=1))
        ends_month = following is not None and before + timedelta(days=1) == following
        last = before.replace(day=1) if ends_month else (before.replace(day=1) - timedelta(days=1)).replace(day=1)
    if (after is not None and first is None) or (first is not None and last is not None and first > last):
        return _NONE, _NONE
    return first, last
