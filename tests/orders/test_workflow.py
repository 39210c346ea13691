"""The approval chain through the API (docs/workflow.md, docs/api.md), checked against the role table
written out literally below — not read from `orders.workflow.STEPS`, so a wrong table in the code
cannot test itself green.

For each status an order is brought there (with what its `done` needs: an abnormal product, a duty
report, deductions equal to the compensation), then every user — the creator, another plain user,
each role, a superuser — tries `done` and `reject` through `PUT orders/<id>`, each attempt in a
savepoint rolled back afterwards. After a refused request the database is unchanged.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from afterservice_site.people import display_name
from orders import services
from orders.models import Order
from tests.conftest import client_for
from tests.factories import make_order, order_body, order_for_former_specialist
from tests.helpers import (
    ORDERS,
    advance,
    assert_error,
    assert_ok,
    db_state,
    journal_rows,
    make_overdue,
    order_url,
    prepare_done,
    rolled_back,
)

# fmt: off
# docs/workflow.md, "The approval chain": who may apply `done`/`reject` at each status (superusers always may).
ROLE_TABLE = (
    # status               who acts                 done →                reject →
    ("created",            (),                      "waiting",            None),  # the system, at creation
    ("waiting",            ("creator", "service"),  "service_approving",  None),
    ("service_approving",  ("service",),            "service_approved",   "waiting"),
    ("service_approved",   ("service",),            "manager_reviewing",  "service_approving"),
    ("manager_reviewing",  ("manager",),            "manager_reviewed",   "service_approved"),
    ("manager_reviewed",   ("manager",),            "chief_reviewing",    "manager_reviewing"),
    ("chief_reviewing",    ("chief",),              "chief_reviewed",     "manager_reviewed"),
    ("chief_reviewed",     ("chief",),              "finance_reviewing",  "chief_reviewing"),
    ("finance_reviewing",  ("finance",),            "end",                "chief_reviewed"),
    ("end",                (),                      None,                 None),
)
# docs/workflow.md: halt, resume, cancel — from which workflow statuses, to which (the creator or any role user).
WORKFLOW_MOVES = {
    "halt":   (("in_progress",), "halt"),
    "resume": (("halt", "overdue"), "in_progress"),
    "cancel": (("in_progress", "halt", "overdue"), "cancel"),
}
# fmt: on
ROW = {status: (acts, done, reject) for status, acts, done, reject in ROLE_TABLE}
STATUSES = [status for status, *_ in ROLE_TABLE]
USERS = ("creator", "other", "service", "manager", "chief", "finance", "superuser")
SEEING = ("creator", "service", "manager", "chief", "finance", "superuser")  # "other" cannot see the order
REJECTABLE = [status for status, acts, _, reject in ROLE_TABLE if acts and reject]
ACTED = [status for status, acts, *_ in ROLE_TABLE if acts]
REASON = "复核不通过"  # a reject's reason


def expected(status: str, user: str, operation: str) -> tuple[int, str | None]:
    """(HTTP status, the order's status after) for `user` applying `operation` at `status`, read
    from ROLE_TABLE: invisible → 404; no target or only the system acts → 409; not among those who
    act → 403."""
    acts, done, reject = ROW[status]
    target = done if operation == "done" else reject
    if user == "other":
        return 404, None
    if not acts or target is None:
        return 409, None
    if user in acts or user == "superuser":
        return 200, target
    return 403, None


def put(client: Any, order_id: int, **body: Any) -> Any:
    return client.put(order_url(order_id), body, format="json")


def order_at(users: dict[str, Any], suppliers: dict[str, Any], status: str) -> Order:
    """A new order (with an abnormal product) at `status`, ready for `done` there."""
    order = make_order(
        users["creator"], suppliers["customer"], suppliers["accuser"], abnormal_products=[{"sku_code": "SKU-1"}]
    )
    if status == "created":  # only ever seen by the system inside order_create; left there by a crash, say
        Order.objects.filter(pk=order.pk).update(status="created")
        return Order.objects.get(pk=order.pk)
    return advance(users, order, status, ready=True)


def last_journal(order: Order) -> tuple[Any, ...]:
    row = journal_rows(order)[-1]
    return (row.operation, row.source, row.target, row.workflow_source, row.workflow_target, row.operator_id)


@pytest.fixture
def order(users, suppliers, products):
    return make_order(
        users["creator"], suppliers["customer"], suppliers["accuser"], abnormal_products=[{"sku_code": "SKU-1"}]
    )


# --- The role table, literally -----------------------------------------------------------------------
@pytest.mark.parametrize("status", STATUSES)
def test_done_and_reject_by_every_user_at_status_follow_the_role_table(clients, users, suppliers, products, status):
    order = order_at(users, suppliers, status)
    before = db_state(order)
    mismatches = []

    for user in USERS:
        if user != "other":
            listed = assert_ok(clients[user].get(order_url(order.pk)))["operations"]
        for operation in ("done", "reject"):
            http_status, target = expected(status, user, operation)
            with rolled_back():
                response = put(clients[user], order.pk, operation=operation, remark=REASON)
                got = (response.status_code, response.json()["data"] and response.json()["data"].get("status"))
                if got != (http_status, target):
                    mismatches.append(f"{operation} by {user}: {got}, expected {(http_status, target)}")
                elif http_status == 200:
                    workflow_target = "done" if target == "end" else "in_progress"
                    assert last_journal(order) == (
                        operation,
                        status,
                        target,
                        "in_progress",
                        workflow_target,
                        users[user].pk,
                    )
                else:
                    assert db_state(order) == before, (operation, user)
            if user != "other" and (operation in listed) != (http_status == 200):
                mismatches.append(f"{operation} by {user}: listed in operations {listed}, expected {http_status}")

    assert not mismatches, "\n".join(mismatches)
    assert db_state(order) == before


def test_role_table_is_one_chain_from_created_to_end_with_rejects_one_step_back():
    # The literal table is itself consistent: following `done` visits every status once, and a
    # reject goes back exactly one step (not from waiting).
    chain, status = [], "created"
    while status is not None:
        chain.append(status)
        status = ROW[status][1]
    assert chain == STATUSES
    assert all(ROW[status][2] in (None, STATUSES[index - 1]) for index, status in enumerate(STATUSES))


def test_create_via_api_opens_order_at_waiting_with_created_to_waiting_journal(clients, suppliers):
    response = clients["creator"].post(ORDERS, order_body(suppliers), format="json")

    data = assert_ok(response, 201)
    assert (data["status"], data["workflow_status"], data["summitted_at"]) == ("waiting", "in_progress", None)
    journals = assert_ok(clients["creator"].get(order_url(data["id"], "/journals")))
    assert [
        (j["operation"], j["source"], j["target"], j["workflow_source"], j["workflow_target"], j["operator_name"])
        for j in journals
    ] == [("create", "created", "waiting", "in_progress", "in_progress", "张三")]


def test_any_operation_by_anonymous_is_not_authenticated(clients, order):
    before = db_state()

    assert_error(put(clients["anonymous"], order.pk, operation="done"), 401, "not_authenticated")

    assert db_state() == before


# --- reject ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("status", REJECTABLE)
def test_reject_without_remark_is_validation_error_and_changes_nothing(clients, users, order, status):
    advance(users, order, status)
    before = db_state()

    for body in (
        {"operation": "reject"},
        {"operation": "reject", "remark": ""},
        {"operation": "reject", "remark": " "},
    ):
        for user in (*ROW[status][0], "superuser"):
            response = put(clients[user], order.pk, **body)
            assert "remark" in assert_error(response, 400, "validation_error")["data"]["errors"], (user, body)
            assert db_state() == before


@pytest.mark.parametrize("status", REJECTABLE)
def test_reject_with_legacy_reject_reason_moves_back_with_that_remark(clients, users, order, status):
    advance(users, order, status)

    response = put(clients[ROW[status][0][0]], order.pk, operation="reject", reject_reason="数量不符")

    assert assert_ok(response)["status"] == ROW[status][2]
    row = journal_rows(order)[-1]
    assert (row.operation, row.source, row.target, row.remark) == ("reject", status, ROW[status][2], "数量不符")
    order.refresh_from_db()
    assert order.remark == "表面划伤"  # the reason is the operation's note, not the order's description
    assert order.last_reject_reason == "数量不符"


# --- Not in progress ---------------------------------------------------------------------------------
@pytest.mark.parametrize("state", ["halt", "cancel"])
@pytest.mark.parametrize("status", [status for status in ACTED if status != "created"])
def test_done_or_reject_while_halted_or_cancelled_is_invalid_operation(clients, users, order, status, state):
    advance(users, order, status, ready=True)
    services.order_update(user=users["creator"], order_id=order.pk, operation=state)
    before = db_state()

    for user in {*ROW[status][0], "creator", "superuser"}:
        for operation in ("done", "reject"):
            response = put(clients[user], order.pk, operation=operation, remark=REASON)
            assert_error(response, 409, "invalid_operation")
            assert db_state() == before


def test_any_write_at_end_is_invalid_operation_and_workflow_is_done(clients, users, order):
    advance(users, order, "end")
    data = assert_ok(clients["creator"].get(order_url(order.pk)))
    assert (data["status"], data["workflow_status"]) == ("end", "done")
    before = db_state()

    for user in SEEING:
        assert assert_ok(clients[user].get(order_url(order.pk)))["operations"] == []
        for operation in ("done", "reject", "halt", "resume", "cancel"):
            assert_error(put(clients[user], order.pk, operation=operation, remark=REASON), 409, "invalid_operation")
    for body in ({"type": "交期投诉"}, {"tracks": [{"remark": "跟进"}]}, {"duty_report": {"duty_to": "被告工厂"}}):
        assert_error(put(clients["superuser"], order.pk, **body), 409, "invalid_operation")
    assert_error(clients["creator"].delete(order_url(order.pk)), 409, "invalid_operation")
    assert db_state() == before


# --- summitted_at ------------------------------------------------------------------------------------
def test_submit_sets_summitted_at_and_resubmit_after_reject_updates_it(clients, order):
    assert order.summitted_at is None
    started = timezone.now()

    assert put(clients["creator"], order.pk, operation="done").status_code == 200  # the submission
    order.refresh_from_db()
    first = order.summitted_at
    assert first is not None and first >= started
    assert assert_ok(clients["creator"].get(order_url(order.pk)))["summitted_at"] is not None

    # Back to waiting; the earlier submission time stays until the next submission.
    assert put(clients["service"], order.pk, operation="reject", remark=REASON).status_code == 200
    order.refresh_from_db()
    assert (order.status, order.summitted_at) == ("waiting", first)

    assert put(clients["creator"], order.pk, operation="done").status_code == 200
    order.refresh_from_db()
    assert order.summitted_at > first


def test_done_after_submission_keeps_summitted_at(users, order):
    submitted = advance(users, order, "service_approving").summitted_at

    assert advance(users, order, "end").summitted_at == submitted


# --- halt / resume / cancel ------------------------------------------------------------------------
WORKFLOW_CASES = [
    pytest.param(operation, source, id=f"{operation}-from-{source}")
    for operation in WORKFLOW_MOVES
    for source in ("in_progress", "halt", "overdue", "cancel", "done")
]


@pytest.mark.parametrize(("operation", "source"), WORKFLOW_CASES)
def test_workflow_operation_from_each_workflow_status_follows_the_contract(clients, users, order, operation, source):
    sources, target = WORKFLOW_MOVES[operation]
    status = "end" if source == "done" else "manager_reviewing"
    advance(users, order, status)
    if source == "overdue":
        make_overdue(order)
    elif source in ("halt", "cancel"):
        services.order_update(user=users["creator"], order_id=order.pk, operation=source)
    before = db_state()

    response = put(clients["creator"], order.pk, operation=operation, remark="说明")

    if source not in sources:
        assert_error(response, 409, "invalid_operation")
        assert db_state() == before
        return
    data = assert_ok(response)
    assert (data["status"], data["workflow_status"]) == (status, target)
    row = journal_rows(order)[-1]
    assert (row.operation, row.source, row.target, row.workflow_source, row.workflow_target) == (
        operation,
        status,
        status,
        source,
        target,
    )
    assert (row.operator_id, row.operator_name, row.remark) == (users["creator"].pk, "张三", "说明")


@pytest.mark.parametrize("user", SEEING)
def test_halt_resume_cancel_by_creator_or_any_role_user_succeed(clients, order, user):
    for operation, expected_state in (("halt", "halt"), ("resume", "in_progress"), ("cancel", "cancel")):
        response = put(clients[user], order.pk, operation=operation)
        assert assert_ok(response)["workflow_status"] == expected_state, operation
    assert Order.objects.get(pk=order.pk).status == "waiting"


def test_halt_resume_cancel_by_specialist_without_role_is_forbidden(users, suppliers, products):
    order, plain = order_for_former_specialist(
        users["creator"], suppliers["customer"], suppliers["accuser"], first_name="赵六", reason="其它"
    )
    client = client_for(plain)
    assert client.get(order_url(order.pk)).status_code == 200  # the assigned specialist sees the order ...
    before = db_state()

    for operation in ("halt", "cancel", "done"):
        assert_error(put(client, order.pk, operation=operation), 403, "permission_denied")  # ... but holds no role
    assert db_state() == before
    services.order_update(user=users["creator"], order_id=order.pk, operation="halt")
    before = db_state()
    assert_error(put(client, order.pk, operation="resume"), 403, "permission_denied")
    assert db_state() == before


@pytest.mark.parametrize("status", [status for status in ACTED if status != "created"])
def test_halt_then_resume_at_each_step_keeps_status_and_restarts_clock(clients, users, order, status):
    advance(users, order, status, ready=True)
    Order.objects.filter(pk=order.pk).update(step_started_at=timezone.now() - timedelta(hours=1))

    assert put(clients["creator"], order.pk, operation="halt").status_code == 200
    before_resume = timezone.now()
    assert put(clients["creator"], order.pk, operation="resume").status_code == 200

    order.refresh_from_db()
    assert (order.status, order.workflow_status) == (status, "in_progress")
    assert order.step_started_at >= before_resume
    # ... and the chain goes on from where it stopped.
    assert assert_ok(put(clients[ROW[status][0][-1]], order.pk, operation="done"))["status"] == ROW[status][1]


def test_operations_field_in_list_matches_detail(clients, users, order):
    advance(users, order, "service_approved")

    for user in SEEING:
        listed = assert_ok(clients[user].get(ORDERS))
        detail = assert_ok(clients[user].get(order_url(order.pk)))
        assert [row["operations"] for row in listed if row["id"] == order.pk] == [detail["operations"]]


# --- Journal ---------------------------------------------------------------------------------------
def test_journal_has_one_row_per_operation_with_states_operator_and_remark(clients, users, order):
    names = {key: display_name(user) for key, user in users.items()}
    expected_rows = [("create", "created", "waiting", "in_progress", "in_progress", names["creator"], "", "")]

    def apply(user: str, operation: str, remark: str = "", **extra: Any) -> None:
        before = Order.objects.get(pk=order.pk)
        written = len(journal_rows(order))
        prepare_done(users, before)  # what the step needs: its writes are journaled as `edit` rows
        for row in journal_rows(order)[written:]:
            assert (row.operation, row.source, row.target) == ("edit", before.status, before.status)
            expected_rows.append(
                ("edit", row.source, row.target, "in_progress", "in_progress", row.operator_name, "", "")
            )
        assert put(clients[user], order.pk, operation=operation, remark=remark, **extra).status_code == 200
        after = Order.objects.get(pk=order.pk)
        # The signed-in user acts; a name the client sends is only what it claims (`on_behalf_of`).
        expected_rows.append(
            (
                operation,
                before.status,
                after.status,
                before.workflow_status,
                after.workflow_status,
                names[user],
                extra.get("operator_name", ""),
                remark,
            )
        )

    apply("creator", "done", "提交")
    apply("service", "reject", REASON)
    apply("creator", "done", "再次提交")
    apply("manager", "halt", "等待工厂回复")
    apply("creator", "resume")
    # Refused attempts leave no row.
    assert put(clients["manager"], order.pk, operation="done").status_code == 403
    assert put(clients["service"], order.pk, operation="reject").status_code == 400
    for status, acts, _done, _reject in ROLE_TABLE[2:-1]:
        apply(acts[0], "done", f"{status} 通过", operator_name=f"{status}-签字人")

    response = clients["creator"].get(order_url(order.pk, "/journals"), {"per_page": 100})

    rows = assert_ok(response)
    assert [
        (
            r["operation"],
            r["source"],
            r["target"],
            r["workflow_source"],
            r["workflow_target"],
            r["operator_name"],
            r["on_behalf_of"],
            r["remark"],
        )
        for r in rows
    ] == expected_rows
    assert {row["order_id"] for row in rows} == {order.pk}
    assert [row["id"] for row in rows] == sorted(row["id"] for row in rows)
    assert all(len(row["created_at"]) == len("2026-01-01 00:00:00") for row in rows)
    assert response.json()["pagination"]["total"] == len(expected_rows)
