"""Every order's journal across orders, read-only."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from orders import selectors
from orders.admin.changes import describe_changes
from orders.models import Journal, Order


@admin.register(Journal)
class JournalAdmin(admin.ModelAdmin):
    """Every order's journal across orders, for audits, newest first. Rows are never added,
    changed or deleted here, not by superusers either: services write them in the transaction of
    their event."""

    list_display = [
        "created_at",
        "order_serial_number",
        "operation",
        "source",
        "target",
        "workflow_target",
        "operator_name",
        "on_behalf_of",
        "remark",
        "changes_display",
    ]
    fields = [
        "order",
        "created_at",
        "operation",
        ("source", "target"),
        ("workflow_source", "workflow_target"),
        ("operator_name", "on_behalf_of"),
        "remark",
        "changes_display",
    ]
    readonly_fields = [name for entry in fields for name in (entry if isinstance(entry, tuple) else (entry,))]
    ordering = ["-id"]
    list_select_related = ["order"]
    list_filter = ["operation", "workflow_target"]
    search_fields = ["order__serial_number", "operator_name", "remark"]
    date_hierarchy = "created_at"
    list_per_page = 50

    def get_queryset(self, request: HttpRequest) -> QuerySet[Journal]:
        return selectors.journals_in_back_office(request.user).select_related("order")

    @admin.display(description=Journal._meta.get_field("changes").verbose_name)
    def changes_display(self, obj: Journal) -> str:
        return describe_changes(obj.changes)

    @admin.display(description=Order._meta.verbose_name, ordering="order__serial_number")
    def order_serial_number(self, obj: Journal) -> str:
        return obj.order.serial_number

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Journal | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Journal | None = None) -> bool:
        return False
