"""The approver's desk on the admin index: the to-do queue, overdue orders, orders per status and
unread notifications — the numbers of `GET orders/summary`, linked to the changelist."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from notifications.selectors import unread_count
from orders import selectors
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
