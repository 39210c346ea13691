"""`orders.services` and `PUT orders/<id>`: one transaction per request, the edit table of docs/workflow.md
for each kind of content, deductions and charge numbers, `expected_status`. Most cases call the
services directly; the atomicity and mobile-client cases go through `PUT orders/<id>` because that is
where a client mixes several writes in one request."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from orders import services
from orders.exceptions import Conflict, InvalidInput, NotAllowedNow, NotPermitted
from orders.models import AbnormalProduct, Deduction, Journal, Order, Track
from orders.workflow import SERVICE, Operation, Status, WorkflowStatus
from tests.factories import SupplierFactory, UserFactory, make_order
from tests.helpers import CHAIN, advance, db_state, make_overdue, order_url

IN_PROGRESS, HALT, OVERDUE, CANCEL, DONE = (
    WorkflowStatus.IN_PROGRESS,
    WorkflowStatus.HALT,
    WorkflowStatus.OVERDUE,
    WorkflowStatus.CANCEL,
    WorkflowStatus.DONE,
)
REACHABLE = [status for status, _ in CHAIN] + ["end"]


def put(client: Any, order_id: int, body: dict[str, Any]) -> Any:
    return client.put(order_url(order_id), body, format="json")


def bring_to(users: dict[str, Any], order: Order, status: str, state: str) -> Order:
    """The order at `status`, then halted, cancelled or overdue (`state`) as its people or cron do."""
    advance(users, order, status)
    if state in (HALT, CANCEL):  # the operations share the workflow statuses' names
        services.order_update(user=users["creator"], order_id=order.pk, operation=state)
    elif state == OVERDUE:
        make_overdue(order)
    order = Order.objects.get(pk=order.pk)
    assert (order.status, order.workflow_status) == (status, state)
    return order


@pytest.fixture
def order(users, suppliers, products):
    return make_order(
        users["creator"],
        suppliers["customer"],
        suppliers["accuser"],
        abnormal_products=[{"sku_code": products[0].sku_code, "remark": "划痕"}],
    )


@pytest.fixture
def second_supplier(db):
    return SupplierFactory(name="另一家工厂", role="成品商")


@pytest.fixture
def second_specialist(db):
    return UserFactory(username="service2", first_name="王五", roles=[SERVICE])


# --- Atomicity: one PUT, one transaction ---------------------------------------------------------
def _mixed_body(order: Order, products: list[Any], **last_part: Any) -> dict[str, Any]:
    """What the specialist may write at service_approving — header changes, abnormal products, the
    duty report, tracks — and (in `last_part`) whatever comes last."""
    line = AbnormalProduct.objects.filter(order=order).first()
    return {
        "type": "交期投诉",
        "reason": "材料",
        "creator_name": "改名",
        "abnormal_products": [
            {"id": line.pk, "skuCode": line.sku_code, "remark": "改了描述"},
            {"skuCode": products[1].sku_code, "remark": "新增一行"},
        ],
        "duty_report": {"abnormal_type": "质量", "publishment": "处罚", "compensation": "5000", "duty_to": "被告工厂"},
        "tracks": [{"remark": "联系了工厂"}, {"remark": "工厂已回复"}],
        **last_part,
    }


FAILING_LAST_PARTS = {
    "unknown_sku": (
        {"abnormal_products": [{"skuCode": "SKU-1", "remark": "保留"}, {"skuCode": "NO-SUCH-SKU"}]},
        400,
        "validation_error",
    ),
    "reject_without_remark": ({"operation": "reject"}, 400, "validation_error"),
    "deductions_not_at_this_step": ({"deductions": [{"compensation": "100"}]}, 409, "invalid_operation"),
    "operation_not_allowed_now": ({"operation": "resume"}, 409, "invalid_operation"),
    "stale_expected_status": ({"operation": "done", "expected_status": "waiting"}, 409, "conflict"),
}


@pytest.mark.parametrize(("last_part", "http_status", "code"), FAILING_LAST_PARTS.values(), ids=FAILING_LAST_PARTS)
def test_put_with_header_records_and_failing_last_part_changes_nothing(
    clients, users, order, products, last_part, http_status, code
):
    advance(users, order, Status.SERVICE_APPROVING)
    before = db_state()

    response = put(clients["service"], order.pk, _mixed_body(order, products, **last_part))

    assert response.status_code == http_status, response.json()
    assert response.json()["code"] == code
    assert db_state() == before


def test_put_with_tracks_then_deductions_of_another_role_is_forbidden_and_changes_nothing(clients, users, order):
    # At service_approved the manager may add a follow-up but the deductions are the specialist's.
    advance(users, order, Status.SERVICE_APPROVED)
    before = db_state()

    response = put(
        clients["manager"], order.pk, {"tracks": [{"remark": "看过"}], "deductions": [{"compensation": "1"}]}
    )

    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert db_state() == before


def test_put_with_records_and_done_blocked_by_its_guard_changes_nothing(clients, users, order):
    # Leaving service_approved needs a duty report: the tracks and deductions written first go too.
    advance(users, order, Status.SERVICE_APPROVED)
    before = db_state()

    response = put(
        clients["service"],
        order.pk,
        {"tracks": [{"remark": "跟进"}], "deductions": [{"compensation": "100"}], "operation": "done"},
    )

    assert (response.status_code, response.json()["code"]) == (409, "invalid_operation")
    assert db_state() == before


def test_put_with_header_records_and_reject_applies_all_in_one_go_with_one_journal_row(clients, users, order, products):
    advance(users, order, Status.SERVICE_APPROVING)
    journals = Journal.objects.filter(order=order).count()

    response = put(clients["service"], order.pk, _mixed_body(order, products, operation="reject", remark="资料不全"))

    assert response.status_code == 200, response.json()
    data = response.json()["data"]
    assert (data["type"], data["reason"], data["creator_name"]) == ("交期投诉", "材料", "改名")
    assert data["remark"] == "表面划伤"  # with an operation, `remark` is the operation's note
    assert [(p["skuCode"], p["remark"]) for p in data["abnormal_products"]] == [
        ("SKU-1", "改了描述"),
        ("SKU-2", "新增一行"),
    ]
    assert data["duty_report"]["compensation"] == "5000.00"
    assert data["duty_report"]["duty_to_id"] is not None
    assert [t["remark"] for t in data["tracks"]] == ["联系了工厂", "工厂已回复"]
    assert (data["status"], data["workflow_status"]) == (Status.WAITING, IN_PROGRESS)
    assert Journal.objects.filter(order=order).count() == journals + 1
    journal = Journal.objects.filter(order=order).last()
    assert (journal.operation, journal.remark) == ("reject", "资料不全")
    assert [(change["record"], change["action"]) for change in journal.changes] == [
        ("order", "update"),
        ("abnormal_product", "update"),
        ("abnormal_product", "create"),
        ("duty_report", "create"),
        ("track", "create"),
        ("track", "create"),
    ]


# --- Header fields -----------------------------------------------------------------------------------
def _header_values(second_supplier: Any, second_specialist: Any) -> dict[str, tuple[str, Any, Any]]:
    """field → (model field, new value as sent, new stored value)"""
    return {
        "type": ("type", "交期投诉", "交期投诉"),
        "customer_name": ("customer_id", second_supplier.name, second_supplier.pk),
        "accuser_name": ("accuser_id", second_supplier.name, second_supplier.pk),
        "reason": ("reason", "其它", "其它"),
        "saler": ("saler_id", second_specialist.username, second_specialist.pk),
        "creator_name": ("creator_name", "新的提交人", "新的提交人"),
        "remark": ("remark", "新的异常描述", "新的异常描述"),
    }


HEADER_FIELDS = ["type", "customer_name", "accuser_name", "reason", "saler", "creator_name", "remark"]
# Who may change the header at which status (the edit table); nobody at the others.
HEADER_WRITERS = {Status.WAITING: "creator", Status.SERVICE_APPROVING: "service"}


@pytest.mark.parametrize("field", HEADER_FIELDS)
@pytest.mark.parametrize("status", REACHABLE)
def test_header_change_only_by_its_writer_at_waiting_or_service_approving(
    users, order, second_supplier, second_specialist, status, field
):
    model_field, sent, stored = _header_values(second_supplier, second_specialist)[field]
    advance(users, order, status)
    before = db_state()

    if status in HEADER_WRITERS:
        services.order_update(user=users[HEADER_WRITERS[status]], order_id=order.pk, header={field: sent})
        assert getattr(Order.objects.get(pk=order.pk), model_field) == stored
        edit = Journal.objects.filter(order=order).last()
        assert len(db_state()["journal"]) == len(before["journal"]) + 1
        assert (edit.operation, [change["record"] for change in edit.changes]) == ("edit", ["order"])
    else:
        with pytest.raises(NotAllowedNow):
            services.order_update(user=users["superuser"], order_id=order.pk, header={field: sent})
        assert db_state() == before


@pytest.mark.parametrize("who", ["creator", "manager", "chief", "finance"])
def test_header_change_at_service_approving_by_other_than_service_is_forbidden(users, order, who):
    advance(users, order, Status.SERVICE_APPROVING)
    before = db_state()

    with pytest.raises(NotPermitted):
        services.order_update(user=users[who], order_id=order.pk, header={"remark": "改描述"})

    assert db_state() == before


@pytest.mark.parametrize("status", REACHABLE)
def test_header_with_equal_values_is_not_a_change_in_any_status(users, service_user, order, status):
    advance(users, order, status)
    stored = Order.objects.get(pk=order.pk)
    before = db_state()
    same = {
        "type": stored.type,
        "customer_name": stored.customer_name,
        "accuser_name": stored.accuser_name,
        "reason": stored.reason,
        "saler": service_user.username,  # the username names the same specialist as the stored full name
        "creator_name": stored.creator_name,
    }

    services.order_update(user=users["manager"], order_id=order.pk, header=same)

    assert db_state() == before


def test_header_change_by_assigned_specialist_without_role_is_forbidden(users, suppliers, products):
    # A specialist who has since left the `service` group still sees the orders assigned to them.
    plain = UserFactory(username="plain_saler", roles=[SERVICE])
    order = make_order(users["creator"], suppliers["customer"], suppliers["accuser"], saler="plain_saler")
    plain.groups.clear()
    before = db_state()

    with pytest.raises(NotPermitted):
        services.order_update(user=plain, order_id=order.pk, header={"type": "交期投诉"})

    assert db_state() == before


# --- Nested records -------------------------------------------------------------------------------
def _write(kind: str, user: Any, order_id: int) -> None:
    money = Decimal("100.00")
    writes = {
        "put_abnormal_products": lambda: services.order_update(
            user=user, order_id=order_id, abnormal_products=[{"sku_code": "SKU-2"}]
        ),
        "add_abnormal_products": lambda: services.abnormal_products_add(
            user=user, order_id=order_id, items=[{"sku_code": "SKU-2"}]
        ),
        "put_duty_report": lambda: services.order_update(
            user=user, order_id=order_id, duty_report={"duty_to": "被告工厂"}
        ),
        "upsert_duty_report": lambda: services.duty_report_upsert(
            user=user, order_id=order_id, values={"duty_to": "被告工厂"}
        ),
        "put_tracks": lambda: services.order_update(user=user, order_id=order_id, tracks=[{"remark": "跟进"}]),
        "add_track": lambda: services.track_add(user=user, order_id=order_id, remark="跟进"),
        "put_deductions": lambda: services.order_update(
            user=user, order_id=order_id, deductions=[{"compensation": money}]
        ),
        "add_deduction": lambda: services.deduction_add(user=user, order_id=order_id, values={"compensation": money}),
    }
    writes[kind]()


# Each kind of write, by whom and at which status it is allowed (the edit table).
RECORD_WRITES = {
    "put_abnormal_products": (Status.WAITING, "creator"),
    "add_abnormal_products": (Status.WAITING, "service"),
    "put_duty_report": (Status.SERVICE_APPROVING, "service"),
    "upsert_duty_report": (Status.MANAGER_REVIEWING, "manager"),
    "put_tracks": (Status.CHIEF_REVIEWING, "chief"),
    "add_track": (Status.FINANCE_REVIEWING, "creator"),
    "put_deductions": (Status.SERVICE_APPROVED, "service"),
    "add_deduction": (Status.FINANCE_REVIEWING, "finance"),
}
RECORD_STATES = [
    pytest.param(IN_PROGRESS, True, id="in_progress"),
    pytest.param(OVERDUE, True, id="overdue"),  # overdue flags a late step; it does not freeze it
    pytest.param(HALT, False, id="halt"),
    pytest.param(CANCEL, False, id="cancel"),
]


@pytest.mark.parametrize(("state", "editable"), RECORD_STATES)
@pytest.mark.parametrize("kind", list(RECORD_WRITES))
def test_record_write_by_its_writer_only_while_in_progress_or_overdue(users, order, kind, state, editable):
    status, writer = RECORD_WRITES[kind]
    bring_to(users, order, status, state)
    before = db_state()

    if editable:
        _write(kind, users[writer], order.pk)
        after = db_state()
        assert after != before
        assert len(after["journal"]) == len(before["journal"]) + 1
        assert Journal.objects.filter(order=order).last().operation == "edit"
    else:
        with pytest.raises(NotAllowedNow):
            _write(kind, users[writer], order.pk)
        assert db_state() == before


@pytest.mark.parametrize("kind", list(RECORD_WRITES))
def test_record_write_at_end_is_not_allowed_even_for_superuser(users, order, kind):
    advance(users, order, Status.END)
    before = db_state()

    with pytest.raises(NotAllowedNow):
        _write(kind, users["superuser"], order.pk)

    assert db_state() == before


@pytest.mark.parametrize("who", ["creator", "service", "manager", "chief", "finance", "superuser"])
def test_track_add_by_creator_or_any_role_user_is_allowed(users, order, who):
    services.track_add(user=users[who], order_id=order.pk, remark="跟进")

    assert list(Track.objects.filter(order=order).values_list("remark", "operator_id")) == [("跟进", users[who].pk)]


@pytest.mark.parametrize("who", ["creator", "service", "superuser"])
def test_abnormal_products_add_at_waiting_by_creator_or_service(users, order, who):
    services.abnormal_products_add(user=users[who], order_id=order.pk, items=[{"sku_code": "SKU-3"}])

    assert AbnormalProduct.objects.filter(order=order).count() == 2


@pytest.mark.parametrize("who", ["manager", "chief", "finance"])
def test_abnormal_products_add_at_waiting_by_other_roles_is_forbidden(users, order, who):
    before = db_state()

    with pytest.raises(NotPermitted):
        services.abnormal_products_add(user=users[who], order_id=order.pk, items=[{"sku_code": "SKU-3"}])

    assert db_state() == before


# --- Deductions ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("finance", True),
        ("superuser", True),
        ("service", False),  # the specialist's deductions are written at service_approved
        ("creator", False),
        ("manager", False),
        ("chief", False),
    ],
)
@pytest.mark.parametrize("kind", ["put_deductions", "add_deduction"])
def test_deduction_add_at_finance_reviewing_only_by_finance(users, order, kind, who, allowed):
    advance(users, order, Status.FINANCE_REVIEWING)
    before = db_state()

    if allowed:
        _write(kind, users[who], order.pk)
        order.refresh_from_db()
        assert order.charge_number == f"CH{timezone.localdate():%Y%m%d}0001"
        assert Deduction.objects.filter(order=order).count() == 1
    else:
        with pytest.raises(NotPermitted):
            _write(kind, users[who], order.pk)
        assert db_state() == before


@pytest.mark.parametrize("who", ["creator", "service", "manager", "chief"])
def test_deduction_update_or_delete_at_finance_reviewing_by_other_roles_is_forbidden(users, order, who):
    advance(users, order, Status.FINANCE_REVIEWING)
    deduction = services.deduction_add(user=users["finance"], order_id=order.pk, values={"compensation": Decimal("1")})
    before = db_state()

    with pytest.raises(NotPermitted):
        services.deduction_update(
            user=users[who], order_id=order.pk, deduction_id=deduction.pk, values={"compensation": Decimal("2")}
        )
    with pytest.raises(NotPermitted):
        services.deduction_delete(user=users[who], order_id=order.pk, deduction_id=deduction.pk)
    with pytest.raises(NotPermitted):
        services.order_update(user=users[who], order_id=order.pk, deductions=[])

    assert db_state() == before


def test_charge_number_assigned_once_per_order_with_its_own_sequence(users, suppliers, order):
    other = make_order(users["creator"], suppliers["customer"], suppliers["accuser"], reason="其它")
    advance(users, order, Status.SERVICE_APPROVED)
    advance(users, other, Status.SERVICE_APPROVED)
    day = f"{timezone.localdate():%Y%m%d}"

    for _ in range(2):
        services.deduction_add(user=users["service"], order_id=order.pk, values={"compensation": Decimal("10")})
    services.deduction_add(user=users["service"], order_id=other.pk, values={"compensation": Decimal("20")})

    assert Order.objects.get(pk=order.pk).charge_number == f"CH{day}0001"
    assert Order.objects.get(pk=other.pk).charge_number == f"CH{day}0002"
    assert Order.objects.get(pk=order.pk).serial_number == f"SH{day}0001"


# --- expected_status -------------------------------------------------------------------------------
def test_update_with_stale_expected_status_is_conflict_and_changes_nothing(users, order):
    advance(users, order, Status.SERVICE_APPROVING)
    before = db_state()

    with pytest.raises(Conflict) as raised:
        services.order_update(
            user=users["service"],
            order_id=order.pk,
            operation="done",
            expected_status=Status.WAITING,
            tracks=[{"remark": "跟进"}],
        )

    assert str(Status.SERVICE_APPROVING.label) in raised.value.message  # the status as people name it
    assert db_state() == before


def test_put_with_stale_expected_status_answers_409_conflict(clients, users, order):
    advance(users, order, Status.SERVICE_APPROVING)
    before = db_state()

    response = put(clients["service"], order.pk, {"operation": "done", "expected_status": "waitting"})

    assert (response.status_code, response.json()["code"]) == (409, "conflict")
    assert db_state() == before


def test_put_with_legacy_waitting_expected_status_matches_waiting(clients, order):
    response = put(clients["creator"], order.pk, {"operation": "done", "expected_status": "waitting"})

    assert response.status_code == 200, response.json()
    assert response.json()["data"]["status"] == Status.SERVICE_APPROVING


# --- DELETE ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("status", "state"),
    [
        (Status.SERVICE_APPROVING, IN_PROGRESS),
        (Status.MANAGER_REVIEWING, IN_PROGRESS),
        (Status.WAITING, HALT),
        (Status.WAITING, OVERDUE),
        (Status.WAITING, CANCEL),
        (Status.END, DONE),
    ],
)
def test_delete_outside_created_or_waiting_in_progress_is_invalid_operation(users, order, status, state):
    bring_to(users, order, status, state)
    before = db_state()

    for who in ("creator", "service"):
        with pytest.raises(NotAllowedNow):
            services.order_delete(user=users[who], order_id=order.pk)

    assert db_state() == before


# --- The mobile client's submit at service_approving ------------------------------------------------
def test_mobile_submit_at_service_approving_with_records_done_and_legacy_saler_name_applies_all(
    clients, users, order, suppliers, second_specialist
):
    advance(users, order, Status.SERVICE_APPROVING)
    body = {
        "saler_name": "王五",
        "abnormal_products": [{"skuCode": "SKU-2", "remark": "色差明显"}],
        "duty_report": {
            "abnormal_type": "色差",
            "abnormal_reason": "生产质量把控问题",
            "publish_to": "成品供应商",
            "publishment": "处罚",
            "compensation": 5000,
            "duty_to": "被告工厂",
            "DutyDate": "2026-01-05",
        },
        "tracks": [{"remark": "已通知工厂整改"}],
        "operation": "done",
        "remark": "专员审核通过",
        "expected_status": "service_approving",
    }

    response = put(clients["service"], order.pk, body)

    assert response.status_code == 200, response.json()
    data = response.json()["data"]
    assert (data["status"], data["workflow_status"]) == (Status.SERVICE_APPROVED, IN_PROGRESS)
    assert data["saler"] == "王五"
    assert [(p["skuCode"], p["remark"], p["product_item_name"]) for p in data["abnormal_products"]] == [
        ("SKU-2", "色差明显", "沙发2")
    ]
    assert data["duty_report"] == {
        "abnormal_type": "色差",
        "abnormal_reason": "生产质量把控问题",
        "publishment": "处罚",
        "publish_to": "成品供应商",
        "compensation": "5000.00",
        "duty_to_id": suppliers["customer"].pk,
        "duty_to": "被告工厂",
        "duty_date": "2026-01-05",
    }
    assert [(t["remark"], t["operator_name"]) for t in data["tracks"]] == [("已通知工厂整改", "李四")]
    assert data["remark"] == "表面划伤"
    stored = Order.objects.get(pk=order.pk)
    assert stored.saler_id == second_specialist.pk
    journal = Journal.objects.filter(order=order).last()
    assert (journal.operation, journal.source, journal.target, journal.operator_name, journal.remark) == (
        "done",
        Status.SERVICE_APPROVING,
        Status.SERVICE_APPROVED,
        "李四",
        "专员审核通过",
    )


def test_reject_without_remark_via_service_is_validation_error(users, order):
    advance(users, order, Status.SERVICE_APPROVING)
    before = db_state()

    with pytest.raises(InvalidInput):
        services.order_apply_operation(user=users["service"], order_id=order.pk, operation=Operation.REJECT)

    assert db_state() == before
