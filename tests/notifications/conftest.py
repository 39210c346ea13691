"""A real local HTTP server for webhook tests, and order helpers shared by the notification tests."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from orders import services
from orders.models import DutyReport, Order
from orders.workflow import SERVICE, Operation, Status
from tests.factories import UserFactory, make_order


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float  # time.monotonic() when the request arrived


@dataclass
class Answer:
    status: int = 200
    body: bytes = b"ok"
    delay: float = 0.0  # seconds before answering


@dataclass
class Receiver:
    """What the test server answers per path (`answers`), and what it received (`received`)."""

    base: str
    answers: dict[str, Answer] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return self.base + path

    def arrivals(self, prefix: str) -> list[Received]:
        with self.lock:
            return [item for item in self.received if item.path.startswith(prefix)]

    def wait_for(self, prefix: str, count: int = 1, seconds: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = self.arrivals(prefix)
            if len(found) >= count:
                return found
            time.sleep(0.01)
        raise AssertionError(f"{count} request(s) to {prefix} did not arrive in {seconds} s: {self.arrivals(prefix)}")


@pytest.fixture
def receiver():
    """An HTTP server on a free loopback port, one thread per request (a slow answer blocks no other)."""
    state: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            target = state["receiver"]
            with target.lock:
                target.received.append(Received(self.path, dict(self.headers.items()), body, time.monotonic()))
            answer = target.answers.get(self.path.split("?", 1)[0], Answer())
            if answer.delay:
                time.sleep(answer.delay)
            try:
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)
            except OSError:
                pass  # the client gave up (a timeout test)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state["receiver"] = Receiver(base=f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield state["receiver"]
    server.shutdown()
    server.server_close()


@pytest.fixture
def service_user2(db):
    return UserFactory(username="service2", first_name="王五", roles=[SERVICE])


@pytest.fixture
def order(creator, suppliers):
    """A waiting order of the plain creator."""
    return make_order(creator, suppliers["customer"], suppliers["accuser"], reason="其它")


def act(user: Any, order: Order, operation: str = Operation.DONE, remark: str = "") -> Order:
    return services.order_apply_operation(user=user, order_id=order.pk, operation=operation, remark=remark)


def advance(order: Order, status: str, superuser: Any) -> Order:
    """`done` as the superuser (in no role group, so never a recipient) until the order is at
    `status`; the order is `其它` without compensation, so the only step guard is the duty report,
    written by the superuser too (an edit notifies nobody)."""
    order.refresh_from_db()
    while True:
        writable = order.status in (Status.SERVICE_APPROVING, Status.SERVICE_APPROVED)
        if writable and not DutyReport.objects.filter(order=order).exists():  # whoever acts next needs it
            services.duty_report_upsert(user=superuser, order_id=order.pk, values={"abnormal_type": ""})
        if order.status == status:
            return order
        order = act(superuser, order)
