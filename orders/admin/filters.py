"""Changelist filters of the order admin."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from orders import selectors, workflow
from orders.models import OptionCategory, Order
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


class OrderTypeFilter(admin.SimpleListFilter):
    """The order type, choices from its option list (`ordertype`): Django's filter for a field
    without choices would read `SELECT DISTINCT type` over every order on each page load."""

    title = Order._meta.get_field("type").verbose_name
    parameter_name = "type__exact"  # the name Django's own filter used: bookmarked links keep working

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, Any]]:
        values = selectors.option_values(OptionCategory.ORDER_TYPE)
        chosen = self.value()
        if chosen and chosen not in values:  # a retired type, chosen by a link: still shown
            values.append(chosen)
        return [(value, value) for value in values]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Order]) -> QuerySet[Order] | None:
        if self.value() is not None:
            return queryset.filter(type=self.value())
        return None


class TodoFilter(admin.SimpleListFilter):
    """待我处理: the orders the signed-in user may apply `done` to now (the API's `?todo=1`)."""

    title = _("my to-do")
    parameter_name = "todo"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, Any]]:
        return [("1", _("Waiting for me"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Order]) -> QuerySet[Order] | None:
        if self.value() == "1":
            return queryset.filter(selectors.todo_condition(request.user), is_deleted=False)
        return None


class DeletedFilter(admin.SimpleListFilter):
    """Soft-deleted orders stay in the back office with their journal, but out of the way: hidden
    unless asked for."""

    title = _("deleted")
    parameter_name = "deleted"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, Any]]:
        return [("all", _("Including deleted")), ("only", _("Deleted only"))]

    def choices(self, changelist: Any) -> Any:
        # The default (no parameter) is "not deleted": say so instead of Django's "All".
        for choice in super().choices(changelist):
            if choice["query_string"] == changelist.get_query_string(remove=[self.parameter_name]):
                choice["display"] = _("Not deleted")
            yield choice

    def queryset(self, request: HttpRequest, queryset: QuerySet[Order]) -> QuerySet[Order]:
        if self.value() == "all":
            return queryset
        if self.value() == "only":
            return queryset.filter(is_deleted=True)
        return queryset.filter(is_deleted=False)
