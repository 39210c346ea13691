"""The nested records of an order: abnormal products, the duty report, tracks, deductions.

Two layers:
- functions on an order the caller has locked (`*_sync`, `*_append`, `duty_report_apply`): the
  steps `order_update` composes under one lock; each checks that the record may change now (409)
  and by this user (403) only when something actually changes;
- the nested endpoints' services (`abnormal_products_add`, `deduction_update`, ...): one
  transaction each — lock, one of those steps, touch the order so lists sorted by `updated_at`
  show it first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from afterservice_site.people import display_name
from orders import selectors, workflow
from orders.exceptions import InvalidInput, NotFound
from orders.models import (
    DUTY_REPORT_OPTION_FIELDS,
    AbnormalProduct,
    Deduction,
    DutyReport,
    OptionValue,
    Order,
    Track,
)
from orders.services.common import (
    assign_charge_number,
    catalogue_products,
    lock_order,
    require_records_editable,
    set_fields,
    touch,
    unknown_ids,
)
from orders.services.values import DeductionValues, DutyReportValues, LineValues, TrackValues
from products.models import Product
from suppliers.models import Supplier


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


def _set_line(line: AbnormalProduct, item: LineValues, products: Mapping[str, Product]) -> bool:
    changed = False
    if "sku_code" in item and item["sku_code"] != line.sku_code:
        product = products[item["sku_code"]]
        line.product, line.sku_code, line.product_item_name = product, product.sku_code, product.item_name
        changed = True
    if "remark" in item and item["remark"] != line.remark:
        line.remark = item["remark"]
        changed = True
    return changed


def abnormal_products_create(order: Order, items: Sequence[LineValues], *, field: str | None) -> list[AbnormalProduct]:
    """New lines on an order being written (no edit check: the caller made it)."""
    products = catalogue_products(items, field)
    return AbnormalProduct.objects.bulk_create([_new_line(order, item, products) for item in items])


def abnormal_products_append(
    order: Order, user: Any, items: Sequence[LineValues], *, field: str | None = "abnormal_products"
) -> list[AbnormalProduct]:
    """Adds lines to a locked order, all or nothing; each SKU must be in the catalogue."""
    require_records_editable(order, user)
    return abnormal_products_create(order, items, field=field)


def abnormal_products_sync(order: Order, user: Any, items: Sequence[LineValues]) -> bool:
    """The lines as a full list: items with `id` updated, without created, the others deleted.
    Whether anything changed."""
    existing = {line.pk: line for line in AbnormalProduct.objects.filter(order=order)}
    unknown_ids(items, existing, "abnormal_products")
    products = catalogue_products(items, "abnormal_products")
    creates = [_new_line(order, item, products) for item in items if not item.get("id")]
    updates = [
        existing[item["id"]] for item in items if item.get("id") and _set_line(existing[item["id"]], item, products)
    ]
    deletes = set(existing) - {item["id"] for item in items if item.get("id")}
    if not (creates or updates or deletes):
        return False
    require_records_editable(order, user)
    AbnormalProduct.objects.filter(pk__in=deletes).delete()
    for line in updates:
        line.save()
    AbnormalProduct.objects.bulk_create(creates)
    return True


# --- The duty report ------------------------------------------------------------------------------
def _check_options(values: DutyReportValues) -> None:
    asked = {field: values[field] for field in DUTY_REPORT_OPTION_FIELDS if values.get(field)}
    if not asked:
        return
    allowed: dict[str, set[str]] = {}
    for category, value in OptionValue.objects.filter(
        category__in=[DUTY_REPORT_OPTION_FIELDS[f] for f in asked], active=True
    ).values_list("category", "value"):
        allowed.setdefault(category, set()).add(value)
    errors = {}
    for field, value in asked.items():
        category = DUTY_REPORT_OPTION_FIELDS[field]
        if value not in allowed.get(category, set()):
            errors[field] = [
                _("“%(value)s” is not a value of %(list)s; allowed: %(allowed)s.")
                % {"value": value, "list": category, "allowed": ", ".join(selectors.option_values(category))}
            ]
    if errors:
        raise InvalidInput(errors)


def duty_report_apply(order: Order, user: Any, values: DutyReportValues) -> DutyReport | None:
    """Creates the locked order's duty report or sets the given fields (the others kept);
    `duty_to_id` follows `duty_to`. None when nothing changed."""
    _check_options(values)
    fields: dict[str, Any] = dict(values)
    if "duty_to" in fields:
        fields["duty_to_supplier"] = (
            Supplier.objects.filter(name=fields["duty_to"], active=True).first() if fields["duty_to"] else None
        )
    report = DutyReport.objects.filter(order=order).first()
    creating = report is None
    if creating:
        report = DutyReport(order=order)
    if not set_fields(report, fields) and not creating:
        return None
    require_records_editable(order, user)
    report.save()
    return report


# --- Tracks -----------------------------------------------------------------------------------------
def tracks_append(order: Order, user: Any, items: Sequence[TrackValues]) -> list[Track]:
    """Appends follow-up notes to the locked order (signed with the user's name unless given)."""
    if not items:
        return []
    require_records_editable(order, user)
    return Track.objects.bulk_create(
        Track(
            order=order,
            remark=item["remark"],
            operator=user,
            operator_name=item.get("operator_name") or display_name(user),
        )
        for item in items
    )


# --- Deductions -------------------------------------------------------------------------------------
def _deduction_fields(item: DeductionValues) -> dict[str, Any]:
    return {name: item[name] for name in ("compensation", "has_receipt", "remark") if name in item}


def deductions_sync(order: Order, user: Any, items: Sequence[DeductionValues]) -> bool:
    """Deductions as a full list, like abnormal products; the first one assigns `charge_number`.
    Whether anything changed."""
    existing = {line.pk: line for line in Deduction.objects.filter(order=order)}
    unknown_ids(items, existing, "deductions")
    creates = [Deduction(order=order, **_deduction_fields(item)) for item in items if not item.get("id")]
    updates = [
        existing[item["id"]]
        for item in items
        if item.get("id") and set_fields(existing[item["id"]], _deduction_fields(item))
    ]
    deletes = set(existing) - {item["id"] for item in items if item.get("id")}
    if not (creates or updates or deletes):
        return False
    require_records_editable(order, user, workflow.DEDUCTION_WRITERS)
    Deduction.objects.filter(pk__in=deletes).delete()
    for line in updates:
        line.save()
    Deduction.objects.bulk_create(creates)
    if creates:
        assign_charge_number(order)
    return True


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
    order = lock_order(user, order_id)
    lines = abnormal_products_append(order, user, items, field="abnormal_products" if many else None)
    touch(order)
    return lines


@transaction.atomic
def abnormal_product_update(*, user: Any, order_id: int, line_id: int, values: LineValues) -> AbnormalProduct:
    """`PUT orders/<id>/abnormal-products/<pid>`: the fields given."""
    order = lock_order(user, order_id)
    line = selectors.abnormal_product_get(order=order, product_line_id=line_id)
    products = catalogue_products([values], None)
    if _set_line(line, values, products):
        require_records_editable(order, user)
        line.save()
        touch(order)
    return line


@transaction.atomic
def abnormal_product_delete(*, user: Any, order_id: int, line_id: int) -> None:
    """`DELETE orders/<id>/abnormal-products/<pid>`."""
    order = lock_order(user, order_id)
    line = selectors.abnormal_product_get(order=order, product_line_id=line_id)
    require_records_editable(order, user)
    line.delete()
    touch(order)


@transaction.atomic
def duty_report_upsert(*, user: Any, order_id: int, values: DutyReportValues) -> DutyReport:
    """`PUT orders/<id>/duty-report`: creates the report or sets the fields given."""
    order = lock_order(user, order_id)
    report = duty_report_apply(order, user, values)
    if report is None:
        return selectors.duty_report_get(order=order)
    touch(order)
    return report


@transaction.atomic
def track_add(*, user: Any, order_id: int, remark: str, operator_name: str = "") -> Track:
    """`POST orders/<id>/tracks`: appends a follow-up note."""
    order = lock_order(user, order_id)
    (track,) = tracks_append(order, user, [{"remark": remark, "operator_name": operator_name}])
    touch(order)
    return track


@transaction.atomic
def deduction_add(*, user: Any, order_id: int, values: DeductionValues) -> Deduction:
    """`POST orders/<id>/deductions` (`service`/`finance`); the first assigns the `charge_number`."""
    order = lock_order(user, order_id)
    require_records_editable(order, user, workflow.DEDUCTION_WRITERS)
    deduction = Deduction.objects.create(order=order, **_deduction_fields(values))
    assign_charge_number(order)
    touch(order)
    return deduction


@transaction.atomic
def deduction_update(*, user: Any, order_id: int, deduction_id: int, values: DeductionValues) -> Deduction:
    """`PUT orders/<id>/deductions/<did>`: the fields given."""
    order = lock_order(user, order_id)
    deduction = _deduction(order, deduction_id)
    if set_fields(deduction, _deduction_fields(values)):
        require_records_editable(order, user, workflow.DEDUCTION_WRITERS)
        deduction.save()
        touch(order)
    return deduction


@transaction.atomic
def deduction_delete(*, user: Any, order_id: int, deduction_id: int) -> None:
    """`DELETE orders/<id>/deductions/<did>`."""
    order = lock_order(user, order_id)
    deduction = _deduction(order, deduction_id)
    require_records_editable(order, user, workflow.DEDUCTION_WRITERS)
    deduction.delete()
    touch(order)
