"""Steps shared by the order services: serial numbers, the row lock, who may write, and resolving
names to suppliers, users and catalogue products (the journal is `audit`'s)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import Model
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from afterservice_site.people import find_user
from orders import selectors, workflow
from orders.exceptions import InvalidInput, NotAllowedNow, NotFound, NotPermitted
from orders.models import Order, SerialCounter
from products.models import Product
from products.selectors import product_by_sku
from suppliers.models import Supplier
from suppliers.selectors import active_suppliers_by_name

# Input echoed in a message is cut to this many characters (a message stays a sentence).
MAX_ECHO = 100


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


# --- The order, locked --------------------------------------------------------------------------------
def lock_order(user: Any, order_id: int) -> Order:
    """The order visible to `user`, row-locked until the transaction ends (NotFound otherwise)."""
    order = selectors.orders_visible_to(user).select_for_update().filter(pk=order_id).first()
    if order is None:
        raise NotFound()
    return order


def assign_charge_number(order: Order) -> None:
    """The order's `charge_number`, taken with its first deduction and kept for good."""
    if order.charge_number is None:
        order.charge_number = next_serial("CH")
        order.save(update_fields=["charge_number", "updated_at"])


# --- Who may write ----------------------------------------------------------------------------------
def state_label(order: Order) -> str:
    """The order's state in words: "等待主管审批（进行中）"."""
    return _("%(status)s (%(workflow)s)") % {
        "status": order.get_status_display(),
        "workflow": order.get_workflow_status_display(),
    }


def require_editable(order: Order, user: Any, content: str) -> None:
    """`content` of the locked order may change now, by `user` (the edit table of `workflow`):
    NotAllowedNow when nobody may change it in this state, NotPermitted when someone else may."""
    actors = workflow.editors(order, content)
    label = workflow.Content(content).label
    if actors is None:
        raise NotAllowedNow(
            _("%(content)s cannot change while the order is %(state)s.")
            % {"content": capfirst(label), "state": state_label(order)}
        )
    if not workflow.is_one_of(order, user, actors):
        raise NotPermitted(
            _("At this step only %(actors)s may change %(content)s.")
            % {"actors": workflow.actors_label(actors), "content": label}
        )


def require_actor(order: Order, user: Any, actors: frozenset[str], action: str) -> None:
    """`user` is one of `actors` for the order (NotPermitted naming them otherwise)."""
    if not workflow.is_one_of(order, user, actors):
        raise NotPermitted(
            _("Only %(actors)s may %(action)s this order.")
            % {"actors": workflow.actors_label(actors), "action": action}
        )


# --- Names → master data ------------------------------------------------------------------------------
def suppliers_named(names: Mapping[str, str]) -> dict[str, Supplier]:
    """`{field: supplier name}` → `{field: Supplier}`; an unknown or inactive name is invalid input."""
    found = active_suppliers_by_name(set(names.values()))
    errors = {
        field: [_("No active supplier is named “%(name)s”.") % {"name": name}]
        for field, name in names.items()
        if name not in found
    }
    if errors:
        raise InvalidInput(errors)
    return {field: found[name] for field, name in names.items()}


def specialist_named(name: str) -> Any:
    """The after-sales specialist `name` names (username or full name of an active `service`
    user); empty → None (unassigned). Anyone else — unknown, inactive, or without the role — is
    the same refusal, so the answer reveals no account."""
    if not name:
        return None
    user = find_user(name)
    if user is None or workflow.SERVICE not in workflow.user_roles(user):
        raise InvalidInput.field("saler", _("“%(name)s” is not an after-sales specialist.") % {"name": name[:MAX_ECHO]})
    return user


def catalogue_products(items: Sequence[Mapping[str, Any]], field: str | None) -> dict[str, Product]:
    """Catalogue products for the items' SKU codes; unknown codes are invalid input naming the item
    (`field` the list's name, None for a single item)."""
    found = product_by_sku({item["sku_code"] for item in items if "sku_code" in item})
    errors = {
        index: {"sku_code": [_("SKU code “%(sku)s” is not in the product catalogue.") % {"sku": item["sku_code"]}]}
        for index, item in enumerate(items)
        if "sku_code" in item and item["sku_code"] not in found
    }
    if errors:
        raise InvalidInput({field: errors} if field else errors[min(errors)])
    return found


def check_option(category: str, value: str, *, field: str, label: Any) -> None:
    """`value` is an active value of the option list `category` (invalid input on `field`,
    naming the field by its label and listing the allowed values, otherwise)."""
    allowed = selectors.option_values(category)
    if value not in allowed:
        raise InvalidInput.field(
            field,
            _("“%(value)s” is not a choice for %(field)s; choose one of: %(allowed)s.")
            % {"value": value[:MAX_ECHO], "field": label, "allowed": "、".join(allowed)},
        )


# --- Small steps on records ---------------------------------------------------------------------------
def set_fields(instance: Model, values: Mapping[str, Any]) -> bool:
    """Sets the values that differ from the instance's; whether any did."""
    changed = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


def unknown_ids(items: Sequence[Mapping[str, Any]], existing: Mapping[int, Any], field: str) -> None:
    """Items naming an `id` that is not a line of this order are invalid input."""
    errors = {
        index: {"id": [_("No line %(id)s on this order.") % {"id": item["id"]}]}
        for index, item in enumerate(items)
        if item.get("id") and item["id"] not in existing
    }
    if errors:
        raise InvalidInput({field: errors})
