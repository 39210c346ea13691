"""Who is notified of what: each transition kind, never oneself, never an inactive user, nothing
after a rolled-back change. Orders move through the real order services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from notifications.models import Delivery, Kind, Notification
from notifications.services import notify_overdue, notify_transition
from orders import services
from orders.models import Order
from orders.workflow import Operation, Status
from tests.factories import UserFactory, WebhookFactory, make_order
from tests.notifications.conftest import act, advance

pytestmark = pytest.mark.django_db


def inbox(order: Order) -> dict[str, str]:
    """username → kind of the notifications about `order`."""
    rows = Notification.objects.filter(order=order).values_list("recipient__username", "kind")
    names = [name for name, _kind in rows]
    assert len(names) == len(set(names)), f"someone was notified twice: {names}"
    return dict(rows)


def test_submit_by_creator_notifies_service_users_todo(users, order, service_user2):
    act(users["creator"], order)

    assert inbox(order) == {"service1": Kind.TODO, "service2": Kind.TODO}


def test_done_by_one_specialist_notifies_the_other_specialists_only(users, order, service_user2):
    advance(order, Status.SERVICE_APPROVING, users["superuser"])
    Notification.objects.all().delete()

    act(users["service"], order)

    assert inbox(order) == {"service2": Kind.TODO}


def test_done_to_manager_step_notifies_managers_todo_with_sentence(users, order):
    advance(order, Status.SERVICE_APPROVED, users["superuser"])
    Notification.objects.all().delete()

    act(users["service"], order)

    note = Notification.objects.get(order=order)
    assert (note.recipient, note.kind, note.status) == (users["manager"], Kind.TODO, Status.MANAGER_REVIEWING)
    assert note.message == f"售后单 {order.serial_number} 待您处理：等待负责人审批（李四 提交）"


def test_reject_notifies_creator_rejected_and_previous_step_actors_todo(users, order):
    advance(order, Status.MANAGER_REVIEWING, users["superuser"])
    Notification.objects.all().delete()

    act(users["manager"], order, Operation.REJECT, remark="责任判定依据不足")

    assert inbox(order) == {"creator": Kind.REJECTED, "service1": Kind.TODO}
    rejected = Notification.objects.get(order=order, kind=Kind.REJECTED)
    assert rejected.status == Status.SERVICE_APPROVED
    assert "manager1" in rejected.message
    assert "责任判定依据不足" in rejected.message


def test_reject_back_to_waiting_gives_creator_rejected_not_also_todo(users, order, service_user2):
    advance(order, Status.SERVICE_APPROVING, users["superuser"])
    Notification.objects.all().delete()

    act(users["service"], order, Operation.REJECT, remark="缺少照片")

    assert inbox(order) == {"creator": Kind.REJECTED}


def test_last_done_notifies_creator_finished_only(users, order):
    advance(order, Status.FINANCE_REVIEWING, users["superuser"])
    Notification.objects.all().delete()

    act(users["finance"], order)

    assert inbox(order) == {"creator": Kind.FINISHED}


def test_cancel_by_specialist_notifies_creator_cancelled(users, order):
    act(users["service"], order, Operation.CANCEL)

    assert inbox(order) == {"creator": Kind.CANCELLED}


def test_cancel_by_creator_notifies_nobody(users, order):
    act(users["creator"], order, Operation.CANCEL)

    assert inbox(order) == {}


def test_halt_and_resume_notify_nobody(users, order):
    act(users["service"], order, Operation.HALT)
    act(users["manager"], order, Operation.RESUME)

    assert inbox(order) == {}


def test_finishing_own_order_notifies_nobody(users, suppliers):
    """A superuser who filed the order approves its last step: the creator is the actor."""
    own = make_order(users["superuser"], suppliers["customer"], suppliers["accuser"], reason="其它")
    advance(own, Status.FINANCE_REVIEWING, users["superuser"])
    Notification.objects.all().delete()

    act(users["superuser"], own)

    assert inbox(own) == {}


def test_creator_who_is_a_specialist_is_not_told_of_own_submit(users, suppliers, service_user2):
    specialist_order = make_order(users["service"], suppliers["customer"], suppliers["accuser"], reason="其它")

    act(users["service"], specialist_order)

    assert inbox(specialist_order) == {"service2": Kind.TODO}


def test_inactive_users_are_never_notified(users, order, service_user2):
    service_user2.is_active = False
    service_user2.save(update_fields=["is_active"])
    users["creator"].is_active = False
    users["creator"].save(update_fields=["is_active"])

    act(users["creator"], order)  # an inactive user's own session could still finish a request
    act(users["service"], order, Operation.REJECT, remark="退回")

    assert inbox(order) == {"service1": Kind.TODO}


def test_overdue_sweep_notifies_step_actors_and_every_chief(users, order):
    second_chief = UserFactory(username="chief2", roles=["chief"])
    UserFactory(username="chief3", roles=["chief"], is_active=False)
    advance(order, Status.MANAGER_REVIEWING, users["superuser"])
    Notification.objects.all().delete()

    marked = services.orders_mark_overdue(now=timezone.now() + timedelta(hours=100))

    assert marked == 1
    assert inbox(order) == {"manager1": Kind.OVERDUE, "chief1": Kind.OVERDUE, second_chief.username: Kind.OVERDUE}
    assert Notification.objects.filter(order=order).first().message.startswith(f"售后单 {order.serial_number} 已超时")


def test_overdue_at_waiting_notifies_creator_and_chiefs(users, order):
    services.orders_mark_overdue(now=timezone.now() + timedelta(hours=100))

    assert inbox(order) == {"creator": Kind.OVERDUE, "chief1": Kind.OVERDUE}


def test_rolled_back_transition_notifies_nobody_and_queues_nothing(users, order):
    WebhookFactory(kinds=[Kind.TODO])
    tasks_before = DBTaskResult.objects.count()

    with pytest.raises(RuntimeError), transaction.atomic():
        act(users["creator"], order)
        assert Notification.objects.filter(order=order).exists()  # written inside the transaction
        raise RuntimeError("the request failed after the transition")

    assert Order.objects.get(pk=order.pk).status == Status.WAITING
    assert not Notification.objects.exists()
    assert not Delivery.objects.exists()
    assert DBTaskResult.objects.count() == tasks_before


def test_refused_operation_notifies_nobody(users, order, clients):
    response = clients["manager"].put(f"/api/v1/afterservice/orders/{order.pk}", {"operation": "done"}, format="json")

    assert response.status_code == 403
    assert not Notification.objects.exists()


def test_messages_follow_the_default_language(users, order, settings):
    settings.LANGUAGE_CODE = "en"

    act(users["creator"], order)

    note = Notification.objects.get(order=order)
    assert note.message == f"Order {order.serial_number} awaits you: awaiting specialist review (submitted by 张三)"


def test_notify_transition_called_directly_writes_one_notification_per_person(users, order):
    order.refresh_from_db()
    notify_transition(
        order=order,
        operation=Operation.CANCEL,
        source=Status.WAITING,
        workflow_source="in_progress",
        actor=users["manager"],
    )
    notify_overdue(order=order)

    assert sorted(Notification.objects.values_list("recipient__username", "kind")) == [
        ("chief1", Kind.OVERDUE),
        ("creator", Kind.CANCELLED),
        ("creator", Kind.OVERDUE),
    ]
