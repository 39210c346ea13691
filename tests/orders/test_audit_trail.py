"""One audit trail, the journal (docs/workflow.md, "The journal"): exactly one row per request that changes anything —
the operation's row, or an `edit` row — with the field-level `changes` of the whole request; the
operator is always the signed-in user (a name the client sends is kept as `on_behalf_of`); rows are
never changed or deleted, not even with SQL; and the order carries its latest reject reason.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from orders import services
from orders.models import AbnormalProduct, Journal, Order
from tests.factories import make_order
from tests.helpers import ORDERS, advance, assert_error, assert_ok, db_state, journal_rows, order_url


def journal(client: Any, order: Order) -> list[dict[str, Any]]:
    return assert_ok(client.get(order_url(order.pk, "/journals"), {"per_page": 100}))


@pytest.fixture
def order(users, suppliers, products):
    """The creator's claim with two abnormal products."""
    return make_order(
        users["creator"],
        suppliers["customer"],
        suppliers["accuser"],
        abnormal_products=[{"sku_code": "SKU-1", "remark": "划伤"}, {"sku_code": "SKU-3", "remark": "色差"}],
    )


# --- One row per changing request ---------------------------------------------------------------------
def test_put_with_header_records_and_operation_writes_one_row_listing_every_change(clients, users, suppliers, order):
    advance(users, order, "service_approving")
    first, second = AbnormalProduct.objects.filter(order=order).order_by("id")
    written = len(journal_rows(order))
    body = {
        "type": "交期投诉",
        "abnormal_products": [
            {"id": first.pk, "skuCode": "SKU-1", "remark": "改"},
            {"skuCode": "SKU-2", "remark": "新增"},
        ],
        "duty_report": {
            "abnormal_type": "质量",
            "compensation": "5000",
            "duty_to": "被告工厂",
            "duty_date": "2026-11-28",
        },
        "tracks": [{"remark": "跟进"}],
        "operation": "done",
        "remark": "专员审核通过",
    }

    data = assert_ok(clients["service"].put(order_url(order.pk), body, format="json"))

    rows = journal_rows(order)[written:]
    assert len(rows) == 1
    row = journal(clients["service"], order)[-1]
    assert (row["operation"], row["source"], row["target"], row["operator_name"], row["remark"]) == (
        "done",
        "service_approving",
        "service_approved",
        "李四",
        "专员审核通过",
    )
    (added,) = [line["id"] for line in data["abnormal_products"] if line["skuCode"] == "SKU-2"]
    report_id = order.duty_report.pk
    assert row["changes"] == [
        {"record": "order", "id": order.pk, "action": "update", "fields": {"type": ["质量投诉", "交期投诉"]}},
        {"record": "abnormal_product", "id": first.pk, "action": "update", "fields": {"remark": ["划伤", "改"]}},
        {
            "record": "abnormal_product",
            "id": second.pk,
            "action": "delete",
            "fields": {"skuCode": ["SKU-3", None], "remark": ["色差", None], "product_item_name": ["沙发3", None]},
        },
        {
            "record": "abnormal_product",
            "id": added,
            "action": "create",
            "fields": {"skuCode": [None, "SKU-2"], "remark": [None, "新增"], "product_item_name": [None, "沙发2"]},
        },
        {
            "record": "duty_report",
            "id": report_id,
            "action": "create",
            "fields": {
                "abnormal_type": [None, "质量"],
                "abnormal_reason": [None, ""],
                "publishment": [None, ""],
                "publish_to": [None, ""],
                "compensation": [None, "5000.00"],
                "duty_to_id": [None, suppliers["customer"].pk],
                "duty_to": [None, "被告工厂"],
                "duty_date": [None, "2026-11-28"],
            },
        },
        {
            "record": "track",
            "id": data["tracks"][0]["id"],
            "action": "create",
            "fields": {"remark": [None, "跟进"], "operator_name": [None, "李四"]},
        },
    ]


def test_bare_operation_journals_no_changes(clients, order):
    assert_ok(clients["creator"].put(order_url(order.pk), {"operation": "done"}, format="json"))

    assert journal_rows(order)[-1].changes == []


def test_put_without_operation_writes_one_edit_row(clients, order):
    written = len(journal_rows(order))

    assert_ok(
        clients["creator"].put(order_url(order.pk), {"remark": "新的描述", "creator_name": "张三丰"}, format="json")
    )

    rows = journal(clients["creator"], order)[written:]
    assert [(r["operation"], r["source"], r["target"], r["workflow_source"], r["workflow_target"]) for r in rows] == [
        ("edit", "waiting", "waiting", "in_progress", "in_progress")
    ]
    assert (rows[0]["operator_name"], rows[0]["on_behalf_of"], rows[0]["remark"]) == ("张三", "", "")
    assert rows[0]["changes"] == [
        {
            "record": "order",
            "id": order.pk,
            "action": "update",
            "fields": {"creator_name": ["张三", "张三丰"], "remark": ["表面划伤", "新的描述"]},
        }
    ]


def test_create_row_lists_the_filed_order_and_its_lines(clients, suppliers, service_user, products):
    body = {
        "type": "质量投诉",
        "customer_name": "被告工厂",
        "accuser_name": "原告材料厂",
        "creator_name": "张三",
        "reason": "成品",
        "remark": "表面划伤",
        "abnormal_products": [{"skuCode": "SKU-1", "remark": "划伤"}],
    }

    data = assert_ok(clients["creator"].post(ORDERS, body, format="json"), 201)

    (row,) = journal(clients["creator"], Order.objects.get(pk=data["id"]))
    assert (row["operation"], row["source"], row["target"], row["operator_name"]) == (
        "create",
        "created",
        "waiting",
        "张三",
    )
    order_fields = {
        "serial_number": data["serial_number"],
        **{k: v for k, v in body.items() if k != "abnormal_products"},
    }
    assert row["changes"] == [
        {
            "record": "order",
            "id": data["id"],
            "action": "create",
            "fields": {name: [None, value] for name, value in {**order_fields, "saler": "李四"}.items()},
        },
        {
            "record": "abnormal_product",
            "id": data["abnormal_products"][0]["id"],
            "action": "create",
            "fields": {"skuCode": [None, "SKU-1"], "remark": [None, "划伤"], "product_item_name": [None, "沙发1"]},
        },
    ]


def _same_as_stored(order: Order) -> list[tuple[str, str, Any]]:
    """Requests that send only what is stored: (method, path, body)."""
    lines = [{"id": line.pk, "skuCode": line.sku_code, "remark": line.remark} for line in order.abnormal_products.all()]
    report = {"abnormal_type": "质量", "compensation": "5000.00", "duty_to": "被告工厂"}
    deductions = [
        {"id": d.pk, "compensation": f"{d.compensation:.2f}", "has_receipt": d.has_receipt}
        for d in order.deductions.all()
    ]
    first = order.abnormal_products.order_by("id").first()
    return [
        ("put", order_url(order.pk), {}),
        ("put", order_url(order.pk), {"type": order.type, "customer_name": order.customer_name, "saler": "service1"}),
        ("put", order_url(order.pk), {"abnormal_products": lines, "duty_report": report, "deductions": deductions}),
        ("put", order_url(order.pk, "/duty-report"), {"compensation": 5000, "abnormal_type": "质量"}),
        ("put", order_url(order.pk, f"/abnormal-products/{first.pk}"), {"skuCode": first.sku_code}),
        ("put", order_url(order.pk, f"/deductions/{order.deductions.get().pk}"), {"compensation": "5000"}),
    ]


@pytest.mark.parametrize("status", ["service_approved", "chief_reviewing"])
def test_request_that_changes_nothing_writes_no_row_and_is_not_refused(clients, users, order, status):
    # A value equal to the stored one is no change — even where that content is frozen.
    advance(users, order, "service_approved")
    services.duty_report_upsert(
        user=users["service"],
        order_id=order.pk,
        values={"abnormal_type": "质量", "compensation": Decimal("5000"), "duty_to": "被告工厂"},
    )
    services.deduction_add(user=users["service"], order_id=order.pk, values={"compensation": Decimal("5000")})
    order = advance(users, order, status)
    before = db_state()

    for method, path, body in _same_as_stored(order):
        response = getattr(clients["service"], method)(path, body, format="json")
        assert response.status_code == 200, (path, body, response.content)
        assert db_state() == before, (path, body)


# --- The operator: always the signed-in user --------------------------------------------------------
def test_forged_operator_name_is_kept_as_on_behalf_of_and_the_real_user_is_the_operator(clients, users, order):
    response = clients["creator"].put(
        order_url(order.pk), {"operation": "done", "operator_name": "孙财务"}, format="json"
    )

    assert_ok(response)
    row = journal(clients["creator"], order)[-1]
    assert (row["operation"], row["operator_name"], row["on_behalf_of"]) == ("done", "张三", "孙财务")
    stored = journal_rows(order)[-1]
    assert (stored.operator_id, stored.operator_name, stored.on_behalf_of) == (users["creator"].pk, "张三", "孙财务")


@pytest.mark.parametrize("sent", ["张三", ""])
def test_operator_name_equal_to_the_users_own_or_empty_leaves_on_behalf_of_empty(clients, order, sent):
    clients["creator"].put(order_url(order.pk), {"operation": "halt", "operator_name": sent}, format="json")

    row = journal_rows(order)[-1]
    assert (row.operation, row.operator_name, row.on_behalf_of) == ("halt", "张三", "")


def test_edit_with_operator_name_keeps_it_as_on_behalf_of(clients, order):
    clients["creator"].put(order_url(order.pk), {"remark": "补充描述", "operator_name": "王经理"}, format="json")

    row = journal_rows(order)[-1]
    assert (row.operation, row.operator_name, row.on_behalf_of) == ("edit", "张三", "王经理")


# --- The scenario of issue 11, replayed -----------------------------------------------------------------
def test_creator_changing_records_after_the_manager_approved_is_refused_and_leaves_no_trace(clients, users, order):
    # At chief_reviewing (after the manager approved) the plain creator tried to lower the
    # compensation and to add and remove abnormal products. Each is refused; nothing changes and the
    # journal gains no row.
    advance(users, order, "service_approved")
    services.duty_report_upsert(user=users["service"], order_id=order.pk, values={"compensation": Decimal("5000")})
    services.deduction_add(user=users["service"], order_id=order.pk, values={"compensation": Decimal("5000")})
    advance(users, order, "chief_reviewing")
    line = AbnormalProduct.objects.filter(order=order).first()
    before = db_state()
    creator = clients["creator"]

    attempts = [
        creator.patch(order_url(order.pk, "/duty-report"), {"compensation": "1"}, format="json"),
        creator.put(order_url(order.pk), {"duty_report": {"compensation": "1"}}, format="json"),
        creator.post(order_url(order.pk, "/abnormal-products"), {"skuCode": "SKU-2"}, format="json"),
        creator.delete(order_url(order.pk, f"/abnormal-products/{line.pk}")),
        creator.put(order_url(order.pk), {"abnormal_products": []}, format="json"),
    ]

    for response in attempts:
        assert_error(response, 409, "invalid_operation")
    assert db_state() == before
    assert order.duty_report.compensation == Decimal("5000.00")


def test_manager_raising_compensation_at_finance_reviewing_is_refused(clients, users, order):
    advance(users, order, "finance_reviewing")
    before = db_state()

    response = clients["manager"].put(order_url(order.pk, "/duty-report"), {"compensation": "6000"}, format="json")

    assert_error(response, 409, "invalid_operation")
    assert db_state() == before


# --- Rows are never changed or deleted -----------------------------------------------------------------
def test_journal_row_update_through_sql_is_refused_by_the_database(order):
    row = journal_rows(order)[0]

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE orders_journal SET remark = %s, operator_name = %s WHERE id = %s", ["改写", "别人", row.pk]
        )

    stored = Journal.objects.get(pk=row.pk)
    assert (stored.remark, stored.operator_name) == ("", "张三")


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="only PostgreSQL refuses DELETE in the database: on SQLite the test runner empties tables with DELETE "
    "(the model and its queryset refuse deletes on both databases)",
)
def test_journal_row_delete_through_sql_is_refused_by_postgresql(order):
    row = journal_rows(order)[0]

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM orders_journal WHERE id = %s", [row.pk])

    assert Journal.objects.filter(pk=row.pk).exists()


# --- last_reject_reason -------------------------------------------------------------------------------
def test_last_reject_reason_shows_the_latest_reject_in_list_and_detail(clients, users, order):
    def shown() -> tuple[str, str]:
        detail = assert_ok(clients["creator"].get(order_url(order.pk)))["last_reject_reason"]
        (listed,) = [
            row["last_reject_reason"] for row in assert_ok(clients["creator"].get(ORDERS)) if row["id"] == order.pk
        ]
        return detail, listed

    assert shown() == ("", "")
    advance(users, order, "service_approving")
    services.order_update(user=users["service"], order_id=order.pk, operation="reject", remark="缺照片")
    assert shown() == ("缺照片", "缺照片")
    advance(users, order, "service_approved")
    services.order_update(user=users["service"], order_id=order.pk, operation="reject", remark="还缺发票")
    assert shown() == ("还缺发票", "还缺发票")
    advance(users, order, "service_approved")  # moving on keeps the latest reject's reason
    assert shown() == ("还缺发票", "还缺发票")
