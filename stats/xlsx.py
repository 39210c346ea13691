"""Excel workbooks (openpyxl): the statistics of the dashboard, and a list of orders.

Cells hold real types, so Excel sums and sorts them: money as numbers with 2 decimals and a number
format, dates and times as Excel dates in TIME_ZONE (Excel knows no time zones). Both are written in
openpyxl's write-only mode, row by row into a temporary file that is then streamed: 100,000 orders
never sit in memory at once.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from orders.export import export_headers, export_rows
from orders.models import Order
from orders.workflow import Status
from stats.selectors import CycleTime, OrderStats

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = "#,##0.00"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
MONTH_FORMAT = "yyyy-mm"
DATE_FORMAT = "yyyy-mm-dd"
CHUNK = 500


def _cell(sheet: WriteOnlyWorksheet, value: Any, number_format: str | None = None) -> WriteOnlyCell:
    if isinstance(value, datetime):
        value = timezone.localtime(value, timezone.get_default_timezone()).replace(tzinfo=None)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text typed by people, never a formula
    if number_format:
        cell.number_format = number_format
    elif isinstance(value, Decimal):
        cell.number_format = MONEY_FORMAT
    elif isinstance(value, datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        cell.number_format = DATE_FORMAT
    return cell


def _header(sheet: WriteOnlyWorksheet, labels: Sequence[Any]) -> list[WriteOnlyCell]:
    cells = []
    for label in labels:
        cell = WriteOnlyCell(sheet, value=str(label))
        cell.font = Font(bold=True)
        cells.append(cell)
    return cells


def _response(workbook: Workbook, filename: str) -> HttpResponse:
    """The saved workbook streamed from an anonymous temporary file (gone once the response closes)."""
    stream = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    workbook.save(stream)
    stream.seek(0)
    return FileResponse(stream, as_attachment=True, filename=filename, content_type=XLSX)


# --- The dashboard's statistics ---------------------------------------------------------------------
def _group_sheet(workbook: Workbook, title: str, key_label: str, rows: Iterable[OrderStats], *, months: bool) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append(
        _header(
            sheet,
            [
                key_label,
                gettext("Orders"),
                gettext("In progress"),
                gettext("Finished"),
                gettext("Cancelled"),
                gettext("Compensation"),
                gettext("Deducted"),
            ],
        )
    )
    for row in rows:
        key: Any = row.key
        if months:
            key = date(int(row.key[:4]), int(row.key[5:7]), 1)
        elif not key:
            key = gettext("(none)")
        sheet.append(
            [
                _cell(sheet, key, MONTH_FORMAT if months else None),
                *(_cell(sheet, n) for n in (row.orders, row.in_progress, row.finished, row.cancelled)),
                _cell(sheet, row.compensation),
                _cell(sheet, row.deducted),
            ]
        )


def stats_xlsx_response(
    *,
    months: Iterable[OrderStats],
    defendants: Iterable[OrderStats],
    abnormal_types: Iterable[OrderStats],
    cycle_times: Iterable[CycleTime],
    created_after: date | None,
    created_before: date | None,
) -> HttpResponse:
    """The dashboard's figures as a workbook: one sheet each for months, defendants, abnormal types
    and the time per step, after a first sheet saying which orders they count."""
    workbook = Workbook(write_only=True)
    about = workbook.create_sheet(gettext("Scope"))
    about.append(_header(about, [gettext("Filed from"), gettext("Filed until"), gettext("Exported at")]))
    about.append(
        [
            _cell(about, created_after or gettext("(any)")),
            _cell(about, created_before or gettext("(any)")),
            _cell(about, timezone.now()),
        ]
    )
    _group_sheet(workbook, gettext("Per month"), gettext("Month"), months, months=True)
    _group_sheet(workbook, gettext("Defendants"), gettext("Defendant supplier"), defendants, months=False)
    _group_sheet(workbook, gettext("Abnormality types"), gettext("Abnormality type"), abnormal_types, months=False)
    sheet = workbook.create_sheet(gettext("Time per step"))
    sheet.append(
        _header(
            sheet,
            [
                gettext("Step"),
                gettext("Completed stays"),
                gettext("Median (hours)"),
                gettext("90th percentile (hours)"),
            ],
        )
    )
    for row in cycle_times:
        sheet.append(
            [
                _cell(sheet, str(Status(row.status).label)),
                _cell(sheet, row.count),
                _cell(sheet, row.median_hours, "0.0"),
                _cell(sheet, row.p90_hours, "0.0"),
            ]
        )
    return _response(workbook, f"statistics-{timezone.localdate():%Y%m%d}.xlsx")


# --- A list of orders ---------------------------------------------------------------------------------
def orders_xlsx_response(orders: QuerySet[Order]) -> HttpResponse:
    """The orders as a workbook with the columns of the admin's CSV export (`orders.export`): money
    as numbers, times as Excel dates in TIME_ZONE. Write-only and streamed from a temporary file."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(capfirst(Order._meta.verbose_name_plural)))
    sheet.append(_header(sheet, export_headers()))
    for row in export_rows(orders):
        sheet.append([_cell(sheet, value) for value in row])
    return _response(workbook, f"orders-{timezone.localdate():%Y%m%d}.xlsx")
