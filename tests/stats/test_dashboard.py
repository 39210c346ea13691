"""The back office's statistics dashboard and the XLSX workbooks, over the known dataset."""

import csv
import io
import json
import re
from datetime import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from orders.models import Order
from stats.xlsx import orders_xlsx_response
from tests.factories import UserFactory, make_order

DASHBOARD = "/admin/stats/"
EXPORT = "/admin/stats/export/"


def login(user):
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(user)
    return client


def chart_data(response):
    found = re.search(r'<script id="stats-data" type="application/json">(.*?)</script>', response.content.decode())
    return json.loads(found.group(1))


def workbook(response):
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_dashboard_role_staff_sees_charts_of_all_orders(dataset):
    response = login(dataset.users["service"]).get(DASHBOARD)
    assert response.status_code == 200
    data = chart_data(response)
    assert data["months"]["keys"] == ["2026-01", "2026-02", "2026-03"]
    assert data["months"]["series"][0]["data"] == [0, 1, 1]  # in progress
    assert data["months"]["series"][1]["data"] == [1, 0, 0]  # finished
    assert data["months"]["series"][2]["data"] == [0, 1, 0]  # cancelled
    assert data["top_count"] == {"keys": ["被告甲", "被告乙"], "values": [3, 1], "name": "单数"}
    assert data["top_compensation"]["values"] == [1500.0, 0.0]
    assert {"name": "色差", "value": 1} in data["abnormal_types"]
    assert data["cycle_times"]["series"][0]["data"][:2] == [2.0, 2.0]  # medians: waiting, service_approving
    assert '<td class="number">1500.00</td>' in response.content.decode()  # the totals


def test_dashboard_date_range_narrows_every_chart(dataset):
    response = login(dataset.users["service"]).get(DASHBOARD, {"created_after": "2026-02-01"})
    data = chart_data(response)
    assert data["months"]["keys"] == ["2026-02", "2026-03"]
    assert data["cycle_times"]["series"][0]["data"][0] == 1.0  # waiting: sorted 0.5 1 3 4.3, the 2nd


def test_dashboard_bad_date_shows_error_no_charts(dataset):
    response = login(dataset.users["service"]).get(DASHBOARD, {"created_after": "2026-13-01"})
    assert response.status_code == 200
    assert "stats-data" not in response.content.decode()
    assert "errorlist" in response.content.decode()


def test_dashboard_staff_without_order_permission_403(db):
    response = login(UserFactory(username="clerk")).get(DASHBOARD)
    assert response.status_code == 403


def test_dashboard_anonymous_redirected_to_login(db):
    response = Client().get(DASHBOARD)
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_admin_index_links_dashboard_only_with_order_permission(dataset):
    page = login(dataset.users["service"]).get(reverse("admin:index")).content.decode()
    assert f'href="{DASHBOARD}"' in page
    page = login(UserFactory(username="clerk")).get(reverse("admin:index")).content.decode()
    assert f'href="{DASHBOARD}"' not in page


def test_dashboard_export_workbook_holds_typed_cells(dataset):
    response = login(dataset.users["service"]).get(EXPORT, {"created_after": "2026-01-01"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = workbook(response)
    assert book.sheetnames == ["统计范围", "按月", "被告供应商", "异常类型", "各环节用时"]
    scope = book["统计范围"]
    assert scope["A2"].value == datetime(2026, 1, 1)  # a date cell (Excel stores dates as datetimes)
    months = book["按月"]
    assert [c.value for c in months[1]] == ["月份", "单数", "进行中", "已完成", "已取消", "赔偿金额", "扣款合计"]
    assert months["A2"].value == datetime(2026, 1, 1) and months["A2"].number_format == "yyyy-mm"
    assert months["F2"].value == 1000 and months["F2"].number_format == "#,##0.00"
    defendants = book["被告供应商"]
    assert [c.value for c in defendants[2]] == ["被告甲", 3, 2, 1, 0, 1500, 1000]
    abnormal = [row[0] for row in book["异常类型"].iter_rows(min_row=2, values_only=True)]
    assert abnormal[0] == "（无）"
    steps = book["各环节用时"]
    assert [c.value for c in steps[2]] == ["等待提交", 5, 2.0, 4.3]


def test_dashboard_export_staff_without_order_permission_403(db):
    assert login(UserFactory(username="clerk")).get(EXPORT).status_code == 403


# --- The order list as XLSX ---------------------------------------------------------------------------
def test_orders_xlsx_same_columns_as_csv_money_numbers_dates_dates(dataset, superuser):
    client = login(superuser)
    csv_text = b"".join(client.get(reverse("admin:orders_order_export")).streaming_content).decode("utf-8-sig")
    csv_header = next(csv.reader(io.StringIO(csv_text)))
    book = workbook(orders_xlsx_response(Order.objects.order_by("id")))
    sheet = book.active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == csv_header
    assert len(rows) == 1 + 5  # deleted o4 included, as in the CSV
    o1 = dict(zip(csv_header, rows[1], strict=True))
    assert o1["订单序列号"] == dataset.orders["o1"].serial_number
    assert o1["责任报告扣款金额"] == 1000 and o1["扣款合计"] == 1000
    assert o1["创建于"] == datetime(2026, 1, 10, 9, 0)  # local time, an Excel date
    assert sheet.cell(row=2, column=13).number_format == "#,##0.00"
    assert sheet.cell(row=2, column=16).number_format == "yyyy-mm-dd hh:mm:ss"
    o3 = dict(zip(csv_header, rows[3], strict=True))
    assert o3["责任报告扣款金额"] is None and o3["提交于"] is not None


def test_orders_xlsx_text_starting_with_equals_stays_text(creator, suppliers):
    make_order(creator, suppliers["customer"], suppliers["accuser"], reason="其它", remark="=HYPERLINK(1)")
    book = workbook(orders_xlsx_response(Order.objects.all()))
    cell = next(c for c in book.active[2] if c.value == "=HYPERLINK(1)")
    assert cell.data_type == "s"


@pytest.mark.parametrize("count", [0, 3])
def test_orders_xlsx_any_number_of_orders_opens(creator, suppliers, count):
    for _ in range(count):
        make_order(creator, suppliers["customer"], suppliers["accuser"], reason="其它")
    book = workbook(orders_xlsx_response(Order.objects.all()))
    assert book.active.max_row == 1 + count


def test_money_cells_keep_cents(creator, suppliers, superuser):
    from orders import services

    order = make_order(creator, suppliers["customer"], suppliers["accuser"], reason="其它")
    services.order_apply_operation(user=superuser, order_id=order.pk, operation="done")
    services.duty_report_upsert(user=superuser, order_id=order.pk, values={"compensation": Decimal("12.34")})
    sheet = workbook(orders_xlsx_response(Order.objects.all())).active
    assert sheet.cell(row=2, column=13).value == pytest.approx(12.34)
    assert isinstance(sheet.cell(row=2, column=15).value, datetime)
