"""Services of the nested records: abnormal products, the duty report, tracks, deductions.

Each locks the order, checks that records are editable (409) and who asks (403), writes,
and touches the order so lists sorted by `updated_at` show it first."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from orders import selectors, workflow
from orders.models import (
    AbnormalProduct,
    Deduction,
    DutyReport,
    OptionValue,
    Order,
    Track,
)
from orders.services.common import (
    _add_tracks,
    _apply_fields,
    _assign_charge_number,
    _deduction_fields,
    _first_or_404,
    _lock,
    _new_line,
    _products,
    _require_records_editable,
    _set_line,
    _touch,
)
from suppliers.models import Supplier


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
