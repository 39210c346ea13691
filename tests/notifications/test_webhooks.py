"""Outbound webhooks against a real local HTTP server (tests/notifications/conftest.py `receiver`).

The clock and the retry schedule are injected, so a delivery goes through its whole schedule
without sleeping; the only real waits are the slow endpoints' (about a second).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from urllib.parse import parse_qs, unquote_plus, urlsplit

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from notifications import services
from notifications.models import Delivery, DeliveryAttempt, DeliveryState, Kind, WebhookFormat
from notifications.services import RetrySchedule
from orders.workflow import Operation, Status
from tests.factories import WebhookFactory
from tests.notifications.conftest import Answer, act, advance

pytestmark = pytest.mark.django_db


class Clock:
    """A clock that moves only when told."""

    def __init__(self) -> None:
        self.now = timezone.now() + timedelta(seconds=1)

    def __call__(self) -> datetime:
        return self.now

    def to(self, moment: datetime) -> None:
        self.now = moment


def verify(secret: str, body: bytes, header: str) -> bool:
    """The receiver's check, as docs/webhooks.md shows it."""
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header)


def submit(users, order):
    """The creator submits: one `todo` event."""
    return act(users["creator"], order)


def attempts(delivery: Delivery) -> list[tuple[int | None, bool, str]]:
    return list(
        DeliveryAttempt.objects.filter(delivery=delivery).order_by("number").values_list("http_status", "ok", "error")
    )


# --- Formats ---------------------------------------------------------------------------------------
def test_generic_delivery_posts_signed_json_that_verifies(users, order, receiver):
    webhook = WebhookFactory(url=receiver.url("/hook"), secret="topsecret", kinds=[Kind.TODO])
    submit(users, order)

    outcomes = services.deliveries_send(now=Clock())

    assert [outcome.ok for outcome in outcomes] == [True]
    [request] = receiver.arrivals("/hook")
    assert verify("topsecret", request.body, request.headers["X-Afterservice-Signature"])
    assert not verify("another", request.body, request.headers["X-Afterservice-Signature"])
    payload = json.loads(request.body)
    delivery = Delivery.objects.get(webhook=webhook)
    assert payload == {
        "delivery_id": delivery.id,
        "event": "todo",
        "order": {
            "id": order.id,
            "serial_number": order.serial_number,
            "status": "service_approving",
            "status_label": "等待售后专员审核",
            "workflow_status": "in_progress",
            "workflow_status_label": "进行中",
        },
        "actor": {"username": "creator", "name": "张三"},
        "message": f"售后单 {order.serial_number} 待处理：等待售后专员审核（张三 提交）",
        "occurred_at": payload["occurred_at"],
        "link": f"/admin/orders/order/{order.id}/change/",
    }
    assert request.headers["X-Afterservice-Event"] == "todo"
    assert request.headers["X-Afterservice-Delivery"] == str(delivery.id)
    assert delivery.state == DeliveryState.DELIVERED
    assert attempts(delivery) == [(200, True, "")]


def test_link_is_absolute_under_the_public_url(users, order, receiver, settings):
    settings.AFTERSERVICE_PUBLIC_URL = "http://192.168.3.172:5050"
    WebhookFactory(url=receiver.url("/hook"))
    submit(users, order)

    services.deliveries_send(now=Clock())

    payload = json.loads(receiver.arrivals("/hook")[0].body)
    assert payload["link"] == f"http://192.168.3.172:5050/admin/orders/order/{order.id}/change/"


def test_wecom_posts_a_markdown_robot_message(users, order, receiver):
    receiver.answers["/wecom"] = Answer(200, b'{"errcode":0,"errmsg":"ok"}')
    WebhookFactory(url=receiver.url("/wecom?key=abc"), format=WebhookFormat.WECOM, secret="")
    advance(order, Status.MANAGER_REVIEWING, users["superuser"])
    Delivery.objects.all().delete()
    act(users["manager"], order, Operation.REJECT, remark="证据不足")

    [outcome] = services.deliveries_send(now=Clock())

    assert outcome.ok
    [request] = receiver.arrivals("/wecom")
    assert request.path == "/wecom?key=abc"
    body = json.loads(request.body)
    assert body["msgtype"] == "markdown"
    content = body["markdown"]["content"]
    assert content.startswith(f"### 【已驳回】售后单 {order.serial_number}")
    assert "证据不足" in content
    assert "**环节:** 售后专员已审核" in content
    assert "**操作人:** manager1" in content


def test_dingtalk_signs_the_url_with_its_secret(users, order, receiver):
    receiver.answers["/robot/send"] = Answer(200, b'{"errcode":0,"errmsg":"ok"}')
    WebhookFactory(url=receiver.url("/robot/send?access_token=T"), format=WebhookFormat.DINGTALK, secret="SECabc")
    submit(users, order)

    [outcome] = services.deliveries_send(now=Clock())

    assert outcome.ok
    [request] = receiver.arrivals("/robot/send")
    query = parse_qs(urlsplit(request.path).query)
    stamp = query["timestamp"][0]
    expected = base64.b64encode(hmac.new(b"SECabc", f"{stamp}\nSECabc".encode(), hashlib.sha256).digest()).decode()
    assert query["access_token"] == ["T"]
    assert unquote_plus(urlsplit(request.path).query.split("sign=")[1]) == expected
    assert abs(int(stamp) / 1000 - time.time()) < 60
    body = json.loads(request.body)
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["title"] == f"【待办】售后单 {order.serial_number}"
    assert "等待售后专员审核" in body["markdown"]["text"]


def test_feishu_signs_the_body_and_posts_rich_text(users, order, receiver, settings):
    settings.AFTERSERVICE_PUBLIC_URL = "https://afterservice.example.com"
    receiver.answers["/open-apis/bot/v2/hook/x"] = Answer(200, b'{"code":0,"msg":"success","data":{}}')
    WebhookFactory(url=receiver.url("/open-apis/bot/v2/hook/x"), format=WebhookFormat.FEISHU, secret="fs-secret")
    act(users["service"], order, Operation.CANCEL)

    [outcome] = services.deliveries_send(now=Clock())

    assert outcome.ok
    body = json.loads(receiver.arrivals("/open-apis/bot/v2/hook/x")[0].body)
    expected = base64.b64encode(hmac.new(f"{body['timestamp']}\nfs-secret".encode(), b"", hashlib.sha256).digest())
    assert body["sign"] == expected.decode()
    assert body["msg_type"] == "post"
    post = body["content"]["post"]["zh_cn"]
    assert post["title"] == f"【已取消】售后单 {order.serial_number}"
    assert post["content"][0] == [{"tag": "text", "text": f"售后单 {order.serial_number} 已被 李四 取消"}]
    assert post["content"][-1] == [
        {
            "tag": "a",
            "text": "查看售后单",
            "href": f"https://afterservice.example.com/admin/orders/order/{order.id}/change/",
        }
    ]


def test_platform_error_code_in_a_200_answer_is_a_failed_attempt(users, order, receiver):
    receiver.answers["/wecom"] = Answer(200, b'{"errcode":93000,"errmsg":"invalid webhook url"}')
    webhook = WebhookFactory(url=receiver.url("/wecom"), format=WebhookFormat.WECOM)
    submit(users, order)

    [outcome] = services.deliveries_send(now=Clock())

    assert not outcome.ok
    delivery = Delivery.objects.get(webhook=webhook)
    assert delivery.state == DeliveryState.PENDING
    assert attempts(delivery) == [(200, False, "platform error 93000: invalid webhook url")]


# --- Which deliveries an event makes ----------------------------------------------------------------
def test_event_makes_one_delivery_per_webhook_that_wants_one_of_its_kinds(users, order):
    both = WebhookFactory(kinds=[Kind.TODO, Kind.REJECTED])
    todo_only = WebhookFactory(kinds=[Kind.TODO])
    WebhookFactory(kinds=[Kind.FINISHED])
    WebhookFactory(kinds=[Kind.TODO, Kind.REJECTED], active=False)
    advance(order, Status.SERVICE_APPROVED, users["superuser"])
    Delivery.objects.all().delete()

    act(users["service"], order, Operation.REJECT, remark="再核实")  # rejected (creator) + todo (service)

    assert sorted(Delivery.objects.values_list("webhook_id", "kind")) == sorted(
        [(both.id, Kind.REJECTED), (todo_only.id, Kind.TODO)]
    )


def test_halt_makes_no_delivery(users, order):
    WebhookFactory()

    act(users["service"], order, Operation.HALT)

    assert not Delivery.objects.exists()


def test_request_path_queues_and_never_posts(clients, users, order, receiver):
    WebhookFactory(url=receiver.url("/hook"))

    response = clients["creator"].put(f"/api/v1/afterservice/orders/{order.pk}", {"operation": "done"}, format="json")

    assert response.status_code == 200
    time.sleep(0.3)
    assert receiver.arrivals("/hook") == []
    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.PENDING
    task = DBTaskResult.objects.get(task_path="notifications.tasks.send_deliveries")
    assert task.args_kwargs == {"args": [[delivery.id]], "kwargs": {}}


# --- Retries -----------------------------------------------------------------------------------------
def test_500_is_retried_after_a_minute_and_then_delivered(users, order, receiver):
    receiver.answers["/flaky"] = Answer(500, b"oops")
    webhook = WebhookFactory(url=receiver.url("/flaky"))
    submit(users, order)
    clock = Clock()

    services.deliveries_send(now=clock)
    delivery = Delivery.objects.get(webhook=webhook)
    assert delivery.state == DeliveryState.PENDING
    assert delivery.next_attempt_at == clock.now + timedelta(minutes=1)
    retry_task = DBTaskResult.objects.filter(run_after=delivery.next_attempt_at)
    assert retry_task.count() == 1  # the retry is queued for its time

    clock.to(clock.now + timedelta(seconds=59))
    assert services.deliveries_send(now=clock) == []  # not due yet

    receiver.answers["/flaky"] = Answer(200, b"fine")
    clock.to(delivery.next_attempt_at)
    services.deliveries_send(now=clock)

    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED
    assert attempts(delivery) == [(500, False, "HTTP 500"), (200, True, "")]
    assert len(receiver.arrivals("/flaky")) == 2


def test_timeout_is_recorded_and_retried(users, order, receiver):
    receiver.answers["/slow"] = Answer(200, b"late", delay=1.0)
    webhook = WebhookFactory(url=receiver.url("/slow"))
    submit(users, order)
    clock = Clock()

    started = time.monotonic()
    services.deliveries_send(now=clock, timeout=0.2)

    assert time.monotonic() - started < 0.9
    delivery = Delivery.objects.get(webhook=webhook)
    assert delivery.state == DeliveryState.PENDING
    assert delivery.next_attempt_at == clock.now + timedelta(minutes=1)
    [attempt] = DeliveryAttempt.objects.filter(delivery=delivery)
    assert (attempt.http_status, attempt.ok, attempt.error) == (None, False, "timed out after 0.2 s")
    assert attempt.duration_ms < 900


def test_default_schedule_retries_for_24_hours_then_fails(users, order, receiver):
    receiver.answers["/down"] = Answer(503, b"")
    webhook = WebhookFactory(url=receiver.url("/down"))
    submit(users, order)
    clock = Clock()
    first = clock.now

    while True:
        services.deliveries_send(now=clock)
        delivery = Delivery.objects.get(webhook=webhook)
        if delivery.state != DeliveryState.PENDING:
            break
        clock.to(delivery.next_attempt_at)

    assert delivery.state == DeliveryState.FAILED
    assert delivery.last_error == "HTTP 503"
    offsets = [
        at - first for at in DeliveryAttempt.objects.filter(delivery=delivery).values_list("started_at", flat=True)
    ]
    minutes = [timedelta(minutes=m) for m in (0, 1, 6, 36, 156, 516, 876, 1236, 1440)]
    assert offsets == minutes  # 0, 1 min, +5, +30, +2 h, then every 6 h, last at 24 h
    assert len(receiver.arrivals("/down")) == 9


def test_injected_schedule_gives_up_at_its_limit(users, order, receiver):
    receiver.answers["/down"] = Answer(500, b"")
    webhook = WebhookFactory(url=receiver.url("/down"))
    submit(users, order)
    schedule = RetrySchedule(
        delays=(timedelta(seconds=10),), then_every=timedelta(seconds=20), give_up_after=timedelta(seconds=45)
    )
    clock = Clock()

    for _ in range(10):
        services.deliveries_send(now=clock, schedule=schedule)
        delivery = Delivery.objects.get(webhook=webhook)
        if delivery.next_attempt_at is None:
            break
        clock.to(delivery.next_attempt_at)

    assert delivery.state == DeliveryState.FAILED
    assert delivery.attempts == 4  # at 0, 10, 30 and 45 s


# --- Isolation -----------------------------------------------------------------------------------------
def test_slow_endpoint_does_not_delay_another_webhook_of_the_same_event(users, order, receiver):
    receiver.answers["/slow"] = Answer(200, b"late", delay=1.5)
    WebhookFactory(url=receiver.url("/slow"), name="慢")
    fast = WebhookFactory(url=receiver.url("/fast"), name="快")
    submit(users, order)

    started = time.monotonic()
    outcomes = services.deliveries_send(now=Clock())

    assert receiver.arrivals("/fast")[0].at - started < 0.5
    assert time.monotonic() - started >= 1.5  # this call waited for the slow one; the fast one did not
    assert all(outcome.ok for outcome in outcomes)
    assert Delivery.objects.get(webhook=fast).state == DeliveryState.DELIVERED


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_busy_with_a_slow_endpoint_still_delivers_a_later_event_at_once(users, order, receiver):
    """The worker's task hands deliveries to sender threads and returns: a delivery queued while a
    slow endpoint is being waited for goes out at once, not after it."""
    receiver.answers["/slow"] = Answer(200, b"late", delay=2.0)
    WebhookFactory(url=receiver.url("/slow"), kinds=[Kind.TODO])
    WebhookFactory(url=receiver.url("/fast"), kinds=[Kind.CANCELLED])
    pool = ThreadPoolExecutor(max_workers=4)
    try:
        submit(users, order)  # todo → the slow endpoint
        services.deliveries_dispatch(executor=pool, now=Clock())
        receiver.wait_for("/slow")

        act(users["service"], order, Operation.CANCEL)  # cancelled → the fast endpoint
        started = time.monotonic()
        services.deliveries_dispatch(executor=pool, now=Clock())
        fast = receiver.wait_for("/fast", seconds=1.0)

        assert fast[0].at - started < 0.5
        assert fast[0].at < receiver.arrivals("/slow")[0].at + 2.0  # before the slow one answered
    finally:
        pool.shutdown(wait=True)
    assert sorted(Delivery.objects.values_list("state", flat=True)) == [DeliveryState.DELIVERED] * 2


# --- Lost tasks, crashed workers, inactive webhooks, retry now -------------------------------------
def test_delivery_whose_task_was_lost_is_sent_by_the_sweep(users, order, receiver):
    webhook = WebhookFactory(url=receiver.url("/hook"))
    submit(users, order)
    DBTaskResult.objects.all().delete()  # the task never reached the worker

    services.deliveries_send(now=Clock())  # the sweep: every due delivery, no ids

    assert Delivery.objects.get(webhook=webhook).state == DeliveryState.DELIVERED
    assert len(receiver.arrivals("/hook")) == 1


def test_claim_of_a_crashed_worker_expires_and_the_delivery_is_sent_once(users, order, receiver):
    webhook = WebhookFactory(url=receiver.url("/hook"))
    submit(users, order)
    clock = Clock()
    services.deliveries_claim(now=clock())  # a worker claims it, then dies

    assert services.deliveries_send(now=clock) == []  # claimed: nobody else sends it
    clock.to(clock.now + timedelta(minutes=2))
    services.deliveries_send(now=clock)

    assert Delivery.objects.get(webhook=webhook).state == DeliveryState.DELIVERED
    assert len(receiver.arrivals("/hook")) == 1


def test_delivery_of_a_deactivated_webhook_fails_without_a_request(users, order, receiver):
    webhook = WebhookFactory(url=receiver.url("/hook"))
    submit(users, order)
    webhook.active = False
    webhook.save()

    assert services.deliveries_send(now=Clock()) == []

    delivery = Delivery.objects.get(webhook=webhook)
    assert (delivery.state, delivery.last_error) == (DeliveryState.FAILED, "the webhook is inactive")
    assert receiver.arrivals("/hook") == []


def test_retry_now_sends_a_failed_delivery_once_more(users, order, receiver):
    receiver.answers["/hook"] = Answer(500, b"")
    webhook = WebhookFactory(url=receiver.url("/hook"))
    submit(users, order)
    services.deliveries_send(now=Clock(), schedule=RetrySchedule(give_up_after=timedelta(0)))
    delivery = Delivery.objects.get(webhook=webhook)
    assert delivery.state == DeliveryState.FAILED
    receiver.answers["/hook"] = Answer(200, b"")

    assert services.deliveries_retry_now(ids=[delivery.id]) == 1
    services.deliveries_send(now=Clock())

    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED
    assert delivery.attempts == 2


def test_test_message_reaches_an_inactive_webhook(users, receiver):
    webhook = WebhookFactory(url=receiver.url("/hook"), active=False, name="财务群")

    services.webhook_send_test(webhook_id=webhook.id, user=users["superuser"])
    [outcome] = services.deliveries_send(now=Clock())

    assert outcome.ok
    payload = json.loads(receiver.arrivals("/hook")[0].body)
    assert (payload["event"], payload["order"]) == ("test", None)
    assert "财务群" in payload["message"]
