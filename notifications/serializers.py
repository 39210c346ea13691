"""Input validation and output shape of the notification endpoints."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from notifications.models import Kind, Notification
from orders.fields import WireDateTime
from orders.wire import fmt_datetime
from orders.workflow import Status

MAX_IDS = 100
MAX_ID = 2**63 - 1  # the database's bigint


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    order_id = serializers.IntegerField()
    serial_number = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices, help_text="The order's status when this was written.")
    message = serializers.CharField()
    created_at = WireDateTime()
    read_at = WireDateTime(allow_null=True, help_text="null while unread.")

    def to_representation(self, notification: Notification) -> dict[str, Any]:
        return {
            "id": notification.id,
            "kind": notification.kind,
            "order_id": notification.order_id,
            "serial_number": notification.order.serial_number,
            "status": notification.status,
            "message": notification.message,
            "created_at": fmt_datetime(notification.created_at),
            "read_at": fmt_datetime(notification.read_at),
        }


class NotificationListParams(serializers.Serializer):
    unread = serializers.BooleanField(required=False, default=False)


class MarkReadInput(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        max_length=MAX_IDS,
        required=False,
        help_text=f"Ids of your notifications to mark read (at most {MAX_IDS}); others' are ignored.",
    )
    all = serializers.BooleanField(required=False, default=False, help_text="true: mark all your notifications read.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["all"] and "ids" in attrs:
            raise serializers.ValidationError({"all": [_("Send either “ids” or “all”: true, not both.")]})
        if not attrs["all"] and "ids" not in attrs:
            raise serializers.ValidationError({"ids": [_("Send “ids” (a list of notification ids) or “all”: true.")]})
        return attrs


class MarkReadResult(serializers.Serializer):
    updated = serializers.IntegerField(help_text="How many of your unread notifications are now read.")
