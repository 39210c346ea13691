"""Jobs the worker runs periodically, without cron: each is a chain of tasks that re-enqueues itself.

- `deliveries` (every minute): sends due webhook deliveries nobody has claimed — the backstop
  for a delivery whose task was lost or whose worker died mid-attempt.
- `mark_overdue` (every `AFTERSERVICE_OVERDUE_SWEEP_MINUTES`, default 15; 0 leaves it to cron):
  the overdue sweep of `manage.py mark_overdue`.
- `prune_task_results` (daily, database task backend): finished task rows older than 14 days.

`periodic_start` (`manage.py start_schedules`, run by `make run` and after each deploy) starts
a chain for each job that has none alive. A run first enqueues its successor (in the same
transaction as taking its lease, so a crash during the job does not end the chain), then does
the job. Never twice in parallel: a run takes the job's lease (`running_until`) and a run that
finds it taken skips the job; a task of an older chain (its `token` replaced by a restart)
stops without a successor.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from notifications.models import PeriodicJob

logger = logging.getLogger("afterservice.periodic")

# A run holds its job this long at most; a worker that died mid-run frees the job after it.
LEASE = timedelta(minutes=30)
# A chain whose next run is this much later than planned is taken for dead and restarted.
GRACE = timedelta(minutes=5)


@dataclass(frozen=True)
class Job:
    name: str
    interval: timedelta
    run: Callable[[], str]


# The tasks module imports the services (tasks call services), hence the imports inside functions.
def _sweep_deliveries() -> str:
    from notifications.services.deliveries import deliveries_dispatch
    from notifications.tasks import sender_pool

    return f"{len(deliveries_dispatch(executor=sender_pool()))} due deliveries handed to the sender"


def _mark_overdue() -> str:
    from orders.services import orders_mark_overdue

    return f"{orders_mark_overdue()} order(s) marked overdue"


def _prune_task_results() -> str:
    call_command("prune_db_task_results", verbosity=0)
    return "finished task results older than 14 days pruned"


def periodic_jobs() -> dict[str, Job]:
    """The jobs as configured now."""
    jobs = [Job("deliveries", timedelta(minutes=1), _sweep_deliveries)]
    if settings.AFTERSERVICE_OVERDUE_SWEEP_MINUTES > 0:
        jobs.append(Job("mark_overdue", timedelta(minutes=settings.AFTERSERVICE_OVERDUE_SWEEP_MINUTES), _mark_overdue))
    if settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend":
        jobs.append(Job("prune_task_results", timedelta(days=1), _prune_task_results))
    return {job.name: job for job in jobs}


def periodic_start(*, now: datetime | None = None) -> list[str]:
    """Starts a chain for each configured job without a live one; stops the chains of jobs no
    longer configured. Safe to run at any time and any number of times. Returns the started names."""
    from notifications.tasks import enqueue_in_transaction, run_periodic_job

    now = now or timezone.now()
    jobs = periodic_jobs()
    started = []
    with transaction.atomic():
        PeriodicJob.objects.exclude(name__in=list(jobs)).update(token="", next_run_at=None)
        for job in jobs.values():
            row, _created = PeriodicJob.objects.select_for_update().get_or_create(
                name=job.name, defaults={"interval_seconds": int(job.interval.total_seconds())}
            )
            row.interval_seconds = int(job.interval.total_seconds())
            alive = bool(row.token) and row.next_run_at is not None and row.next_run_at > now - job.interval - GRACE
            if not alive:
                row.token, row.next_run_at = uuid.uuid4().hex, now
                enqueue_in_transaction(run_periodic_job, job.name, row.token)
                started.append(job.name)
            row.save()
    return started


def periodic_run(*, name: str, token: str, now: Callable[[], datetime] = timezone.now) -> str:
    """One run of a chain: enqueue the successor, then do the job unless another run holds it."""
    from notifications.tasks import enqueue_in_transaction, run_periodic_job

    job = periodic_jobs().get(name)
    with transaction.atomic():
        row = PeriodicJob.objects.select_for_update().filter(name=name).first()
        if job is None or row is None or row.token != token:
            return "superseded"
        started = now()
        row.next_run_at = started + job.interval
        enqueue_in_transaction(run_periodic_job, name, token, run_after=row.next_run_at)
        busy = row.running_until is not None and row.running_until > started
        if not busy:
            row.running_until, row.last_started_at = started + LEASE, started
        row.save()
    if busy:
        return "skipped: the previous run still holds the job"
    try:
        result = job.run()
    except Exception as exc:
        logger.exception("periodic job %s failed", name)
        result = f"failed: {type(exc).__name__}: {exc}"
    PeriodicJob.objects.filter(name=name, token=token).update(
        running_until=None, last_finished_at=now(), last_result=result[:1000]
    )
    return result
