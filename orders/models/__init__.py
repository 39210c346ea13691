"""After-sales orders, their nested records, the journal, option lists and the service's bookkeeping.

Models hold data, database constraints and the FSM transition methods (which only set fields);
every write goes through `orders.services`. One module per kind of data:

- `order`: the order and its transitions; `records`: its abnormal products, duty report,
  follow-ups, deductions and attachments; `journal`: its audit trail; `options`: the option lists;
  `bookkeeping`: live-order totals, serial counters, idempotency keys; `limits`: the bounds.
"""

from orders.models.bookkeeping import IdempotencyKey, OrderCount, SerialCounter
from orders.models.journal import Journal, JournalQuerySet
from orders.models.limits import (
    MAX_ABNORMAL_PRODUCTS,
    MAX_ATTACHMENTS,
    MAX_DEDUCTIONS,
    MAX_NAME,
    MAX_NOTE,
    MAX_TEXT,
    MAX_TRACKS,
)
from orders.models.options import DUTY_REPORT_OPTION_FIELDS, OptionCategory, OptionValue
from orders.models.order import Order, OrderQuerySet, Reason
from orders.models.records import AbnormalProduct, Attachment, Deduction, DutyReport, Track

__all__ = [
    "DUTY_REPORT_OPTION_FIELDS",
    "MAX_ABNORMAL_PRODUCTS",
    "MAX_ATTACHMENTS",
    "MAX_DEDUCTIONS",
    "MAX_NAME",
    "MAX_NOTE",
    "MAX_TEXT",
    "MAX_TRACKS",
    "AbnormalProduct",
    "Attachment",
    "Deduction",
    "DutyReport",
    "IdempotencyKey",
    "Journal",
    "JournalQuerySet",
    "OptionCategory",
    "OptionValue",
    "Order",
    "OrderCount",
    "OrderQuerySet",
    "Reason",
    "SerialCounter",
    "Track",
]
