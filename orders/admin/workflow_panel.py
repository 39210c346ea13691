"""The order page's workflow panel: a button per operation the user may apply now, and the view
they post to, which calls `services.order_apply_operation` — the API's guards, role checks and
journal row. It sits outside the change form (forms do not nest)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from orders import services, workflow
from orders.admin.common import error_text, field_label
from orders.admin.forms import OperationForm
from orders.exceptions import DomainError, InvalidInput, NotPermitted
from orders.models import Order
from orders.workflow import Operation


class WorkflowPanelMixin(admin.ModelAdmin):
    """The workflow panel of `OrderAdmin`'s change page and its `<id>/operation/` view."""

    operation_template = "admin/orders/order/operation.html"

    def _operations(self, request: HttpRequest, order: Order) -> list[str]:
        """What the workflow buttons offer: `workflow.operations_for`, for staff who may change orders."""
        if order.is_deleted or not self.has_change_permission(request):
            return []
        return workflow.operations_for(order, request.user)

    def workflow_panel(self, request: HttpRequest, order: Order) -> dict[str, Any]:
        """The change page's workflow panel (`OrderAdmin.change_view` renders it)."""
        operations = self._operations(request, order)
        return {
            "title": _("Workflow"),
            "status": order.get_status_display(),
            "workflow_status": order.get_workflow_status_display(),
            "status_label": field_label("status"),
            "workflow_status_label": field_label("workflow_status"),
            "operations": [{"value": op, "label": Operation(op).label} for op in operations],
            # What `done` still needs here, said before the button is pressed.
            "missing": workflow.done_blocker(order) if Operation.DONE in operations else None,
            "last_reject_reason": order.last_reject_reason,
            "last_reject_label": Order._meta.get_field("last_reject_reason").verbose_name,
            "unsaved_warning": _("This page has changes that are not saved; the operation would discard them."),
            "url": reverse("admin:orders_order_operation", args=[order.pk]),
            "expected_status": order.status,
            "remark_label": _("Note for the journal (a reject needs its reason here)"),
            "nothing_text": _("No workflow operation is open to you at this step."),
        }

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
        except NotPermitted as exc:
            raise PermissionDenied(exc.message) from exc
        except InvalidInput as exc:  # a reject without its reason
            for text in exc.errors.get("remark", []):
                form.add_error("remark", text)
            if not form.errors:
                form.add_error(None, error_text(exc))
            return self._render_operation(request, order, form, operation)
        except DomainError as exc:  # 409: the state moved on, or a stale page
            self.message_user(request, error_text(exc), messages.ERROR)
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
