"""The order changelist as a CSV file (UTF-8 with a BOM, formula-safe), streamed in chunks.

Plain functions of a queryset, so the export is testable without the admin."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext

from orders import selectors
from orders.admin.common import field_label, local_time
from orders.models import Order

# A cell starting with one of these is a formula to Excel ("CSV injection"); supplier names and
# remarks are typed by people, so such text is written with a leading apostrophe.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


class _Echo:
    """A file-like object whose `write` returns the line, for streaming `csv.writer` output."""

    def write(self, value: str) -> str:
        return value


def _csv_rows(orders: QuerySet[Order]) -> Iterator[list[Any]]:
    yield [
        field_label("serial_number"),
        field_label("charge_number"),
        field_label("type"),
        field_label("reason"),
        field_label("status"),
        field_label("workflow_status"),
        field_label("customer_name"),
        field_label("accuser_name"),
        field_label("creator_name"),
        field_label("saler_name"),
        field_label("remark"),
        gettext("SKU codes"),
        gettext("duty report compensation"),
        gettext("deductions total"),
        field_label("summitted_at"),
        field_label("created_at"),
        field_label("updated_at"),
        field_label("is_deleted"),
    ]
    yes, no = gettext("Yes"), gettext("No")
    for order in selectors.orders_for_export(orders).iterator(chunk_size=500):
        report = getattr(order, "duty_report", None)
        yield [
            _cell(value)
            for value in (
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
                f"{report.compensation:.2f}" if report is not None and report.compensation is not None else "",
                f"{order.deduction_total:.2f}" if order.deduction_total is not None else "",
                local_time(order.summitted_at),
                local_time(order.created_at),
                local_time(order.updated_at),
                yes if order.is_deleted else no,
            )
        ]


def orders_csv_response(orders: QuerySet[Order]) -> StreamingHttpResponse:
    """The orders as a streamed CSV file: UTF-8 with a BOM, which is how Excel recognises UTF-8
    (without it, Chinese text opens as mojibake)."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"
        for row in _csv_rows(orders):
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="orders-{timezone.localdate():%Y%m%d}.csv"'
    return response
