"""Every write to orders and their records.

Each public function is one transaction: lock the order (`select_for_update`), check the state
(409), then who asks (403), then write, then one journal row with what changed. Anything raised
inside rolls the whole request back, so a refused or failed request changes nothing.

- `lifecycle`: create, update (`PUT orders/<id>`), operations, delete, the overdue sweep;
- `records`: abnormal products, duty report, tracks, deductions;
- `attachments`: files on an order (evidence), added and removed;
- `bulk`: one operation on many orders, each in its own transaction;
- `audit`: the request's change log and its journal row;
- `common`: serial numbers, the row lock, who may write, names → master data;
- `values`: the typed shapes the services accept.
"""

from orders.services.attachments import attachment_add, attachment_delete
from orders.services.audit import ChangeLog, record_journal
from orders.services.bulk import BulkResult, orders_bulk_apply
from orders.services.common import next_serial
from orders.services.lifecycle import (
    order_apply_operation,
    order_create,
    order_create_once,
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
    "BulkResult",
    "ChangeLog",
    "abnormal_product_delete",
    "abnormal_product_update",
    "abnormal_products_add",
    "abnormal_products_append",
    "abnormal_products_sync",
    "attachment_add",
    "attachment_delete",
    "deduction_add",
    "deduction_delete",
    "deduction_update",
    "deductions_sync",
    "duty_report_apply",
    "duty_report_upsert",
    "next_serial",
    "order_apply_operation",
    "order_create",
    "order_create_once",
    "order_delete",
    "order_header_change",
    "order_transition",
    "order_update",
    "orders_bulk_apply",
    "orders_mark_overdue",
    "record_journal",
    "track_add",
    "tracks_append",
]
