"""Query parameters and output shapes of the statistics endpoints (validation and shape only)."""

from __future__ import annotations

from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from orders.serializers import EnumField
from stats.selectors import CYCLE_STATUSES, GROUP_BY, OrderStats


class OrderStatsParams(serializers.Serializer):
    group_by = EnumField(
        choices=GROUP_BY,
        error_messages={
            "required": format_lazy(_("Required; allowed values: {allowed}."), allowed=", ".join(GROUP_BY)),
            "null": format_lazy(_("Required; allowed values: {allowed}."), allowed=", ".join(GROUP_BY)),
        },
    )


class OrderStatsSerializer(serializers.Serializer):
    key = serializers.CharField(help_text='The group: a month `YYYY-MM` (local time) or the value; `""` for none.')
    orders = serializers.IntegerField()
    in_progress = serializers.IntegerField(help_text="Open claims: workflow in_progress, overdue or halt.")
    finished = serializers.IntegerField(help_text="Workflow done (finance approved).")
    cancelled = serializers.IntegerField()
    compensation = serializers.DecimalField(
        max_digits=20, decimal_places=2, help_text="Sum of the duty reports' compensation."
    )
    deducted = serializers.DecimalField(max_digits=20, decimal_places=2, help_text="Sum of the deductions.")

    def to_representation(self, instance: OrderStats) -> dict[str, Any]:
        # The fields above give the shape and the schema; a row is written out directly, as DRF's
        # fields would (tests/stats/test_api_stats.py compares the two): a few hundred groups through
        # the fields cost as much as the query that counted them.
        return {
            "key": instance.key,
            "orders": instance.orders,
            "in_progress": instance.in_progress,
            "finished": instance.finished,
            "cancelled": instance.cancelled,
            "compensation": f"{instance.compensation:.2f}",
            "deducted": f"{instance.deducted:.2f}",
        }


class CycleTimeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=CYCLE_STATUSES)
    count = serializers.IntegerField(help_text="Completed stays in the status.")
    median_hours = serializers.FloatField(allow_null=True, help_text="Nearest-rank median, hours to 0.1.")
    p90_hours = serializers.FloatField(allow_null=True, help_text="Nearest-rank 90th percentile, hours to 0.1.")
