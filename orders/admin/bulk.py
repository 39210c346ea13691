"""The order changelist's bulk operations: one workflow operation on the selected orders through
`services.orders_bulk_apply` — each order in its own transaction, with the API's guards, journal
and notifications — after a confirmation page that takes the note (a reject's reason)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from orders import services
from orders.admin.common import error_text
from orders.models import MAX_TEXT, Order
from orders.serializers import MAX_BULK
from orders.workflow import Operation


class BulkNoteForm(forms.Form):
    remark = forms.CharField(
        label=_("note"), required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3, "cols": 60})
    )


class BulkOperationsMixin(admin.ModelAdmin):
    bulk_template = "admin/orders/order/bulk_operation.html"

    def apply_to_selected(self, request: HttpRequest, queryset: QuerySet[Order], operation: str) -> Any:
        """The confirmation page (GET of the action), then the operation on each selected order."""
        orders = list(queryset.order_by("id")[: MAX_BULK + 1])
        if len(orders) > MAX_BULK:
            self.message_user(
                request,
                gettext("Select at most %(count)d orders for one operation.") % {"count": MAX_BULK},
                messages.WARNING,
            )
            return None
        form = BulkNoteForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            remark = form.cleaned_data["remark"]
            if operation == Operation.REJECT and not remark.strip():
                form.add_error("remark", gettext("A reject needs a reason."))
            else:
                self._report(request, operation, orders, remark)
                return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("%(operation)s: %(count)d orders")
            % {"operation": Operation(operation).label, "count": len(orders)},
            "opts": self.opts,
            "orders": orders,
            "form": form,
            "action": request.POST.get("action", ""),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "operation_label": Operation(operation).label,
            "reject": operation == Operation.REJECT,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.bulk_template, context)

    def _report(self, request: HttpRequest, operation: str, orders: list[Order], remark: str) -> None:
        results = services.orders_bulk_apply(
            user=request.user, order_ids=[order.pk for order in orders], operation=operation, remark=remark
        )
        serials = {order.pk: order.serial_number for order in orders}
        moved = [result for result in results if result.error is None]
        for result in results:
            if result.error is not None:
                self.message_user(
                    request,
                    gettext("%(order)s: %(error)s")
                    % {"order": serials[result.order_id], "error": error_text(result.error)},
                    messages.ERROR,
                )
        if moved:
            self.message_user(
                request,
                gettext("“%(operation)s” applied to %(count)d orders: %(orders)s.")
                % {
                    "operation": Operation(operation).label,
                    "count": len(moved),
                    "orders": "、".join(f"{serials[r.order_id]}（{r.order.get_status_display()}）" for r in moved),
                },
                messages.SUCCESS,
            )

    @admin.action(permissions=["change"], description=_("Approve selected orders (done)"))
    def bulk_done(self, request: HttpRequest, queryset: QuerySet[Order]) -> HttpResponse | None:
        return self.apply_to_selected(request, queryset, Operation.DONE)

    @admin.action(permissions=["change"], description=_("Reject selected orders"))
    def bulk_reject(self, request: HttpRequest, queryset: QuerySet[Order]) -> HttpResponse | None:
        return self.apply_to_selected(request, queryset, Operation.REJECT)

    @admin.action(permissions=["change"], description=_("Halt selected orders"))
    def bulk_halt(self, request: HttpRequest, queryset: QuerySet[Order]) -> HttpResponse | None:
        return self.apply_to_selected(request, queryset, Operation.HALT)

    @admin.action(permissions=["change"], description=_("Resume selected orders"))
    def bulk_resume(self, request: HttpRequest, queryset: QuerySet[Order]) -> HttpResponse | None:
        return self.apply_to_selected(request, queryset, Operation.RESUME)

    @admin.action(permissions=["change"], description=_("Cancel selected orders"))
    def bulk_cancel(self, request: HttpRequest, queryset: QuerySet[Order]) -> HttpResponse | None:
        return self.apply_to_selected(request, queryset, Operation.CANCEL)
