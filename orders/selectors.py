"""Every read of orders, with the prefetching that keeps query counts flat in the page size."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Max, Min, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum

from afterservice_site.compiled import CompiledQuery
from orders import counters, workflow
from orders.exceptions import NotFound
from orders.models import (
    DUTY_REPORT_OPTION_FIELDS,
    AbnormalProduct,
    Attachment,
    Deduction,
    DutyReport,
    Journal,
    OptionCategory,
    OptionValue,
    Order,
    OrderCount,
    Reason,
    Track,
)
from orders.workflow import Status, WorkflowStatus

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
    "last_reject_reason",
    "attachment_count",
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


def _visible(orders: QuerySet[Order], user: Any) -> QuerySet[Order]:
    """The visibility rule: role users (and superusers) see every order; anyone else the orders
    they created or are the assigned specialist of."""
    if workflow.has_any_role(user):
        return orders
    return orders.filter(Q(creator_id=user.pk) | Q(saler_id=user.pk))


def orders_visible_to(user: Any) -> QuerySet[Order]:
    """Live (not soft-deleted) orders the user may see."""
    return _visible(Order.objects.alive(), user)


def page_ids(orders: QuerySet[Order]) -> QuerySet[Any]:
    """The ids of the (filtered, ordered) orders: what a page query needs to select; `order_rows`
    reads the rest."""
    return orders.values_list("id", flat=True)


# The order output's nested collections: related name → model and the columns the output reads.
NESTED: dict[str, tuple[type[Any], tuple[str, ...]]] = {
    "abnormal_products": (AbnormalProduct, ("id", "sku_code", "remark", "product_item_name")),
    "tracks": (Track, ("id", "remark", "operator_name", "created_at")),
    "deductions": (Deduction, ("id", "compensation", "has_receipt", "remark", "created_at")),
    "attachments": (
        Attachment,
        (
            "id",
            "abnormal_product_id",
            "name",
            "content_type",
            "size",
            "sha256",
            "width",
            "height",
            "remark",
            "uploaded_by_name",
            "created_at",
            "thumbnail_name",
        ),
    ),
}
# Collections read only for the orders whose counter (an order column, in the page's row query)
# says they have some: a page where no order has attachments costs no query for them.
COUNTED = {"attachments": "attachment_count"}

DutyReportRow = namedtuple("DutyReportRow", [name.removeprefix("duty_report__") for name in DUTY_REPORT_FIELDS])


class OrderRow(namedtuple("OrderRow", (*ORDER_FIELDS, "duty_report", "nested"))):
    """An order as the output reads it: the columns of ORDER_FIELDS as attributes, `duty_report`
    (a `DutyReportRow` or None) and `nested` (each collection of NESTED as a list of named tuples).

    Not a model instance: building 20-100 of them (and their duty reports) per page, with the FSM
    mixin's bookkeeping, cost more than the page's query (README "Performance").
    """

    __slots__ = ()

    @classmethod
    def from_values(cls, values: tuple[Any, ...]) -> OrderRow:
        report = values[len(ORDER_FIELDS) :]
        report_row = DutyReportRow._make(report) if report[0] is not None else None
        return cls._make((*values[: len(ORDER_FIELDS)], report_row, {name: [] for name in NESTED}))

    @property
    def pk(self) -> int:
        return self.id


def _nested_query(model: type[Any], columns: tuple[str, ...]) -> tuple[CompiledQuery, type[tuple[Any, ...]]]:
    query = CompiledQuery(
        lambda order_ids: model.objects.filter(order_id__in=order_ids).order_by("id").values_list("order_id", *columns)
    )
    return query, namedtuple(f"{model.__name__}Row", ("order_id", *columns))


_ORDER_ROWS = CompiledQuery(
    lambda ids: Order.objects.filter(pk__in=ids).order_by().values_list(*ORDER_FIELDS, *DUTY_REPORT_FIELDS)
)
_NESTED_QUERIES = {name: _nested_query(model, columns) for name, (model, columns) in NESTED.items()}


def order_rows(ids: list[int]) -> list[OrderRow]:
    """The output rows of the orders `ids`, in that order: one query for the orders with their duty
    reports, one per nested collection (none for attachments when no order has any), whatever the
    number of ids.

    The page query selects only ids (its filters and ordering are built per request); these
    queries are compiled once per page size (`CompiledQuery`). Not `prefetch_related` nor model
    instances: per order and collection it builds a related manager and a filtered queryset clone,
    and each query is compiled anew — all of which measured slower than the queries themselves
    (README "Performance").
    """
    ids = list(ids)
    if not ids:
        return []
    by_id = {values[0]: OrderRow.from_values(values) for values in _ORDER_ROWS.rows(ids)}
    for name, (query, row_class) in _NESTED_QUERIES.items():
        wanted = ids
        if name in COUNTED:
            wanted = [order_id for order_id, row in by_id.items() if getattr(row, COUNTED[name])]
            if not wanted:
                continue
        for values in query.rows(wanted):
            row = row_class._make(values)
            by_id[row.order_id].nested[name].append(row)
    return [by_id[order_id] for order_id in ids if order_id in by_id]


def order_total(
    *, user: Any, statuses: list[str] | None = None, workflow_statuses: list[str] | None = None, todo: bool = False
) -> int | None:
    """The number of visible orders matching these filters, from the live-order counters — for a
    role user, who sees every live order. None for anyone else (their own orders: an indexed
    COUNT is cheap)."""
    if not workflow.has_any_role(user):
        return None
    if not todo:
        return counters.total(statuses=statuses, workflow_statuses=workflow_statuses)
    role_statuses, creator_statuses = workflow.todo_statuses(user)
    wanted = set(statuses) if statuses is not None else None
    acting = workflow.ACTIONABLE & set(workflow_statuses) if workflow_statuses is not None else workflow.ACTIONABLE
    mine = creator_statuses & wanted if wanted is not None else creator_statuses
    total = counters.total(
        statuses=role_statuses & wanted if wanted is not None else role_statuses, workflow_statuses=acting
    )
    if mine and acting:
        total += Order.objects.alive().filter(creator_id=user.pk, status__in=mine, workflow_status__in=acting).count()
    return total


# The admin changelist's query parameters that select no orders: ordering, page, "show all", the
# popup's, facets' and error page's own, and the search box when it is empty.
BACK_OFFICE_NEUTRAL = frozenset({"o", "p", "all", "e", "_popup", "_to_field", "_facets", "q"})
# Its filters the counters answer, each to the values it accepts (the field filters OR repeated values).
BACK_OFFICE_COUNTED = {
    "status__exact": frozenset(Status.values),
    "workflow_status__exact": frozenset(WorkflowStatus.values),
    "todo": frozenset({"1"}),
    "deleted": frozenset({"all", "only"}),
}


def back_office_total(*, user: Any, params: Mapping[str, list[str]]) -> int | None:
    """The number of orders the admin's changelist lists for these query parameters (every value
    of each, as `QueryDict.lists()` gives them), without counting them: the live-order counters
    (`order_total`) plus, with `deleted`, an indexed count of the few soft-deleted orders. None
    when the counters cannot say — a search, another filter, the date hierarchy, a value they do
    not know, or a user who sees only some orders: the caller counts by query then."""
    if any(name not in BACK_OFFICE_NEUTRAL and name not in BACK_OFFICE_COUNTED for name in params):
        return None
    if any(value for value in params.get("q", [])):
        return None
    for name, allowed in BACK_OFFICE_COUNTED.items():
        if not set(params.get(name, [])) <= allowed:
            return None
    if not workflow.has_any_role(user):  # their own orders only: an indexed COUNT is cheap
        return None
    statuses = params.get("status__exact") or None
    workflow_statuses = params.get("workflow_status__exact") or None
    # Like the admin's list filters: the last value of `todo` and `deleted` counts.
    todo = bool(params.get("todo"))
    deleted = params["deleted"][-1] if params.get("deleted") else None
    if todo:  # the to-do queue holds live orders only, whatever `deleted` says
        live = order_total(user=user, statuses=statuses, workflow_statuses=workflow_statuses, todo=True)
        return 0 if deleted == "only" else live
    live = 0 if deleted == "only" else counters.total(statuses=statuses, workflow_statuses=workflow_statuses)
    if deleted is None:
        return live
    # Soft-deleted orders are few, and the partial index order_deleted_idx holds just them.
    gone = Order.objects.filter(is_deleted=True)
    if statuses is not None:
        gone = gone.filter(status__in=statuses)
    if workflow_statuses is not None:
        gone = gone.filter(workflow_status__in=workflow_statuses)
    return live + gone.count()


def todo_condition(user: Any) -> Q:
    """The orders `user` may apply `done` to now, as SQL: a status where one of their roles acts
    (every acting status for a superuser), or one they created where the creator acts — in progress
    or overdue. The same rule as `workflow.operations_for`, which decides it order by order."""
    role_statuses, creator_statuses = workflow.todo_statuses(user)
    condition = Q(status__in=role_statuses) if role_statuses else Q(pk__in=[])
    if creator_statuses:
        condition |= Q(creator_id=user.pk, status__in=creator_statuses)
    return Q(workflow_status__in=workflow.ACTIONABLE) & condition


def order_summary(*, user: Any) -> dict[str, Any]:
    """The approver's desk in numbers, over the user's visible live orders: the to-do queue, the
    overdue orders, and how many orders sit in each status (role users: from the counters)."""
    if workflow.has_any_role(user):
        pairs = {(row.status, row.workflow_status): row.live for row in OrderCount.objects.all()}
        todo = order_total(user=user, todo=True)
    else:
        visible = orders_visible_to(user)
        pairs = {
            (row["status"], row["workflow_status"]): row["n"]
            for row in visible.values("status", "workflow_status").annotate(n=Count("id")).order_by()
        }
        todo = visible.filter(todo_condition(user)).count()
    by_status = dict.fromkeys(Status.values, 0)
    for (status, _workflow_status), count in pairs.items():
        by_status[status] += count
    overdue = sum(count for (_status, workflow_status), count in pairs.items() if workflow_status == "overdue")
    return {"todo": todo, "overdue": overdue, "by_status": by_status}


def order_list(*, user: Any) -> QuerySet[Order]:
    """Visible orders, newest change first (filters are applied by the caller's FilterSet)."""
    return orders_visible_to(user).order_by("-updated_at", "-id")


def order_get(*, user: Any, order_id: int, details: bool = True) -> Any:
    """One visible order (404 for a missing, deleted or invisible one): with `details`, the
    `OrderRow` the output renders; without, the model instance."""
    orders = orders_visible_to(user).filter(pk=order_id)
    found = order_rows(list(page_ids(orders)[:1])) if details else [orders.first()]
    if not found or found[0] is None:
        raise NotFound()
    return found[0]


# --- Back office (the admin) ----------------------------------------------------------------------
def orders_in_back_office(user: Any) -> QuerySet[Order]:
    """The admin's orders: like `orders_visible_to`, but soft-deleted orders stay, with their journal."""
    return _visible(Order.objects.all(), user)


def journals_in_back_office(user: Any) -> QuerySet[Journal]:
    """Journal rows of the orders the user sees in the admin."""
    journals = Journal.objects.all()
    if workflow.has_any_role(user):
        return journals
    return journals.filter(order__in=orders_in_back_office(user))


def orders_date_range(
    orders: QuerySet[Order], field: str, *, by_index: bool = True
) -> tuple[datetime, datetime] | None:
    """The first and last value of a datetime field over these orders (None: no orders): the
    admin's date hierarchy. `by_index`: MIN and MAX alone, which PostgreSQL reads from the two
    ends of the field's index, walking it to the first matching order — right for most of the
    table. Otherwise one aggregate over the orders as their own filter finds them (the COUNT
    beside them keeps PostgreSQL from walking the index) — right for a few orders."""
    aggregates: dict[str, Any] = {"first": Min(field), "last": Max(field)}
    if not by_index:
        aggregates["n"] = Count("pk")
    bounds = orders.order_by().aggregate(**aggregates)
    if bounds["first"] is None or bounds["last"] is None:
        return None
    return bounds["first"], bounds["last"]


EXPORT_FIELDS = (*ORDER_FIELDS, "is_deleted")


def orders_for_export(orders: QuerySet[Order]) -> QuerySet[Order]:
    """The columns the admin's CSV export writes: the duty report's compensation, the deduction
    total (a subquery, no GROUP BY over the order's columns) and the SKU codes (one query per chunk)."""
    deduction_total = (
        Deduction.objects.filter(order=OuterRef("pk"))
        .values("order")
        .annotate(total=Sum("compensation"))
        .values("total")
    )
    return (
        orders.select_related("duty_report")
        .only(*EXPORT_FIELDS, "duty_report__compensation")
        .annotate(deduction_total=Subquery(deduction_total))
        .prefetch_related(
            Prefetch("abnormal_products", AbnormalProduct.objects.only("id", "order_id", "sku_code").order_by("id"))
        )
    )


def specialist_choices(*, current_id: int | None = None) -> QuerySet[Any]:
    """Active `service` users (plus the order's current specialist), for the admin's specialist field."""
    users = get_user_model().objects.filter(is_active=True)
    return users.filter(Q(groups__name=workflow.SERVICE) | Q(pk=current_id)).distinct().order_by("username")


def journal_list(*, order: Order) -> QuerySet[Journal]:
    return Journal.objects.filter(order=order).order_by("id")


def abnormal_product_list(*, order: Order) -> QuerySet[AbnormalProduct]:
    return AbnormalProduct.objects.filter(order=order).order_by("id")


def abnormal_product_get(*, order: Order, product_line_id: int) -> AbnormalProduct:
    line = AbnormalProduct.objects.filter(order=order, pk=product_line_id).first()
    if line is None:
        raise NotFound()
    return line


def track_list(*, order: Order) -> QuerySet[Track]:
    return Track.objects.filter(order=order).order_by("id")


def deduction_list(*, order: Order) -> QuerySet[Deduction]:
    return Deduction.objects.filter(order=order).order_by("id")


def duty_report_get(*, order: Order) -> DutyReport | None:
    return DutyReport.objects.filter(order=order).first()


def attachment_list(*, order: Order) -> QuerySet[Attachment]:
    return Attachment.objects.filter(order=order).order_by("id")


def attachment_get(*, user: Any, attachment_id: int, order_id: int | None = None) -> Attachment:
    """One attachment of an order visible to `user` (of order `order_id` when given), in one query;
    NotFound for a missing one, another order's, or one the user may not see."""
    attachments = Attachment.objects.filter(pk=attachment_id, order__in=orders_visible_to(user))
    if order_id is not None:
        attachments = attachments.filter(order_id=order_id)
    attachment = attachments.first()
    if attachment is None:
        raise NotFound()
    return attachment


def attachment_of_order(*, order: Order, attachment_id: int) -> Attachment:
    """An attachment of the (locked) order; NotFound for another order's."""
    attachment = Attachment.objects.filter(order=order, pk=attachment_id).first()
    if attachment is None:
        raise NotFound()
    return attachment


# --- Option lists -----------------------------------------------------------------------------------
ABNORMAL_RANK = "abnormalrank"
# What each option list's `?stats=1` groups the duty reports by: the field the list feeds (the
# order's own `type` and `reason` for `ordertype` and `abnormalrank`).
OPTION_FIELD = {
    **{category: field for field, category in DUTY_REPORT_OPTION_FIELDS.items()},
    OptionCategory.COMPENSATION: "compensation",
    OptionCategory.ORDER_TYPE: "order__type",
    ABNORMAL_RANK: "order__reason",
}
# Every list `GET dutyreports/<list>` serves.
OPTION_LISTS: tuple[str, ...] = (*OptionCategory.values, ABNORMAL_RANK)


def option_values(category: str) -> list[str]:
    """The active values of one dropdown in display order (the order reasons for abnormalrank)."""
    if category == ABNORMAL_RANK:
        return list(Reason.values)
    return list(
        OptionValue.objects.filter(category=category, active=True)
        .order_by("position", "id")
        .values_list("value", flat=True)
    )


def active_option_values() -> dict[str, list[str]]:
    """Every list's active values in display order, in one query (the admin's duty-report dropdowns)."""
    values: dict[str, list[str]] = {}
    for category, value in (
        OptionValue.objects.filter(active=True).order_by("category", "position", "id").values_list("category", "value")
    ):
        values.setdefault(category, []).append(value)
    return values


def option_next_position() -> int:
    """A position after every existing value: a new option value goes to the end of its list."""
    return (OptionValue.objects.aggregate(last=Max("position"))["last"] or 0) + 1


def option_stats(category: str, *, user: Any) -> list[dict[str, Any]]:
    """Each value with how many of the user's visible duty reports use it and their compensation total,
    most used first (display order breaks ties)."""
    values = option_values(category)
    reports = DutyReport.objects.filter(order__in=orders_visible_to(user))
    group_by = OPTION_FIELD[category]
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
