"""Who hears of an order's event: the notifications and the webhook deliveries it causes.

Both functions run inside the caller's transaction (the order service's): the notifications,
the deliveries and the task that sends them commit with the change or not at all.

| event                                   | notified                                           |
|-----------------------------------------|----------------------------------------------------|
| `done`/`reject` to a status before `end` | the new status's actors: `todo`                   |
| `reject`                                | also the creator: `rejected` (instead of `todo`)   |
| `done` to `end`                         | the creator: `finished`                            |
| `cancel`                                | the creator: `cancelled`                           |
| `halt`, `resume`                        | nobody                                             |
| the overdue sweep                       | the step's actors and every `chief`: `overdue`     |

A status's actors are the active users of its role groups, and the creator where the creator
acts; at `waiting` only the creator (the submission is theirs; `service` may help, but is not
asked to). Nobody is notified of their own action, inactive users never, and each person gets
one notification per event (a creator rejected back to `waiting` gets `rejected`, not also `todo`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from afterservice_site.people import display_name
from notifications import messages
from notifications.models import DELIVERY_TEST, Delivery, Kind, Notification, Webhook
from notifications.services.deliveries import deliveries_enqueue
from orders.exceptions import NotFound
from orders.models import Order
from orders.workflow import CHIEF, CREATOR, FINAL_STATUS, ROLES, STEP_BY_STATUS, SUBMIT_FROM, Operation, WorkflowStatus


def notify_transition(
    *, order: Order, operation: str, source: str, workflow_source: str, actor: Any, remark: str = ""
) -> None:
    """After `order` moved by `operation` (`order.status` / `order.workflow_status` are the new
    state; `source` / `workflow_source` the old): notifies its people and queues its webhooks.
    `remark` is the operation's note (a reject's reason is quoted to the creator). Who hears
    depends on the new state alone; the old one is part of the call for callers' symmetry with
    the journal."""
    creator_kind: str | None = None
    todo = False
    if operation == Operation.CANCEL:
        creator_kind = Kind.CANCELLED
    elif operation in (Operation.DONE, Operation.REJECT):
        if order.status == FINAL_STATUS:
            creator_kind = Kind.FINISHED
        else:
            todo = order.workflow_status == WorkflowStatus.IN_PROGRESS
            if operation == Operation.REJECT:
                creator_kind = Kind.REJECTED
    kinds = [kind for kind in (creator_kind, Kind.TODO if todo else None) if kind]
    if not kinds:
        return  # halt, resume: nobody

    roles, with_creator = _actors(order.status) if todo else (frozenset(), False)
    members, creator_active = _active_users(order, roles, creator=with_creator or creator_kind is not None)
    recipients: dict[int, str] = dict.fromkeys(members, Kind.TODO) if todo else {}
    if creator_active:
        if creator_kind is not None:  # the creator's own kind wins over `todo`
            recipients[order.creator_id] = creator_kind
        elif with_creator:
            recipients[order.creator_id] = Kind.TODO
    recipients.pop(getattr(actor, "pk", None), None)

    event = messages.Event(
        serial_number=order.serial_number,
        status=order.status,
        operation=operation,
        actor_name=display_name(actor),
        remark=remark,
    )
    _write(order, event, recipients, kinds, actor)


def notify_overdue(*, order: Order) -> None:
    """After the overdue sweep marked `order` overdue: its step's actors and every `chief` (the system acted)."""
    roles, with_creator = _actors(order.status)
    members, creator_active = _active_users(order, roles | {CHIEF}, creator=with_creator)
    recipients = dict.fromkeys(members, Kind.OVERDUE)
    if creator_active:
        recipients[order.creator_id] = Kind.OVERDUE
    event = messages.Event(
        serial_number=order.serial_number,
        status=order.status,
        operation="overdue",
        actor_name="",
        step_started_at=order.step_started_at,
    )
    _write(order, event, recipients, [Kind.OVERDUE], None)


# --- Steps ----------------------------------------------------------------------------------------
def _actors(status: str) -> tuple[frozenset[str], bool]:
    """The role groups and whether the creator act at `status` (at `waiting`: the creator alone)."""
    actors = STEP_BY_STATUS[status].actors
    if status == SUBMIT_FROM:
        return frozenset(), True
    return frozenset(actors & set(ROLES)), CREATOR in actors


def _active_users(order: Order, roles: frozenset[str] | set[str], *, creator: bool) -> tuple[set[int], bool]:
    """Active members of `roles` (ids) and, when asked, whether the creator is active: one query."""
    condition = Q(groups__name__in=roles) if roles else Q(pk__in=[])
    if creator:
        condition |= Q(pk=order.creator_id)
    rows = get_user_model().objects.filter(condition, is_active=True).values_list("pk", "groups__name")
    members, creator_active = set(), False
    for pk, group in rows:
        if group in roles:
            members.add(pk)
        if pk == order.creator_id and creator:
            creator_active = True
    return members, creator_active


def _write(order: Order, event: messages.Event, recipients: dict[int, str], kinds: Sequence[str], actor: Any) -> None:
    now = timezone.now()
    texts = {kind: messages.sentence(kind, event, for_recipient=True) for kind in set(recipients.values())}
    Notification.objects.bulk_create(
        Notification(
            recipient_id=user_id,
            kind=kind,
            order=order,
            status=order.status,
            message=texts[kind],
            created_at=now,
        )
        for user_id, kind in sorted(recipients.items())
    )
    deliveries = []
    for webhook in Webhook.objects.filter(active=True):
        kind = next((kind for kind in kinds if webhook.wants(kind)), None)
        if kind is not None:
            snapshot = _snapshot(order, kind, messages.sentence(kind, event, for_recipient=False), actor, now)
            deliveries.append(Delivery(webhook=webhook, kind=kind, order=order, event=snapshot, next_attempt_at=now))
    if deliveries:
        Delivery.objects.bulk_create(deliveries)
        deliveries_enqueue(ids=[delivery.pk for delivery in deliveries])


def _snapshot(order: Order, kind: str, message: str, actor: Any, now: Any) -> dict[str, Any]:
    """The event as webhooks see it, fixed now so that every retry sends the same content."""
    return {
        "event": kind,
        "order": {
            "id": order.pk,
            "serial_number": order.serial_number,
            "status": order.status,
            "status_label": messages.status_label(order.status),
            "workflow_status": order.workflow_status,
            "workflow_status_label": messages.workflow_status_label(order.workflow_status),
        },
        "actor": {"username": actor.get_username(), "name": display_name(actor)} if actor is not None else None,
        "message": message,
        "occurred_at": messages.wire_time(now),
        "link": order_link(order.pk),
    }


def order_link(order_id: int) -> str:
    """The order's admin page, absolute under `AFTERSERVICE_PUBLIC_URL` when that is set."""
    return settings.AFTERSERVICE_PUBLIC_URL + reverse("admin:orders_order_change", args=[order_id])


@transaction.atomic
def webhook_send_test(*, webhook_id: int, user: Any) -> Delivery:
    """Queues a test message to one webhook (the admin's "send a test message"), active or not
    yet: it goes through the worker like any delivery, so its result shows in the delivery log."""
    webhook = Webhook.objects.filter(pk=webhook_id).first()
    if webhook is None:
        raise NotFound()
    now = timezone.now()
    snapshot = {
        "event": DELIVERY_TEST,
        "order": None,
        "actor": {"username": user.get_username(), "name": display_name(user)},
        "message": messages.ping_sentence(webhook.name),
        "occurred_at": messages.wire_time(now),
        "link": settings.AFTERSERVICE_PUBLIC_URL + reverse("admin:index"),
    }
    delivery = Delivery.objects.create(webhook=webhook, kind=DELIVERY_TEST, event=snapshot, next_attempt_at=now)
    deliveries_enqueue(ids=[delivery.pk])
    return delivery
