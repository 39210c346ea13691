"""The back office of notifications and webhooks: webhook CRUD by permission, the delivery log
with its attempts and "retry now", one's own notifications and the unread count in the header."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from notifications.models import Delivery, DeliveryAttempt, DeliveryState, Kind, Notification, Webhook
from orders.workflow import Status
from tests.factories import UserFactory, WebhookFactory, make_order

pytestmark = pytest.mark.django_db

WEBHOOKS = "admin:notifications_webhook_changelist"
WEBHOOK_ADD = "admin:notifications_webhook_add"
DELIVERIES = "admin:notifications_delivery_changelist"
NOTIFICATIONS = "admin:notifications_notification_changelist"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def staff(db):
    return UserFactory(username="clerk", first_name="赵六", is_staff=True)


@pytest.fixture
def webhook_manager(db):
    user = UserFactory(username="ops", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="notifications", codename__endswith="_webhook"),
        Permission.objects.get(codename="view_delivery"),
    )
    return user


def form_data(**overrides):
    return {
        "name": "售后群",
        "format": "generic",
        "url": "https://hooks.example.com/afterservice?key=SECRETKEY",
        "secret": "s3cret",
        "kinds": ["todo", "rejected"],
        "active": "on",
        **overrides,
    }


# --- Webhooks -------------------------------------------------------------------------------------
def test_superuser_adds_a_webhook_with_kinds_and_secret(superuser):
    response = login(superuser).post(reverse(WEBHOOK_ADD), form_data())

    assert response.status_code == 302
    webhook = Webhook.objects.get()
    assert (webhook.kinds, webhook.secret, webhook.format) == (["todo", "rejected"], "s3cret", "generic")


def test_webhook_list_shows_the_host_not_the_key_and_is_chinese(superuser):
    WebhookFactory(url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRETKEY", format="wecom")

    page = login(superuser).get(reverse(WEBHOOKS)).content.decode()

    assert "qyapi.weixin.qq.com" in page
    assert "SECRETKEY" not in page
    assert "企业微信群机器人" in page


def test_generic_webhook_without_secret_is_refused(superuser):
    response = login(superuser).post(reverse(WEBHOOK_ADD), form_data(secret=""))

    assert response.status_code == 200
    assert "通用格式的 Webhook 必须设置密钥" in response.content.decode()
    assert not Webhook.objects.exists()


def test_webhook_with_a_non_http_url_is_refused(superuser):
    response = login(superuser).post(reverse(WEBHOOK_ADD), form_data(url="ftp://example.com/x"))

    assert response.status_code == 200
    assert not Webhook.objects.exists()


def test_editing_with_a_blank_secret_keeps_the_stored_one(superuser):
    webhook = WebhookFactory(secret="stored")
    client = login(superuser)
    change = reverse("admin:notifications_webhook_change", args=[webhook.pk])

    assert "stored" not in client.get(change).content.decode()  # never rendered back
    response = client.post(change, form_data(secret="", name="改名"))

    assert response.status_code == 302
    webhook.refresh_from_db()
    assert (webhook.name, webhook.secret) == ("改名", "stored")


def test_staff_without_the_permission_cannot_open_webhooks(staff):
    WebhookFactory()

    assert login(staff).get(reverse(WEBHOOKS)).status_code == 403
    assert login(staff).post(reverse(WEBHOOK_ADD), form_data()).status_code == 403
    assert Webhook.objects.count() == 1


def test_staff_with_the_webhook_permissions_manages_webhooks(webhook_manager):
    response = login(webhook_manager).post(reverse(WEBHOOK_ADD), form_data())

    assert response.status_code == 302
    assert Webhook.objects.count() == 1


def test_send_test_message_queues_a_delivery_without_sending(superuser):
    webhook = WebhookFactory()

    response = login(superuser).post(
        reverse(WEBHOOKS), {"action": "send_test", "_selected_action": [webhook.pk]}, follow=True
    )

    assert "已排队测试消息：1 条" in response.content.decode()
    delivery = Delivery.objects.get()
    assert (delivery.kind, delivery.state, delivery.attempts) == ("test", DeliveryState.PENDING, 0)
    assert DBTaskResult.objects.filter(task_path="notifications.tasks.send_deliveries").count() == 1


# --- Deliveries ------------------------------------------------------------------------------------
@pytest.fixture
def failed_delivery(db):
    delivery = Delivery.objects.create(
        webhook=WebhookFactory(name="钉钉群"),
        kind="test",
        event={"event": "test"},
        state=DeliveryState.FAILED,
        attempts=1,
        last_error="HTTP 500",
    )
    DeliveryAttempt.objects.create(
        delivery=delivery,
        number=1,
        started_at=delivery.created_at,
        duration_ms=12,
        http_status=500,
        ok=False,
        error="HTTP 500",
    )
    return delivery


def test_deliveries_filter_by_state_and_show_their_attempts(superuser, failed_delivery):
    client = login(superuser)

    failed = client.get(reverse(DELIVERIES), {"state__exact": "failed"}).content.decode()
    delivered = client.get(reverse(DELIVERIES), {"state__exact": "delivered"}).content.decode()
    detail = client.get(reverse("admin:notifications_delivery_change", args=[failed_delivery.pk])).content.decode()

    assert "钉钉群" in failed
    assert "钉钉群" not in delivered
    assert "投递尝试" in detail
    assert "HTTP 500" in detail


def test_retry_now_requeues_a_failed_delivery(superuser, failed_delivery):
    response = login(superuser).post(
        reverse(DELIVERIES), {"action": "retry_now", "_selected_action": [failed_delivery.pk]}, follow=True
    )

    assert "已重新排队投递：1 条" in response.content.decode()
    failed_delivery.refresh_from_db()
    assert failed_delivery.state == DeliveryState.PENDING
    assert DBTaskResult.objects.filter(task_path="notifications.tasks.send_deliveries").count() == 1


def test_deliveries_are_read_only_and_retry_needs_the_webhook_permission(failed_delivery):
    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_delivery"))
    client = login(viewer)

    page = client.get(reverse(DELIVERIES)).content.decode()
    response = client.post(reverse(DELIVERIES), {"action": "retry_now", "_selected_action": [failed_delivery.pk]})

    assert "retry_now" not in page
    assert response.status_code in (200, 302)
    failed_delivery.refresh_from_db()
    assert failed_delivery.state == DeliveryState.FAILED
    assert client.get(reverse("admin:notifications_delivery_add")).status_code == 403


# --- Notifications -----------------------------------------------------------------------------------
@pytest.fixture
def notes(staff, superuser, creator, suppliers):
    order = make_order(creator, suppliers["customer"], suppliers["accuser"], reason="其它")
    mine = [
        Notification.objects.create(
            recipient=staff, kind=Kind.TODO, order=order, status=Status.WAITING, message=f"给赵六{i}"
        )
        for i in range(2)
    ]
    other = Notification.objects.create(
        recipient=superuser, kind=Kind.OVERDUE, order=order, status=Status.WAITING, message="给管理员"
    )
    return {"mine": mine, "other": other}


def test_header_shows_the_unread_count_linking_to_own_unread(staff, notes):
    page = login(staff).get(reverse("admin:index")).content.decode()

    assert "通知（2）" in page
    assert reverse(NOTIFICATIONS) + "?mine=1&amp;read=no" in page


def test_staff_sees_only_own_notifications(staff, notes):
    page = login(staff).get(reverse(NOTIFICATIONS)).content.decode()

    assert "给赵六0" in page
    assert "给管理员" not in page


def test_superuser_sees_everyone_and_filters_own_unread(superuser, notes):
    client = login(superuser)

    everyone = client.get(reverse(NOTIFICATIONS)).content.decode()
    own = client.get(reverse(NOTIFICATIONS), {"mine": "1", "read": "no"}).content.decode()

    assert "给赵六0" in everyone
    assert "给管理员" in everyone
    assert "给管理员" in own
    assert "给赵六0" not in own


def test_mark_read_action_marks_own_and_lowers_the_count(staff, notes):
    client = login(staff)

    client.post(reverse(NOTIFICATIONS), {"action": "mark_read", "_selected_action": [notes["mine"][0].pk]})

    assert Notification.objects.filter(recipient=staff, read_at__isnull=True).count() == 1
    assert "通知（1）" in client.get(reverse("admin:index")).content.decode()
    assert Notification.objects.get(pk=notes["other"].pk).read_at is None


def test_periodic_jobs_page_opens(superuser):
    assert login(superuser).get(reverse("admin:notifications_periodicjob_changelist")).status_code == 200
