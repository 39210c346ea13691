"""Every read of orders, with the prefetching that keeps query counts flat in the page size."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.http import Http404

from orders import workflow
from orders.models import AbnormalProduct, Deduction, DutyReport, Journal, OptionValue, Order, Reason, Track

# Columns the order output needs; everything else stays in the database.
ORDER_FIELDS = (
    "id",
    "serial_number",
    "charge_number",
    "type",
    "customer_name",
    "accuser_name",
    "creator_id",
    "creator_name",
    "saler_id",
    "saler_name",
    "status",
    "workflow_status",
    "summitted_at",
    "created_at",
    "updated_at",
    "remark",
    "reason",
)
DUTY_REPORT_FIELDS = tuple(
    f"duty_report__{name}"
    for name in (
        "id",
        "abnormal_type",
        "abnormal_reason",
        "publishment",
        "publish_to",
        "compensation",
        "duty_to",
        "duty_to_supplier_id",
        "duty_date",
    )
)


def orders_visible_to(user: Any) -> QuerySet[Order]:
    """Live orders the user may see: all for role users, else those they created or handle."""
    orders = Order.objects.alive()
    if workflow.has_any_role(user):
        return orders
    return orders.filter(Q(creator_id=user.pk) | Q(saler_id=user.pk))


def with_details(orders: QuerySet[Order]) -> QuerySet[Order]:
    """The order output's columns and nested records: one query per collection."""
    return (
        orders.select_related("duty_report")
        .only(*ORDER_FIELDS, *DUTY_REPORT_FIELDS)
        .prefetch_related(
            Prefetch(
                "abnormal_products",
                AbnormalProduct.objects.only("id", "order_id", "sku_code", "remark", "product_item_name").order_by(
                    "id"
                ),
            ),
            Prefetch(
                "tracks", Track.objects.only("id", "order_id", "remark", "operator_name", "created_at").order_by("id")
            ),
            Prefetch(
                "deductions",
                Deduction.objects.only(
                    "id", "order_id", "compensation", "has_receipt", "remark", "created_at"
                ).order_by("id"),
            ),
        )
    )


def order_list(*, user: Any) -> QuerySet[Order]:
    """Visible orders, newest change first (filters are applied by the caller's FilterSet)."""
    return orders_visible_to(user).order_by("-updated_at", "-id")


def order_get(*, user: Any, order_id: int, details: bool = True) -> Order:
    """One visible order (404 for a missing, deleted or invisible one)."""
    orders = orders_visible_to(user)
    if details:
        orders = with_details(orders)
    order = orders.filter(pk=order_id).first()
    if order is None:
        raise Http404
    return order


def journal_list(*, order: Order) -> QuerySet[Journal]:
    return Journal.objects.filter(order=order).order_by("id")


def abnormal_product_list(*, order: Order) -> QuerySet[AbnormalProduct]:
    return AbnormalProduct.objects.filter(order=order).order_by("id")


def abnormal_product_get(*, order: Order, product_line_id: int) -> AbnormalProduct:
    line = AbnormalProduct.objects.filter(order=order, pk=product_line_id).first()
    if line is None:
        raise Http404
    return line


def track_list(*, order: Order) -> QuerySet[Track]:
    return Track.objects.filter(order=order).order_by("id")


def deduction_list(*, order: Order) -> QuerySet[Deduction]:
    return Deduction.objects.filter(order=order).order_by("id")


def duty_report_get(*, order: Order) -> DutyReport | None:
    return DutyReport.objects.filter(order=order).first()


# --- Option lists -----------------------------------------------------------------------------------
ABNORMAL_RANK = "abnormalrank"
# The duty-report field each option list feeds.
OPTION_FIELD = {
    "typerank": "abnormal_type",
    "reasonrank": "abnormal_reason",
    "dutyrank": "publish_to",
    "publishmentrank": "publishment",
    "compensationrank": "compensation",
}


def option_values(category: str) -> list[str]:
    """The active values of one dropdown in display order (the order reasons for abnormalrank)."""
    if category == ABNORMAL_RANK:
        return list(Reason.values)
    return list(
        OptionValue.objects.filter(category=category, active=True)
        .order_by("position", "id")
        .values_list("value", flat=True)
    )


def option_stats(category: str, *, user: Any) -> list[dict[str, Any]]:
    """Each value with how many of the user's visible duty reports use it and their compensation total,
    most used first (display order breaks ties)."""
    values = option_values(category)
    reports = DutyReport.objects.filter(order__in=orders_visible_to(user))
    group_by = "order__reason" if category == ABNORMAL_RANK else OPTION_FIELD[category]
    usage: dict[str, tuple[int, Any]] = {}
    for row in reports.values(group_by).annotate(n=Count("id"), total=Sum("compensation")):
        key = row[group_by]
        if key is None:
            continue
        # compensationrank values are strings as entered ("5000"); match them to amounts.
        usage[_option_key(category, key)] = (row["n"], row["total"])
    rows = []
    for position, value in enumerate(values):
        count, total = usage.get(_option_key(category, value), (0, None))
        rows.append((position, value, count, total))
    rows.sort(key=lambda row: (-row[2], row[0]))
    return [{"value": value, "count": count, "compensation": f"{total or 0:.2f}"} for _, value, count, total in rows]


def _option_key(category: str, value: Any) -> str:
    if category == "compensationrank":
        try:
            return str(Decimal(str(value)).quantize(Decimal("0.01")))
        except ArithmeticError:
            return str(value)
    return str(value)
