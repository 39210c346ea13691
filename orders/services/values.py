"""The shapes of what the order services accept, as typed dictionaries (keys optional: a partial
update names only what it changes). Domain field names, not the wire's (`sku_code`, not `skuCode`)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TypedDict


class HeaderValues(TypedDict, total=False):
    type: str
    customer_name: str
    accuser_name: str
    reason: str
    saler: str  # a username or full name; "" unassigns
    creator_name: str
    remark: str


class LineValues(TypedDict, total=False):
    """An abnormal-product line; with `id` an existing line of the order."""

    id: int
    sku_code: str
    remark: str


class DutyReportValues(TypedDict, total=False):
    abnormal_type: str
    abnormal_reason: str
    publishment: str
    publish_to: str
    compensation: Decimal | None
    duty_to: str
    duty_date: date | None


class TrackValues(TypedDict, total=False):
    remark: str
    operator_name: str


class DeductionValues(TypedDict, total=False):
    """A charge-back line; with `id` an existing line of the order."""

    id: int
    compensation: Decimal
    has_receipt: bool
    remark: str


HEADER_FIELDS: tuple[str, ...] = tuple(HeaderValues.__annotations__)
