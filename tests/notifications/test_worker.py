"""End to end: a real `manage.py db_worker` in a subprocess delivers what a transition queued.

PostgreSQL only (`postgres_only`): the worker is another process, so it needs the committed
rows of a transactional test in a database it can open by name; the in-memory SQLite test
database lives inside this process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from notifications.models import Delivery, DeliveryState, Kind
from orders.workflow import Operation
from tests.factories import WebhookFactory
from tests.notifications.conftest import Answer, act

pytestmark = pytest.mark.postgres_only

ROOT = Path(__file__).resolve().parents[2]


def worker_env() -> dict[str, str]:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return {**os.environ, "DATABASE_URL": url, "AFTERSERVICE_DEV_KEY_OK": "1", "DEBUG": "0", "LOG_LEVEL": "WARNING"}


def wait_until(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_db_worker_delivers_queued_webhooks_and_a_slow_one_delays_no_other(users, order, receiver):
    receiver.answers["/slow"] = Answer(200, b"late", delay=3.0)
    WebhookFactory(url=receiver.url("/slow"), kinds=[Kind.TODO])
    WebhookFactory(url=receiver.url("/fast"), kinds=[Kind.TODO, Kind.CANCELLED])
    act(users["creator"], order)  # committed: a todo event for both webhooks, its task queued

    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--interval", "0.1", "--no-startup-delay", "--no-reload"],
        cwd=ROOT,
        env=worker_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        first_fast = receiver.wait_for("/fast", seconds=30)[0]
        receiver.wait_for("/slow", seconds=5)
        act(users["service"], order, Operation.CANCEL)  # a second event while the slow answer is pending
        second_fast = receiver.wait_for("/fast", count=2, seconds=10)[1]
        slow = receiver.arrivals("/slow")[0]

        assert abs(first_fast.at - slow.at) < 1.0  # the same event's deliveries went out together
        assert second_fast.at < slow.at + 3.0  # the later event did not wait for the slow answer
        assert wait_until(
            lambda: set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.DELIVERED}, seconds=15
        ), list(Delivery.objects.values_list("webhook__url", "state", "last_error"))
    finally:
        worker.send_signal(signal.SIGTERM)
        output = worker.communicate(timeout=30)[0].decode(errors="replace")
    assert worker.returncode == 0, output
    assert "Traceback" not in output, output
