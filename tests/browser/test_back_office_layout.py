"""The back office as people see it, in Chromium at 1,400 px: the order page shows an `edit`
journal row's changes in words beside the workflow panel; the changelist shows every column
without cutting the last ones; a page one may not open is a Chinese, admin-styled 403; typing
left in the change form is not discarded silently by a workflow button."""

from __future__ import annotations

import pytest

from orders import services
from orders.models import Order
from orders.workflow import SERVICE
from tests.factories import ProductFactory, SupplierFactory, UserFactory, make_order


@pytest.fixture
def claim(admin_user):
    specialist = UserFactory(username="service1", first_name="李四", roles=[SERVICE])
    customer = SupplierFactory(name="华美家具厂", specialist=specialist)
    accuser = SupplierFactory(name="佳居软体")
    ProductFactory(sku_code="SKU-1", item_name="三人位沙发")
    order = make_order(
        admin_user, customer, accuser, creator_name="浏览器管理员", abnormal_products=[{"sku_code": "SKU-1"}]
    )
    services.order_apply_operation(user=admin_user, order_id=order.pk, operation="done")
    services.order_update(user=specialist, order_id=order.pk, header={"remark": "扶手开裂，面料色差明显"})
    services.order_apply_operation(user=specialist, order_id=order.pk, operation="reject", remark="请补充照片")
    return Order.objects.get(pk=order.pk)


def test_order_page_shows_the_edit_row_in_words_and_the_last_reject_reason(admin_page, claim, screenshot):
    page = admin_page
    page.goto(f"/admin/orders/order/{claim.pk}/change/")

    journal = page.locator("#journals-group")
    edit_row = journal.locator("tr", has_text="编辑")
    assert edit_row.count() == 1
    assert "异常描述：“表面划伤” → “扶手开裂，面料色差明显”" in edit_row.inner_text()
    assert "请补充照片" in page.locator("#order-workflow .workflow-reject").inner_text()
    screenshot("order-page-edit-row")


def test_workflow_button_asks_before_discarding_typing(admin_page, claim):
    page = admin_page
    page.goto(f"/admin/orders/order/{claim.pk}/change/")
    page.fill("#id_remark", "改了一半")
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))

    page.click("#order-workflow button[value='done']")

    assert asked and "未保存" in asked[0]
    assert Order.objects.get(pk=claim.pk).status == claim.status  # dismissed: nothing was applied


def test_changelist_at_1400px_shows_every_column(admin_page, claim, screenshot):
    page = admin_page
    page.goto("/admin/orders/order/")

    table = page.locator("#result_list")
    headers = [text.strip() for text in table.locator("thead th").all_inner_texts() if text.strip()]
    assert len(headers) >= 9  # every column of list_display has its header
    # The results box scrolls sideways rather than widen the page: a column past its right edge is
    # hidden. Every header must end inside the box, and the box must have nothing to scroll to.
    results = page.locator("#changelist .results").bounding_box()
    for cell in table.locator("thead th").all():
        box = cell.bounding_box()
        assert box["x"] + box["width"] <= results["x"] + results["width"] + 1, f"{cell.inner_text()!r} is cut off"
    assert page.evaluate("(box => box.scrollWidth <= box.clientWidth)(document.querySelector('#changelist .results'))")
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    screenshot("changelist-1400")


def test_page_one_may_not_open_is_a_chinese_admin_page(page, transactional_db, screenshot):
    from tests.browser.conftest import PASSWORD

    visitor = UserFactory(username="visitor", first_name="访客", is_staff=True)
    visitor.set_password(PASSWORD)
    visitor.save()
    page.goto("/admin/login/?next=/admin/orders/order/")
    page.fill("#id_username", "visitor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")

    assert page.locator("h1").inner_text() == "无权访问"
    assert "售后单管理系统" in page.locator("#site-name").inner_text()
    screenshot("forbidden")
