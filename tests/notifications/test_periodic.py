"""The worker's periodic jobs: one chain per job, restarted when dead, never overlapping."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from notifications import services, tasks
from notifications.models import Delivery, DeliveryState, Kind, Notification, PeriodicJob
from orders.models import Order
from orders.workflow import WorkflowStatus
from tests.factories import WebhookFactory
from tests.notifications.conftest import act

pytestmark = pytest.mark.django_db

RUN = "notifications.tasks.run_periodic_job"


def chain_tasks(name: str) -> list[DBTaskResult]:
    return [task for task in DBTaskResult.objects.filter(task_path=RUN) if task.args_kwargs["args"][0] == name]


def start() -> str:
    out = io.StringIO()
    call_command("start_schedules", stdout=out)
    return out.getvalue()


def test_start_schedules_starts_each_job_once(settings):
    first = start()
    second = start()

    assert set(PeriodicJob.objects.values_list("name", flat=True)) == {
        "deliveries",
        "mark_overdue",
        "prune_task_results",
    }
    assert "mark_overdue every 0:15:00 — started" in first
    assert "mark_overdue every 0:15:00 — already running" in second
    assert {name: len(chain_tasks(name)) for name in ("deliveries", "mark_overdue", "prune_task_results")} == {
        "deliveries": 1,
        "mark_overdue": 1,
        "prune_task_results": 1,
    }


def test_start_restarts_a_dead_chain_and_the_old_one_stops(settings):
    start()
    job = PeriodicJob.objects.get(name="mark_overdue")
    old_token = job.token
    PeriodicJob.objects.filter(pk=job.pk).update(next_run_at=timezone.now() - timedelta(hours=1))  # its task was lost

    assert "mark_overdue every 0:15:00 — started" in start()
    job.refresh_from_db()
    assert job.token != old_token
    assert len(chain_tasks("mark_overdue")) == 2
    before = DBTaskResult.objects.count()
    assert services.periodic_run(name="mark_overdue", token=old_token) == "superseded"
    assert DBTaskResult.objects.count() == before  # the old chain ends: no successor


def test_run_enqueues_its_successor_then_runs_the_overdue_sweep(users, order):
    start()
    job = PeriodicJob.objects.get(name="mark_overdue")
    Order.objects.filter(pk=order.pk).update(step_started_at=timezone.now() - timedelta(days=4))
    moment = timezone.now()

    result = services.periodic_run(name="mark_overdue", token=job.token, now=lambda: moment)

    assert result == "1 order(s) marked overdue"
    assert Order.objects.get(pk=order.pk).workflow_status == WorkflowStatus.OVERDUE
    assert set(Notification.objects.values_list("kind", flat=True)) == {Kind.OVERDUE}
    job.refresh_from_db()
    assert (job.next_run_at, job.running_until, job.last_result) == (moment + timedelta(minutes=15), None, result)
    assert moment + timedelta(minutes=15) in {task.run_after for task in chain_tasks("mark_overdue")}


def test_run_while_another_holds_the_job_skips_it_but_keeps_the_chain(users, order):
    start()
    job = PeriodicJob.objects.get(name="mark_overdue")
    PeriodicJob.objects.filter(pk=job.pk).update(running_until=timezone.now() + timedelta(minutes=10))
    Order.objects.filter(pk=order.pk).update(step_started_at=timezone.now() - timedelta(days=4))

    result = services.periodic_run(name="mark_overdue", token=job.token)

    assert result == "skipped: the previous run still holds the job"
    assert Order.objects.get(pk=order.pk).workflow_status == WorkflowStatus.IN_PROGRESS
    assert len(chain_tasks("mark_overdue")) == 2  # the first run and its successor


def test_failing_job_is_recorded_and_the_chain_goes_on(monkeypatch):
    start()
    job = PeriodicJob.objects.get(name="mark_overdue")

    def broken() -> int:
        raise RuntimeError("database went away")

    monkeypatch.setattr("orders.services.orders_mark_overdue", broken)

    result = services.periodic_run(name="mark_overdue", token=job.token)

    assert result == "failed: RuntimeError: database went away"
    job.refresh_from_db()
    assert (job.running_until, job.last_result) == (None, result)
    assert len(chain_tasks("mark_overdue")) == 2


def test_overdue_sweep_off_leaves_it_to_cron(settings):
    start()
    settings.AFTERSERVICE_OVERDUE_SWEEP_MINUTES = 0
    old_token = PeriodicJob.objects.get(name="mark_overdue").token

    output = start()

    assert "mark_overdue" not in output
    assert PeriodicJob.objects.get(name="mark_overdue").token == ""
    assert services.periodic_run(name="mark_overdue", token=old_token) == "superseded"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_delivery_sweep_sends_what_is_due(users, order, receiver, monkeypatch):
    webhook = WebhookFactory(url=receiver.url("/hook"))
    act(users["creator"], order)
    DBTaskResult.objects.filter(task_path="notifications.tasks.send_deliveries").delete()  # the task was lost
    pool = ThreadPoolExecutor(max_workers=2)
    monkeypatch.setattr(tasks, "_pool", pool)  # the worker's sender threads, owned by this test
    start()

    result = services.periodic_run(name="deliveries", token=PeriodicJob.objects.get(name="deliveries").token)
    pool.shutdown(wait=True)

    assert result == "1 due deliveries handed to the sender"
    assert Delivery.objects.get(webhook=webhook).state == DeliveryState.DELIVERED
    assert len(receiver.arrivals("/hook")) == 1
