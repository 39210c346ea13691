"""The order changelist as a CSV file (UTF-8 with a BOM, formula-safe), streamed in chunks.

Plain functions of a queryset, so the export is testable without the admin."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

from orders.admin.common import local_time
from orders.export import export_headers, export_rows
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


def _text(value: Any) -> Any:
    """A value as the CSV file writes it: money with 2 places, times local, nothing as empty."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime):
        return local_time(value)
    return value


def _csv_rows(orders: QuerySet[Order]) -> Iterator[list[Any]]:
    yield export_headers()
    for row in export_rows(orders):
        yield [_cell(_text(value)) for value in row]


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
