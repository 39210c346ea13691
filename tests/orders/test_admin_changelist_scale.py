"""The order changelist at any number of orders: its total comes from the live-order counters where
they cover the parameters (and is exact in every case), no filter reads the orders to offer its
choices, the date hierarchy reads no `DISTINCT` dates, and sorting is offered only along an index."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from django.contrib.admin.templatetags.admin_list import result_headers
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from orders import services
from orders.admin.order import OrderAdmin
from orders.models import OptionValue, Order, OrderCount
from orders.workflow import Status, WorkflowStatus
from tests.factories import make_order
from tests.helpers import advance, login, make_overdue

CHANGELIST = "admin:orders_order_changelist"
ROLE_USERS = ["service", "superuser"]
# A COUNT over the orders table, and the two the counter path may run: the few soft-deleted
# orders (order_deleted_idx), and a role user's own orders at a step where the creator acts
# (the to-do queue's share that is theirs as creator, by its creator_id index).
ORDER_COUNT = re.compile(r'SELECT COUNT\(.*FROM "orders_order"', re.DOTALL)
COUNT_WHERE = r'^SELECT COUNT\(\*\) AS "__count" FROM "orders_order" WHERE '
DELETED_COUNT = re.compile(COUNT_WHERE + r'\(?"orders_order"\."is_deleted"')
OWN_TODO_COUNT = re.compile(COUNT_WHERE + r'.*"orders_order"\."creator_id" = \d+')


@pytest.fixture
def orders(staff, suppliers, products) -> dict[str, Order]:
    """Orders in varied states, two of them soft-deleted, two of another type."""
    creator, customer, accuser = staff["creator"], suppliers["customer"], suppliers["accuser"]

    def new(**overrides: Any) -> Order:
        return make_order(creator, customer, accuser, **overrides)

    made = {
        "waiting": new(),
        "waiting_other_type": new(type="交期投诉", reason="材料"),
        "service": advance(staff, new(), Status.SERVICE_APPROVING),
        "manager": advance(staff, new(type="交期投诉"), Status.MANAGER_REVIEWING),
        "halted": new(),
        "cancelled": new(),
        "overdue": make_overdue(advance(staff, new(), Status.SERVICE_APPROVING)),
        "deleted": new(),
        "deleted_other_type": new(type="交期投诉"),
    }
    services.order_apply_operation(user=creator, order_id=made["halted"].pk, operation="halt")
    services.order_apply_operation(user=creator, order_id=made["cancelled"].pk, operation="cancel")
    for name in ("deleted", "deleted_other_type"):  # only a waiting order can be deleted
        services.order_delete(user=staff["service"], order_id=made[name].pk)
    return {name: Order.objects.get(pk=order.pk) for name, order in made.items()}


def changelist(client: Any, params: dict[str, Any] | None = None) -> tuple[Any, list[str]]:
    """The changelist page and the SQL it ran."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(CHANGELIST), params or {})
    assert response.status_code == 200, response.get("Location")
    return response, [query["sql"] for query in queries.captured_queries]


def full_counts(sql: list[str]) -> list[str]:
    """The COUNTs over orders other than the two the counter path may run."""
    return [
        query
        for query in sql
        if ORDER_COUNT.search(query) and not DELETED_COUNT.search(query) and not OWN_TODO_COUNT.search(query)
    ]


def listed_ids(client: Any, params: dict[str, Any], cl: Any) -> list[int]:
    """The ids of every order listed, page after page (one page when it shows them all)."""
    ids: list[int] = []
    pages = cl.paginator.num_pages if cl.multi_page and not (cl.show_all and cl.can_show_all) else 1
    for page in range(1, pages + 1):
        response = client.get(reverse(CHANGELIST), {**params, "p": page})
        ids.extend(order.pk for order in response.context["cl"].result_list)
    return ids


# --- The default list -------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ROLE_USERS)
def test_default_changelist_counts_no_order_and_reads_no_distinct(staff, orders, role, django_assert_max_num_queries):
    client = login(staff[role])
    client.get(reverse(CHANGELIST))  # the session and permissions' first reads

    with django_assert_max_num_queries(12):
        response, sql = changelist(client)

    cl = response.context["cl"]
    assert cl.result_count == Order.objects.filter(is_deleted=False).count() == 7
    assert not [query for query in sql if ORDER_COUNT.search(query)]
    assert not [query for query in sql if "DISTINCT" in query and '"orders_order"' in query]
    assert any('"orders_ordercount"' in query for query in sql)
    assert cl.full_result_count is None  # no second COUNT(*) of every order


def may_view_orders(user: Any) -> Any:
    """A plain user (no role) given the admin's view permission: they see their own orders there."""
    user.user_permissions.add(Permission.objects.get(content_type__app_label="orders", codename="view_order"))
    return user


def test_plain_creator_changelist_counts_their_orders_by_query(staff, orders, suppliers):
    other = make_order(staff["other"], suppliers["customer"], suppliers["accuser"])
    client = login(may_view_orders(staff["other"]))

    response, sql = changelist(client)

    cl = response.context["cl"]
    assert [order.pk for order in cl.result_list] == [other.pk]
    assert cl.result_count == 1
    counts = [query for query in sql if ORDER_COUNT.search(query)]
    assert len(counts) == 1  # their own orders by query: the counters' totals are everyone's
    assert "saler_id" in counts[0]


# --- Every parameter set: an exact total, from the counters where they cover it ----------------------
COUNTER_SETS = [
    {},
    {"status__exact": Status.WAITING},
    {"status__exact": [Status.WAITING, Status.SERVICE_APPROVING]},
    {"workflow_status__exact": WorkflowStatus.IN_PROGRESS},
    {"status__exact": Status.SERVICE_APPROVING, "workflow_status__exact": WorkflowStatus.OVERDUE},
    {"todo": "1"},
    {"todo": "1", "status__exact": Status.SERVICE_APPROVING},
    {"todo": "1", "deleted": "only"},
    {"deleted": "all"},
    {"deleted": "only"},
    {"status__exact": Status.SERVICE_APPROVING, "deleted": "all"},
    {"status__exact": Status.WAITING, "workflow_status__exact": WorkflowStatus.IN_PROGRESS, "deleted": "all"},
    {"workflow_status__exact": WorkflowStatus.IN_PROGRESS, "deleted": "only"},
    {"q": ""},
    {"o": "1", "status__exact": Status.WAITING},
    {"all": ""},
]
QUERY_SETS = [
    {"q": "被告工厂"},
    {"q": "SKU-1"},
    {"reason__exact": "材料"},
    {"type__exact": "交期投诉"},
    {"type__exact": "交期投诉", "status__exact": Status.MANAGER_REVIEWING},
    {"overdue": "yes"},
    {"overdue": "no", "deleted": "all"},
    {"status__exact": "no_such_status"},
    {"todo": "0"},
    {"deleted": "maybe"},
    {"created_at__year": "YEAR"},
    {"created_at__year": "YEAR", "created_at__month": "MONTH"},
    {"created_at__year": "YEAR", "created_at__month": "MONTH", "created_at__day": "DAY", "deleted": "all"},
]


def dated(params: dict[str, Any]) -> dict[str, Any]:
    today = timezone.localdate()
    values = {"YEAR": str(today.year), "MONTH": str(today.month), "DAY": str(today.day)}
    return {name: values.get(value, value) if isinstance(value, str) else value for name, value in params.items()}


@pytest.mark.parametrize("role", ROLE_USERS)
@pytest.mark.parametrize(
    ("params", "counted"), [(p, True) for p in COUNTER_SETS] + [(p, False) for p in QUERY_SETS], ids=repr
)
def test_changelist_total_is_exact_and_from_counters_where_covered(staff, orders, monkeypatch, role, params, counted):
    monkeypatch.setattr(OrderAdmin, "list_per_page", 3)  # several pages to walk through
    params = dated(params)
    client = login(staff[role])

    response, sql = changelist(client, params)

    cl = response.context["cl"]
    expected = sorted(cl.queryset.values_list("pk", flat=True))
    assert cl.result_count == len(expected)
    assert sorted(listed_ids(client, params, cl)) == expected
    if counted:
        assert full_counts(sql) == [], sql
    else:
        assert len(full_counts(sql)) == 1, sql


def test_matrix_covers_soft_deleted_and_empty_lists(staff, orders):
    """The matrix above is not vacuous: deleted orders are counted where listed, some sets are empty."""
    client = login(staff["superuser"])

    def total(params):
        return changelist(client, params)[0].context["cl"].result_count

    assert total({"deleted": "all"}) == 9
    assert total({"deleted": "only"}) == 2
    # waiting: two in progress, one halted, one cancelled, and the two deleted ones
    assert total({"status__exact": Status.WAITING, "deleted": "all"}) == 6
    assert total({"status__exact": Status.WAITING, "workflow_status__exact": "in_progress", "deleted": "only"}) == 2
    assert total({"todo": "1", "deleted": "only"}) == 0
    assert total({"status__exact": "no_such_status"}) == 0


def test_corrupted_counter_shows_in_default_total_but_search_counts_exactly(staff, orders):
    OrderCount.objects.filter(status=Status.WAITING, workflow_status=WorkflowStatus.IN_PROGRESS).update(live=1000)
    client = login(staff["manager"])

    default = changelist(client)[0].context["cl"]
    searched = changelist(client, {"q": "被告工厂"})[0].context["cl"]

    live = Order.objects.filter(is_deleted=False)
    waiting = live.filter(status=Status.WAITING, workflow_status=WorkflowStatus.IN_PROGRESS).count()
    assert default.result_count == live.count() - waiting + 1000  # the counters' word, not a COUNT
    assert searched.result_count == live.count()


def test_counters_drifted_to_zero_still_list_at_most_a_page(staff, orders, monkeypatch):
    """Django lists the whole queryset when the count says it fits on one page: a drifted counter
    must not make that every order."""
    monkeypatch.setattr(OrderAdmin, "list_per_page", 3)
    monkeypatch.setattr(OrderAdmin, "list_max_show_all", 5)
    OrderCount.objects.update(live=0)
    client = login(staff["superuser"])

    page = changelist(client)[0].context["cl"]
    everything = changelist(client, {"all": ""})[0].context["cl"]

    assert page.result_count == everything.result_count == 0  # what the counters say
    assert len(list(page.result_list)) == 3
    assert len(list(everything.result_list)) == 5


def test_bad_parameters_are_django_error_page_not_500(staff, orders, monkeypatch):
    monkeypatch.setattr(OrderAdmin, "list_per_page", 3)  # several pages: a page past the last is an error
    client = login(staff["superuser"])
    changelist_url = reverse(CHANGELIST)

    for params in (
        {"p": "99"},
        {"status__exact": Status.WAITING, "p": "99"},
        {"created_at__year": "20x5"},
        {"created_at__year": "2025", "created_at__month": "13"},
        {"status__nonsense": "1"},
        {"created_at__year": "9999"},  # Django itself would fail on the year after it
        {"status__exact": "wait\x00ing"},  # PostgreSQL refuses NUL in a query
        {"type__exact": "\x00"},
        {"q": "SKU\x00"},
    ):
        response = client.get(changelist_url, params)
        assert response.status_code == 302, params
        assert response.url == f"{changelist_url}?e=1"

    for params in ({"status__exact": "\u5f85"}, {"todo": "x"}, {"deleted": ""}, {"q": " "}, {"o": "99"}):
        assert client.get(changelist_url, params).status_code == 200, params


# --- List filters: no read of the orders to offer choices --------------------------------------------
def type_filter(cl: Any) -> Any:
    return next(spec for spec in cl.filter_specs if getattr(spec, "parameter_name", None) == "type__exact")


def test_type_filter_offers_the_option_list_and_filters(staff, orders):
    OptionValue.objects.create(category="ordertype", value="新类型", position=99)
    client = login(staff["chief"])

    response, sql = changelist(client)
    offered_filter = type_filter(response.context["cl"])
    chosen = changelist(client, {"type__exact": "交期投诉"})[0].context["cl"]
    retired = changelist(client, {"type__exact": "旧类型"})[0].context["cl"]

    offered = [value for value, _label in offered_filter.lookup_choices]
    assert offered == list(
        OptionValue.objects.filter(category="ordertype", active=True)
        .order_by("position", "id")
        .values_list("value", flat=True)
    )
    assert "新类型" in offered
    assert not [query for query in sql if "DISTINCT" in query]
    assert {order.type for order in chosen.result_list} == {"交期投诉"}
    assert chosen.result_count == 2
    assert list(retired.result_list) == []
    retired_filter = type_filter(retired)
    assert ("旧类型", "旧类型") in retired_filter.lookup_choices  # a chosen value stays visible


@pytest.mark.parametrize("per_page", [50, 3])
def test_no_list_filter_reads_orders_and_no_facets(staff, orders, monkeypatch, per_page):
    monkeypatch.setattr(OrderAdmin, "list_per_page", per_page)
    client = login(staff["finance"])

    response, sql = changelist(client, {"_facets": "1"})

    assert not response.context["cl"].add_facets
    # Besides the count (tested above): the page, and past one page the date hierarchy's MIN/MAX.
    order_reads = [query for query in sql if 'FROM "orders_order"' in query and not query.startswith("SELECT COUNT")]
    assert len(order_reads) == (1 if per_page == 50 else 2), order_reads
    assert '"orders_order"."updated_at" DESC' in order_reads[0]
    assert per_page == 50 or ("MIN(" in order_reads[1] and "MAX(" in order_reads[1])


# --- Sorting -----------------------------------------------------------------------------------------
def test_only_indexed_columns_are_sortable(staff, orders):
    client = login(staff["service"])

    response = changelist(client)[0]
    by_serial = changelist(client, {"o": "1"})[0].context["cl"]

    sortable = {str(header["text"]) for header in _headers(response) if header["sortable"]}
    assert sortable == {str(Order._meta.get_field(name).verbose_name) for name in ("serial_number", "updated_at")}
    assert by_serial.get_ordering_field_columns() == {1: "asc"}
    listed = [order.serial_number for order in by_serial.result_list]
    assert listed == sorted(listed)


def _headers(response: Any) -> list[dict[str, Any]]:
    return [header for header in result_headers(response.context["cl"]) if header.get("text")]


# --- Date hierarchy ----------------------------------------------------------------------------------
@pytest.fixture
def two_years(staff, suppliers) -> list[Order]:
    """Orders filed on 2024-11-03, 2024-12-24 and 2025-02-10 (local time)."""
    made = []
    for day in ("2024-11-03 09:00", "2024-12-24 23:30", "2025-02-10 00:30"):
        order = make_order(staff["creator"], suppliers["customer"], suppliers["accuser"])
        local = timezone.make_aware(datetime.strptime(day, "%Y-%m-%d %H:%M"))
        Order.objects.filter(pk=order.pk).update(created_at=local)
        made.append(order)
    return made


def hierarchy(response: Any) -> tuple[str | None, list[tuple[str, str | None]]]:
    """The date hierarchy as rendered: the back link's title and each choice's (title, link)."""
    context = next(c for c in response.context if "choices" in c and "back" in c)
    back = context["back"]["title"] if context["back"] else None
    return (str(back) if back else None), [(str(c["title"]), c.get("link")) for c in context["choices"]]


@pytest.mark.parametrize("paged", [False, True])
def test_date_hierarchy_years_months_days(staff, two_years, monkeypatch, paged):
    # paged: more orders than a page holds, so the range is read by MIN/MAX, not from the page.
    if paged:
        monkeypatch.setattr(OrderAdmin, "list_per_page", 1)
    client = login(staff["service"])

    years, years_sql = changelist(client)
    months, months_sql = changelist(client, {"created_at__year": "2024"})
    days, days_sql = changelist(client, {"created_at__year": "2024", "created_at__month": "12"})
    one_day, one_day_sql = changelist(
        client, {"created_at__year": "2024", "created_at__month": "12", "created_at__day": "24"}
    )

    assert hierarchy(years) == (
        None,
        [("2024", "?created_at__year=2024"), ("2025", "?created_at__year=2025")],
    )
    back, choices = hierarchy(months)
    assert back == "全部日期"
    assert choices == [
        ("2024年11月", "?created_at__month=11&created_at__year=2024"),
        ("2024年12月", "?created_at__month=12&created_at__year=2024"),
    ]
    # December holds one order: its day only.
    assert hierarchy(days) == ("2024", [("12月24日", "?created_at__day=24&created_at__month=12&created_at__year=2024")])
    assert hierarchy(one_day) == ("2024年12月", [("12月24日", None)])
    assert [order.pk for order in one_day.context["cl"].result_list] == [two_years[1].pk]
    for sql in (years_sql, months_sql, days_sql, one_day_sql):  # no DISTINCT dates (DATE_TRUNC on PostgreSQL)
        assert not [query for query in sql if "DATE_TRUNC" in query.upper() or "django_datetime_trunc" in query]


def test_date_hierarchy_spans_every_month_between_first_and_last(staff, two_years, suppliers):
    extra = make_order(staff["creator"], suppliers["customer"], suppliers["accuser"])
    Order.objects.filter(pk=extra.pk).update(created_at=timezone.make_aware(datetime(2024, 3, 5, 12)))
    client = login(staff["service"])

    _back, choices = hierarchy(changelist(client, {"created_at__year": "2024"})[0])

    # March and November hold orders; the months between are offered too (they list no order).
    assert [title for title, _link in choices] == [f"2024年{month}月" for month in range(3, 13)]


def test_date_hierarchy_starts_at_days_when_every_order_is_in_one_month(staff, suppliers):
    for day in (3, 9):
        order = make_order(staff["creator"], suppliers["customer"], suppliers["accuser"])
        Order.objects.filter(pk=order.pk).update(created_at=timezone.make_aware(datetime(2025, 6, day, 8)))
    client = login(staff["superuser"])

    back, choices = hierarchy(changelist(client)[0])

    assert back == "2025"
    days = [f"06月{day}日" for day in range(3, 10)]  # zh-hans MONTH_DAY_FORMAT: "m月j日"
    assert [title for title, _link in choices] == days


def test_date_hierarchy_of_an_empty_list_offers_nothing(staff, orders):
    client = login(staff["service"])

    response, _sql = changelist(client, {"status__exact": Status.END})

    assert hierarchy(response) == (None, [])


@pytest.mark.parametrize("role", ["service", "other"])
def test_paged_date_hierarchy_reads_the_users_orders_of_the_period(staff, two_years, suppliers, monkeypatch, role):
    """Past one page, the range is the MIN/MAX of the orders the user sees in the chosen period and
    deletion choice (the state filters and the search left out)."""
    monkeypatch.setattr(OrderAdmin, "list_per_page", 1)
    mine = make_order(staff["other"], suppliers["customer"], suppliers["accuser"])
    also_mine = make_order(staff["other"], suppliers["customer"], suppliers["accuser"])
    Order.objects.filter(pk=mine.pk).update(created_at=timezone.make_aware(datetime(2023, 1, 1, 12)))
    Order.objects.filter(pk=also_mine.pk).update(created_at=timezone.make_aware(datetime(2023, 5, 1, 12)))
    services.order_delete(user=staff["service"], order_id=two_years[2].pk)
    client = login(may_view_orders(staff[role]) if role == "other" else staff[role])

    def years(params: dict[str, str]) -> list[str]:
        return [title for title, _link in hierarchy(changelist(client, params)[0])[1]]

    if role == "other":  # a plain creator: their own two orders, both in 2023 → its months
        assert years({}) == [f"2023年{month}月" for month in range(1, 6)]
    else:
        assert years({}) == ["2023", "2024"]  # 2025's order is deleted
        assert years({"deleted": "all"}) == ["2023", "2024", "2025"]
        # The search finds the two live 2024 orders (filed by 张三): the years are all orders' still.
        assert years({"q": "张三"}) == ["2023", "2024"]


def test_date_hierarchy_days_are_local(staff, two_years):
    """The order filed at 00:30 on 2025-02-10 local time (UTC: the 9th) is on the 10th."""
    stored = Order.objects.get(pk=two_years[2].pk).created_at
    assert (stored.astimezone(UTC).day, timezone.localtime(stored).day) == (9, 10)
    client = login(staff["service"])

    _back, choices = hierarchy(changelist(client, {"created_at__year": "2025", "created_at__month": "2"})[0])

    assert choices == [("02月10日", "?created_at__day=10&created_at__month=2&created_at__year=2025")]
