"""Inlines of the order page: abnormal products, duty report, follow-ups, deductions, journal."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from orders import selectors, workflow
from orders.admin.changes import describe_changes
from orders.admin.forms import AbnormalProductForm, DutyReportForm
from orders.models import AbnormalProduct, Deduction, DutyReport, Journal, Order, Track
from orders.workflow import Content


class RecordInlineMixin:
    """A record inline is writable only where the edit table (`workflow.EDIT_TABLE`) lets this user
    change its `content` now; otherwise it is shown read-only (the service would refuse anyway)."""

    content: str
    # Notes in a table row: a few lines, not the full-page textarea of a form.
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})}}

    def _writable(self, request: HttpRequest, order: Order | None) -> bool:
        if order is None:  # the add page: the user is the creator
            return True
        return not order.is_deleted and workflow.may_edit(order, request.user, self.content)

    def has_add_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        return self._writable(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        return self._writable(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        return self._writable(request, obj) and super().has_delete_permission(request, obj)

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "compensation":
            kwargs["min_value"] = 0  # the CHECK constraint's rule, as a form error
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class AbnormalProductInline(RecordInlineMixin, admin.TabularInline):
    content = Content.ABNORMAL_PRODUCTS
    model = AbnormalProduct
    form = AbnormalProductForm
    autocomplete_fields = ["product"]
    fields = ["product", "product_item_name", "remark"]
    readonly_fields = ["product_item_name"]
    extra = 0

    def get_extra(self, request: HttpRequest, obj: Order | None = None, **kwargs: Any) -> int:
        return 1 if obj is None else 0


class DutyReportInline(RecordInlineMixin, admin.StackedInline):
    content = Content.DUTY_REPORT
    model = DutyReport
    form = DutyReportForm
    fields = [
        ("abnormal_type", "abnormal_reason"),
        ("publish_to", "publishment"),
        ("compensation", "duty_date"),
        ("duty_to", "duty_to_supplier"),
    ]
    readonly_fields = ["duty_to_supplier"]
    max_num = 1
    can_delete = False

    def get_formset(self, request: HttpRequest, obj: Order | None = None, **kwargs: Any) -> Any:
        form = type(self.form.__name__, (self.form,), {"options": selectors.active_option_values()})
        return super().get_formset(request, obj, form=form, **kwargs)


class TrackInline(RecordInlineMixin, admin.TabularInline):
    """Follow-up notes are append only: existing rows are read-only, new ones take a note."""

    content = Content.TRACKS
    model = Track
    fields = ["remark", "operator_name", "created_at"]
    readonly_fields = ["operator_name", "created_at"]
    extra = 0
    can_delete = False

    def has_change_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        return False


class DeductionInline(RecordInlineMixin, admin.TabularInline):
    content = Content.DEDUCTIONS
    model = Deduction
    fields = ["compensation", "has_receipt", "remark", "created_at"]
    readonly_fields = ["created_at"]
    extra = 0


class JournalInline(admin.TabularInline):
    """The order's journal, oldest first (newest last), with what each request changed, in words;
    read-only for everyone."""

    model = Journal
    fields = [
        "created_at",
        "operation",
        "source",
        "target",
        "workflow_source",
        "workflow_target",
        "operator_name",
        "on_behalf_of",
        "remark",
        "changes_display",
    ]
    readonly_fields = fields

    @admin.display(description=Journal._meta.get_field("changes").verbose_name)
    def changes_display(self, obj: Journal) -> str:
        return describe_changes(obj.changes)

    ordering = ["id"]
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
