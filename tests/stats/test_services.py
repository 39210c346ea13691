"""The statistics tables move with the orders, in the same transaction, and a rebuild agrees."""

from decimal import Decimal

import pytest

from orders import services
from orders.exceptions import InvalidInput
from orders.models import Journal
from stats.models import DayCount, GroupCount, GroupTotal, OrderFigures, Stay, StayCount, StayMonth, StayTotal
from stats.services import figures_rebuild, order_figures_refresh
from tests.factories import make_order


def snapshot():
    """Every statistics table (pre-counted rows that went back to 0 count as absent)."""
    figures = sorted(OrderFigures.objects.values_list(*(f.attname for f in OrderFigures._meta.concrete_fields)))
    stays = sorted(Stay.objects.values_list("order_id", "status", "seconds", "created_at"))
    months = sorted(StayMonth.objects.filter(stays__gt=0).values_list("month", "status", "tenths", "stays"))
    by_state = sorted(StayCount.objects.filter(stays__gt=0).values_list(*_columns(StayCount)))
    by_state.append(sorted(StayTotal.objects.filter(stays__gt=0).values_list(*_columns(StayTotal))))
    money = ["orders", "compensation", "deducted"]
    groups = sorted(
        (*row[:-3], *_money(row[-3:]))
        for row in GroupCount.objects.filter(orders__gt=0).values_list(*_columns(GroupCount))
    )
    totals = sorted(
        (*row[:-2], *_money((0, *row[-2:]))[1:])
        for row in GroupTotal.objects.filter(orders__gt=0).values_list(*_columns(GroupTotal))
    )
    groups.append(totals)
    days = sorted(
        (*row[:-3], *_money(row[-3:])) for row in DayCount.objects.filter(orders__gt=0).values_list(*_columns(DayCount))
    )
    assert _columns(GroupCount)[-3:] == _columns(DayCount)[-3:] == money
    return figures, stays, months, by_state, groups, days


def _columns(model):
    return [f.attname for f in model._meta.concrete_fields if f.attname != "id"]


def _money(values):
    # SQLite sums decimals as floating point: compare to the cent.
    orders, compensation, deducted = values
    return orders, Decimal(compensation).quantize(Decimal("0.01")), Decimal(deducted).quantize(Decimal("0.01"))


def test_figures_rebuild_equals_what_the_services_kept(dataset):
    kept = snapshot()
    assert len(kept[0]) == 4 and len(kept[1]) == 14  # o1 8, o2 4, o3 1, o5 1; o4 (deleted) none
    assert figures_rebuild() == (4, 14)
    assert snapshot() == kept


def test_order_figures_follow_duty_report_and_deductions(dataset):
    o2, boss = dataset.orders["o2"], dataset.users["superuser"]
    services.duty_report_upsert(user=boss, order_id=o2.pk, values={"compensation": Decimal("750.50")})
    figures = OrderFigures.objects.get(order_id=o2.pk)
    assert (figures.compensation, figures.deducted, figures.abnormal_type) == (Decimal("750.50"), 0, "质量")
    services.deduction_add(user=boss, order_id=o2.pk, values={"compensation": Decimal("100.25")})
    assert OrderFigures.objects.get(order_id=o2.pk).deducted == Decimal("100.25")


def test_order_figures_follow_header_edit(creator, suppliers):
    order = make_order(creator, suppliers["customer"], suppliers["accuser"], reason="其它")
    services.order_update(user=creator, order_id=order.pk, header={"type": "结算争议"})
    assert OrderFigures.objects.get(order_id=order.pk).type == "结算争议"


def test_order_delete_removes_its_statistics(creator, suppliers):
    order = make_order(creator, suppliers["customer"], suppliers["accuser"], reason="其它")
    assert OrderFigures.objects.filter(order_id=order.pk).exists()
    services.order_delete(user=creator, order_id=order.pk)
    assert not OrderFigures.objects.filter(order_id=order.pk).exists()
    assert not Stay.objects.filter(order_id=order.pk).exists()


def test_refused_operation_leaves_statistics_unchanged(dataset):
    before = snapshot()
    with pytest.raises(InvalidInput) as refused:  # a reject needs a reason
        services.order_apply_operation(
            user=dataset.users["superuser"], order_id=dataset.orders["o2"].pk, operation="reject", remark=" "
        )
    assert list(refused.value.errors) == ["remark"]
    assert snapshot() == before


def test_stays_ignore_rows_that_keep_the_status(dataset):
    o3 = dataset.orders["o3"]
    assert Journal.objects.filter(order_id=o3.pk, operation="cancel").exists()
    assert list(Stay.objects.filter(order_id=o3.pk).values_list("status", "seconds")) == [("waiting", 3 * 3600)]


def test_order_figures_refresh_is_idempotent(dataset):
    before = snapshot()
    for order in dataset.orders.values():
        order_figures_refresh(order_id=order.pk)
    assert snapshot() == before


def test_stats_rebuild_command_restores_lost_rows(dataset):
    from io import StringIO

    from django.core.management import call_command

    kept = snapshot()
    OrderFigures.objects.all().delete()
    Stay.objects.all().delete()
    out = StringIO()
    call_command("stats_rebuild", stdout=out)
    assert "4 orders, 14 completed stays" in out.getvalue()
    assert snapshot() == kept
