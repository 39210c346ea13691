"""Steps shared by the order services: serial numbers, the row lock, guards, the journal,
resolving names to suppliers, users and catalogue products."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import PermissionDenied, ValidationError

from afterservice_site.api import InvalidOperation
from afterservice_site.people import display_name, find_user
from orders import selectors, workflow
from orders.models import (
    AbnormalProduct,
    Journal,
    Order,
    SerialCounter,
    Track,
)
from products.models import Product
from products.selectors import product_by_sku
from stats.services import order_figures_refresh
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
    row = Journal.objects.create(
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
    order_figures_refresh(order_id=order.pk)  # statistics: after the change and its journal row
    return row


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
    order_figures_refresh(order_id=order.pk)  # statistics: duty report and deductions


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
