"""The back office's desk and polish: the to-do counts on the index and the "待我处理" filter, bulk
operations from the changelist, the journal's changes in words with the last reject reason, the
role groups by their Chinese names, the product's name in the header, and a Chinese 403 page."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group
from django.urls import reverse

from orders import services
from orders.models import Order
from orders.workflow import Status
from tests.factories import UserFactory, make_order
from tests.helpers import advance, db_state, login

CHANGELIST = reverse("admin:orders_order_changelist")


@pytest.fixture
def waiting(users, suppliers, products):
    return [
        make_order(
            users["creator"], suppliers["customer"], suppliers["accuser"], abnormal_products=[{"sku_code": "SKU-1"}]
        )
        for _ in range(3)
    ]


def test_index_shows_the_desk_and_the_header_names_the_product(staff, users, waiting):
    advance(users, waiting[0], Status.SERVICE_APPROVING)

    page = login(staff["service"]).get(reverse("admin:index"))

    desk = page.text.split('id="order-desk"')[1].split("</table>")[0]
    assert "售后单管理系统" in page.text and "Django" not in page.text.split("<title>")[1].split("</title>")[0]
    assert "待我处理" in desk or "等我处理" in desk
    assert ">3<" in desk  # 2 waiting (the specialist may submit them too) + 1 awaiting review
    assert "?todo=1" in desk


def test_todo_filter_lists_what_the_user_may_approve(staff, users, waiting):
    advance(users, waiting[0], Status.MANAGER_REVIEWING)

    managers = login(staff["manager"]).get(CHANGELIST, {"todo": "1"})
    chiefs = login(staff["chief"]).get(CHANGELIST, {"todo": "1"})

    assert [order.pk for order in managers.context["cl"].result_list] == [waiting[0].pk]
    assert list(chiefs.context["cl"].result_list) == []


def test_bulk_done_action_asks_then_applies_each_through_the_service(staff, users, waiting):
    client = login(staff["service"])
    selected = {"action": "bulk_done", ACTION_CHECKBOX_NAME: [order.pk for order in waiting]}

    asked = client.post(CHANGELIST, selected)
    applied = client.post(CHANGELIST, {**selected, "apply": "1", "remark": "批量提交"}, follow=True)

    assert asked.status_code == 200 and all(order.serial_number in asked.text for order in waiting)
    assert set(Order.objects.values_list("status", flat=True)) == {Status.SERVICE_APPROVING}
    assert "已对 3 个订单执行" in applied.text


def test_bulk_reject_without_a_reason_asks_again_and_changes_nothing(staff, users, waiting):
    for order in waiting:
        advance(users, order, Status.SERVICE_APPROVING)
    before = db_state(*waiting)
    selected = {"action": "bulk_reject", ACTION_CHECKBOX_NAME: [order.pk for order in waiting]}

    refused = login(staff["service"]).post(CHANGELIST, {**selected, "apply": "1", "remark": " "})

    assert refused.status_code == 200 and "驳回必须填写原因" in refused.text
    assert db_state(*waiting) == before


def test_bulk_action_reports_each_refused_order(staff, users, waiting):
    selected = {"action": "bulk_done", ACTION_CHECKBOX_NAME: [waiting[0].pk], "apply": "1"}

    page = login(staff["manager"]).post(CHANGELIST, selected, follow=True)

    assert waiting[0].serial_number in page.text and "只有" in page.text  # who may act, in words
    assert Order.objects.get(pk=waiting[0].pk).status == Status.WAITING


def test_order_page_shows_journal_changes_in_words_and_last_reject_reason(staff, users, waiting):
    order = advance(users, waiting[0], Status.SERVICE_APPROVING)
    services.order_update(user=users["service"], order_id=order.pk, header={"remark": "外观划伤严重"})
    services.order_apply_operation(user=users["service"], order_id=order.pk, operation="reject", remark="缺少照片")

    page = login(staff["service"]).get(reverse("admin:orders_order_change", args=[order.pk]))

    assert "异常描述：“表面划伤” → “外观划伤严重”" in page.text
    assert "缺少照片" in page.text.split('id="order-workflow"')[1].split("</div>")[0]
    assert '"fields"' not in page.text  # no JSON dump


def test_role_groups_show_their_chinese_names(staff):
    page = login(staff["superuser"]).get(reverse("admin:auth_group_changelist"))

    assert "售后专员（service）" in page.text and "财务（finance）" in page.text
    assert Group.objects.filter(name="service").exists()  # the code the workflow relies on is unchanged


def test_forbidden_page_is_the_admins_in_chinese(db):
    plain = UserFactory(username="visitor", is_staff=True)

    page = login(plain).get(CHANGELIST)

    assert page.status_code == 403
    assert "无权访问" in page.text and "售后单管理系统" in page.text
    assert "403 Forbidden" not in page.text
