"""The statistics dashboard of the back office (admin/stats/) and its XLSX export.

Staff with the order view permission see it (others get the admin's 403); the figures come from the
selectors of the API (`stats.selectors`) over the same scope, narrowed by a date range.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from orders.workflow import Status
from stats import filters, selectors, xlsx
from stats.selectors import CycleTime, OrderStats

TOP = 10


@dataclass(frozen=True)
class Figures:
    months: list[OrderStats]
    defendants: list[OrderStats]
    abnormal_types: list[OrderStats]
    cycle_times: list[CycleTime]

    def top_by_count(self) -> list[OrderStats]:
        return self.defendants[:TOP]  # already biggest first

    def top_by_compensation(self) -> list[OrderStats]:
        return sorted(self.defendants, key=lambda row: (-row.compensation, row.key))[:TOP]


def _allowed(request: HttpRequest) -> None:
    if not request.user.has_perm("orders.view_order"):
        raise PermissionDenied


def _figures(request: HttpRequest) -> tuple[Any, Figures | None]:
    """The date-range filter (the order filters' own dates) and, when it is valid, the figures."""
    params = {name: request.GET[name] for name in sorted(filters.DATE_FILTERS) if request.GET.get(name)}
    filterset = filters.order_filter(request=request, params=params)
    if not filterset.is_valid():
        return filterset, None
    scope = filters.scope(user=request.user, filterset=filterset)
    return filterset, Figures(
        months=selectors.order_stats(scope=scope, group_by="month"),
        defendants=selectors.order_stats(scope=scope, group_by="customer_name"),
        abnormal_types=selectors.order_stats(scope=scope, group_by="abnormal_type"),
        cycle_times=selectors.cycle_times(scope=scope),
    )


def _chart_data(figures: Figures) -> dict[str, Any]:
    """What dashboard.js draws, money as numbers."""

    def money(row: OrderStats) -> float:
        return float(row.compensation)

    none = gettext("(none)")
    return {
        "months": {
            "keys": [row.key for row in figures.months],
            "series": [
                {"name": gettext("In progress"), "data": [row.in_progress for row in figures.months]},
                {"name": gettext("Finished"), "data": [row.finished for row in figures.months]},
                {"name": gettext("Cancelled"), "data": [row.cancelled for row in figures.months]},
            ],
        },
        "top_count": {
            "keys": [row.key for row in figures.top_by_count()],
            "values": [row.orders for row in figures.top_by_count()],
            "name": gettext("Orders"),
        },
        "top_compensation": {
            "keys": [row.key for row in figures.top_by_compensation()],
            "values": [money(row) for row in figures.top_by_compensation()],
            "name": gettext("Compensation"),
        },
        "abnormal_types": [{"name": row.key or none, "value": row.orders} for row in figures.abnormal_types],
        "cycle_times": {
            "keys": [str(Status(row.status).label) for row in figures.cycle_times],
            "series": [
                {"name": gettext("Median (hours)"), "data": [row.median_hours for row in figures.cycle_times]},
                {"name": gettext("90th percentile (hours)"), "data": [row.p90_hours for row in figures.cycle_times]},
            ],
        },
    }


def dashboard_view(request: HttpRequest) -> HttpResponse:
    """`admin/stats/`: the charts, the totals and the export link for a date range."""
    _allowed(request)
    filterset, figures = _figures(request)
    totals = None
    if figures is not None:
        rows = figures.months
        totals = {
            name: sum((getattr(row, name) for row in rows), start=0)
            for name in ("orders", "in_progress", "finished", "cancelled", "compensation", "deducted")
        }
    context = {
        **admin.site.each_context(request),
        "title": _("Claims statistics"),
        "form": filterset.form,
        "created_after": request.GET.get("created_after", ""),
        "created_before": request.GET.get("created_before", ""),
        "totals": totals,
        "charts": _chart_data(figures) if figures is not None else None,
        "export_url": reverse("stats-dashboard-export") + (f"?{request.GET.urlencode()}" if request.GET else ""),
    }
    return TemplateResponse(request, "admin/stats/dashboard.html", context)


def export_view(request: HttpRequest) -> HttpResponse:
    """`admin/stats/export/`: the dashboard's figures for the same date range as a workbook."""
    _allowed(request)
    filterset, figures = _figures(request)
    if figures is None:
        return dashboard_view(request)  # the page shows what is wrong with the dates
    cleaned = filterset.form.cleaned_data
    return xlsx.stats_xlsx_response(
        months=figures.months,
        defendants=figures.defendants,
        abnormal_types=figures.abnormal_types,
        cycle_times=figures.cycle_times,
        created_after=cleaned.get("created_after"),
        created_before=cleaned.get("created_before"),
    )
