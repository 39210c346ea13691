"""The columns of an order export — the back office's CSV and XLSX files of the changelist: their
labels, and each order's values as plain Python values (text, `Decimal` or None, aware datetimes)
that each file format writes its own way."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext

from orders import selectors
from orders.models import Order

CHUNK = 500  # orders read per query: the export streams, whatever the number of orders
_HEAD = ("serial_number", "charge_number", "type", "reason", "status", "workflow_status")
_PARTIES = ("customer_name", "accuser_name", "creator_name", "saler_name", "remark")
_TIMES = ("summitted_at", "created_at", "updated_at", "is_deleted")


def _label(name: str) -> str:
    return str(capfirst(Order._meta.get_field(name).verbose_name))


def export_headers() -> list[str]:
    return [
        *(_label(name) for name in (*_HEAD, *_PARTIES)),
        gettext("SKU codes"),
        gettext("duty report compensation"),
        gettext("deductions total"),
        *(_label(name) for name in _TIMES),
    ]


def export_rows(orders: QuerySet[Order]) -> Iterator[tuple[Any, ...]]:
    """One tuple per order, in the order of `export_headers()`."""
    yes, no = gettext("Yes"), gettext("No")
    for order in selectors.orders_for_export(orders).iterator(chunk_size=CHUNK):
        report = getattr(order, "duty_report", None)
        yield (
            order.serial_number,
            order.charge_number or "",
            order.type,
            order.get_reason_display(),
            order.get_status_display(),
            order.get_workflow_status_display(),
            order.customer_name,
            order.accuser_name,
            order.creator_name,
            order.saler_name,
            order.remark,
            " ".join(line.sku_code for line in order.abnormal_products.all()),
            report.compensation if report is not None else None,
            order.deduction_total,
            order.summitted_at,
            order.created_at,
            order.updated_at,
            yes if order.is_deleted else no,
        )
