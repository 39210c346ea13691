"""The order pages of the back office: changelist, add and change forms, CSV export, actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ERROR_FLAG
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from afterservice_site.people import display_name
from orders import selectors, services, workflow
from orders.admin.attachments import AttachmentInline, AttachmentsMixin
from orders.admin.bulk import BulkOperationsMixin
from orders.admin.common import CountedChangeList, CountedPaginator, error_text, short_time
from orders.admin.export import orders_csv_response
from orders.admin.filters import DeletedFilter, OrderTypeFilter, OverdueFilter, TodoFilter
from orders.admin.forms import OrderAdminForm
from orders.admin.formsets import FORMSET_DATA, formset_touched, note_formset_changes
from orders.admin.inlines import AbnormalProductInline, DeductionInline, DutyReportInline, JournalInline, TrackInline
from orders.admin.workflow_panel import WorkflowPanelMixin
from orders.exceptions import DomainError, NotPermitted
from orders.models import Order
from orders.workflow import Content, Operation, WorkflowStatus
from stats.xlsx import orders_xlsx_response

HEADER_FIELDS = ["type", "reason", "customer", "accuser", "saler", "creator_name", "remark"]
# Read-only, the specialist is shown by the name people know (not the username).
LOCKED_HEADER_FIELDS = ["type", "reason", "customer", "accuser", "saler_name", "creator_name", "remark"]
STATE_FIELDS = ["serial_number", "charge_number", "status", "workflow_status", "creator"]
TIME_FIELDS = ["created_at", "summitted_at", "step_started_at", "updated_at", "is_deleted", "deleted_at"]


@admin.register(Order)
class OrderAdmin(WorkflowPanelMixin, AttachmentsMixin, BulkOperationsMixin, admin.ModelAdmin):
    form = OrderAdminForm
    change_form_template = "admin/orders/order/change_form.html"
    change_list_template = "admin/orders/order/change_list.html"

    list_display = [
        "serial",
        "type",
        "status",
        "workflow_status",
        "customer_name",
        "accuser_name",
        "saler_name",
        "attachments",
        "submitted",
        "updated",
    ]
    list_display_links = ["serial"]
    # Sorting a million orders is only cheap along an index: the serial number (unique) and the
    # last change (order_recent_idx, the default order). The other columns have none that gives
    # the admin's order; filter or search by them instead.
    sortable_by = ["serial", "updated"]
    # No filter reads the orders to offer its choices (status, workflow status and reason have
    # fixed choices, the type's come from its option list, the others are static), and no counts
    # per choice: facets would count every choice over the whole table.
    list_filter = [TodoFilter, "status", "workflow_status", "reason", OrderTypeFilter, OverdueFilter, DeletedFilter]
    show_facets = admin.ShowFacets.NEVER
    # One count per page, not two: the total of the list as filtered (see `get_paginator`), no
    # second `COUNT(*)` of every order beside it.
    show_full_result_count = False
    search_fields = [
        "serial_number",
        "charge_number",
        "customer_name",
        "accuser_name",
        "creator_name",
        "creator__username",
        "abnormal_products__sku_code",
    ]
    date_hierarchy = "created_at"
    list_per_page = 50
    autocomplete_fields = ["customer", "accuser"]
    actions = [
        "export_csv",
        "export_xlsx",
        "bulk_done",
        "bulk_reject",
        "bulk_halt",
        "bulk_resume",
        "bulk_cancel",
        "resume_overdue",
    ]

    @admin.display(description=Order._meta.get_field("serial_number").verbose_name, ordering="serial_number")
    def serial(self, obj: Order) -> str:
        # Soft-deleted orders only show when the "deleted" filter asks for them; then they say so.
        return (
            format_html('{} <span class="deleted-mark">{}</span>', obj.serial_number, gettext("(deleted)"))
            if obj.is_deleted
            else obj.serial_number
        )

    # Compact times: the list is wide, and the locale's long date format wraps every row.
    @admin.display(description=Order._meta.get_field("summitted_at").verbose_name, ordering="summitted_at")
    def submitted(self, obj: Order) -> str | None:
        return short_time(obj.summitted_at)

    @admin.display(description=Order._meta.get_field("updated_at").verbose_name, ordering="updated_at")
    def updated(self, obj: Order) -> str | None:
        return short_time(obj.updated_at)

    # The order's own counter: no query per row, and not sortable (no index at 1M orders).
    @admin.display(description=Order._meta.get_field("attachment_count").verbose_name)
    def attachments(self, obj: Order) -> int:
        return obj.attachment_count

    # --- Who sees and edits what ------------------------------------------------------------------
    def get_queryset(self, request: HttpRequest) -> QuerySet[Order]:
        return selectors.orders_in_back_office(request.user)

    def get_paginator(
        self,
        request: HttpRequest,
        queryset: QuerySet[Order],
        per_page: int,
        orphans: int = 0,
        allow_empty_first_page: bool = True,
    ) -> Any:
        """The list's total from the live-order counters when its parameters are ones they cover
        (`selectors.back_office_total`); otherwise Django's exact `COUNT(*)` of the filtered list."""
        total = selectors.back_office_total(user=request.user, params=dict(request.GET.lists()))
        if total is None:
            return super().get_paginator(request, queryset, per_page, orphans, allow_empty_first_page)
        return CountedPaginator(
            queryset, per_page, count=total, orphans=orphans, allow_empty_first_page=allow_empty_first_page
        )

    def has_change_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        """Model permission, and for one order: some content of it is editable by this user now
        (the edit table; otherwise the page is view-only — the workflow buttons work on their own)."""
        if not super().has_change_permission(request, obj):
            return False
        if obj is None:
            return True
        return not obj.is_deleted and any(workflow.may_edit(obj, request.user, content) for content in Content)

    def has_delete_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        # Orders are soft-deleted through the API (`DELETE orders/<id>`); the journal refers to them.
        return False

    def get_inlines(self, request: HttpRequest, obj: Order | None) -> list[type]:
        if obj is None:
            return [AbnormalProductInline]
        return [AbnormalProductInline, DutyReportInline, TrackInline, DeductionInline, AttachmentInline, JournalInline]

    def get_fieldsets(self, request: HttpRequest, obj: Order | None = None) -> list[tuple[Any, dict[str, Any]]]:
        if obj is None:
            return [(None, {"fields": HEADER_FIELDS})]
        header = HEADER_FIELDS if self._header_open(request, obj) else LOCKED_HEADER_FIELDS
        return [
            (None, {"fields": STATE_FIELDS}),
            (_("Claim"), {"fields": header}),
            (_("Dates"), {"fields": TIME_FIELDS, "classes": ["collapse"]}),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Order | None = None) -> list[str]:
        if obj is None:
            return []
        if self._header_open(request, obj):
            return [*STATE_FIELDS, *TIME_FIELDS]
        return [*STATE_FIELDS, *LOCKED_HEADER_FIELDS, *TIME_FIELDS]

    def _header_open(self, request: HttpRequest, obj: Order) -> bool:
        """Header fields are editable where the edit table lets this user change them now."""
        return (
            not obj.is_deleted
            and workflow.may_edit(obj, request.user, Content.HEADER)
            and self.has_change_permission(request)
        )

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"creator_name": display_name(request.user), **super().get_changeform_initial_data(request)}

    # --- Saving: one service call per save ----------------------------------------------------------
    def save_model(self, request: HttpRequest, obj: Order, form: forms.ModelForm, change: bool) -> None:
        """Nothing here: `save_related` sends the header and the inlines to the service together."""

    def save_related(self, request: HttpRequest, form: forms.ModelForm, formsets: list[Any], change: bool) -> None:
        data: dict[str, Any] = {}
        for formset in formsets:
            to_data = FORMSET_DATA.get(formset.model)
            if to_data is not None and formset_touched(formset):
                data.update(to_data(formset))
            note_formset_changes(formset)
        if not change:
            created = services.order_create(
                user=request.user,
                abnormal_products=[
                    {key: value for key, value in item.items() if key != "id"}
                    for item in data.get("abnormal_products", [])
                ],
                **self._create_kwargs(form),
            )
            # The admin goes on with `form.instance` (history entry, redirect): make it the created order.
            form.instance.__dict__.update(created.__dict__)
            return
        header = self._header_changes(form)
        if data or header:
            services.order_update(user=request.user, order_id=form.instance.pk, header=header, **data)

    @staticmethod
    def _create_kwargs(form: forms.ModelForm) -> dict[str, Any]:
        values = form.cleaned_data
        saler = values.get("saler")
        return {
            "type": values["type"],
            "customer_name": values["customer"].name,
            "accuser_name": values["accuser"].name,
            "creator_name": values["creator_name"],
            "reason": values["reason"],
            "remark": values["remark"],
            "saler": saler.username if saler else None,
        }

    @staticmethod
    def _header_changes(form: forms.ModelForm) -> dict[str, Any]:
        """The changed header fields under the API's names (suppliers by name, the specialist by username)."""
        data: dict[str, Any] = {}
        for name in form.changed_data:
            value = form.cleaned_data.get(name)
            if name in ("customer", "accuser"):
                data[f"{name}_name"] = value.name
            elif name == "saler":
                data["saler"] = value.username if value else ""
            elif name in ("type", "reason", "creator_name", "remark"):
                data[name] = value
        return data

    def get_urls(self) -> list[Any]:
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        own = [
            path("export/", self.admin_site.admin_view(self.export_view), name=f"{prefix}_export"),
            path(
                "export.xlsx",
                self.admin_site.admin_view(self.export_view),
                {"as_xlsx": True},
                name=f"{prefix}_export_xlsx",
            ),
            path(
                "<path:object_id>/operation/",
                self.admin_site.admin_view(self.operation_view),
                name=f"{prefix}_operation",
            ),
        ]
        return own + super().get_urls()

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """The order page with its workflow and attachment panels (the order read once for both)."""
        extra = dict(extra_context or {})
        order = self.get_object(request, unquote(object_id))
        if order is not None:
            extra["workflow_panel"] = self.workflow_panel(request, order)
            extra["attachment_panel"] = self.attachment_panel(request, order)
        return super().change_view(request, object_id, form_url, extra)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """A refusal from the service (a race: the order moved while the form was open) rolls the
        save back (the admin's own transaction) and comes back as a message on the reloaded page."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except NotPermitted as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            self.message_user(request, error_text(exc), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    # --- CSV export and actions ---------------------------------------------------------------------
    def export_view(self, request: HttpRequest, as_xlsx: bool = False) -> HttpResponse:
        """The changelist as filtered, searched and sorted on screen, every page of it (CSV or XLSX)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:  # what the changelist itself does with a bad filter
            return HttpResponseRedirect(f"{reverse('admin:orders_order_changelist')}?{ERROR_FLAG}=1")
        orders = changelist.get_queryset(request)
        return orders_xlsx_response(orders) if as_xlsx else orders_csv_response(orders)

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[CountedChangeList]:
        return CountedChangeList

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        """Two values that would be a 500 are bad lookups like any other (Django's "?e=1" page):
        a NUL character (PostgreSQL refuses it in a query) and a date hierarchy year of 9999 or
        later (Django computes the year after it)."""
        if any("\x00" in name or any("\x00" in value for value in values) for name, values in request.GET.lists()):
            raise IncorrectLookupParameters("NUL character in a parameter")
        try:
            late = int(request.GET.get(f"{self.date_hierarchy}__year", "0")) >= 9999
        except ValueError:  # not a number: Django's own check refuses it
            late = False
        if late:
            raise IncorrectLookupParameters("year out of range")
        return super().get_changelist_instance(request)

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        extra = {"export_label": _("Export CSV"), "export_xlsx_label": _("Export XLSX"), **(extra_context or {})}
        return super().changelist_view(request, extra)

    @admin.action(permissions=["view"], description=_("Export selected orders as CSV"))
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Order]) -> HttpResponse:
        return orders_csv_response(queryset)

    @admin.action(permissions=["view"], description=_("Export selected orders as XLSX"))
    def export_xlsx(self, request: HttpRequest, queryset: QuerySet[Order]) -> HttpResponse:
        return orders_xlsx_response(queryset)

    @admin.action(permissions=["change"], description=_("Resume selected overdue orders"))
    def resume_overdue(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        """Each overdue order through `services.order_apply_operation` (its own transaction and
        journal row); orders that are not overdue are left alone and counted."""
        selected = list(queryset.only("id", "serial_number", "status", "workflow_status", "is_deleted"))
        overdue = [o for o in selected if o.workflow_status == WorkflowStatus.OVERDUE and not o.is_deleted]
        results = services.orders_bulk_apply(
            user=request.user, order_ids=[order.pk for order in overdue], operation=Operation.RESUME
        )
        serials = {order.pk: order.serial_number for order in overdue}
        for result in results:
            if result.error is not None:
                self.message_user(
                    request,
                    gettext("%(order)s was not resumed: %(error)s")
                    % {"order": serials[result.order_id], "error": error_text(result.error)},
                    messages.ERROR,
                )
        resumed = sum(1 for result in results if result.error is None)
        if resumed:
            self.message_user(request, gettext("Resumed orders: %(count)d.") % {"count": resumed}, messages.SUCCESS)
        if len(selected) > len(overdue):
            self.message_user(
                request,
                gettext("Not overdue, left alone: %(count)d.") % {"count": len(selected) - len(overdue)},
                messages.WARNING,
            )
