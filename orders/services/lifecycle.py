"""The order's own life: create, `PUT orders/<id>`, operations, delete, the overdue sweep.

Every function that changes something writes exactly one journal row for it (`audit`), with the
field-level `changes` of the whole request.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from afterservice_site.people import display_name
from notifications.services import notify_overdue, notify_transition
from orders import wire, workflow
from orders.exceptions import Conflict, InvalidInput, NotAllowedNow, NotPermitted
from orders.models import MAX_ABNORMAL_PRODUCTS, AbnormalProduct, OptionCategory, Order
from orders.services import audit
from orders.services.audit import ChangeLog
from orders.services.common import (
    check_option,
    lock_order,
    next_serial,
    require_actor,
    require_editable,
    specialist_named,
    state_label,
    suppliers_named,
)
from orders.services.records import (
    abnormal_products_create,
    abnormal_products_sync,
    deductions_sync,
    duty_report_apply,
    finish_edit,
    require_room,
    tracks_append,
)
from orders.services.values import DeductionValues, DutyReportValues, HeaderValues, LineValues, TrackValues
from orders.workflow import Content, JournalOperation, Operation, Status, WorkflowStatus


def _check_type(value: str) -> None:
    check_option(OptionCategory.ORDER_TYPE, value, field="type", label=Order._meta.get_field("type").verbose_name)


def _check_parties(customer_name: str, accuser_name: str) -> None:
    if customer_name == accuser_name:
        raise InvalidInput.field("accuser_name", _("The plaintiff and the defendant must be different suppliers."))


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
    fingerprint: str = "",
) -> Order:
    """Files a new order: created → waiting (journaled with everything it holds), `saler`
    defaulting to the defendant supplier's specialist, abnormal product lines checked against the
    catalogue. `fingerprint` identifies the request's body (see `order_create_once`)."""
    _check_type(type)
    _check_parties(customer_name, accuser_name)
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
        create_fingerprint=fingerprint,
    )
    order.open()
    order.save()
    changes = ChangeLog()
    changes.created(audit.ORDER, order.pk, {"serial_number": order.serial_number, **wire.order_header(order)})
    require_room(order, AbnormalProduct, MAX_ABNORMAL_PRODUCTS, len(abnormal_products))
    abnormal_products_create(order, abnormal_products, changes, field="abnormal_products")
    audit.record_journal(
        order,
        JournalOperation.CREATE,
        source=Status.CREATED,
        workflow_source=WorkflowStatus.IN_PROGRESS,
        user=user,
        changes=changes,
    )
    return order


@transaction.atomic
def order_create_once(*, user: Any, fingerprint: str, **fields: Any) -> tuple[Order, bool]:
    """`order_create`, unless the same user filed the same body (`fingerprint`) within
    `AFTERSERVICE_DUPLICATE_WINDOW_S` (the old app re-sends a create after its 60 s timeout):
    then that order. Returns (order, created). Creates by one user are serialised on their user
    row, so two identical requests at once still file one order."""
    window = settings.AFTERSERVICE_DUPLICATE_WINDOW_S
    if window > 0 and fingerprint:
        get_user_model().objects.select_for_update().filter(pk=user.pk).exists()
        earlier = (
            Order.objects.alive()
            .filter(
                creator=user, create_fingerprint=fingerprint, created_at__gte=timezone.now() - timedelta(seconds=window)
            )
            .order_by("-created_at")
            .first()
        )
        if earlier is not None:
            return earlier, False
    return order_create(user=user, fingerprint=fingerprint, **fields), True


# --- The steps `PUT orders/<id>` composes ---------------------------------------------------------------
def _header_fields(order: Order, values: HeaderValues) -> dict[str, Any]:
    """The model fields the header values would change (a value equal to the stored one is none)."""
    fields: dict[str, Any] = {}
    for name in ("type", "reason", "creator_name", "remark"):
        if name in values and values[name] != getattr(order, name):
            fields[name] = values[name]
    if "type" in fields:
        _check_type(fields["type"])
    names = {f: values[f] for f in ("customer_name", "accuser_name") if f in values and values[f] != getattr(order, f)}
    if names:
        _check_parties(names.get("customer_name", order.customer_name), names.get("accuser_name", order.accuser_name))
    for field, supplier in suppliers_named(names).items():
        fields[field.removesuffix("_name")], fields[field] = supplier, supplier.name
    if "saler" in values:
        specialist = specialist_named(values["saler"])
        if getattr(specialist, "pk", None) != order.saler_id:
            fields["saler"], fields["saler_name"] = specialist, display_name(specialist)
    return fields


def order_header_change(order: Order, user: Any, values: HeaderValues, changes: ChangeLog) -> None:
    """Sets the locked order's header fields given (suppliers, specialist, type checked; who and
    when by the edit table). The caller saves."""
    fields = _header_fields(order, values)
    if not fields:
        return
    require_editable(order, user, Content.HEADER)
    before = wire.order_header(order)
    for name, value in fields.items():
        setattr(order, name, value)
    changes.updated(audit.ORDER, order.pk, before, wire.order_header(order))


def order_transition(
    order: Order,
    user: Any,
    operation: str,
    changes: ChangeLog,
    *,
    remark: str = "",
    on_behalf_of: str = "",
) -> None:
    """Applies `operation` to the locked order and writes the request's journal row (with the
    `changes` made before it). Refusals in this order: the state (409), the role (403), a
    reject's reason (400), what the step still needs (409, `workflow.done_blocker`)."""
    operation = Operation(operation)
    method = getattr(order, operation.value)
    if not can_proceed(method):
        raise NotAllowedNow(
            _("“%(operation)s” is not possible while the order is %(state)s.")
            % {"operation": operation.label, "state": state_label(order)}
        )
    if not has_transition_perm(method, user):
        actors = (
            workflow.STEP_BY_STATUS[order.status].actors
            if operation in (Operation.DONE, Operation.REJECT)
            else workflow.WORKFLOW_OPERATORS
        )
        raise NotPermitted(
            _("At this step only %(actors)s may apply “%(operation)s”.")
            % {"actors": workflow.actors_label(actors), "operation": operation.label}
        )
    if operation == Operation.REJECT and not remark.strip():
        raise InvalidInput.field("remark", _("A reject needs a reason."))
    if operation == Operation.DONE and (missing := workflow.done_blocker(order)):
        raise NotAllowedNow(missing)
    source, workflow_source = order.status, order.workflow_status
    method()
    if operation == Operation.REJECT:
        order.last_reject_reason = remark
    order.save()
    audit.record_journal(
        order,
        operation,
        source=source,
        workflow_source=workflow_source,
        user=user,
        on_behalf_of=on_behalf_of,
        remark=remark,
        changes=changes,
    )
    notify_transition(
        order=order, operation=operation, source=source, workflow_source=workflow_source, actor=user, remark=remark
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
    one transaction, so any refusal leaves everything as it was, and one journal row for all of
    it. `expected_status` (the status the client saw) makes a double tap harmless; `remark` is
    the operation's note; `operator_name` is what an old client claims (kept as `on_behalf_of`)."""
    order = lock_order(user, order_id)
    if expected_status and expected_status != order.status:
        raise Conflict(
            _("The order is now %(status)s, not %(expected)s; reload it.")
            % {"status": order.get_status_display(), "expected": Status(expected_status).label}
        )
    changes = ChangeLog()
    order_header_change(order, user, header or {}, changes)
    if abnormal_products is not None:
        abnormal_products_sync(order, user, abnormal_products, changes)
    if duty_report is not None:
        duty_report_apply(order, user, duty_report, changes)
    tracks_append(order, user, tracks, changes)
    if deductions is not None:
        deductions_sync(order, user, deductions, changes)

    if operation:
        order_transition(order, user, operation, changes, remark=remark, on_behalf_of=operator_name)
    else:
        finish_edit(order, user, changes, on_behalf_of=operator_name)
    return order


@transaction.atomic
def order_apply_operation(
    *, user: Any, order_id: int, operation: str, remark: str = "", operator_name: str = "", expected_status: str = ""
) -> Order:
    """One operation on its own (the admin's buttons, bulk operations): the same guards and journal."""
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
        raise NotAllowedNow(
            _("Only an order that is still waiting to be submitted can be deleted; this one is %(state)s.")
            % {"state": state_label(order)}
        )
    require_actor(order, user, workflow.DELETERS, _("delete"))
    order.is_deleted, order.deleted_at = True, timezone.now()
    order.save(update_fields=["is_deleted", "deleted_at", "updated_at"])
    audit.record_journal(
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
    hours = workflow.sla_hours() if sla_hours is None else sla_hours
    cutoff = workflow.overdue_cutoff(now=now, hours=hours)
    due = Order.objects.alive().filter(workflow_status=WorkflowStatus.IN_PROGRESS, step_started_at__lt=cutoff)
    marked = 0
    for order_id in due.values_list("id", flat=True).order_by("id"):
        with transaction.atomic():
            order = due.select_for_update().filter(pk=order_id).first()
            if order is None:  # moved on, or another sweep took it
                continue
            order.expire()
            order.save()
            audit.record_journal(
                order,
                JournalOperation.OVERDUE,
                source=order.status,
                workflow_source=WorkflowStatus.IN_PROGRESS,
                remark=_("Step older than %(hours)d hours.") % {"hours": hours},
            )
            notify_overdue(order=order)
            marked += 1
    return marked
