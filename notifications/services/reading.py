"""Reading one's notifications: marking them read."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from notifications.models import Notification


@transaction.atomic
def notifications_mark_read(*, user: Any, ids: Sequence[int] | None, now: datetime | None = None) -> int:
    """Marks the user's unread notifications read: those of `ids`, or all of them when `ids` is None.
    Others' ids and already read ones are not counted; returns how many changed."""
    unread = Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=now or timezone.now())
