"""The approver's desk on the admin index: the to-do queue, overdue orders, orders per status and
unread notifications — the numbers of `GET orders/summary`, linked to the changelist. And the
order changelist's date hierarchy, drawn without reading every order."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django import template
from django.contrib.admin.views.main import ChangeList
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from notifications.selectors import unread_count
from orders import selectors, workflow
from orders.admin.filters import DeletedFilter
from orders.workflow import Status

register = template.Library()


@register.inclusion_tag("admin/orders/desk.html", takes_context=True)
def order_desk(context: dict[str, Any]) -> dict[str, Any]:
    user = context["request"].user
    summary = selectors.order_summary(user=user)
    changelist = reverse("admin:orders_order_changelist")
    return {
        "todo": summary["todo"],
        "todo_url": f"{changelist}?todo=1",
        "overdue": summary["overdue"],
        "overdue_url": f"{changelist}?workflow_status__exact=overdue",
        "unread": unread_count(user),
        "statuses": [
            {"label": Status(status).label, "count": count, "url": f"{changelist}?status__exact={status}"}
            for status, count in summary["by_status"].items()
            if status != Status.CREATED
        ],
    }


@register.inclusion_tag("admin/date_hierarchy.html", takes_context=True)
def order_date_hierarchy(context: dict[str, Any], cl: ChangeList) -> dict[str, Any]:
    """Django's `date_hierarchy` tag (the same template and context) without its
    `SELECT DISTINCT date_trunc(...)` over every listed order: each year between the first and
    the last date of `_date_bounds` is offered (each month within the chosen year, each day within
    the chosen month), also one without orders, where Django offers only those with some."""
    field = cl.date_hierarchy
    year_field, month_field, day_field = f"{field}__year", f"{field}__month", f"{field}__day"
    year, month, day = cl.params.get(year_field), cl.params.get(month_field), cl.params.get(day_field)

    def link(filters: dict[str, Any]) -> str:
        return cl.get_query_string(filters, [f"{field}__"])

    if year and month and day:  # one day: nothing to read (the changelist validated the date)
        chosen = date(int(year), int(month), int(day))
        return {
            "show": True,
            "back": {
                "link": link({year_field: year, month_field: month}),
                "title": capfirst(formats.date_format(chosen, "YEAR_MONTH_FORMAT")),
            },
            "choices": [{"title": capfirst(formats.date_format(chosen, "MONTH_DAY_FORMAT"))}],
        }
    bounds = _date_bounds(context["request"].user, cl)
    first, last = bounds if bounds else (None, None)
    # Like Django: start at the months (days) when every order is in one year (month).
    if first and last and not (year or month or day) and first.year == last.year:
        year = first.year
        if first.month == last.month:
            month = first.month
    if year and month:
        days = range(first.day, last.day + 1) if first and last else range(0)
        return {
            "show": True,
            "back": {"link": link({year_field: year}), "title": str(year)},
            "choices": [
                {
                    "link": link({year_field: year, month_field: month, day_field: number}),
                    "title": capfirst(formats.date_format(date(int(year), int(month), number), "MONTH_DAY_FORMAT")),
                }
                for number in days
            ],
        }
    if year:
        months = range(first.month, last.month + 1) if first and last else range(0)
        return {
            "show": True,
            "back": {"link": link({}), "title": _("All dates")},
            "choices": [
                {
                    "link": link({year_field: year, month_field: number}),
                    "title": capfirst(formats.date_format(date(int(year), number, 1), "YEAR_MONTH_FORMAT")),
                }
                for number in months
            ],
        }
    years = range(first.year, last.year + 1) if first and last else range(0)
    return {
        "show": True,
        "back": None,
        "choices": [{"link": link({year_field: str(number)}), "title": str(number)} for number in years],
    }


def _date_bounds(user: Any, cl: ChangeList) -> tuple[datetime, datetime] | None:
    """The first and last date (local) the hierarchy spans. When the whole list is on this page:
    its orders' own dates, no query. Otherwise MIN/MAX of the user's orders within the chosen
    period, deleted or not as chosen — leaving out the other filters and the search: an order's
    state goes with its age (the orders in progress are the recent ones), so MIN under a state
    filter walks most of the created_at index before it meets one (330 ms at 1M orders), and an
    aggregate over the filter's matches costs as much as counting them (70–150 ms for one status
    or the to-do queue), which the counters spare."""
    field = cl.date_hierarchy
    if not cl.multi_page or (cl.show_all and cl.can_show_all):  # Django lists the whole queryset then
        dates = [value for value in (getattr(order, field) for order in cl.result_list) if value is not None]
        bounds = (min(dates), max(dates)) if dates else None
    else:
        orders = cl.root_queryset
        for spec in cl.filter_specs:
            if isinstance(spec, DeletedFilter):
                orders = spec.queryset(spec.request, orders)
        period = _period(cl.params, field)
        if period is not None:
            orders = orders.filter(**{f"{field}__gte": period[0], f"{field}__lt": period[1]})
        # A role user's orders are most of the table: the ends of the created_at index. A plain
        # user's, or the deleted ones, are few and have their own index: aggregate over them.
        few = not workflow.has_any_role(user) or cl.params.get("deleted") == "only"
        bounds = selectors.orders_date_range(orders, field, by_index=not few)
    if bounds is None:
        return None
    return timezone.localtime(bounds[0]), timezone.localtime(bounds[1])


def _period(params: dict[str, str], field: str) -> tuple[datetime, datetime] | None:
    """The chosen year, month or day as the changelist filters it (`ChangeList.get_filters`, which
    has already refused an invalid date)."""
    year = params.get(f"{field}__year")
    if year is None:
        return None
    month, day = params.get(f"{field}__month"), params.get(f"{field}__day")
    start = datetime(int(year), int(month or 1), int(day or 1))
    if day:
        end = start + timedelta(days=1)
    elif month:
        end = (start + timedelta(days=32)).replace(day=1)
    else:
        end = start.replace(year=start.year + 1)
    return timezone.make_aware(start), timezone.make_aware(end)
