"""Background tasks, through Django's Tasks API (the django-tasks backport on Django 5.2).

The embedded default backend keeps the queue in the database and `manage.py db_worker` runs it;
TASKS_BACKEND=rq moves it to RQ on Redis (docs/webhooks.md). Tasks call services and hold no
logic of their own.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django_tasks import task
from django_tasks.base import Task
from django_tasks_db import DatabaseBackend

from notifications import services


def enqueue_in_transaction(task: Task, *args: Any, run_after: datetime | None = None) -> None:
    """Queues `task` so that it exists exactly if the caller's transaction commits.

    The database backend writes the task row through the caller's connection: it commits or
    rolls back with the change. Any other backend queues elsewhere, so it is queued on commit
    (a crash right after the commit loses it; the periodic delivery sweep covers that).
    """
    if run_after is not None:
        task = task.using(run_after=run_after)
    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(*args)
    else:
        transaction.on_commit(lambda: task.enqueue(*args))


_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def sender_pool() -> ThreadPoolExecutor:
    """This worker process's webhook sender threads (created on first use, kept for its life)."""
    global _pool  # one pool per process, created lazily (only a worker sends)
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(
                max_workers=settings.AFTERSERVICE_WEBHOOK_THREADS, thread_name_prefix="webhook-sender"
            )
        return _pool


@task()
def send_deliveries(delivery_ids: list[int]) -> int:
    """Hands the due ones of these deliveries to the sender threads; returns how many."""
    return len(services.deliveries_dispatch(executor=sender_pool(), ids=delivery_ids))


@task()
def run_periodic_job(name: str, token: str) -> str:
    """One run of a periodic job's chain (notifications/services/periodic.py)."""
    return services.periodic_run(name=name, token=token)
