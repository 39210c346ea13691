"""Every write to orders and their records (DESIGN.md §6–§8).

Each public function is one transaction: lock the order (`select_for_update`), check the state
(409), then who asks (403), then write, then journal. Anything raised inside rolls the whole
request back, so a refused or failed request changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm
from rest_framework.exceptions import PermissionDenied, ValidationError

from afterservice_site.api import Conflict, InvalidOperation
from afterservice_site.people import display_name, find_user
from orders import selectors, workflow
from orders.models import (
    AbnormalProduct,
    Deduction,
    DutyReport,
    Journal,
    OptionValue,
    Order,
    SerialCounter,
    Track,
)
from orders.workflow import JournalOperation, Operation, Status, WorkflowStatus
from products.models import Product
from products.selectors import product_by_sku
from suppliers.models import Supplier
from suppliers.selectors import active_suppliers_by_name

SYSTEM_NAME = "system"


# --- Serial numbers ---------------------------------------------------------------------------------
def next_serial(prefix: str) -> str:
    """`prefix` + local date + daily sequence, e.g. SH202611280001.

    Takes the day's counter row under a row lock inside the caller's transaction, so numbers
    are unique and gap-free: a rolled-back create gives its number back. The sequence is
    zero-padded to 4 digits and simply grows a fifth digit past 9,999 in one day.
    """
    day = timezone.localdate()
    # Creates the day's row if missing; a concurrent creator's row wins without an error.
    SerialCounter.objects.bulk_create([SerialCounter(prefix=prefix, day=day, last=0)], ignore_conflicts=True)
    counter = SerialCounter.objects.select_for_update().get(prefix=prefix, day=day)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{prefix}{day:%Y%m%d}{counter.last:04d}"


# --- Shared steps -----------------------------------------------------------------------------------
def _first_or_404(queryset: QuerySet[Any]) -> Any:
    found = queryset.first()
    if found is None:
        raise Http404
    return found


def _lock(user: Any, order_id: int) -> Order:
    """The visible order, row-locked until the transaction ends (404 if not visible)."""
    return _first_or_404(selectors.orders_visible_to(user).select_for_update().filter(pk=order_id))


def _journal(
    order: Order,
    operation: str,
    *,
    source: str,
    workflow_source: str,
    user: Any = None,
    operator_name: str = "",
    remark: str = "",
) -> Journal:
    operator = user if getattr(user, "is_authenticated", False) else None
    return Journal.objects.create(
        order=order,
        operation=operation,
        source=source,
        target=order.status,
        workflow_source=workflow_source,
        workflow_target=order.workflow_status,
        operator=operator,
        operator_name=operator_name or display_name(operator) or SYSTEM_NAME,
        remark=remark,
    )


def _require(order: Order, user: Any, actors: frozenset[str]) -> None:
    if not workflow.is_one_of(order, user, actors):
        raise PermissionDenied(_("You may not change this order."))


def _require_records_editable(order: Order, user: Any, actors: frozenset[str] = workflow.RECORD_WRITERS) -> None:
    if not workflow.records_editable(order):
        raise InvalidOperation(
            _("Records can only change while the order is in progress and not finished (now %(status)s / %(wf)s).")
            % {"status": order.status, "wf": order.workflow_status}
        )
    _require(order, user, actors)


def _touch(order: Order) -> None:
    order.save(update_fields=["updated_at"])


def _suppliers(names: Mapping[str, str]) -> dict[str, Supplier]:
    """`{field: supplier name}` → `{field: Supplier}`; an unknown or inactive name is a 400."""
    found = active_suppliers_by_name(set(names.values()))
    errors = {
        field: [_("No active supplier is named “%(name)s”.") % {"name": name}]
        for field, name in names.items()
        if name not in found
    }
    if errors:
        raise ValidationError(errors)
    return {field: found[name] for field, name in names.items()}


def _saler(name: str) -> Any:
    if not name:
        return None
    user = find_user(name)
    if user is None:
        raise ValidationError({"saler": [_("No active user is named “%(name)s”.") % {"name": name}]})
    return user


def _products(items: Sequence[Mapping[str, Any]], field: str | None) -> dict[str, Product]:
    """Catalogue products for the items' SKU codes; unknown codes are a 400 naming the item."""
    found = product_by_sku({item["sku_code"] for item in items if "sku_code" in item})
    errors = {
        index: {"skuCode": [_("SKU code “%(sku)s” is not in the product catalogue.") % {"sku": item["sku_code"]}]}
        for index, item in enumerate(items)
        if "sku_code" in item and item["sku_code"] not in found
    }
    if errors:
        raise ValidationError({field: errors} if field else errors[min(errors)])
    return found


def _new_line(order: Order, item: Mapping[str, Any], products: Mapping[str, Product]) -> AbnormalProduct:
    product = products[item["sku_code"]]
    return AbnormalProduct(
        order=order,
        product=product,
        sku_code=product.sku_code,
        remark=item.get("remark", ""),
        product_item_name=product.item_name,
    )


def _set_line(line: AbnormalProduct, item: Mapping[str, Any], products: Mapping[str, Product]) -> bool:
    changed = False
    if "sku_code" in item and item["sku_code"] != line.sku_code:
        product = products[item["sku_code"]]
        line.product, line.sku_code, line.product_item_name = product, product.sku_code, product.item_name
        changed = True
    if "remark" in item and item["remark"] != line.remark:
        line.remark = item["remark"]
        changed = True
    return changed


def _assign_charge_number(order: Order) -> None:
    if order.charge_number is None:
        order.charge_number = next_serial("CH")
        order.save(update_fields=["charge_number", "updated_at"])


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


def _unknown_ids(items: Sequence[Mapping[str, Any]], existing: Mapping[int, Any], field: str) -> None:
    errors = {
        index: {"id": [_("No line %(id)s on this order.") % {"id": item["id"]}]}
        for index, item in enumerate(items)
        if item.get("id") and item["id"] not in existing
    }
    if errors:
        raise ValidationError({field: errors})


def _deduction_fields(item: Mapping[str, Any]) -> dict[str, Any]:
    return {name: item[name] for name in ("compensation", "has_receipt", "remark") if name in item}


def _apply_fields(instance: Any, values: Mapping[str, Any]) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


def _add_tracks(order: Order, user: Any, items: Sequence[Mapping[str, Any]]) -> list[Track]:
    if not items:
        return []
    _require_records_editable(order, user)
    return Track.objects.bulk_create(
        Track(
            order=order,
            remark=item["remark"],
            operator=user,
            operator_name=item.get("operator_name") or display_name(user),
        )
        for item in items
    )


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


# --- Nested records -------------------------------------------------------------------------------
@transaction.atomic
def abnormal_products_add(
    *, user: Any, order_id: int, items: Sequence[Mapping[str, Any]], many: bool = True
) -> list[AbnormalProduct]:
    """Adds one or several lines, all or nothing; each SKU must be in the catalogue."""
    order = _lock(user, order_id)
    _require_records_editable(order, user)
    products = _products(items, "abnormal_products" if many else None)
    lines = AbnormalProduct.objects.bulk_create([_new_line(order, item, products) for item in items])
    _touch(order)
    return lines


@transaction.atomic
def abnormal_product_update(*, user: Any, order_id: int, line_id: int, data: Mapping[str, Any]) -> AbnormalProduct:
    order = _lock(user, order_id)
    line = selectors.abnormal_product_get(order=order, product_line_id=line_id)
    products = _products([data], None)
    if _set_line(line, data, products):
        _require_records_editable(order, user)
        line.save()
        _touch(order)
    return line


@transaction.atomic
def abnormal_product_delete(*, user: Any, order_id: int, line_id: int) -> None:
    order = _lock(user, order_id)
    line = selectors.abnormal_product_get(order=order, product_line_id=line_id)
    _require_records_editable(order, user)
    line.delete()
    _touch(order)


OPTION_FIELDS = {
    "abnormal_type": "typerank",
    "abnormal_reason": "reasonrank",
    "publish_to": "dutyrank",
    "publishment": "publishmentrank",
}


def _upsert_duty_report(order: Order, user: Any, data: Mapping[str, Any]) -> DutyReport | None:
    """Sets the given fields (others kept); None when nothing changed."""
    _check_options(data)
    values = dict(data)
    if "duty_to" in values:
        values["duty_to_supplier"] = (
            Supplier.objects.filter(name=values["duty_to"], active=True).first() if values["duty_to"] else None
        )
    report = DutyReport.objects.filter(order=order).first()
    creating = report is None
    if creating:
        report = DutyReport(order=order)
    if not _apply_fields(report, values) and not creating:
        return None
    _require_records_editable(order, user)
    report.save()
    return report


def _check_options(data: Mapping[str, Any]) -> None:
    asked = {field: data[field] for field in OPTION_FIELDS if data.get(field)}
    if not asked:
        return
    allowed: dict[str, set[str]] = {}
    for category, value in OptionValue.objects.filter(
        category__in=[OPTION_FIELDS[f] for f in asked], active=True
    ).values_list("category", "value"):
        allowed.setdefault(category, set()).add(value)
    errors = {}
    for field, value in asked.items():
        choices = allowed.get(OPTION_FIELDS[field], set())
        if value not in choices:
            errors[field] = [
                _("“%(value)s” is not a value of %(list)s; allowed: %(allowed)s.")
                % {
                    "value": value,
                    "list": OPTION_FIELDS[field],
                    "allowed": ", ".join(selectors.option_values(OPTION_FIELDS[field])),
                }
            ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def duty_report_upsert(*, user: Any, order_id: int, data: Mapping[str, Any]) -> DutyReport:
    """Creates the order's duty report or updates the given fields; `duty_to_id` follows `duty_to`."""
    order = _lock(user, order_id)
    report = _upsert_duty_report(order, user, data)
    if report is None:
        return selectors.duty_report_get(order=order)
    _touch(order)
    return report


@transaction.atomic
def track_add(*, user: Any, order_id: int, remark: str, operator_name: str = "") -> Track:
    """Appends a follow-up note."""
    order = _lock(user, order_id)
    (track,) = _add_tracks(order, user, [{"remark": remark, "operator_name": operator_name}])
    _touch(order)
    return track


@transaction.atomic
def deduction_add(*, user: Any, order_id: int, data: Mapping[str, Any]) -> Deduction:
    """Adds a charge-back line (`service`/`finance`); the first one assigns the order's `charge_number`."""
    order = _lock(user, order_id)
    _require_records_editable(order, user, workflow.DEDUCTION_WRITERS)
    deduction = Deduction.objects.create(order=order, **_deduction_fields(data))
    _assign_charge_number(order)
    _touch(order)
    return deduction


@transaction.atomic
def deduction_update(*, user: Any, order_id: int, deduction_id: int, data: Mapping[str, Any]) -> Deduction:
    order = _lock(user, order_id)
    deduction = _first_or_404(Deduction.objects.filter(order=order, pk=deduction_id))
    if _apply_fields(deduction, _deduction_fields(data)):
        _require_records_editable(order, user, workflow.DEDUCTION_WRITERS)
        deduction.save()
        _touch(order)
    return deduction


@transaction.atomic
def deduction_delete(*, user: Any, order_id: int, deduction_id: int) -> None:
    order = _lock(user, order_id)
    deduction = _first_or_404(Deduction.objects.filter(order=order, pk=deduction_id))
    _require_records_editable(order, user, workflow.DEDUCTION_WRITERS)
    deduction.delete()
    _touch(order)
