"""The statistics of the known dataset (tests/stats/conftest.py) against figures computed by hand."""

from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from django.test import RequestFactory

from stats import filters, selectors
from stats.selectors import CycleTime, OrderStats

D = Decimal


def row(key, orders, in_progress, finished, cancelled, compensation="0.00", deducted="0.00"):
    return OrderStats(key, orders, in_progress, finished, cancelled, D(compensation), D(deducted))


def scope_for(user, params):
    request = RequestFactory().get("/")
    request.user = user
    filterset = filters.order_filter(request=request, params=QueryDict(urlencode(params, doseq=True)))
    assert filterset.is_valid()
    return filters.scope(user=user, filterset=filterset)


def stats_for(user, group_by, **params):
    return selectors.order_stats(scope=scope_for(user, params), group_by=group_by)


def cycle_for(user, **params):
    return {row.status: row for row in selectors.cycle_times(scope=scope_for(user, params))}


# Everything a role user sees: o1, o2, o3, o5 (o4 is soft-deleted).
EXPECTED = {
    "month": [
        row("2026-01", 1, 0, 1, 0, "1000.00", "1000.00"),
        row("2026-02", 2, 1, 0, 1, "500.00"),
        row("2026-03", 1, 1, 0, 0),  # o5: 00:30 local on 1 March is 28 February in UTC
    ],
    "customer_name": [
        row("被告甲", 3, 2, 1, 0, "1500.00", "1000.00"),
        row("被告乙", 1, 0, 0, 1),
    ],
    "accuser_name": [row("原告丙", 4, 2, 1, 1, "1500.00", "1000.00")],
    "type": [
        row("质量投诉", 2, 0, 1, 1, "1000.00", "1000.00"),
        row("交期投诉", 1, 1, 0, 0, "500.00"),
        row("服务投诉", 1, 1, 0, 0),
    ],
    "reason": [
        row("其它", 3, 2, 0, 1, "500.00"),
        row("成品", 1, 0, 1, 0, "1000.00", "1000.00"),
    ],
    "abnormal_type": [
        row("", 2, 1, 0, 1),  # o3 and o5 have no duty report
        row("色差", 1, 0, 1, 0, "1000.00", "1000.00"),
        row("质量", 1, 1, 0, 0, "500.00"),
    ],
    "status": [
        row("service_approving", 2, 1, 0, 1),
        row("end", 1, 0, 1, 0, "1000.00", "1000.00"),
        row("service_approved", 1, 1, 0, 0, "500.00"),
    ],
}


@pytest.mark.parametrize("group_by", selectors.GROUP_BY)
def test_order_stats_role_user_equals_hand_computed(dataset, group_by):
    assert stats_for(dataset.users["service"], group_by) == EXPECTED[group_by]


def test_order_stats_every_group_adds_up(dataset):
    for rows in EXPECTED.values():
        assert all(r.orders == r.in_progress + r.finished + r.cancelled for r in rows)
        assert sum(r.orders for r in rows) == 4


def test_order_stats_plain_user_counts_only_own_orders(dataset):
    assert stats_for(dataset.users["creator"], "customer_name") == [
        row("被告甲", 2, 1, 1, 0, "1500.00", "1000.00"),
        row("被告乙", 1, 0, 0, 1),
    ]
    assert stats_for(dataset.users["other"], "month") == [row("2026-03", 1, 1, 0, 0)]


def test_order_stats_date_range_counts_orders_filed_in_it(dataset):
    rows = stats_for(dataset.users["service"], "month", created_after="2026-02-01", created_before="2026-02-28")
    assert rows == [row("2026-02", 2, 1, 0, 1, "500.00")]


def test_order_stats_order_filters_narrow_the_count(dataset):
    assert stats_for(dataset.users["service"], "status", customer_name="被告乙") == [
        row("service_approving", 1, 0, 0, 1)
    ]
    assert stats_for(dataset.users["service"], "reason", workflow_status="done") == [
        row("成品", 1, 0, 1, 0, "1000.00", "1000.00")
    ]


def test_order_stats_no_visible_orders_empty(db, users):
    assert stats_for(users["creator"], "month") == []


def test_order_stats_unknown_group_refused(db, users):
    with pytest.raises(ValueError, match="group_by"):
        selectors.order_stats(scope=scope_for(users["service"], {}), group_by="remark")


# Completed stays of o1, o2, o3, o5 in hours (o4's are not counted):
#   waiting: 2 (o1), 1 and 0.5 (o2), 3 (o3), 4.33 (o5)  → sorted 0.5 1 2 3 4.33
#   service_approving: 3 (o1), 2 and 1 (o2)             → sorted 1 2 3
#   service_approved … finance_reviewing: o1 only       → 4, 6, 1, 2, 1, 5
# Nearest rank: median = the ⌈n/2⌉-th, p90 = the ⌈0.9 n⌉-th; hours to 0.1.
EXPECTED_CYCLE = [
    CycleTime("waiting", 5, 2.0, 4.3),
    CycleTime("service_approving", 3, 2.0, 3.0),
    CycleTime("service_approved", 1, 4.0, 4.0),
    CycleTime("manager_reviewing", 1, 6.0, 6.0),
    CycleTime("manager_reviewed", 1, 1.0, 1.0),
    CycleTime("chief_reviewing", 1, 2.0, 2.0),
    CycleTime("chief_reviewed", 1, 1.0, 1.0),
    CycleTime("finance_reviewing", 1, 5.0, 5.0),
]


def test_cycle_times_role_user_equals_hand_computed(dataset):
    assert list(cycle_for(dataset.users["service"]).values()) == EXPECTED_CYCLE


def test_cycle_times_plain_user_counts_only_own_orders(dataset):
    # creator: o1, o2, o3 → waiting 2, 1, 0.5, 3 (sorted 0.5 1 2 3): median the 2nd, p90 the 4th.
    found = cycle_for(dataset.users["creator"])
    assert found["waiting"] == CycleTime("waiting", 4, 1.0, 3.0)
    assert found["service_approving"] == CycleTime("service_approving", 3, 2.0, 3.0)
    # other: o5 only.
    found = cycle_for(dataset.users["other"])
    assert found["waiting"] == CycleTime("waiting", 1, 4.3, 4.3)
    assert found["service_approving"] == CycleTime("service_approving", 0, None, None)


def test_cycle_times_filtered_orders_only(dataset):
    found = cycle_for(dataset.users["service"], customer_name="被告乙")
    assert found["waiting"] == CycleTime("waiting", 1, 3.0, 3.0)
    assert found["service_approving"].count == 0  # o3's stay never ended (cancelled)


def test_cycle_times_no_orders_every_status_empty(db, users):
    rows = list(cycle_for(users["creator"]).values())
    assert [r.status for r in rows] == list(selectors.CYCLE_STATUSES)
    assert all(r.count == 0 and r.median_hours is None and r.p90_hours is None for r in rows)


@pytest.mark.parametrize(
    "dates",
    [
        {"created_after": "2026-02-01", "created_before": "2026-02-28"},  # one whole month
        {"created_after": "2026-01-10", "created_before": "2026-03-01"},  # partial months around a whole one
        {"created_after": "2026-02-04"},  # from mid-February on
        {"created_before": "2026-02-20"},  # up to mid-February
        {"created_after": "2026-02-21", "created_before": "2026-02-21"},  # one day (o4, deleted): nothing
        {"created_after": "2026-03-01", "created_before": "2026-03-01"},  # o5's local day, not its UTC day
    ],
)
def test_cycle_times_dates_from_months_equal_stay_by_stay(dataset, dates):
    # A role user is counted from the statistics tables alone (with dates only: whole months plus
    # single stays); with a filter they don't carry (here one every order matches) through the
    # orders, stay by stay. All must agree.
    by_months = cycle_for(dataset.users["service"], **dates)
    assert by_months == cycle_for(dataset.users["service"], key_word="划伤", **dates)
    assert by_months == cycle_for(dataset.users["service"], accuser_name="原告丙", **dates)
    stats = stats_for(dataset.users["service"], "month", **dates)
    assert stats == stats_for(dataset.users["service"], "month", key_word="划伤", **dates)


def test_cycle_times_o5_counted_in_its_local_month(dataset):
    found = cycle_for(dataset.users["service"], created_after="2026-03-01", created_before="2026-03-31")
    assert found["waiting"] == CycleTime("waiting", 1, 4.3, 4.3)
    found = cycle_for(dataset.users["service"], created_after="2026-02-01", created_before="2026-02-28")
    assert found["waiting"] == CycleTime("waiting", 3, 1.0, 3.0)  # o2: 1 and 0.5, o3: 3


PRE_COUNTED = [
    ({}, "group_totals"),
    ({"status": "service_approving"}, "group_counts"),
    ({"status": "service_approving,end", "workflow_status": "in_progress,done"}, "group_counts"),
    ({"workflow_status": "cancel"}, "group_counts"),
    ({"created_after": "2026-01-10", "created_before": "2026-03-01"}, "day_counts"),
    ({"created_after": "2026-02-01", "status": "service_approving"}, "day_counts"),
    ({"created_before": "2026-02-28", "workflow_status": "in_progress"}, "day_counts"),
]


@pytest.mark.parametrize(("params", "counts"), PRE_COUNTED)
def test_pre_counted_totals_equal_the_orders_counted_one_by_one(dataset, params, counts):
    # The filters role users send most (none, statuses, a date range) are answered from totals kept
    # per group, day and order state; the same filters plus one matching every order go through
    # the orders themselves. Every group_by and the cycle times must agree.
    service = dataset.users["service"]
    scope = scope_for(service, params)
    assert getattr(scope, counts) is not None
    assert scope_for(service, {**params, "key_word": "划伤"}).group_counts is None
    for group_by in selectors.GROUP_BY:
        assert stats_for(service, group_by, **params) == stats_for(service, group_by, key_word="划伤", **params)
    assert cycle_for(service, **params) == cycle_for(service, key_word="划伤", **params)


def test_pre_counted_totals_follow_a_move_away_and_leave_no_empty_group(dataset):
    # A new order is the only one against 被告丙; deleted, its group disappears, not a row of zeros.
    from orders import services
    from tests.factories import SupplierFactory, make_order

    service, creator = dataset.users["service"], dataset.users["creator"]
    order = make_order(creator, SupplierFactory(name="被告丙"), SupplierFactory(name="原告丁"), reason="其它")
    assert [row.key for row in stats_for(service, "customer_name")] == ["被告甲", "被告丙", "被告乙"]
    services.order_delete(user=creator, order_id=order.pk)
    assert [row.key for row in stats_for(service, "customer_name")] == ["被告甲", "被告乙"]
    assert stats_for(service, "accuser_name") == [row("原告丙", 4, 2, 1, 1, "1500.00", "1000.00")]
