"""Every read of notifications and deliveries, shaped for its page."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from notifications.models import Delivery, Notification

# Columns a notification list item needs (the order's serial number comes with it).
LIST_FIELDS = ("id", "kind", "order_id", "order__serial_number", "status", "message", "created_at", "read_at")


def notification_list(*, user: Any, unread: bool = False) -> QuerySet[Notification]:
    """The user's notifications (only unread ones with `unread`), newest first, one query per page."""
    notifications = Notification.objects.filter(recipient_id=user.pk)
    if unread:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.select_related("order").only(*LIST_FIELDS).order_by("-created_at", "-id")


def unread_count(user: Any) -> int:
    """How many of the user's notifications are unread (0 for an anonymous user)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def deliveries_in_back_office() -> QuerySet[Delivery]:
    return Delivery.objects.select_related("webhook", "order")
