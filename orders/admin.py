"""Back office for after-sales orders (DESIGN.md §9): the admin the after-sales staff work in.

The admin never writes an order, its records or its status itself. Every save goes through
`orders.services` — the same functions, guards, row lock and journal rows as the API:

- the add form → `services.order_create`;
- the change form (header fields and every inline together) → one `services.order_update`,
  so one save is one transaction, like one `PUT orders/<id>`;
- the workflow buttons → `<id>/operation/` → `services.order_apply_operation`;
- the "resume" action → `services.order_apply_operation` per order.

What is editable follows `orders.workflow` (`header_editable`, `records_editable`, who acts);
the rest is shown read-only, so the service's 409/403 only happen on a race. Journal rows are
read-only for everyone, superusers included.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ERROR_FLAG
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet
from django.forms.formsets import DELETION_FIELD_NAME
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions as api_exceptions

from afterservice_site.people import display_name
from orders import selectors, services, workflow
from orders.models import (
    MAX_TEXT,
    AbnormalProduct,
    Deduction,
    DutyReport,
    Journal,
    OptionCategory,
    OptionValue,
    Order,
    Track,
)
from orders.workflow import Operation, Status, WorkflowStatus
from products.models import Product
from suppliers.models import Supplier


# --- Small helpers --------------------------------------------------------------------------------
def _messages_of(detail: Any) -> list[str]:
    """The sentences of a DRF error detail (a string, a list or a nested dict of them)."""
    if isinstance(detail, dict):
        return [text for value in detail.values() for text in _messages_of(value)]
    if isinstance(detail, list):
        return [text for value in detail for text in _messages_of(value)]
    return [str(detail)]


def _error_text(exc: api_exceptions.APIException) -> str:
    return " ".join(_messages_of(exc.detail))


def _local(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _short(value: datetime | None) -> str | None:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else None


# --- CSV export -----------------------------------------------------------------------------------
# A cell starting with one of these is a formula to Excel ("CSV injection"); supplier names and
# remarks are typed by people, so such text is written with a leading apostrophe.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


class _Echo:
    """A file-like object whose `write` returns the line, for streaming `csv.writer` output."""

    def write(self, value: str) -> str:
        return value


def _field_label(name: str) -> str:
    return capfirst(Order._meta.get_field(name).verbose_name)


def _csv_rows(orders: QuerySet[Order]) -> Iterator[list[Any]]:
    yield [
        _field_label("serial_number"),
        _field_label("charge_number"),
        _field_label("type"),
        _field_label("reason"),
        _field_label("status"),
        _field_label("workflow_status"),
        _field_label("customer_name"),
        _field_label("accuser_name"),
        _field_label("creator_name"),
        _field_label("saler_name"),
        _field_label("remark"),
        gettext("SKU codes"),
        gettext("duty report compensation"),
        gettext("deductions total"),
        _field_label("summitted_at"),
        _field_label("created_at"),
        _field_label("updated_at"),
        _field_label("is_deleted"),
    ]
    yes, no = gettext("Yes"), gettext("No")
    for order in selectors.orders_for_export(orders).iterator(chunk_size=500):
        report = getattr(order, "duty_report", None)
        yield [
            _cell(value)
            for value in (
                order.serial_number,
                order.charge_number or "",
                order.type,
                order.get_reason_display(),
                order.get_status_display(),
                order.get_workflow_status_display(),
                order.customer_name,
                order.accuser_name,
                order.creator_name,
                order.saler_name,
                order.remark,
                " ".join(line.sku_code for line in order.abnormal_products.all()),
                f"{report.compensation:.2f}" if report is not None and report.compensation is not None else "",
                f"{order.deduction_total:.2f}" if order.deduction_total is not None else "",
                _local(order.summitted_at),
                _local(order.created_at),
                _local(order.updated_at),
                yes if order.is_deleted else no,
            )
        ]


def orders_csv_response(orders: QuerySet[Order]) -> StreamingHttpResponse:
    """The orders as a streamed CSV file: UTF-8 with a BOM, which is how Excel recognises UTF-8
    (without it, Chinese text opens as mojibake)."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"
        for row in _csv_rows(orders):
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="orders-{timezone.localdate():%Y%m%d}.csv"'
    return response


# --- Changelist filters ---------------------------------------------------------------------------
class OverdueFilter(admin.SimpleListFilter):
    """Marked overdue by the sweep, or in progress and already past the step deadline."""

    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, Any]]:
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Order]) -> QuerySet[Order] | None:
        cutoff = timezone.now() - timedelta(hours=settings.AFTERSERVICE_STEP_SLA_HOURS)
        late = Q(workflow_status=WorkflowStatus.OVERDUE) | Q(
            workflow_status=WorkflowStatus.IN_PROGRESS, step_started_at__lt=cutoff
        )
        if self.value() == "yes":
            return queryset.filter(late)
        if self.value() == "no":
            return queryset.exclude(late)
        return None


# --- Forms ----------------------------------------------------------------------------------------
class OrderAdminForm(forms.ModelForm):
    """Header fields; choices limited to what the service accepts, so a save is not refused late."""

    class Meta:
        model = Order
        fields = ["type", "reason", "customer", "accuser", "saler", "creator_name", "remark"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("customer", "accuser"):
            if name in self.fields:
                current = getattr(self.instance, f"{name}_id", None)
                self.fields[name].queryset = Supplier.objects.filter(Q(active=True) | Q(pk=current))
        if "saler" in self.fields:
            if not self.instance.pk:  # the default only applies when the order is created
                self.fields["saler"].help_text = _("Empty: the defendant supplier's specialist.")
            self.fields["saler"].queryset = selectors.specialist_choices(current_id=self.instance.saler_id)
            self.fields["saler"].label_from_instance = display_name


class AbnormalProductForm(forms.ModelForm):
    class Meta:
        model = AbnormalProduct
        fields = ["product", "remark"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "product" in self.fields:
            current = self.instance.product_id if self.instance.pk else None
            self.fields["product"].queryset = Product.objects.filter(Q(active=True) | Q(pk=current))


class DutyReportForm(forms.ModelForm):
    """The four option-list fields are dropdowns of their list's active values."""

    CHOICE_FIELDS = {
        "abnormal_type": OptionCategory.TYPE,
        "abnormal_reason": OptionCategory.REASON,
        "publish_to": OptionCategory.DUTY,
        "publishment": OptionCategory.PUBLISHMENT,
    }

    class Meta:
        model = DutyReport
        fields = [
            "abnormal_type",
            "abnormal_reason",
            "publish_to",
            "publishment",
            "compensation",
            "duty_to",
            "duty_date",
        ]

    # Set per request by `DutyReportInline.get_formset`: one query for all forms of the formset.
    options: dict[str, list[str]] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options = self.options if self.options is not None else selectors.active_option_values()
        for name, category in self.CHOICE_FIELDS.items():
            if name not in self.fields:
                continue
            values = list(options.get(category, []))
            current = getattr(self.instance, name, "")
            if current and current not in values:  # a value retired since: still shown, unchanged
                values.append(current)
            field = self.fields[name]
            self.fields[name] = forms.ChoiceField(
                label=field.label,
                required=False,
                choices=[("", "---------"), *((value, value) for value in values)],
            )


class OperationForm(forms.Form):
    """One workflow operation from the admin: what `services.order_apply_operation` takes."""

    operation = forms.ChoiceField(choices=Operation.choices, widget=forms.HiddenInput)
    remark = forms.CharField(
        label=_("note"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
    )
    expected_status = forms.ChoiceField(choices=Status.choices, required=False, widget=forms.HiddenInput)


# --- Inlines --------------------------------------------------------------------------------------
class RecordInlineMixin:
    """Nested records are writable only while `workflow.records_editable` and by their writers;
    otherwise the inline is shown read-only (the service would refuse the write anyway)."""

    writers: frozenset[str] = workflow.RECORD_WRITERS
    # Notes in a table row: a few lines, not the full-page textarea of a form.
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})}}

    def _writable(self, request: HttpRequest, order: Order | None) -> bool:
        if order is None:  # the add page: the user is the creator
            return True
        return (
            not order.is_deleted
            and workflow.records_editable(order)
            and workflow.is_one_of(order, request.user, self.writers)
        )

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
    model = AbnormalProduct
    form = AbnormalProductForm
    autocomplete_fields = ["product"]
    fields = ["product", "product_item_name", "remark"]
    readonly_fields = ["product_item_name"]
    extra = 0

    def get_extra(self, request: HttpRequest, obj: Order | None = None, **kwargs: Any) -> int:
        return 1 if obj is None else 0


class DutyReportInline(RecordInlineMixin, admin.StackedInline):
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

    model = Track
    fields = ["remark", "operator_name", "created_at"]
    readonly_fields = ["operator_name", "created_at"]
    extra = 0
    can_delete = False

    def has_change_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        return False


class DeductionInline(RecordInlineMixin, admin.TabularInline):
    model = Deduction
    writers = workflow.DEDUCTION_WRITERS
    fields = ["compensation", "has_receipt", "remark", "created_at"]
    readonly_fields = ["created_at"]
    extra = 0


class JournalInline(admin.TabularInline):
    """The order's journal, oldest first (newest last), read-only for everyone."""

    model = Journal
    fields = [
        "created_at",
        "operation",
        "source",
        "target",
        "workflow_source",
        "workflow_target",
        "operator_name",
        "remark",
    ]
    readonly_fields = fields
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


# --- Inline formsets → the service's `order_update` data -----------------------------------------
def _deleted(formset: forms.BaseFormSet, form: forms.Form) -> bool:
    return form in formset.deleted_forms or bool(getattr(form, "cleaned_data", {}).get(DELETION_FIELD_NAME))


def _record_changes(formset: forms.BaseFormSet, fields: Iterable[str]) -> list[tuple[forms.Form, dict[str, Any]]]:
    """The formset as a full list (`id` kept, no `id` created, missing deleted): each kept or new
    form with the values of the fields it changed. Forms the user may not change report no change
    (Django's inline forms guard `has_changed`)."""
    rows = []
    for form in formset.initial_forms:
        if _deleted(formset, form):
            continue
        changed = form.has_changed()
        rows.append((form, {name: form.cleaned_data[name] for name in fields if changed and name in form.changed_data}))
    for form in formset.extra_forms:
        if form.has_changed() and not _deleted(formset, form):
            rows.append((form, {name: form.cleaned_data.get(name) for name in fields if name in form.cleaned_data}))
    return rows


def _formset_touched(formset: forms.BaseFormSet) -> bool:
    return any(form.has_changed() for form in formset.forms) or bool(formset.deleted_forms)


def _abnormal_products_data(formset: forms.BaseFormSet) -> dict[str, Any]:
    items = []
    for form, values in _record_changes(formset, ["product", "remark"]):
        item: dict[str, Any] = {"id": form.instance.pk} if form.instance.pk else {}
        if values.get("product") is not None:
            item["sku_code"] = form.instance.sku_code = values["product"].sku_code  # also names it in the history
        if "remark" in values:
            item["remark"] = values["remark"] or ""
        items.append(item)
    return {"abnormal_products": items}


def _deductions_data(formset: forms.BaseFormSet) -> dict[str, Any]:
    items = []
    for form, values in _record_changes(formset, ["compensation", "has_receipt", "remark"]):
        item: dict[str, Any] = {"id": form.instance.pk} if form.instance.pk else {}
        item.update(values)
        items.append(item)
    return {"deductions": items}


def _duty_report_data(formset: forms.BaseFormSet) -> dict[str, Any]:
    for form in formset.forms:
        if form.has_changed():
            return {"duty_report": {name: form.cleaned_data[name] for name in form.changed_data if name in form.fields}}
    return {}


def _tracks_data(formset: forms.BaseFormSet) -> dict[str, Any]:
    notes = [form.cleaned_data["remark"] for form in formset.extra_forms if form.has_changed()]
    return {"tracks": [{"remark": note} for note in notes]} if notes else {}


FORMSET_DATA = {
    AbnormalProduct: _abnormal_products_data,
    DutyReport: _duty_report_data,
    Track: _tracks_data,
    Deduction: _deductions_data,
}


def _note_formset_changes(formset: forms.BaseFormSet) -> None:
    """What `ModelAdmin.construct_change_message` reads from a saved formset, for the history."""
    formset.new_objects = [form.instance for form in formset.extra_forms if form.has_changed()]
    formset.changed_objects = [
        (form.instance, form.changed_data)
        for form in formset.initial_forms
        if form.has_changed() and not _deleted(formset, form)
    ]
    formset.deleted_objects = [form.instance for form in formset.deleted_forms]


# --- Orders ---------------------------------------------------------------------------------------
HEADER_FIELDS = ["type", "reason", "customer", "accuser", "saler", "creator_name", "remark"]
# Read-only, the specialist is shown by the name people know (not the username).
LOCKED_HEADER_FIELDS = ["type", "reason", "customer", "accuser", "saler_name", "creator_name", "remark"]
STATE_FIELDS = ["serial_number", "charge_number", "status", "workflow_status", "creator"]
TIME_FIELDS = ["created_at", "summitted_at", "step_started_at", "updated_at", "is_deleted", "deleted_at"]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    form = OrderAdminForm
    change_form_template = "admin/orders/order/change_form.html"
    change_list_template = "admin/orders/order/change_list.html"
    operation_template = "admin/orders/order/operation.html"

    list_display = [
        "serial_number",
        "type",
        "status",
        "workflow_status",
        "customer_name",
        "accuser_name",
        "saler_name",
        "submitted",
        "updated",
    ]
    list_display_links = ["serial_number"]
    list_filter = ["status", "workflow_status", "reason", "type", OverdueFilter, "is_deleted"]
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
    actions = ["export_csv", "resume_overdue"]

    # Compact times: the list is wide, and the locale's long date format wraps every row.
    @admin.display(description=Order._meta.get_field("summitted_at").verbose_name, ordering="summitted_at")
    def submitted(self, obj: Order) -> str | None:
        return _short(obj.summitted_at)

    @admin.display(description=Order._meta.get_field("updated_at").verbose_name, ordering="updated_at")
    def updated(self, obj: Order) -> str | None:
        return _short(obj.updated_at)

    # --- Who sees and edits what ------------------------------------------------------------------
    def get_queryset(self, request: HttpRequest) -> QuerySet[Order]:
        return selectors.orders_in_back_office(request.user)

    def _writer(self, request: HttpRequest, order: Order) -> bool:
        return not order.is_deleted and workflow.is_one_of(order, request.user, workflow.RECORD_WRITERS)

    def has_change_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        """Model permission, and for one order: something on it is still editable by this user
        (otherwise the page is view-only; the workflow buttons work on their own permission)."""
        if not super().has_change_permission(request, obj):
            return False
        if obj is None:
            return True
        editable = workflow.header_editable(obj) or workflow.records_editable(obj)
        return editable and self._writer(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        # Orders are soft-deleted through the API (`DELETE orders/<id>`); the journal refers to them.
        return False

    def get_inlines(self, request: HttpRequest, obj: Order | None) -> list[type]:
        if obj is None:
            return [AbnormalProductInline]
        return [AbnormalProductInline, DutyReportInline, TrackInline, DeductionInline, JournalInline]

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
        """Header fields are editable while `workflow.header_editable`, by the order's writers."""
        return workflow.header_editable(obj) and self._writer(request, obj) and self.has_change_permission(request)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"creator_name": display_name(request.user), **super().get_changeform_initial_data(request)}

    # --- Saving: one service call per save ----------------------------------------------------------
    def save_model(self, request: HttpRequest, obj: Order, form: forms.ModelForm, change: bool) -> None:
        """Nothing here: `save_related` sends the header and the inlines to the service together."""

    def save_related(self, request: HttpRequest, form: forms.ModelForm, formsets: list[Any], change: bool) -> None:
        data: dict[str, Any] = {}
        for formset in formsets:
            to_data = FORMSET_DATA.get(formset.model)
            if to_data is not None and _formset_touched(formset):
                data.update(to_data(formset))
            _note_formset_changes(formset)
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
        data.update(self._header_changes(form))
        if data:
            services.order_update(user=request.user, order_id=form.instance.pk, data=data)

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
        except api_exceptions.PermissionDenied as exc:
            raise PermissionDenied(_error_text(exc)) from exc
        except api_exceptions.APIException as exc:
            self.message_user(request, _error_text(exc), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    # --- The workflow panel and its operation view --------------------------------------------------
    def get_urls(self) -> list[Any]:
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        own = [
            path("export/", self.admin_site.admin_view(self.export_view), name=f"{prefix}_export"),
            path(
                "<path:object_id>/operation/",
                self.admin_site.admin_view(self.operation_view),
                name=f"{prefix}_operation",
            ),
        ]
        return own + super().get_urls()

    def _operations(self, request: HttpRequest, order: Order) -> list[str]:
        """What the workflow buttons offer: `workflow.operations_for`, for staff who may change orders."""
        if order.is_deleted or not self.has_change_permission(request):
            return []
        return workflow.operations_for(order, request.user)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra = dict(extra_context or {})
        order = self.get_object(request, unquote(object_id))
        if order is not None:
            extra["workflow_panel"] = {
                "title": _("Workflow"),
                "status": order.get_status_display(),
                "workflow_status": order.get_workflow_status_display(),
                "status_label": _field_label("status"),
                "workflow_status_label": _field_label("workflow_status"),
                "operations": [{"value": op, "label": Operation(op).label} for op in self._operations(request, order)],
                "url": reverse("admin:orders_order_operation", args=[order.pk]),
                "expected_status": order.status,
                "remark_label": _("Note for the journal (a reject needs its reason here)"),
                "nothing_text": _("No workflow operation is open to you at this step."),
            }
        return super().change_view(request, object_id, form_url, extra)

    @staticmethod
    def _operation_label(operation: str) -> str:
        return str(Operation(operation).label) if operation in Operation.values else operation

    def _render_operation(
        self, request: HttpRequest, order: Order, form: OperationForm, operation: str
    ) -> TemplateResponse:
        label = self._operation_label(operation)
        if operation == Operation.REJECT:
            form.fields["remark"].label = _("reason for the reject")
        context = {
            **self.admin_site.each_context(request),
            "title": label,
            "subtitle": str(order),
            "opts": self.opts,
            "original": order,
            "form": form,
            "operation_label": label,
            "status_text": f"{order.get_status_display()} / {order.get_workflow_status_display()}",
            "reject_hint": _("Write why the order goes back a step; the reason is kept in the journal.")
            if operation == Operation.REJECT
            else "",
            "back_label": _("Back to the order"),
            "change_url": reverse("admin:orders_order_change", args=[order.pk]),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.operation_template, context)

    def operation_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """GET `?operation=reject`: the small form asking for the reason. POST {operation, remark,
        expected_status}: `services.order_apply_operation`, then back to the order. CSRF-protected
        by `admin_view`; guards, role checks and the journal row are the service's."""
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        if not self.has_change_permission(request):
            raise PermissionDenied
        order = self.get_object(request, unquote(object_id))
        if order is None:
            raise Http404
        if not self.has_view_permission(request, order):
            raise PermissionDenied
        change_url = reverse("admin:orders_order_change", args=[order.pk])

        if request.method == "GET":
            operation = request.GET.get("operation", "")
            if operation not in self._operations(request, order):
                self.message_user(request, _("That operation is not open to you at this step."), messages.WARNING)
                return HttpResponseRedirect(change_url)
            form = OperationForm(initial={"operation": operation, "expected_status": order.status})
            return self._render_operation(request, order, form, operation)

        form = OperationForm(request.POST)
        if not form.is_valid():
            return self._render_operation(request, order, form, request.POST.get("operation", ""))
        operation = form.cleaned_data["operation"]
        try:
            moved = services.order_apply_operation(
                user=request.user,
                order_id=order.pk,
                operation=operation,
                remark=form.cleaned_data["remark"],
                expected_status=form.cleaned_data["expected_status"],
            )
        except api_exceptions.PermissionDenied as exc:
            raise PermissionDenied(_error_text(exc)) from exc
        except api_exceptions.ValidationError as exc:  # a reject without its reason
            detail = exc.detail if isinstance(exc.detail, dict) else {}
            for text in _messages_of(detail.get("remark", [])):
                form.add_error("remark", text)
            if not form.errors:
                form.add_error(None, _error_text(exc))
            return self._render_operation(request, order, form, operation)
        except (api_exceptions.APIException, Http404) as exc:  # 409: state moved on, or stale page
            text = _error_text(exc) if isinstance(exc, api_exceptions.APIException) else gettext("Not found.")
            self.message_user(request, text, messages.ERROR)
            return HttpResponseRedirect(change_url)
        self.message_user(
            request,
            gettext("“%(operation)s” applied to %(order)s; it is now %(status)s / %(workflow_status)s.")
            % {
                "operation": self._operation_label(operation),
                "order": moved,
                "status": moved.get_status_display(),
                "workflow_status": moved.get_workflow_status_display(),
            },
            messages.SUCCESS,
        )
        return HttpResponseRedirect(change_url)

    # --- CSV export and actions ---------------------------------------------------------------------
    def export_view(self, request: HttpRequest) -> HttpResponse:
        """The changelist as filtered, searched and sorted on screen, every page of it."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:  # what the changelist itself does with a bad filter
            return HttpResponseRedirect(f"{reverse('admin:orders_order_changelist')}?{ERROR_FLAG}=1")
        return orders_csv_response(changelist.get_queryset(request))

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        extra = {"export_label": _("Export CSV"), **(extra_context or {})}
        return super().changelist_view(request, extra)

    @admin.action(permissions=["view"], description=_("Export selected orders as CSV"))
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Order]) -> HttpResponse:
        return orders_csv_response(queryset)

    @admin.action(permissions=["change"], description=_("Resume selected overdue orders"))
    def resume_overdue(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        """Each overdue order through `services.order_apply_operation` (its own transaction and
        journal row); orders that are not overdue are left alone and counted."""
        selected = list(queryset.only("id", "serial_number", "status", "workflow_status", "is_deleted"))
        overdue = [o for o in selected if o.workflow_status == WorkflowStatus.OVERDUE and not o.is_deleted]
        resumed = 0
        for order in overdue:
            try:
                services.order_apply_operation(
                    user=request.user, order_id=order.pk, operation=Operation.RESUME, expected_status=order.status
                )
            except api_exceptions.APIException as exc:
                self.message_user(
                    request,
                    gettext("%(order)s was not resumed: %(error)s") % {"order": order, "error": _error_text(exc)},
                    messages.ERROR,
                )
            else:
                resumed += 1
        if resumed:
            self.message_user(request, gettext("Resumed orders: %(count)d.") % {"count": resumed}, messages.SUCCESS)
        if len(selected) > len(overdue):
            self.message_user(
                request,
                gettext("Not overdue, left alone: %(count)d.") % {"count": len(selected) - len(overdue)},
                messages.WARNING,
            )


# --- Journal --------------------------------------------------------------------------------------
@admin.register(Journal)
class JournalAdmin(admin.ModelAdmin):
    """Every order's journal across orders, for audits. Rows are never added, changed or deleted
    here, not by superusers either: services write them in the transaction of their event."""

    list_display = [
        "created_at",
        "order_serial_number",
        "operation",
        "source",
        "target",
        "workflow_source",
        "workflow_target",
        "operator_name",
        "remark",
    ]
    list_select_related = ["order"]
    list_filter = ["operation", "workflow_target"]
    search_fields = ["order__serial_number", "operator_name", "remark"]
    date_hierarchy = "created_at"
    list_per_page = 50

    def get_queryset(self, request: HttpRequest) -> QuerySet[Journal]:
        return selectors.journals_in_back_office(request.user).select_related("order")

    @admin.display(description=Order._meta.verbose_name, ordering="order__serial_number")
    def order_serial_number(self, obj: Journal) -> str:
        return obj.order.serial_number

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Journal | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Journal | None = None) -> bool:
        return False


# --- Option lists ---------------------------------------------------------------------------------
@admin.register(OptionValue)
class OptionValueAdmin(admin.ModelAdmin):
    """The duty-report dropdowns: order by editing `position` in the list (no dragging), retire a
    value by clearing `active` (reports that used it keep their text)."""

    list_display = ["value", "category", "position", "active"]
    list_display_links = ["value"]
    list_editable = ["position", "active"]
    list_filter = ["category", "active"]
    search_fields = ["value"]
    ordering = ["category", "position", "id"]
    list_per_page = 100
    fields = ["category", "value", "position", "active"]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"position": selectors.option_next_position(), **super().get_changeform_initial_data(request)}
