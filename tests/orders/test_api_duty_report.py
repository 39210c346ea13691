"""`orders/<id>/duty-report` (docs/api.md, docs/workflow.md): create-or-update by the step's writer, option-list
values, money, dates and the responsible supplier."""

from decimal import Decimal

import pytest

from orders import services
from orders.models import DutyReport, OptionValue
from tests.factories import SupplierFactory, make_order
from tests.helpers import BASE, advance, assert_error, assert_field_error, assert_ok, db_state

REPORT_FIELDS = {
    "abnormal_type",
    "abnormal_reason",
    "publishment",
    "publish_to",
    "compensation",
    "duty_to_id",
    "duty_to",
    "duty_date",
}


SEEDED = {
    "typerank": ["单价", "服务", "货款", "交期", "结算", "其他", "色差", "送货", "损耗", "质量"],
    "reasonrank": ["生产质量把控问题", "不能如期交货", "成品工厂自行采购", "检查方式有误", "质疑质量问题"],
    "dutyrank": ["成品供应商", "材料供应商"],
    "compensationrank": ["5000", "10000", "15000", "20000", "25000", "30000"],
    "publishmentrank": ["处罚", "不处罚"],
}


@pytest.fixture
def order(users, suppliers, products):
    return make_order(users["creator"], suppliers["customer"], suppliers["accuser"])


@pytest.fixture
def cancelled_order(users, suppliers, products):
    cancelled = make_order(users["creator"], suppliers["customer"], suppliers["accuser"])
    services.order_update(user=users["creator"], order_id=cancelled.pk, operation="cancel")
    return cancelled


@pytest.fixture
def specialist(clients):
    """The after-sales specialist's client: the duty report and the first deductions are theirs."""
    return clients["service"]


@pytest.fixture
def reviewing(users, order):
    """The order at service_approving, where the specialist writes the duty report."""
    return advance(users, order, "service_approving")


def report_url(order_id):
    return f"{BASE}orders/{order_id}/duty-report"


FULL_REPORT = {
    "abnormal_type": "质量",
    "abnormal_reason": "生产质量把控问题",
    "publishment": "处罚",
    "publish_to": "成品供应商",
    "compensation": "5000",
    "duty_to": "被告工厂",
    "duty_date": "2026-11-28",
}


def test_get_duty_report_before_one_exists_answers_null(api, order):
    response = api.get(report_url(order.pk))

    assert response.status_code == 200
    assert response.json() == {"status": 0, "message": "ok", "data": None}


def test_put_duty_report_creates_it(specialist, reviewing, suppliers):
    data = assert_ok(specialist.put(report_url(reviewing.pk), FULL_REPORT, format="json"))

    assert set(data) == REPORT_FIELDS
    assert data == {**FULL_REPORT, "compensation": "5000.00", "duty_to_id": suppliers["customer"].pk}
    report = DutyReport.objects.get(order=reviewing)
    assert report.compensation == Decimal("5000.00")
    assert report.duty_to_supplier == suppliers["customer"]
    assert str(report.duty_date) == "2026-11-28"
    assert assert_ok(specialist.get(report_url(reviewing.pk))) == data


def test_put_duty_report_partial_update_keeps_other_fields(specialist, reviewing, suppliers):
    specialist.put(report_url(reviewing.pk), FULL_REPORT, format="json")

    data = assert_ok(
        specialist.put(report_url(reviewing.pk), {"compensation": 100, "publishment": "不处罚"}, format="json")
    )

    assert data == {
        **FULL_REPORT,
        "compensation": "100.00",
        "publishment": "不处罚",
        "duty_to_id": suppliers["customer"].pk,
    }
    assert DutyReport.objects.filter(order=reviewing).count() == 1


def test_patch_duty_report_updates_like_put(specialist, reviewing):
    specialist.put(report_url(reviewing.pk), FULL_REPORT, format="json")

    data = assert_ok(specialist.patch(report_url(reviewing.pk), {"abnormal_type": "交期"}, format="json"))

    assert (data["abnormal_type"], data["abnormal_reason"]) == ("交期", "生产质量把控问题")


def test_put_duty_report_empty_body_creates_empty_report(specialist, reviewing):
    data = assert_ok(specialist.put(report_url(reviewing.pk), {}, format="json"))

    assert data == {
        "abnormal_type": "",
        "abnormal_reason": "",
        "publishment": "",
        "publish_to": "",
        "compensation": None,
        "duty_to_id": None,
        "duty_to": "",
        "duty_date": None,
    }
    assert DutyReport.objects.filter(order=reviewing).count() == 1


def test_put_duty_report_shows_in_order_detail(specialist, reviewing):
    report = assert_ok(specialist.put(report_url(reviewing.pk), FULL_REPORT, format="json"))

    assert assert_ok(specialist.get(f"{BASE}orders/{reviewing.pk}"))["duty_report"] == report


@pytest.mark.parametrize(
    ("field", "option_list"),
    [
        ("abnormal_type", "typerank"),
        ("abnormal_reason", "reasonrank"),
        ("publish_to", "dutyrank"),
        ("publishment", "publishmentrank"),
    ],
)
def test_put_duty_report_value_outside_option_list_answers_400_listing_allowed(
    specialist, reviewing, field, option_list
):
    before = db_state()

    response = specialist.put(report_url(reviewing.pk), {**FULL_REPORT, field: "乱填的值"}, format="json")

    errors = assert_field_error(response)
    assert list(errors) == [field]
    message = errors[field][0]
    assert "乱填的值" in message
    for allowed in SEEDED[option_list]:
        assert allowed in message
    assert db_state() == before


def test_put_duty_report_invalid_option_on_existing_report_keeps_it(specialist, reviewing):
    specialist.put(report_url(reviewing.pk), FULL_REPORT, format="json")
    before = db_state()

    response = specialist.put(report_url(reviewing.pk), {"abnormal_type": "不存在", "compensation": "1"}, format="json")

    assert list(assert_field_error(response)) == ["abnormal_type"]
    assert db_state() == before


def test_put_duty_report_inactive_option_value_answers_400(specialist, reviewing):
    OptionValue.objects.filter(category="typerank", value="质量").update(active=False)
    before = db_state()

    response = specialist.put(report_url(reviewing.pk), {"abnormal_type": "质量"}, format="json")

    assert list(assert_field_error(response)) == ["abnormal_type"]
    assert db_state() == before


def test_put_duty_report_admin_added_option_value_accepted(specialist, reviewing):
    OptionValue.objects.create(category="typerank", value="新类型", position=99)

    data = assert_ok(specialist.put(report_url(reviewing.pk), {"abnormal_type": "新类型"}, format="json"))

    assert data["abnormal_type"] == "新类型"


def test_put_duty_report_blank_option_clears_value(specialist, reviewing):
    specialist.put(report_url(reviewing.pk), FULL_REPORT, format="json")

    data = assert_ok(specialist.put(report_url(reviewing.pk), {"abnormal_type": ""}, format="json"))

    assert data["abnormal_type"] == ""
    assert DutyReport.objects.get(order=reviewing).abnormal_type == ""


def test_put_duty_report_legacy_duty_date_alias_accepted(specialist, reviewing):
    data = assert_ok(specialist.put(report_url(reviewing.pk), {"DutyDate": "2026-01-31"}, format="json"))

    assert data["duty_date"] == "2026-01-31"
    assert "DutyDate" not in data
    assert str(DutyReport.objects.get(order=reviewing).duty_date) == "2026-01-31"


def test_put_duty_report_canonical_duty_date_wins_over_alias(specialist, reviewing):
    data = assert_ok(
        specialist.put(report_url(reviewing.pk), {"duty_date": "2026-02-01", "DutyDate": "2026-01-31"}, format="json")
    )

    assert data["duty_date"] == "2026-02-01"


@pytest.mark.parametrize("value", ["2026-02-30", "31/01/2026", "tomorrow", 20260131])
def test_put_duty_report_bad_date_answers_400(specialist, reviewing, value):
    before = db_state()

    response = specialist.put(report_url(reviewing.pk), {"duty_date": value}, format="json")

    assert list(assert_field_error(response)) == ["duty_date"]
    assert db_state() == before


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        (5000, "5000.00"),
        ("5000", "5000.00"),
        ("5000.00", "5000.00"),
        (5000.5, "5000.50"),
        ("0.1", "0.10"),
        (0, "0.00"),
        ("9999999999.99", "9999999999.99"),
    ],
)
def test_put_duty_report_compensation_number_or_string_answers_two_decimals(specialist, reviewing, given, shown):
    data = assert_ok(specialist.put(report_url(reviewing.pk), {"compensation": given}, format="json"))

    assert data["compensation"] == shown
    stored = DutyReport.objects.get(order=reviewing).compensation
    assert isinstance(stored, Decimal)
    assert stored == Decimal(shown)


@pytest.mark.parametrize("given", [-1, "-0.01", "abc", True, "1.234", "NaN", "Infinity", "-Infinity", "99999999999"])
def test_put_duty_report_invalid_compensation_answers_400(specialist, reviewing, given):
    before = db_state()

    response = specialist.put(report_url(reviewing.pk), {"compensation": given}, format="json")

    assert list(assert_field_error(response)) == ["compensation"]
    assert db_state() == before


def test_put_duty_report_null_compensation_clears_it(specialist, reviewing):
    specialist.put(report_url(reviewing.pk), FULL_REPORT, format="json")

    data = assert_ok(specialist.put(report_url(reviewing.pk), {"compensation": None}, format="json"))

    assert data["compensation"] is None
    assert DutyReport.objects.get(order=reviewing).compensation is None


def test_put_duty_report_duty_to_follows_the_named_supplier_and_empty_clears_it(specialist, reviewing, suppliers):
    named = assert_ok(specialist.put(report_url(reviewing.pk), {"duty_to": "原告材料厂"}, format="json"))
    again = assert_ok(specialist.put(report_url(reviewing.pk), {"duty_to": "被告工厂"}, format="json"))
    cleared = assert_ok(specialist.put(report_url(reviewing.pk), {"duty_to": ""}, format="json"))

    assert (named["duty_to"], named["duty_to_id"]) == ("原告材料厂", suppliers["accuser"].pk)
    assert (again["duty_to"], again["duty_to_id"]) == ("被告工厂", suppliers["customer"].pk)
    assert (cleared["duty_to"], cleared["duty_to_id"]) == ("", None)
    assert DutyReport.objects.get(order=reviewing).duty_to_supplier_id is None


@pytest.mark.parametrize("name", ["仓库搬运组", "停业工厂"], ids=["unknown", "inactive"])
def test_put_duty_report_duty_to_not_an_active_supplier_answers_400_unchanged(specialist, reviewing, name):
    SupplierFactory(name="停业工厂", active=False)
    specialist.put(report_url(reviewing.pk), {"duty_to": "被告工厂"}, format="json")
    before = db_state()

    response = specialist.put(report_url(reviewing.pk), {"duty_to": name}, format="json")

    errors = assert_field_error(response)
    assert list(errors) == ["duty_to"]
    assert name in errors["duty_to"][0]
    assert db_state() == before


def test_put_duty_report_client_duty_to_id_ignored(specialist, reviewing, suppliers):
    data = assert_ok(
        specialist.put(
            report_url(reviewing.pk), {"duty_to": "原告材料厂", "duty_to_id": suppliers["customer"].pk}, format="json"
        )
    )

    assert data["duty_to_id"] == suppliers["accuser"].pk
    assert DutyReport.objects.get(order=reviewing).duty_to_supplier_id == suppliers["accuser"].pk


@pytest.mark.parametrize("field", ["duty_to", "abnormal_type"])
def test_put_duty_report_name_over_100_chars_answers_400(specialist, reviewing, field):
    before = db_state()

    response = specialist.put(report_url(reviewing.pk), {field: "名" * 101}, format="json")

    assert list(assert_field_error(response)) == [field]
    assert db_state() == before


def test_put_duty_report_cancelled_order_answers_409(api, cancelled_order):
    before = db_state()

    response = api.put(report_url(cancelled_order.pk), FULL_REPORT, format="json")

    assert_error(response, 409, "invalid_operation")
    assert db_state() == before


@pytest.mark.parametrize(
    ("status", "role"),
    [("service_approving", "service"), ("service_approved", "service"), ("manager_reviewing", "manager")],
)
def test_put_duty_report_by_the_steps_writer_allowed(clients, users, order, status, role):
    advance(users, order, status)

    assert_ok(clients[role].put(report_url(order.pk), {"abnormal_type": "质量"}, format="json"))

    assert DutyReport.objects.get(order=order).abnormal_type == "质量"


@pytest.mark.parametrize("role", ["creator", "manager", "chief", "finance"])
def test_put_duty_report_at_service_approving_by_other_than_service_answers_403_unchanged(clients, reviewing, role):
    before = db_state()

    response = clients[role].put(report_url(reviewing.pk), {"abnormal_type": "质量"}, format="json")

    assert_error(response, 403, "permission_denied")
    assert db_state() == before
