"""`dutyreports/<list>` (docs/api.md): the dropdowns' values in display order, and `?stats=1`
ranking them by use in the duty reports a user may see."""

from decimal import Decimal

import pytest

from orders import services
from orders.models import OptionValue
from tests.factories import make_order
from tests.helpers import BASE, advance, assert_error, assert_field_error, assert_ok

SEEDED = {
    "typerank": ["单价", "服务", "货款", "交期", "结算", "其他", "色差", "送货", "损耗", "质量"],
    "reasonrank": ["生产质量把控问题", "不能如期交货", "成品工厂自行采购", "检查方式有误", "质疑质量问题"],
    "dutyrank": ["成品供应商", "材料供应商"],
    "compensationrank": ["5000", "10000", "15000", "20000", "25000", "30000"],
    "publishmentrank": ["处罚", "不处罚"],
}


def option_url(name):
    return f"{BASE}dutyreports/{name}"


@pytest.mark.parametrize("name", list(SEEDED))
def test_get_option_list_answers_seeded_values_in_order(api, name):
    response = api.get(option_url(name))

    assert assert_ok(response) == SEEDED[name]
    assert "pagination" not in response.json()


def test_get_abnormalrank_answers_order_reasons(api):
    assert assert_ok(api.get(option_url("abnormalrank"))) == ["成品", "材料", "其它"]


def test_get_option_list_follows_admin_positions_and_active_flag(api):
    OptionValue.objects.filter(category="publishmentrank", value="不处罚").update(position=0)
    OptionValue.objects.create(category="publishmentrank", value="警告", position=5)
    OptionValue.objects.create(category="publishmentrank", value="停用值", position=6, active=False)

    assert assert_ok(api.get(option_url("publishmentrank"))) == ["不处罚", "处罚", "警告"]


@pytest.mark.parametrize("value", ["0", "false", ""])
def test_get_option_list_stats_off_answers_plain_values(api, value):
    assert assert_ok(api.get(option_url("dutyrank"), {"stats": value})) == SEEDED["dutyrank"]


@pytest.mark.parametrize("value", ["maybe", "2", "yes please"])
def test_get_option_list_bad_stats_answers_400(api, value):
    response = api.get(option_url("typerank"), {"stats": value})

    assert list(assert_field_error(response)) == ["stats"]


@pytest.mark.parametrize("name", ["nosuchrank", "typeranks", "TYPERANK", "type-rank", "1"])
def test_get_unknown_option_list_answers_404(api, name):
    response = api.get(option_url(name))

    assert_error(response, 404, "not_found")


def test_get_option_list_anonymous_answers_401(anon_client, db):
    response = anon_client.get(option_url("typerank"))

    assert_error(response, 401, "not_authenticated")


@pytest.fixture
def reports(users, suppliers):
    """Duty reports on the creator's orders: 质量 twice, 单价 once; one order of another user."""
    rows = [
        ({"abnormal_type": "质量", "compensation": Decimal("5000")}, "成品"),
        ({"abnormal_type": "质量", "compensation": Decimal("3000.50")}, "成品"),
        ({"abnormal_type": "单价", "compensation": Decimal("10000")}, "材料"),
        ({"abnormal_type": "", "compensation": None}, "其它"),
    ]
    for data, reason in rows:
        order = make_order(users["creator"], suppliers["customer"], suppliers["accuser"], reason=reason)
        advance(users, order, "service_approving")
        services.duty_report_upsert(user=users["service"], order_id=order.pk, values=data)
    foreign = advance(
        users, make_order(users["other"], suppliers["customer"], suppliers["accuser"]), "service_approving"
    )
    services.duty_report_upsert(
        user=users["service"], order_id=foreign.pk, values={"abnormal_type": "色差", "compensation": Decimal("7")}
    )


def zero_rows(values):
    return [{"value": value, "count": 0, "compensation": "0.00"} for value in values]


def test_get_option_stats_ranked_by_use(clients, reports):
    data = assert_ok(clients["service"].get(option_url("typerank"), {"stats": 1}))

    assert data == [
        {"value": "质量", "count": 2, "compensation": "8000.50"},
        {"value": "单价", "count": 1, "compensation": "10000.00"},
        {"value": "色差", "count": 1, "compensation": "7.00"},
        *zero_rows(["服务", "货款", "交期", "结算", "其他", "送货", "损耗"]),
    ]


def test_get_option_stats_plain_user_counts_only_visible_reports(api, reports):
    data = assert_ok(api.get(option_url("typerank"), {"stats": "1"}))

    by_value = {row["value"]: row for row in data}
    assert by_value["色差"] == {"value": "色差", "count": 0, "compensation": "0.00"}
    assert [row["value"] for row in data[:2]] == ["质量", "单价"]


def test_get_option_stats_compensationrank_matches_amounts(clients, reports):
    data = assert_ok(clients["service"].get(option_url("compensationrank"), {"stats": "true"}))

    assert data[:2] == [
        {"value": "5000", "count": 1, "compensation": "5000.00"},
        {"value": "10000", "count": 1, "compensation": "10000.00"},
    ]
    assert data[2:] == zero_rows(["15000", "20000", "25000", "30000"])


def test_get_option_stats_abnormalrank_counts_by_order_reason(clients, reports):
    data = assert_ok(clients["service"].get(option_url("abnormalrank"), {"stats": 1}))

    assert data == [
        {"value": "成品", "count": 3, "compensation": "8007.50"},
        {"value": "材料", "count": 1, "compensation": "10000.00"},
        {"value": "其它", "count": 1, "compensation": "0.00"},
    ]


def test_get_option_stats_without_reports_keeps_display_order(api):
    data = assert_ok(api.get(option_url("dutyrank"), {"stats": 1}))

    assert data == zero_rows(["成品供应商", "材料供应商"])
