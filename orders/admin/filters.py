"""Changelist filters of the order admin."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from orders import workflow
from orders.models import Order
from orders.workflow import WorkflowStatus


class OverdueFilter(admin.SimpleListFilter):
    """Marked overdue by the sweep, or in progress and already past the step deadline."""

    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, Any]]:
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Order]) -> QuerySet[Order] | None:
        cutoff = workflow.overdue_cutoff()
        late = Q(workflow_status=WorkflowStatus.OVERDUE) | Q(
            workflow_status=WorkflowStatus.IN_PROGRESS, step_started_at__lt=cutoff
        )
        if self.value() == "yes":
            return queryset.filter(late)
        if self.value() == "no":
            return queryset.exclude(late)
        return None
