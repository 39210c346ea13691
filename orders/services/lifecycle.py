"""The order's own life: create, `PUT orders/<id>`, operations, delete, the overdue sweep."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from afterservice_site.people import display_name
from orders import workflow
from orders.exceptions import Conflict, InvalidInput, NotAllowedNow, NotPermitted
from orders.models import Order
from orders.services.common import (
    lock_order,
    next_serial,
    record_journal,
    require_actor,
    set_fields,
    specialist_named,
    suppliers_named,
)
from orders.services.records import (
    abnormal_products_create,
    abnormal_products_sync,
    deductions_sync,
    duty_report_apply,
    tracks_append,
)
from orders.services.values import DeductionValues, DutyReportValues, HeaderValues, LineValues, TrackValues
from orders.workflow import JournalOperation, Operation, Status, WorkflowStatus


# --- Create ------------------------------------------------------------------------------------------
@transaction.atomic
def order_create(
    *,
    user: Any,
    type: str,
    customer_name: str,
    accuser_name: str,
    creator_name: str,
    reason: str,
    remark: str,
    saler: str | None = None,
    abnormal_products: Sequence[LineValues] = (),
) -> Order:
    """Files a new order: created → waiting (journaled), `saler` defaulting to the defendant
    supplier's specialist, abnormal product lines checked against the catalogue."""
    suppliers = suppliers_named({"customer_name": customer_name, "accuser_name": accuser_name})
    customer = suppliers["customer_name"]
    specialist = specialist_named(saler) if saler else customer.specialist

    order = Order(
        serial_number=next_serial("SH"),
        type=type,
        customer=customer,
        customer_name=customer.name,
        accuser=suppliers["accuser_name"],
        accuser_name=suppliers["accuser_name"].name,
        creator=user,
        creator_name=creator_name,
        saler=specialist,
        saler_name=display_name(specialist),
        reason=reason,
        remark=remark,
    )
    order.open()
    order.save()
    abnormal_products_create(order, abnormal_products, field="abnormal_products")
    record_journal(
        order, JournalOperation.CREATE, source=Status.CREATED, workflow_source=WorkflowStatus.IN_PROGRESS, user=user
    )
    return order


# --- The steps `PUT orders/<id>` composes ---------------------------------------------------------------
def _header_fields(order: Order, values: HeaderValues) -> dict[str, Any]:
    """The model fields the header values would change (a value equal to the stored one is none)."""
    fields: dict[str, Any] = {}
    for name in ("type", "reason", "creator_name", "remark"):
        if name in values and values[name] != getattr(order, name):
            fields[name] = values[name]
    names = {f: values[f] for f in ("customer_name", "accuser_name") if f in values and values[f] != getattr(order, f)}
    for field, supplier in suppliers_named(names).items():
        fields[field.removesuffix("_name")], fields[field] = supplier, supplier.name
    if "saler" in values:
        specialist = specialist_named(values["saler"])
        if getattr(specialist, "pk", None) != order.saler_id:
            fields["saler"], fields["saler_name"] = specialist, display_name(specialist)
    return fields


def order_header_change(order: Order, user: Any, values: HeaderValues) -> bool:
    """Sets the locked order's header fields given (checked: suppliers, specialist, who and when).
    Whether anything changed; the caller saves."""
    fields = _header_fields(order, values)
    if not fields:
        return False
    if not workflow.header_editable(order):
        raise NotAllowedNow(
            _("Header fields can only change while the order is in progress and created, waiting or service_approving.")
        )
    require_actor(order, user, workflow.RECORD_WRITERS)
    return set_fields(order, fields)


def order_transition(order: Order, user: Any, operation: str, *, remark: str = "", operator_name: str = "") -> None:
    """Applies `operation` to the locked order: state (409), then role (403), then a reject's
    reason (400); the transition, save, and its journal row."""
    method = getattr(order, Operation(operation).value)
    if not can_proceed(method):
        raise NotAllowedNow(
            _("“%(op)s” is not allowed while the order is %(status)s / %(wf)s.")
            % {"op": operation, "status": order.status, "wf": order.workflow_status}
        )
    if not has_transition_perm(method, user):
        raise NotPermitted(_("Your role may not apply “%(op)s” at this step.") % {"op": operation})
    if operation == Operation.REJECT and not remark.strip():
        raise InvalidInput.field("remark", _("A reject needs a reason."))
    source, workflow_source = order.status, order.workflow_status
    method()
    order.save()
    record_journal(
        order,
        operation,
        source=source,
        workflow_source=workflow_source,
        user=user,
        operator_name=operator_name,
        remark=remark,
    )


# --- Update and operations ---------------------------------------------------------------------------
@transaction.atomic
def order_update(
    *,
    user: Any,
    order_id: int,
    header: HeaderValues | None = None,
    abnormal_products: Sequence[LineValues] | None = None,
    duty_report: DutyReportValues | None = None,
    tracks: Sequence[TrackValues] = (),
    deductions: Sequence[DeductionValues] | None = None,
    operation: str | None = None,
    remark: str = "",
    operator_name: str = "",
    expected_status: str | None = None,
) -> Order:
    """`PUT orders/<id>`: header fields, nested records, then the operation — under one row lock in
    one transaction, so any refusal leaves everything as it was. `expected_status` (the status the
    client saw) makes a double tap harmless. `remark` is the operation's note."""
    order = lock_order(user, order_id)
    if expected_status and expected_status != order.status:
        raise Conflict(
            _("The order is %(status)s now, not %(expected)s; reload it.")
            % {"status": order.status, "expected": expected_status}
        )
    changed = order_header_change(order, user, header or {})
    if abnormal_products is not None:
        changed |= abnormal_products_sync(order, user, abnormal_products)
    if duty_report is not None:
        changed |= duty_report_apply(order, user, duty_report) is not None
    changed |= bool(tracks_append(order, user, tracks))
    if deductions is not None:
        changed |= deductions_sync(order, user, deductions)

    if operation:
        order_transition(order, user, operation, remark=remark, operator_name=operator_name)
    elif changed:
        order.save()
    return order


@transaction.atomic
def order_apply_operation(
    *, user: Any, order_id: int, operation: str, remark: str = "", operator_name: str = "", expected_status: str = ""
) -> Order:
    """One operation on its own (the admin's buttons): the same guards and journal as the API."""
    return order_update(
        user=user,
        order_id=order_id,
        operation=operation,
        remark=remark,
        operator_name=operator_name,
        expected_status=expected_status or None,
    )


# --- Delete and the overdue sweep ---------------------------------------------------------------------
@transaction.atomic
def order_delete(*, user: Any, order_id: int, remark: str = "") -> None:
    """Soft delete while created/waiting and in progress, by the creator or `service` (journaled)."""
    order = lock_order(user, order_id)
    if not workflow.deletable(order):
        raise NotAllowedNow(_("Only an order that is in progress and still created or waiting can be deleted."))
    require_actor(order, user, workflow.DELETERS)
    order.is_deleted, order.deleted_at = True, timezone.now()
    order.save(update_fields=["is_deleted", "deleted_at", "updated_at"])
    record_journal(
        order,
        JournalOperation.DELETE,
        source=order.status,
        workflow_source=order.workflow_status,
        user=user,
        remark=remark,
    )


def orders_mark_overdue(*, now: Any = None, sla_hours: int | None = None) -> int:
    """In-progress orders whose current step started more than the SLA ago → overdue (journaled by
    the system). One short transaction per order; the lock and re-check make concurrent sweeps safe."""
    cutoff = workflow.overdue_cutoff(now=now, hours=sla_hours)
    due = Order.objects.alive().filter(workflow_status=WorkflowStatus.IN_PROGRESS, step_started_at__lt=cutoff)
    marked = 0
    for order_id in due.values_list("id", flat=True).order_by("id"):
        with transaction.atomic():
            order = due.select_for_update().filter(pk=order_id).first()
            if order is None:  # moved on, or another sweep took it
                continue
            order.expire()
            order.save()
            record_journal(
                order,
                JournalOperation.OVERDUE,
                source=order.status,
                workflow_source=WorkflowStatus.IN_PROGRESS,
                remark=_("Step older than %(hours)d hours.")
                % {"hours": sla_hours if sla_hours is not None else workflow.sla_hours()},
            )
            marked += 1
    return marked
