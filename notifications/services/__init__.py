"""Every write of the notifications app (see each module's docstring)."""

from notifications.services.deliveries import (
    DEFAULT_SCHEDULE,
    RetrySchedule,
    deliveries_claim,
    deliveries_dispatch,
    deliveries_enqueue,
    deliveries_retry_now,
    deliveries_send,
    delivery_record,
)
from notifications.services.notify import notify_overdue, notify_transition, order_link, webhook_send_test
from notifications.services.periodic import periodic_run, periodic_start
from notifications.services.reading import notifications_mark_read

__all__ = [
    "DEFAULT_SCHEDULE",
    "RetrySchedule",
    "deliveries_claim",
    "deliveries_dispatch",
    "deliveries_enqueue",
    "deliveries_retry_now",
    "deliveries_send",
    "delivery_record",
    "notifications_mark_read",
    "notify_overdue",
    "notify_transition",
    "order_link",
    "periodic_run",
    "periodic_start",
    "webhook_send_test",
]
