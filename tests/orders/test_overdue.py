"""Overdue orders (docs/workflow.md): `manage.py mark_overdue` flags in-progress orders whose step is older
than the SLA, journaled by the system; `resume` restarts the step's clock; `done`/`reject` still act on
an overdue order and put it back in progress."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from orders import services
from orders.models import Journal, Order
from orders.workflow import Status, WorkflowStatus
from tests.factories import make_order
from tests.helpers import advance, assert_error, assert_ok, db_state, journal_rows, make_overdue, order_url

IN_PROGRESS, OVERDUE = WorkflowStatus.IN_PROGRESS, WorkflowStatus.OVERDUE


@pytest.fixture
def order(users, suppliers, products):
    return make_order(
        users["creator"], suppliers["customer"], suppliers["accuser"], abnormal_products=[{"sku_code": "SKU-1"}]
    )


def age(order: Order, hours: float) -> None:
    """Pretends the order's current step started `hours` ago."""
    Order.objects.filter(pk=order.pk).update(step_started_at=timezone.now() - timedelta(hours=hours))


def operate(users: dict[str, Any], order: Order, operation: str) -> Order:
    services.order_update(user=users["creator"], order_id=order.pk, operation=operation)
    return Order.objects.get(pk=order.pk)


def run_mark_overdue(*args: str) -> str:
    out = io.StringIO()
    call_command("mark_overdue", *args, stdout=out)
    return out.getvalue().strip()


# --- The sweep: manage.py mark_overdue ---------------------------------------------------------
def test_mark_overdue_marks_only_stale_in_progress_orders_with_system_journal(users, suppliers, order):
    sla = settings.AFTERSERVICE_STEP_SLA_HOURS

    def make() -> Order:
        return make_order(users["creator"], suppliers["customer"], suppliers["accuser"])

    stale = advance(users, order, Status.MANAGER_REVIEWING)
    fresh, halted, cancelled, deleted = make(), make(), make(), make()
    operate(users, halted, "halt")
    operate(users, cancelled, "cancel")
    services.order_delete(user=users["creator"], order_id=deleted.pk)
    for old in (stale, halted, cancelled, deleted):
        age(old, sla + 1)
    age(fresh, sla - 1)
    untouched = db_state(fresh, halted, cancelled, deleted)

    output = run_mark_overdue()

    assert output == "mark_overdue: 1 order(s) marked overdue"
    stale.refresh_from_db()
    assert (stale.status, stale.workflow_status) == (Status.MANAGER_REVIEWING, OVERDUE)
    journal = Journal.objects.filter(order=stale).last()
    assert (
        journal.operation,
        journal.source,
        journal.target,
        journal.workflow_source,
        journal.workflow_target,
        journal.operator_id,
        journal.operator_name,
    ) == ("overdue", Status.MANAGER_REVIEWING, Status.MANAGER_REVIEWING, IN_PROGRESS, OVERDUE, None, "system")
    assert db_state(fresh, halted, cancelled, deleted) == untouched


def test_mark_overdue_run_twice_marks_nothing_new(users, order):
    age(order, settings.AFTERSERVICE_STEP_SLA_HOURS + 1)
    assert run_mark_overdue() == "mark_overdue: 1 order(s) marked overdue"
    after_first = db_state()

    assert run_mark_overdue() == "mark_overdue: 0 order(s) marked overdue"

    assert db_state() == after_first


def test_mark_overdue_ignores_finished_order(users, order):
    advance(users, order, Status.END)
    age(order, settings.AFTERSERVICE_STEP_SLA_HOURS + 1)
    before = db_state()

    assert run_mark_overdue() == "mark_overdue: 0 order(s) marked overdue"

    assert db_state() == before


def test_resume_after_overdue_restarts_clock_so_next_sweep_skips_it(users, order):
    age(order, settings.AFTERSERVICE_STEP_SLA_HOURS + 1)
    run_mark_overdue()

    order = operate(users, order, "resume")

    assert order.workflow_status == IN_PROGRESS
    assert timezone.now() - order.step_started_at < timedelta(minutes=1)
    assert run_mark_overdue() == "mark_overdue: 0 order(s) marked overdue"
    journal = Journal.objects.filter(order=order).last()
    assert (journal.operation, journal.workflow_source, journal.workflow_target) == ("resume", OVERDUE, IN_PROGRESS)


def test_mark_overdue_sla_comes_from_setting_or_hours_option(settings, users, order):
    settings.AFTERSERVICE_STEP_SLA_HOURS = 1
    age(order, 2)

    assert run_mark_overdue("--hours", "3") == "mark_overdue: 0 order(s) marked overdue"
    assert run_mark_overdue() == "mark_overdue: 1 order(s) marked overdue"


def test_every_move_restarts_the_step_clock(users, order):
    age(order, settings.AFTERSERVICE_STEP_SLA_HOURS + 1)

    advance(users, order, Status.SERVICE_APPROVING)

    assert run_mark_overdue() == "mark_overdue: 0 order(s) marked overdue"


# --- Overdue flags a late step; it does not block it ----------------------------------------------------
@pytest.mark.parametrize(
    ("status", "actor", "operation", "target"),
    [
        ("waiting", "creator", "done", "service_approving"),
        ("service_approving", "service", "reject", "waiting"),
        ("manager_reviewing", "manager", "done", "manager_reviewed"),
        ("chief_reviewed", "chief", "reject", "chief_reviewing"),
        ("finance_reviewing", "finance", "done", "end"),
    ],
)
def test_done_or_reject_on_an_overdue_order_acts_and_journals_overdue_to_in_progress(
    clients, users, order, status, actor, operation, target
):
    advance(users, order, status, ready=True)
    make_overdue(order)

    response = clients[actor].put(order_url(order.pk), {"operation": operation, "remark": "迟了"}, format="json")

    workflow_target = "done" if target == "end" else IN_PROGRESS
    data = assert_ok(response)
    assert (data["status"], data["workflow_status"]) == (target, workflow_target)
    row = journal_rows(order)[-1]
    assert (row.operation, row.source, row.target, row.workflow_source, row.workflow_target) == (
        operation,
        status,
        target,
        OVERDUE,
        workflow_target,
    )
    assert run_mark_overdue() == "mark_overdue: 0 order(s) marked overdue"  # the new step's clock is fresh


def test_done_on_an_overdue_order_by_someone_who_does_not_act_there_is_still_forbidden(clients, users, order):
    advance(users, order, "manager_reviewing", ready=True)
    make_overdue(order)
    before = db_state()

    response = clients["chief"].put(order_url(order.pk), {"operation": "done"}, format="json")

    assert_error(response, 403, "permission_denied")
    assert db_state() == before
