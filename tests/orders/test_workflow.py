"""The approval chain through the API, parametrised from `orders.workflow.STEPS` (DESIGN.md §6, §8).

Each case files a fresh order, walks it to the status under test with real `PUT orders/<id>`
requests by a user who acts at each step (read from STEPS), then applies the operation under test.
The `clients` fixture's keys are the role names plus `creator`, which are exactly the names a
step's `actors` use, so `clients[actor]` is a user who may act.

Every refused write is followed by a check that the order's state and journal did not change.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import timedelta
from itertools import pairwise
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from afterservice_site.people import display_name
from orders import services
from orders.models import Journal, Order
from orders.workflow import STEP_BY_STATUS, STEPS, WORKFLOW_MOVES, Operation, Status, Step, WorkflowStatus
from tests.factories import make_order, order_for_former_specialist
from tests.helpers import advance, prepare_done

ORDERS = "/api/v1/afterservice/orders"
# Users who can see the test order (every role user; the creator their own). A refusal to one of
# them is a 403; "other" cannot see the order at all (404).
SEEING = ("creator", "service", "manager", "chief", "finance")
EVERYONE = (*SEEING, "superuser")
REASON = "复核不通过"  # a reject's reason

# created → waiting is applied by order_create; every other status is reached through the API.
OPENED = STEPS[0].done
REACHABLE: list[Step] = [step for step in STEPS if step is not STEPS[0]]
ACTED: list[Step] = [step for step in REACHABLE if step.actors]  # someone may act: not `end`
FINAL = next(step for step in STEPS if step.actors == frozenset() and step.done is None)
IN_PROGRESS, HALT, OVERDUE, CANCEL, DONE = (
    WorkflowStatus.IN_PROGRESS,
    WorkflowStatus.HALT,
    WorkflowStatus.OVERDUE,
    WorkflowStatus.CANCEL,
    WorkflowStatus.DONE,
)


def allowed(step: Step) -> list[str]:
    """Client keys that may apply done/reject at `step` (superusers always may)."""
    return [*sorted(step.actors), "superuser"]


def refused(step: Step) -> list[str]:
    """Client keys that see the order but do not act at `step`."""
    return [key for key in SEEING if key not in step.actors]


def cases(pick: Any, keys: Any) -> list[Any]:
    return [
        pytest.param(step.status, key, id=f"{step.status}-{key}")
        for step in REACHABLE
        if pick(step)
        for key in keys(step)
    ]


DONE_BY_ACTOR = cases(lambda s: s.actors and s.done, allowed)
REJECT_BY_ACTOR = cases(lambda s: s.actors and s.reject, allowed)
REJECTABLE = [step.status for step in REACHABLE if step.actors and step.reject]
NOT_REJECTABLE = [step.status for step in REACHABLE if not step.reject]


# --- Helpers -------------------------------------------------------------------------------------
def put(client: APIClient, order_id: int, **body: Any) -> Any:
    return client.put(f"{ORDERS}/{order_id}", body, format="json")


def get(client: APIClient, order_id: int) -> Any:
    return client.get(f"{ORDERS}/{order_id}")


def token_client(user: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def done_path(source: str, target: str) -> list[Step]:
    """The steps whose `done` lead from `source` to `target`, read from STEPS."""
    path, status = [], source
    while status != target:
        step = STEP_BY_STATUS[status]
        assert step.done is not None, f"{target} does not follow {source} in STEPS"
        path.append(step)
        status = step.done
    return path


def walk_to(users: dict[str, Any], order_id: int, target: str) -> None:
    """Moves the order forward to `target`, ready for `done` there (tests.helpers.advance)."""
    assert advance(users, Order.objects.get(pk=order_id), target, ready=True).status == target


def make_overdue(order_id: int) -> None:
    """Ages the current step past the SLA and runs the sweep, as cron would."""
    stale = timezone.now() - timedelta(hours=settings.AFTERSERVICE_STEP_SLA_HOURS + 1)
    Order.objects.filter(pk=order_id).update(step_started_at=stale)
    assert services.orders_mark_overdue() == 1


def set_workflow(clients: dict[str, APIClient], order_id: int, state: str) -> None:
    """Puts an in-progress order into the workflow status `state` the way users (or cron) do."""
    if state == OVERDUE:
        make_overdue(order_id)
    elif state != IN_PROGRESS:
        operation = {HALT: Operation.HALT, CANCEL: Operation.CANCEL}[state]
        assert put(clients["creator"], order_id, operation=operation).status_code == 200
    assert Order.objects.get(pk=order_id).workflow_status == state


def bring_to(users: dict[str, Any], clients: dict[str, APIClient], order_id: int, status: str, state: str) -> None:
    walk_to(users, order_id, status)
    if state != DONE:
        set_workflow(clients, order_id, state)
    assert Order.objects.get(pk=order_id).workflow_status == state


def snapshot(order_id: int) -> dict[str, Any]:
    order = Order.objects.get(pk=order_id)
    return {
        "status": order.status,
        "workflow_status": order.workflow_status,
        "summitted_at": order.summitted_at,
        "step_started_at": order.step_started_at,
        "updated_at": order.updated_at,
        "journals": Journal.objects.filter(order_id=order_id).count(),
    }


def assert_refused(response: Any, http_status: int, code: str, order_id: int, before: dict[str, Any]) -> None:
    body = response.json()
    assert response.status_code == http_status, body
    assert (body["status"], body["code"]) == (http_status, code), body
    assert snapshot(order_id) == before


def last_journal(order_id: int) -> tuple[Any, ...]:
    row = Journal.objects.filter(order_id=order_id).order_by("id").last()
    return (
        row.operation,
        row.source,
        row.target,
        row.workflow_source,
        row.workflow_target,
        row.operator_id,
        row.operator_name,
        row.remark,
    )


class _UndoProbeError(Exception):
    pass


@contextlib.contextmanager
def rolled_back() -> Iterator[None]:
    """Runs the block in a savepoint and rolls it back: one order state can be probed many times."""
    with contextlib.suppress(_UndoProbeError), transaction.atomic():
        yield
        raise _UndoProbeError


@pytest.fixture
def order(users, suppliers, products):
    return make_order(
        users["creator"], suppliers["customer"], suppliers["accuser"], abnormal_products=[{"sku_code": "SKU-1"}]
    )


# --- The table itself ----------------------------------------------------------------------------
def test_steps_done_chain_from_created_visits_every_status_once_and_ends_at_end():
    chain = [STEPS[0].status, *(step.done for step in done_path(STEPS[0].status, FINAL.status))]

    assert chain == [step.status for step in STEPS]
    assert sorted(chain) == sorted(Status.values)
    assert FINAL.status == Status.END
    assert OPENED == Status.WAITING


def test_steps_reject_goes_back_exactly_one_step_where_allowed():
    for previous, step in pairwise(STEPS):
        assert step.reject in (None, previous.status), step
    assert STEP_BY_STATUS[Status.WAITING].reject is None


# --- Creation ------------------------------------------------------------------------------------
def test_create_via_api_opens_order_at_waiting_with_created_to_waiting_journal(clients, users, suppliers):
    body = {
        "type": "质量投诉",
        "customer_name": suppliers["customer"].name,
        "accuser_name": suppliers["accuser"].name,
        "creator_name": "张三",
        "reason": "成品",
        "remark": "表面划伤",
    }

    response = clients["creator"].post(ORDERS, body, format="json")

    assert response.status_code == 201, response.json()
    data = response.json()["data"]
    assert (data["status"], data["workflow_status"], data["summitted_at"]) == (OPENED, IN_PROGRESS, None)
    journals = clients["creator"].get(f"{ORDERS}/{data['id']}/journals").json()["data"]
    assert [
        (j["operation"], j["source"], j["target"], j["workflow_source"], j["workflow_target"], j["operator_name"])
        for j in journals
    ] == [("create", STEPS[0].status, OPENED, IN_PROGRESS, IN_PROGRESS, "张三")]


def test_done_or_reject_at_created_is_invalid_operation_for_everyone(clients, order):
    # Only the system acts at `created`; an order left there (by a crash, say) is never moved by a user.
    Order.objects.filter(pk=order.pk).update(status=STEPS[0].status)
    before = snapshot(order.pk)

    for key in EVERYONE:
        for operation in (Operation.DONE, Operation.REJECT):
            response = put(clients[key], order.pk, operation=operation, remark=REASON)
            assert_refused(response, 409, "invalid_operation", order.pk, before)


# --- done ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("status", "actor"), DONE_BY_ACTOR)
def test_done_by_step_actor_moves_to_next_status_and_journals(clients, users, order, status, actor):
    step = STEP_BY_STATUS[status]
    walk_to(users, order.pk, status)
    journals = Journal.objects.filter(order=order).count()

    response = put(clients[actor], order.pk, operation="done", remark="同意")

    assert response.status_code == 200, response.json()
    workflow_target = DONE if step.done == FINAL.status else IN_PROGRESS
    data = response.json()["data"]
    assert (data["status"], data["workflow_status"]) == (step.done, workflow_target)
    order.refresh_from_db()
    assert (order.status, order.workflow_status) == (step.done, workflow_target)
    assert Journal.objects.filter(order=order).count() == journals + 1
    user = users[actor]
    assert last_journal(order.pk) == (
        "done",
        status,
        step.done,
        IN_PROGRESS,
        workflow_target,
        user.pk,
        display_name(user),
        "同意",
    )


@pytest.mark.parametrize("status", [step.status for step in ACTED])
def test_done_or_reject_by_user_not_acting_at_step_is_forbidden_and_changes_nothing(clients, users, order, status):
    step = STEP_BY_STATUS[status]
    walk_to(users, order.pk, status)
    before = snapshot(order.pk)
    operations = [Operation.DONE] + ([Operation.REJECT] if step.reject else [])

    for outsider in refused(step):
        for operation in operations:
            response = put(clients[outsider], order.pk, operation=operation, remark=REASON)
            assert response.status_code == 403, (outsider, operation.value, response.json())
            assert_refused(response, 403, "permission_denied", order.pk, before)


@pytest.mark.parametrize("operation", list(Operation))
def test_any_operation_by_user_who_cannot_see_order_is_not_found(clients, order, operation):
    before = snapshot(order.pk)

    response = put(clients["other"], order.pk, operation=operation, remark=REASON)

    assert_refused(response, 404, "not_found", order.pk, before)


def test_any_operation_by_anonymous_is_not_authenticated(clients, order):
    before = snapshot(order.pk)

    response = put(clients["anonymous"], order.pk, operation="done")

    assert_refused(response, 401, "not_authenticated", order.pk, before)


# --- reject ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("status", "actor"), REJECT_BY_ACTOR)
def test_reject_with_remark_by_step_actor_moves_back_and_journals_reason(clients, users, order, status, actor):
    step = STEP_BY_STATUS[status]
    walk_to(users, order.pk, status)

    response = put(clients[actor], order.pk, operation="reject", remark=REASON)

    assert response.status_code == 200, response.json()
    assert (response.json()["data"]["status"], response.json()["data"]["workflow_status"]) == (
        step.reject,
        IN_PROGRESS,
    )
    user = users[actor]
    assert last_journal(order.pk) == (
        "reject",
        status,
        step.reject,
        IN_PROGRESS,
        IN_PROGRESS,
        user.pk,
        display_name(user),
        REASON,
    )


@pytest.mark.parametrize("status", NOT_REJECTABLE)
def test_reject_where_step_has_no_reject_is_invalid_operation_for_everyone(clients, users, order, status):
    walk_to(users, order.pk, status)
    before = snapshot(order.pk)

    for key in EVERYONE:
        response = put(clients[key], order.pk, operation="reject", remark=REASON)
        assert_refused(response, 409, "invalid_operation", order.pk, before)


@pytest.mark.parametrize("status", REJECTABLE)
def test_reject_without_remark_is_validation_error_and_changes_nothing(clients, users, order, status):
    step = STEP_BY_STATUS[status]
    walk_to(users, order.pk, status)
    before = snapshot(order.pk)

    for body in (
        {"operation": "reject"},
        {"operation": "reject", "remark": ""},
        {"operation": "reject", "remark": " "},
    ):
        for actor in allowed(step):
            response = put(clients[actor], order.pk, **body)
            assert_refused(response, 400, "validation_error", order.pk, before)
            assert "remark" in response.json()["data"]["errors"], (actor, body)


@pytest.mark.parametrize("status", REJECTABLE)
def test_reject_with_legacy_reject_reason_moves_back_with_that_remark(clients, users, order, status):
    step = STEP_BY_STATUS[status]
    walk_to(users, order.pk, status)

    response = put(clients[allowed(step)[0]], order.pk, operation="reject", reject_reason="数量不符")

    assert response.status_code == 200, response.json()
    assert response.json()["data"]["status"] == step.reject
    assert last_journal(order.pk)[0:3] == ("reject", status, step.reject)
    assert last_journal(order.pk)[-1] == "数量不符"
    order.refresh_from_db()
    assert order.remark == "表面划伤"  # the reason is the operation's note, not the order's description


# --- Not in progress ---------------------------------------------------------------------------------
@pytest.mark.parametrize("state", [HALT, CANCEL])
@pytest.mark.parametrize("status", [step.status for step in ACTED])
def test_done_or_reject_while_halted_or_cancelled_is_invalid_operation(clients, users, order, status, state):
    step = STEP_BY_STATUS[status]
    bring_to(users, clients, order.pk, status, state)
    before = snapshot(order.pk)

    for key in {*allowed(step), "creator"}:
        for operation in (Operation.DONE, Operation.REJECT):
            response = put(clients[key], order.pk, operation=operation, remark=REASON)
            assert_refused(response, 409, "invalid_operation", order.pk, before)


@pytest.mark.parametrize("operation", [Operation.DONE, Operation.REJECT])
@pytest.mark.parametrize("status", [step.status for step in ACTED if step.reject])
def test_done_or_reject_on_overdue_order_acts_and_puts_it_back_in_progress(clients, users, order, status, operation):
    step = STEP_BY_STATUS[status]
    bring_to(users, clients, order.pk, status, OVERDUE)
    actor = allowed(step)[0]

    response = put(clients[actor], order.pk, operation=operation, remark=REASON)

    assert response.status_code == 200, response.json()
    target = step.done if operation == Operation.DONE else step.reject
    workflow_target = DONE if target == FINAL.status else IN_PROGRESS
    assert (response.json()["data"]["status"], response.json()["data"]["workflow_status"]) == (target, workflow_target)
    assert last_journal(order.pk)[:5] == (operation, status, target, OVERDUE, workflow_target)


# --- end --------------------------------------------------------------------------------------------
def test_any_write_at_end_is_invalid_operation_and_workflow_is_done(clients, users, order):
    walk_to(users, order.pk, FINAL.status)
    data = get(clients["creator"], order.pk).json()["data"]
    assert (data["status"], data["workflow_status"]) == (FINAL.status, DONE)
    before = snapshot(order.pk)

    for key in EVERYONE:
        assert get(clients[key], order.pk).json()["data"]["operations"] == []
        for operation in Operation:
            response = put(clients[key], order.pk, operation=operation, remark=REASON)
            assert_refused(response, 409, "invalid_operation", order.pk, before)
    for body in ({"type": "交期投诉"}, {"tracks": [{"remark": "跟进"}]}, {"duty_report": {"duty_to": "被告工厂"}}):
        assert_refused(put(clients["superuser"], order.pk, **body), 409, "invalid_operation", order.pk, before)
    assert_refused(clients["creator"].delete(f"{ORDERS}/{order.pk}"), 409, "invalid_operation", order.pk, before)


# --- summitted_at ------------------------------------------------------------------------------------
def test_submit_sets_summitted_at_and_resubmit_after_reject_updates_it(clients, order):
    assert order.summitted_at is None
    started = timezone.now()

    put(clients["creator"], order.pk, operation="done")  # waiting → service_approving: the submission
    order.refresh_from_db()
    first = order.summitted_at
    assert first is not None and first >= started
    assert get(clients["creator"], order.pk).json()["data"]["summitted_at"] is not None

    # Back to waiting; the earlier submission time stays until the next submission.
    assert put(clients["service"], order.pk, operation="reject", remark=REASON).status_code == 200
    order.refresh_from_db()
    assert (order.status, order.summitted_at) == (OPENED, first)

    assert put(clients["creator"], order.pk, operation="done").status_code == 200
    order.refresh_from_db()
    assert order.summitted_at > first


def test_done_after_submission_keeps_summitted_at(clients, users, order):
    walk_to(users, order.pk, STEP_BY_STATUS[OPENED].done)
    submitted = Order.objects.get(pk=order.pk).summitted_at

    walk_to(users, order.pk, FINAL.status)

    assert Order.objects.get(pk=order.pk).summitted_at == submitted


# --- halt / resume / cancel ------------------------------------------------------------------------
WORKFLOW_SOURCES = [IN_PROGRESS, HALT, OVERDUE, CANCEL, DONE]
WORKFLOW_CASES = [
    pytest.param(operation, source, id=f"{operation}-from-{source}")
    for operation in WORKFLOW_MOVES
    for source in WORKFLOW_SOURCES
]


@pytest.mark.parametrize(("operation", "source"), WORKFLOW_CASES)
def test_workflow_operation_from_each_workflow_status_follows_section_6(clients, users, order, operation, source):
    sources, target = WORKFLOW_MOVES[operation]
    status = FINAL.status if source == DONE else Status.MANAGER_REVIEWING
    bring_to(users, clients, order.pk, status, source)
    before = snapshot(order.pk)

    response = put(clients["creator"], order.pk, operation=operation, remark="说明")

    if source not in sources:
        assert_refused(response, 409, "invalid_operation", order.pk, before)
        return
    assert response.status_code == 200, response.json()
    assert (response.json()["data"]["status"], response.json()["data"]["workflow_status"]) == (status, target)
    assert last_journal(order.pk) == (
        operation,
        status,
        status,
        source,
        target,
        users["creator"].pk,
        "张三",
        "说明",
    )


@pytest.mark.parametrize("who", EVERYONE)
def test_halt_resume_cancel_by_creator_or_any_role_user_succeed(clients, order, who):
    for operation, expected in (("halt", HALT), ("resume", IN_PROGRESS), ("cancel", CANCEL)):
        response = put(clients[who], order.pk, operation=operation)
        assert response.status_code == 200, (operation, response.json())
        assert response.json()["data"]["workflow_status"] == expected
    assert Order.objects.get(pk=order.pk).status == OPENED


def test_halt_resume_cancel_by_specialist_without_role_is_forbidden(users, suppliers):
    order, plain = order_for_former_specialist(
        users["creator"], suppliers["customer"], suppliers["accuser"], first_name="赵六", reason="其它"
    )
    client = token_client(plain)
    assert get(client, order.pk).status_code == 200  # the assigned specialist sees the order ...

    for operation in ("halt", "cancel", "done"):
        before = snapshot(order.pk)
        assert_refused(put(client, order.pk, operation=operation), 403, "permission_denied", order.pk, before)
    services.order_update(user=users["creator"], order_id=order.pk, operation="halt")
    before = snapshot(order.pk)
    assert_refused(put(client, order.pk, operation="resume"), 403, "permission_denied", order.pk, before)


@pytest.mark.parametrize("status", [step.status for step in ACTED])
def test_halt_then_resume_at_each_step_keeps_status_and_restarts_clock(clients, users, order, status):
    walk_to(users, order.pk, status)
    Order.objects.filter(pk=order.pk).update(step_started_at=timezone.now() - timedelta(hours=1))

    assert put(clients["creator"], order.pk, operation="halt").status_code == 200
    before_resume = timezone.now()
    assert put(clients["creator"], order.pk, operation="resume").status_code == 200

    order.refresh_from_db()
    assert (order.status, order.workflow_status) == (status, IN_PROGRESS)
    assert order.step_started_at >= before_resume
    # ... and the chain goes on from where it stopped.
    step = STEP_BY_STATUS[status]
    assert put(clients[allowed(step)[0]], order.pk, operation="done").json()["data"]["status"] == step.done


def test_resume_from_overdue_restarts_clock_and_allows_done(clients, order):
    make_overdue(order.pk)

    response = put(clients["service"], order.pk, operation="resume")

    assert response.status_code == 200, response.json()
    order.refresh_from_db()
    assert order.workflow_status == IN_PROGRESS
    assert order.step_started_at > timezone.now() - timedelta(minutes=1)
    assert services.orders_mark_overdue() == 0
    assert put(clients["creator"], order.pk, operation="done").status_code == 200


# --- operations field ------------------------------------------------------------------------------
STATES = [
    pytest.param(step.status, state, id=f"{step.status}-{state}")
    for step in ACTED
    for state in (IN_PROGRESS, HALT, OVERDUE, CANCEL)
] + [pytest.param(FINAL.status, DONE, id=f"{FINAL.status}-{DONE}")]


@pytest.mark.parametrize(("status", "state"), STATES)
def test_operations_field_lists_exactly_what_each_user_can_apply(clients, users, suppliers, status, state):
    order, plain = order_for_former_specialist(
        users["creator"], suppliers["customer"], suppliers["accuser"], first_name="赵六", reason="其它"
    )
    viewers = {key: clients[key] for key in EVERYONE}
    viewers["plain_saler"] = token_client(plain)
    bring_to(users, clients, order.pk, status, state)
    before = snapshot(order.pk)

    for key, client in viewers.items():
        listed = get(client, order.pk).json()["data"]["operations"]
        assert set(listed) <= set(Operation.values)
        for operation in Operation:
            with rolled_back():
                response = put(client, order.pk, operation=operation, remark=REASON)
            applied = response.status_code == 200
            assert applied == (operation in listed), (key, operation.value, listed, response.json())
        assert snapshot(order.pk) == before


def test_operations_field_in_list_matches_detail(clients, users, order):
    walk_to(users, order.pk, Status.SERVICE_APPROVED)

    for key in EVERYONE:
        listed = clients[key].get(ORDERS).json()["data"]
        detail = get(clients[key], order.pk).json()["data"]
        assert [row["operations"] for row in listed if row["id"] == order.pk] == [detail["operations"]]


# --- Journal ---------------------------------------------------------------------------------------
def test_journal_has_one_row_per_operation_with_states_operator_and_remark(clients, users, order):
    names = {key: display_name(user) for key, user in users.items()}
    expected = [("create", STEPS[0].status, OPENED, IN_PROGRESS, IN_PROGRESS, names["creator"], "", "")]

    def apply(key: str, operation: str, remark: str = "", **extra: Any) -> None:
        before = Order.objects.get(pk=order.pk)
        written = Journal.objects.filter(order=order).count()
        prepare_done(users, before)  # what the step needs: its writes are journaled as `edit` rows
        for row in Journal.objects.filter(order=order).order_by("id")[written:]:
            assert (row.operation, row.source, row.target) == ("edit", before.status, before.status)
            expected.append(("edit", row.source, row.target, IN_PROGRESS, IN_PROGRESS, row.operator_name, "", ""))
        response = put(clients[key], order.pk, operation=operation, remark=remark, **extra)
        assert response.status_code == 200, response.json()
        after = Order.objects.get(pk=order.pk)
        # The signed-in user acts; a name the client sends is only what it claims (`on_behalf_of`).
        on_behalf_of = extra.get("operator_name", "")
        expected.append(
            (
                operation,
                before.status,
                after.status,
                before.workflow_status,
                after.workflow_status,
                names[key],
                on_behalf_of,
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
    for step in done_path(Status.SERVICE_APPROVING, FINAL.status):
        apply(sorted(step.actors)[0], "done", f"{step.status} 通过", operator_name=f"{step.status}-签字人")

    response = clients["creator"].get(f"{ORDERS}/{order.pk}/journals", {"per_page": 100})

    assert response.status_code == 200
    rows = response.json()["data"]
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
    ] == expected
    assert {row["order_id"] for row in rows} == {order.pk}
    assert [row["id"] for row in rows] == sorted(row["id"] for row in rows)
    assert all(len(row["created_at"]) == len("2026-01-01 00:00:00") for row in rows)
    assert response.json()["pagination"]["total"] == len(expected)
