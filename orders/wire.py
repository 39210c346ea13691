"""How order values look on the wire: datetimes, dates, money, and each record's fields.

One home for the shapes that both the API's output (`orders.serializers`) and the journal's
`changes` (`orders.services.audit`) write, so a value in the journal reads exactly as the client
saw it. Plain Python: no DRF, no queries.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

# Legacy spellings of the old mobile client, accepted on input only.
STATUS_ALIASES = {"waitting": "waiting"}
REASON_ALIASES = {"其他": "其它"}
PUBLISHMENT_ALIASES = {"需要处罚": "处罚"}

# Domain (model) field names whose wire name differs; error keys are renamed with it.
WIRE_FIELD_NAMES = {"sku_code": "skuCode", "saler_name": "saler", "duty_to_supplier_id": "duty_to_id"}


def fmt_datetime(value: datetime | None) -> str | None:
    # TIME_ZONE, the wire's zone: `timezone.localtime` would look up the active zone (a context-local
    # read) for each of the ~140 datetimes of a list page; nothing here activates another zone.
    return value.astimezone(timezone.get_default_timezone()).strftime("%Y-%m-%d %H:%M:%S") if value else None


def fmt_date(value: date | None) -> str | None:
    # isoformat, not strftime("%Y"): glibc does not zero-pad years before 1000 ("256-04-22").
    return value.isoformat() if value else None


def fmt_money(value: Any) -> str | None:
    return None if value is None else f"{value:.2f}"


def money(value: Any) -> Decimal | None:
    """An amount as stored: 2 places, and `-0` as `0.00` (a negative zero is no refund)."""
    if value is None:
        return None
    amount = Decimal(value).quantize(Decimal("0.01"))
    return amount if amount else Decimal("0.00")


# --- Records, field by field (the journal's `changes` compare these) -----------------------------
def order_header(order: Any) -> dict[str, Any]:
    return {
        "type": order.type,
        "customer_name": order.customer_name,
        "accuser_name": order.accuser_name,
        "creator_name": order.creator_name,
        "saler": order.saler_name,
        "reason": order.reason,
        "remark": order.remark,
    }


def abnormal_product(line: Any) -> dict[str, Any]:
    return {"skuCode": line.sku_code, "remark": line.remark, "product_item_name": line.product_item_name}


def duty_report(report: Any) -> dict[str, Any]:
    return {
        "abnormal_type": report.abnormal_type,
        "abnormal_reason": report.abnormal_reason,
        "publishment": report.publishment,
        "publish_to": report.publish_to,
        "compensation": fmt_money(report.compensation),
        "duty_to_id": report.duty_to_supplier_id,
        "duty_to": report.duty_to,
        "duty_date": fmt_date(report.duty_date),
    }


def track(note: Any) -> dict[str, Any]:
    return {"remark": note.remark, "operator_name": note.operator_name}


def deduction(line: Any) -> dict[str, Any]:
    return {"compensation": fmt_money(line.compensation), "has_receipt": line.has_receipt, "remark": line.remark}


def attachment(evidence: Any) -> dict[str, Any]:
    """An attachment's own fields (the journal's; the output adds id, order, time and urls)."""
    return {
        "abnormal_product_id": evidence.abnormal_product_id,
        "name": evidence.name,
        "content_type": evidence.content_type,
        "size": evidence.size,
        "sha256": evidence.sha256,
        "width": evidence.width,
        "height": evidence.height,
        "remark": evidence.remark,
        "uploaded_by": evidence.uploaded_by_name,
    }
