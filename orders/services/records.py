"""The nested records of an order: abnormal products, the duty report, tracks, deductions.

Two layers:
- steps on an order the caller has locked (`abnormal_products_sync`, `duty_report_apply`,
  `tracks_append`, `deductions_sync`, ...): what `order_update` composes under one lock. Each
  checks the edit table (`workflow.EDIT_TABLE`: 409 when nobody may change it now, 403 when
  someone else may) only when something actually changes, and notes every change in the
  request's `ChangeLog`;
- the nested endpoints' services (`abnormal_products_add`, `deduction_update`, ...): one
  transaction each — lock, one step, then `finish_edit` (touch the order, one `edit` journal row).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from afterservice_site.people import display_name
from orders import selectors, wire
from orders.exceptions import Conflict, InvalidInput, NotFound
from orders.models import (
    DUTY_REPORT_OPTION_FIELDS,
    MAX_ABNORMAL_PRODUCTS,
    MAX_DEDUCTIONS,
    MAX_TRACKS,
    AbnormalProduct,
    Deduction,
    DutyReport,
    Order,
    Track,
)
from orders.services import audit
from orders.services.audit import ChangeLog
from orders.services.common import (
    assign_charge_number,
    catalogue_products,
    check_option,
    lock_order,
    require_editable,
    unknown_ids,
)
from orders.services.values import DeductionValues, DutyReportValues, LineValues, TrackValues
from orders.workflow import Content, JournalOperation
from products.models import Product
from suppliers.selectors import active_suppliers_by_name


# --- Shared steps -------------------------------------------------------------------------------------
def require_room(order: Order, model: type[Model], cap: int, adding: int, removing: int = 0) -> None:
    """An order holds at most `cap` records of `model` (409 `conflict` beyond)."""
    if adding and model.objects.filter(order=order).count() - removing + adding > cap:
        raise Conflict(
            _("An order holds at most %(cap)d %(records)s.") % {"cap": cap, "records": model._meta.verbose_name_plural}
        )


def finish_edit(order: Order, user: Any, changes: ChangeLog, *, on_behalf_of: str = "") -> None:
    """After a request without an operation: when it changed anything, the order moves to the top
    of lists (`updated_at`) and the request gets its one journal row, `edit`."""
    if not changes:
        return
    order.save()
    audit.record_journal(
        order,
        JournalOperation.EDIT,
        source=order.status,
        workflow_source=order.workflow_status,
        user=user,
        on_behalf_of=on_behalf_of,
        changes=changes,
    )


# --- Abnormal products ----------------------------------------------------------------------------
def _new_line(order: Order, item: LineValues, products: Mapping[str, Product]) -> AbnormalProduct:
    product = products[item["sku_code"]]
    return AbnormalProduct(
        order=order,
        product=product,
        sku_code=product.sku_code,
        remark=item.get("remark", ""),
        product_item_name=product.item_name,
    )


def _set_line(line: AbnormalProduct, item: LineValues, products: Mapping[str, Product]) -> None:
    if "sku_code" in item and item["sku_code"] != line.sku_code:
        product = products[item["sku_code"]]
        line.product, line.sku_code, line.product_item_name = product, product.sku_code, product.item_name
    if "remark" in item:
        line.remark = item["remark"]


def abnormal_products_create(
    order: Order, items: Sequence[LineValues], changes: ChangeLog, *, field: str | None
) -> list[AbnormalProduct]:
    """New lines on the order (the caller checked who may add them and the room for them)."""
    products = catalogue_products(items, field)
    lines = AbnormalProduct.objects.bulk_create([_new_line(order, item, products) for item in items])
    for line in lines:
        changes.created(audit.ABNORMAL_PRODUCT, line.pk, wire.abnormal_product(line))
    return lines


def abnormal_products_append(
    order: Order, user: Any, items: Sequence[LineValues], changes: ChangeLog, *, field: str | None
) -> list[AbnormalProduct]:
    """Adds lines to the locked order, all or nothing; each SKU must be in the catalogue."""
    require_editable(order, user, Content.ABNORMAL_PRODUCTS)
    require_room(order, AbnormalProduct, MAX_ABNORMAL_PRODUCTS, len(items))
    return abnormal_products_create(order, items, changes, field=field)


def abnormal_products_sync(order: Order, user: Any, items: Sequence[LineValues], changes: ChangeLog) -> None:
    """The lines as a full list: items with `id` updated, without created, the others deleted."""
    existing = {line.pk: line for line in AbnormalProduct.objects.filter(order=order)}
    unknown_ids(items, existing, "abnormal_products")
    products = catalogue_products(items, "abnormal_products")
    kept = {item["id"] for item in items if item.get("id")}
    news = [item for item in items if not item.get("id")]
    local, updated = ChangeLog(), []
    for item in items:
        if item.get("id"):
            line = existing[item["id"]]
            before = wire.abnormal_product(line)
            _set_line(line, item, products)
            if local.updated(audit.ABNORMAL_PRODUCT, line.pk, before, wire.abnormal_product(line)):
                updated.append(line)
    deleted = [line for pk, line in existing.items() if pk not in kept]
    if not (updated or news or deleted):
        return
    require_editable(order, user, Content.ABNORMAL_PRODUCTS)
    require_room(order, AbnormalProduct, MAX_ABNORMAL_PRODUCTS, len(news), len(deleted))
    for line in updated:
        line.save()
    for line in deleted:
        local.deleted(audit.ABNORMAL_PRODUCT, line.pk, wire.abnormal_product(line))
    AbnormalProduct.objects.filter(pk__in=[line.pk for line in deleted]).delete()
    changes.entries.extend(local.entries)
    abnormal_products_create(order, news, changes, field="abnormal_products")


def abnormal_product_change(
    order: Order, user: Any, line: AbnormalProduct, values: LineValues, changes: ChangeLog
) -> None:
    """Sets the fields given on one line of the locked order."""
    products = catalogue_products([values], None)
    before = wire.abnormal_product(line)
    _set_line(line, values, products)
    after = wire.abnormal_product(line)
    if before != after:
        require_editable(order, user, Content.ABNORMAL_PRODUCTS)
        changes.updated(audit.ABNORMAL_PRODUCT, line.pk, before, after)
        line.save()


# --- The duty report ------------------------------------------------------------------------------
def _duty_report_fields(values: DutyReportValues) -> dict[str, Any]:
    """The model fields of the values: options checked, money normalised, `duty_to` an active supplier."""
    fields: dict[str, Any] = dict(values)
    for name, category in DUTY_REPORT_OPTION_FIELDS.items():
        if fields.get(name):
            check_option(category, fields[name], field=name, label=DutyReport._meta.get_field(name).verbose_name)
    if "compensation" in fields:
        fields["compensation"] = wire.money(fields["compensation"])
    if "duty_to" in fields:
        name = fields["duty_to"]
        supplier = active_suppliers_by_name({name}).get(name) if name else None
        if name and supplier is None:
            raise InvalidInput.field("duty_to", _("No active supplier is named “%(name)s”.") % {"name": name})
        fields["duty_to_supplier"] = supplier
    return fields


def duty_report_apply(order: Order, user: Any, values: DutyReportValues, changes: ChangeLog) -> DutyReport | None:
    """Creates the locked order's duty report or sets the given fields (the others kept);
    `duty_to_id` follows `duty_to`. The report, or None when nothing changed."""
    fields = _duty_report_fields(values)
    report = DutyReport.objects.filter(order=order).first()
    creating = report is None
    if creating:
        report = DutyReport(order=order)
    before = wire.duty_report(report)
    for name, value in fields.items():
        setattr(report, name, value)
    after = wire.duty_report(report)
    if not creating and before == after:
        return None
    require_editable(order, user, Content.DUTY_REPORT)
    report.save()
    if creating:
        changes.created(audit.DUTY_REPORT, report.pk, after)
    else:
        changes.updated(audit.DUTY_REPORT, report.pk, before, after)
    return report


# --- Tracks -----------------------------------------------------------------------------------------
def tracks_append(order: Order, user: Any, items: Sequence[TrackValues], changes: ChangeLog) -> list[Track]:
    """Appends follow-up notes to the locked order (signed with the user's name unless given)."""
    if not items:
        return []
    require_editable(order, user, Content.TRACKS)
    require_room(order, Track, MAX_TRACKS, len(items))
    tracks = Track.objects.bulk_create(
        Track(
            order=order,
            remark=item["remark"],
            operator=user,
            operator_name=item.get("operator_name") or display_name(user),
        )
        for item in items
    )
    for track in tracks:
        changes.created(audit.TRACK, track.pk, wire.track(track))
    return tracks


# --- Deductions -------------------------------------------------------------------------------------
def _deduction_fields(item: DeductionValues) -> dict[str, Any]:
    fields = {name: item[name] for name in ("compensation", "has_receipt", "remark") if name in item}
    if "compensation" in fields:
        fields["compensation"] = wire.money(fields["compensation"])
    return fields


def _deductions_created(order: Order, items: Sequence[DeductionValues], changes: ChangeLog) -> list[Deduction]:
    if not items:
        return []
    lines = Deduction.objects.bulk_create([Deduction(order=order, **_deduction_fields(item)) for item in items])
    for line in lines:
        changes.created(audit.DEDUCTION, line.pk, wire.deduction(line))
    if order.charge_number is None:
        assign_charge_number(order)
        changes.updated(audit.ORDER, order.pk, {"charge_number": None}, {"charge_number": order.charge_number})
    return lines


def deductions_sync(order: Order, user: Any, items: Sequence[DeductionValues], changes: ChangeLog) -> None:
    """Deductions as a full list, like abnormal products; the first one assigns `charge_number`."""
    existing = {line.pk: line for line in Deduction.objects.filter(order=order)}
    unknown_ids(items, existing, "deductions")
    kept = {item["id"] for item in items if item.get("id")}
    news = [item for item in items if not item.get("id")]
    local, updated = ChangeLog(), []
    for item in items:
        if item.get("id"):
            line = existing[item["id"]]
            before = wire.deduction(line)
            for name, value in _deduction_fields(item).items():
                setattr(line, name, value)
            if local.updated(audit.DEDUCTION, line.pk, before, wire.deduction(line)):
                updated.append(line)
    deleted = [line for pk, line in existing.items() if pk not in kept]
    if not (updated or news or deleted):
        return
    require_editable(order, user, Content.DEDUCTIONS)
    require_room(order, Deduction, MAX_DEDUCTIONS, len(news), len(deleted))
    for line in updated:
        line.save()
    for line in deleted:
        local.deleted(audit.DEDUCTION, line.pk, wire.deduction(line))
    Deduction.objects.filter(pk__in=[line.pk for line in deleted]).delete()
    changes.entries.extend(local.entries)
    _deductions_created(order, news, changes)


def _deduction(order: Order, deduction_id: int) -> Deduction:
    deduction = Deduction.objects.filter(order=order, pk=deduction_id).first()
    if deduction is None:
        raise NotFound()
    return deduction


# --- The nested endpoints ---------------------------------------------------------------------------
@transaction.atomic
def abnormal_products_add(
    *, user: Any, order_id: int, items: Sequence[LineValues], many: bool = True
) -> list[AbnormalProduct]:
    """`POST orders/<id>/abnormal-products`: one line or several, all or nothing."""
    order, changes = lock_order(user, order_id), ChangeLog()
    lines = abnormal_products_append(order, user, items, changes, field="abnormal_products" if many else None)
    finish_edit(order, user, changes)
    return lines


@transaction.atomic
def abnormal_product_update(*, user: Any, order_id: int, line_id: int, values: LineValues) -> AbnormalProduct:
    """`PUT orders/<id>/abnormal-products/<pid>`: the fields given."""
    order, changes = lock_order(user, order_id), ChangeLog()
    line = selectors.abnormal_product_get(order=order, product_line_id=line_id)
    abnormal_product_change(order, user, line, values, changes)
    finish_edit(order, user, changes)
    return line


@transaction.atomic
def abnormal_product_delete(*, user: Any, order_id: int, line_id: int) -> None:
    """`DELETE orders/<id>/abnormal-products/<pid>`."""
    order, changes = lock_order(user, order_id), ChangeLog()
    line = selectors.abnormal_product_get(order=order, product_line_id=line_id)
    require_editable(order, user, Content.ABNORMAL_PRODUCTS)
    changes.deleted(audit.ABNORMAL_PRODUCT, line.pk, wire.abnormal_product(line))
    line.delete()
    finish_edit(order, user, changes)


@transaction.atomic
def duty_report_upsert(*, user: Any, order_id: int, values: DutyReportValues) -> DutyReport:
    """`PUT orders/<id>/duty-report`: creates the report or sets the fields given."""
    order, changes = lock_order(user, order_id), ChangeLog()
    report = duty_report_apply(order, user, values, changes)
    finish_edit(order, user, changes)
    return report if report is not None else selectors.duty_report_get(order=order)


@transaction.atomic
def track_add(*, user: Any, order_id: int, remark: str, operator_name: str = "") -> Track:
    """`POST orders/<id>/tracks`: appends a follow-up note."""
    order, changes = lock_order(user, order_id), ChangeLog()
    (track,) = tracks_append(order, user, [{"remark": remark, "operator_name": operator_name}], changes)
    finish_edit(order, user, changes)
    return track


@transaction.atomic
def deduction_add(*, user: Any, order_id: int, values: DeductionValues) -> Deduction:
    """`POST orders/<id>/deductions`; the first deduction assigns the order's `charge_number`."""
    order, changes = lock_order(user, order_id), ChangeLog()
    require_editable(order, user, Content.DEDUCTIONS)
    require_room(order, Deduction, MAX_DEDUCTIONS, 1)
    (deduction,) = _deductions_created(order, [values], changes)
    finish_edit(order, user, changes)
    return deduction


@transaction.atomic
def deduction_update(*, user: Any, order_id: int, deduction_id: int, values: DeductionValues) -> Deduction:
    """`PUT orders/<id>/deductions/<did>`: the fields given."""
    order, changes = lock_order(user, order_id), ChangeLog()
    deduction = _deduction(order, deduction_id)
    before = wire.deduction(deduction)
    for name, value in _deduction_fields(values).items():
        setattr(deduction, name, value)
    after = wire.deduction(deduction)
    if before != after:
        require_editable(order, user, Content.DEDUCTIONS)
        changes.updated(audit.DEDUCTION, deduction.pk, before, after)
        deduction.save()
    finish_edit(order, user, changes)
    return deduction


@transaction.atomic
def deduction_delete(*, user: Any, order_id: int, deduction_id: int) -> None:
    """`DELETE orders/<id>/deductions/<did>`."""
    order, changes = lock_order(user, order_id), ChangeLog()
    deduction = _deduction(order, deduction_id)
    require_editable(order, user, Content.DEDUCTIONS)
    changes.deleted(audit.DEDUCTION, deduction.pk, wire.deduction(deduction))
    deduction.delete()
    finish_edit(order, user, changes)
