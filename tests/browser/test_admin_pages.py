"""The back office in a real browser: the statistics dashboard draws the expected charts, and the
order page's workflow panel moves an order."""

from __future__ import annotations

import re

import pytest

from orders.models import Journal, Order
from tests.factories import ProductFactory, SupplierFactory, UserFactory, make_order
from tests.stats.dataset import build_dataset

# Each chart's series as ECharts holds them after drawing (name and data).
SERIES_JS = """
id => {
  const chart = echarts.getInstanceByDom(document.getElementById(id));
  const option = chart.getOption();
  const axes = [...(option.xAxis || []), ...(option.yAxis || [])];
  const axis = axes.find(a => a.type === "category") || {};
  return {
    categories: axis.data || null,
    series: option.series.map(s => ({name: s.name || null, type: s.type, data: s.data})),
  };
}
"""


@pytest.fixture
def dataset(admin_user):
    """The statistics' known dataset (tests/stats/dataset.py), committed for the live server."""
    from orders.workflow import CHIEF, FINANCE, MANAGER, SERVICE

    service = UserFactory(username="service1", first_name="李四", roles=[SERVICE])
    users = {
        "creator": UserFactory(username="creator", first_name="张三"),
        "other": UserFactory(username="other"),
        "service": service,
        "manager": UserFactory(username="manager1", roles=[MANAGER]),
        "chief": UserFactory(username="chief1", roles=[CHIEF]),
        "finance": UserFactory(username="finance1", roles=[FINANCE]),
        "superuser": admin_user,
    }
    ProductFactory(sku_code="SKU-1", item_name="沙发1")
    return build_dataset(users, service)


def series(page, chart_id):
    page.wait_for_selector(f"#{chart_id}[data-rendered='1']")
    return page.evaluate(SERIES_JS, chart_id)


def test_dashboard_from_admin_index_draws_every_chart(admin_page, dataset, screenshot):
    page = admin_page
    screenshot("admin-index")
    page.click("#stats-link a.section")
    page.wait_for_url(re.compile(r"/admin/stats/$"))
    assert page.title().startswith("售后统计")

    months = series(page, "chart-months")
    assert months["categories"] == ["2026-01", "2026-02", "2026-03"]
    assert months["series"] == [
        {"name": "进行中", "type": "bar", "data": [0, 1, 1]},
        {"name": "已完成", "type": "bar", "data": [1, 0, 0]},
        {"name": "已取消", "type": "bar", "data": [0, 1, 0]},
    ]
    top = series(page, "chart-top-count")
    assert top["categories"] == ["被告甲", "被告乙"]
    assert top["series"][0]["data"] == [3, 1]
    money = series(page, "chart-top-compensation")
    assert money["categories"] == ["被告甲", "被告乙"]
    assert money["series"][0]["data"] == [1500, 0]
    pie = series(page, "chart-abnormal-types")
    assert pie["series"][0]["type"] == "pie"
    assert [(item["name"], item["value"]) for item in pie["series"][0]["data"]] == [
        ("（无）", 2),
        ("色差", 1),
        ("质量", 1),
    ]
    cycle = series(page, "chart-cycle-times")
    assert cycle["categories"][:2] == ["等待提交", "等待售后专员审核"]
    assert cycle["series"][0]["data"] == [2.0, 2.0, 4.0, 6.0, 1.0, 2.0, 1.0, 5.0]  # medians
    assert cycle["series"][1]["data"][:2] == [4.3, 3.0]  # 90th percentiles
    assert page.locator("#stats-totals td").first.inner_text() == "4"
    screenshot("dashboard")


def test_dashboard_date_range_redraws_for_those_orders(admin_page, dataset, screenshot):
    page = admin_page
    page.goto("/admin/stats/")
    page.fill("#id_created_after", "2026-02-01")
    page.fill("#id_created_before", "2026-02-28")
    page.click("#stats-filter input[type=submit]")
    page.wait_for_url(re.compile(r"created_after=2026-02-01"))
    months = series(page, "chart-months")
    assert months["categories"] == ["2026-02"]
    assert [s["data"] for s in months["series"]] == [[1], [0], [1]]
    with page.expect_download() as download:
        page.click("#stats-export")
    assert download.value.suggested_filename.endswith(".xlsx")
    screenshot("dashboard-february")


def test_order_page_workflow_panel_submits_the_order(admin_page, admin_user, screenshot):
    creator = UserFactory(username="creator", first_name="张三")
    customer = SupplierFactory(name="被告工厂", specialist=admin_user)
    order = make_order(creator, customer, SupplierFactory(name="原告工厂"), reason="其它")
    page = admin_page
    page.goto(f"/admin/orders/order/{order.pk}/change/")

    panel = page.locator("#order-workflow")
    assert "等待提交" in panel.locator(".workflow-state").inner_text()
    buttons = panel.locator("button[name=operation]")
    assert [buttons.nth(i).get_attribute("value") for i in range(buttons.count())] == ["done", "halt", "cancel"]
    screenshot("workflow-panel")

    panel.locator("#id_workflow_remark").fill("资料齐全，提交")
    panel.locator("button[value=done]").click()
    page.wait_for_selector(".messagelist .success")
    assert "等待售后专员审核" in page.locator("#order-workflow .workflow-state").inner_text()
    order.refresh_from_db()
    assert order.status == "service_approving"
    assert Journal.objects.filter(order=order).order_by("-id").values_list("operation", "remark").first() == (
        "done",
        "资料齐全，提交",
    )
    screenshot("workflow-panel-submitted")


def test_order_page_cancel_asks_nothing_and_cancels(admin_page, admin_user):
    creator = UserFactory(username="creator", first_name="张三")
    order = make_order(creator, SupplierFactory(name="被告工厂"), SupplierFactory(name="原告工厂"), reason="其它")
    page = admin_page
    page.goto(f"/admin/orders/order/{order.pk}/change/")
    page.locator("#order-workflow button[value=cancel]").click()
    page.wait_for_selector(".messagelist .success")
    assert Order.objects.get(pk=order.pk).workflow_status == "cancel"
    assert page.locator("#order-workflow button[name=operation]").count() == 0
