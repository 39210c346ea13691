"""The order's own life: create, `PUT orders/<id>` (DESIGN.md §8), operations, delete, overdue."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm
from rest_framework.exceptions import PermissionDenied, ValidationError

from afterservice_site.api import Conflict, InvalidOperation
from afterservice_site.people import display_name
from orders import workflow
from orders.models import (
    AbnormalProduct,
    Deduction,
    Order,
)
from orders.services.common import (
    _add_tracks,
    _apply_fields,
    _assign_charge_number,
    _deduction_fields,
    _journal,
    _lock,
    _new_line,
    _products,
    _require,
    _require_records_editable,
    _saler,
    _set_line,
    _suppliers,
    _unknown_ids,
    next_serial,
)
from orders.services.records import _upsert_duty_report
from orders.workflow import JournalOperation, Operation, Status, WorkflowStatus
from stats.services import order_figures_refresh


# --- Orders -------------------------------------------------------------------------------------------
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
    abnormal_products: Sequence[Mapping[str, Any]] = (),
) -> Order:
    """Files a new order: created → waiting (journaled), `saler` defaulting to the defendant
    supplier's specialist, abnormal product lines checked against the catalogue."""
    suppliers = _suppliers({"customer_name": customer_name, "accuser_name": accuser_name})
    customer = suppliers["customer_name"]
    specialist = _saler(saler) if saler else customer.specialist
    products = _products(abnormal_products, "abnormal_products")

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
    AbnormalProduct.objects.bulk_create([_new_line(order, item, products) for item in abnormal_products])
    _journal(
        order, JournalOperation.CREATE, source=Status.CREATED, workflow_source=WorkflowStatus.IN_PROGRESS, user=user
    )
    return order


HEADER_FIELDS = ("type", "customer_name", "accuser_name", "reason", "saler", "creator_name", "remark")


def _header_changes(order: Order, data: Mapping[str, Any]) -> dict[str, Any]:
    """The model fields a header update would change (a value equal to the stored one is none)."""
    changes: dict[str, Any] = {}
    for field in ("type", "reason", "creator_name", "remark"):
        if field in data and data[field] != getattr(order, field):
            changes[field] = data[field]
    names = {f: data[f] for f in ("customer_name", "accuser_name") if f in data and data[f] != getattr(order, f)}
    for field, supplier in _suppliers(names).items():
        relation = field.removesuffix("_name")
        changes[relation], changes[field] = supplier, supplier.name
    if "saler" in data:
        specialist = _saler(data["saler"])
        if getattr(specialist, "pk", None) != order.saler_id:
            changes["saler"], changes["saler_name"] = specialist, display_name(specialist)
    return changes


def _sync_lines(order: Order, user: Any, items: Sequence[Mapping[str, Any]]) -> bool:
    """Abnormal products as a full list: items with `id` updated, without created, others deleted."""
    existing = {line.pk: line for line in AbnormalProduct.objects.filter(order=order)}
    _unknown_ids(items, existing, "abnormal_products")
    products = _products(items, "abnormal_products")
    creates = [_new_line(order, item, products) for item in items if not item.get("id")]
    updates = [
        existing[item["id"]] for item in items if item.get("id") and _set_line(existing[item["id"]], item, products)
    ]
    deletes = set(existing) - {item["id"] for item in items if item.get("id")}
    if not (creates or updates or deletes):
        return False
    _require_records_editable(order, user)
    AbnormalProduct.objects.filter(pk__in=deletes).delete()
    for line in updates:
        line.save()
    AbnormalProduct.objects.bulk_create(creates)
    return True


def _sync_deductions(order: Order, user: Any, items: Sequence[Mapping[str, Any]]) -> bool:
    """Deductions as a full list, like abnormal products; the first one assigns `charge_number`."""
    existing = {line.pk: line for line in Deduction.objects.filter(order=order)}
    _unknown_ids(items, existing, "deductions")
    creates = [Deduction(order=order, **_deduction_fields(item)) for item in items if not item.get("id")]
    updates = []
    for item in items:
        if item.get("id") and _apply_fields(existing[item["id"]], _deduction_fields(item)):
            updates.append(existing[item["id"]])
    deletes = set(existing) - {item["id"] for item in items if item.get("id")}
    if not (creates or updates or deletes):
        return False
    _require_records_editable(order, user, workflow.DEDUCTION_WRITERS)
    Deduction.objects.filter(pk__in=deletes).delete()
    for line in updates:
        line.save()
    Deduction.objects.bulk_create(creates)
    if creates:
        _assign_charge_number(order)
    return True


def _apply_operation(order: Order, user: Any, operation: str, *, remark: str, operator_name: str) -> None:
    """Guards (409 state, 403 role, 400 reject reason), the transition, save, journal."""
    method = getattr(order, Operation(operation).value)
    if not can_proceed(method):
        raise InvalidOperation(
            _("“%(op)s” is not allowed while the order is %(status)s / %(wf)s.")
            % {"op": operation, "status": order.status, "wf": order.workflow_status}
        )
    if not has_transition_perm(method, user):
        raise PermissionDenied(_("Your role may not apply “%(op)s” at this step.") % {"op": operation})
    if operation == Operation.REJECT and not remark.strip():
        raise ValidationError({"remark": [_("A reject needs a reason.")]})
    source, workflow_source = order.status, order.workflow_status
    method()
    order.save()
    _journal(
        order,
        operation,
        source=source,
        workflow_source=workflow_source,
        user=user,
        operator_name=operator_name,
        remark=remark,
    )


@transaction.atomic
def order_update(*, user: Any, order_id: int, data: Mapping[str, Any]) -> Order:
    """`PUT orders/<id>` (DESIGN.md §8): header fields, nested records, then the operation —
    all under one row lock in one transaction. `expected_status` guards against double taps."""
    order = _lock(user, order_id)
    expected = data.get("expected_status")
    if expected and expected != order.status:
        raise Conflict(
            _("The order is %(status)s now, not %(expected)s; reload it.")
            % {"status": order.status, "expected": expected}
        )
    operation = data.get("operation")
    header = {field: data[field] for field in HEADER_FIELDS if field in data}
    if operation:
        header.pop("remark", None)  # with an operation, `remark` is the operation's note

    changed = False
    changes = _header_changes(order, header)
    if changes:
        if not workflow.header_editable(order):
            raise InvalidOperation(
                _(
                    "Header fields can only change while the order is in progress and "
                    "created, waiting or service_approving."
                )
            )
        _require(order, user, workflow.RECORD_WRITERS)
        _apply_fields(order, changes)
        changed = True
    if "abnormal_products" in data:
        changed |= _sync_lines(order, user, data["abnormal_products"])
    if data.get("duty_report") is not None:
        changed |= _upsert_duty_report(order, user, data["duty_report"]) is not None
    if data.get("tracks"):
        changed |= bool(_add_tracks(order, user, data["tracks"]))
    if "deductions" in data:
        changed |= _sync_deductions(order, user, data["deductions"])

    if operation:
        _apply_operation(
            order, user, operation, remark=data.get("remark", ""), operator_name=data.get("operator_name", "")
        )
    elif changed:
        order.save()
        order_figures_refresh(order_id=order.pk)  # statistics: header fields, duty report, deductions
    return order


@transaction.atomic
def order_apply_operation(
    *, user: Any, order_id: int, operation: str, remark: str = "", operator_name: str = "", expected_status: str = ""
) -> Order:
    """One operation on its own (the admin's buttons): the same guards and journal as the API."""
    return order_update(
        user=user,
        order_id=order_id,
        data={
            "operation": operation,
            "remark": remark,
            "operator_name": operator_name,
            "expected_status": expected_status,
        },
    )


@transaction.atomic
def order_delete(*, user: Any, order_id: int, remark: str = "") -> None:
    """Soft delete while created/waiting and in progress, by the creator or `service` (journaled)."""
    order = _lock(user, order_id)
    if not workflow.deletable(order):
        raise InvalidOperation(_("Only an order that is in progress and still created or waiting can be deleted."))
    _require(order, user, workflow.DELETERS)
    order.is_deleted, order.deleted_at = True, timezone.now()
    order.save(update_fields=["is_deleted", "deleted_at", "updated_at"])
    _journal(
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
    now = now or timezone.now()
    hours = settings.AFTERSERVICE_STEP_SLA_HOURS if sla_hours is None else sla_hours
    due = Order.objects.alive().filter(
        workflow_status=WorkflowStatus.IN_PROGRESS, step_started_at__lt=now - timedelta(hours=hours)
    )
    marked = 0
    for order_id in due.values_list("id", flat=True).order_by("id"):
        with transaction.atomic():
            order = due.select_for_update().filter(pk=order_id).first()
            if order is None:  # moved on, or another sweep took it
                continue
            order.expire()
            order.save()
            _journal(
                order,
                JournalOperation.OVERDUE,
                source=order.status,
                workflow_source=WorkflowStatus.IN_PROGRESS,
                remark=_("Step older than %(hours)d hours.") % {"hours": hours},
            )
            marked += 1
    return marked
