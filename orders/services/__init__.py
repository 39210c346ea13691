"""Every write to orders and their records (DESIGN.md §6–§8).

Each public function is one transaction: lock the order (`select_for_update`), check the state
(409), then who asks (403), then write, then journal. Anything raised inside rolls the whole
request back, so a refused or failed request changes nothing.

- `lifecycle`: create, update (`PUT orders/<id>`), operations, delete, the overdue sweep;
- `records`: abnormal products, duty report, tracks, deductions;
- `common`: serial numbers, the row lock, who may write, the journal, names → master data;
- `values`: the typed shapes the services accept.
"""

from orders.services.common import next_serial
from orders.services.lifecycle import (
    order_apply_operation,
    order_create,
    order_delete,
    order_header_change,
    order_transition,
    order_update,
    orders_mark_overdue,
)
from orders.services.records import (
    abnormal_product_delete,
    abnormal_product_update,
    abnormal_products_add,
    abnormal_products_append,
    abnormal_products_sync,
    deduction_add,
    deduction_delete,
    deduction_update,
    deductions_sync,
    duty_report_apply,
    duty_report_upsert,
    track_add,
    tracks_append,
)

__all__ = [
    "abnormal_product_delete",
    "abnormal_product_update",
    "abnormal_products_add",
    "abnormal_products_append",
    "abnormal_products_sync",
    "deduction_add",
    "deduction_delete",
    "deduction_update",
    "deductions_sync",
    "duty_report_apply",
    "duty_report_upsert",
    "next_serial",
    "order_apply_operation",
    "order_create",
    "order_delete",
    "order_header_change",
    "order_transition",
    "order_update",
    "orders_mark_overdue",
    "track_add",
    "tracks_append",
]
