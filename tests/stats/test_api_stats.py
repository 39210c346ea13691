"""`GET stats/orders` and `GET stats/cycle-times` on the wire, over the known dataset."""

import pytest

from tests.conftest import client_for

BASE = "/api/v1/afterservice/stats"


def get(client, path, **params):
    return client.get(f"{BASE}/{path}", params)


def test_order_stats_by_customer_money_as_strings(dataset):
    response = get(client_for(dataset.users["service"]), "orders", group_by="customer_name")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == 0 and "pagination" not in body
    assert body["data"] == [
        {
            "key": "被告甲",
            "orders": 3,
            "in_progress": 2,
            "finished": 1,
            "cancelled": 0,
            "compensation": "1500.00",
            "deducted": "1000.00",
        },
        {
            "key": "被告乙",
            "orders": 1,
            "in_progress": 0,
            "finished": 0,
            "cancelled": 1,
            "compensation": "0.00",
            "deducted": "0.00",
        },
    ]


def test_order_stats_by_month_calendar_order_local_months(dataset):
    response = get(client_for(dataset.users["service"]), "orders/", group_by="month")
    assert response.status_code == 200
    assert [(r["key"], r["orders"]) for r in response.json()["data"]] == [
        ("2026-01", 1),
        ("2026-02", 2),
        ("2026-03", 1),
    ]


def test_order_stats_plain_user_only_own_orders(dataset):
    response = get(client_for(dataset.users["other"]), "orders", group_by="customer_name")
    assert [(r["key"], r["orders"]) for r in response.json()["data"]] == [("被告甲", 1)]


def test_order_stats_with_order_filters_and_legacy_alias(dataset):
    client = client_for(dataset.users["service"])
    response = get(client, "orders", group_by="status", created_after="2026-02-01", created_before="2026-02-28")
    assert [(r["key"], r["orders"]) for r in response.json()["data"]] == [
        ("service_approved", 1),
        ("service_approving", 1),
    ]
    response = get(client, "orders", group_by="reason", creater_name="张三")
    assert sum(r["orders"] for r in response.json()["data"]) == 3  # o1-o3 name 张三 as creator


@pytest.mark.parametrize("params", [{}, {"group_by": "remark"}, {"group_by": ""}])
def test_order_stats_missing_or_unknown_group_by_400_lists_allowed(dataset, params):
    response = get(client_for(dataset.users["service"]), "orders", **params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    (message,) = body["data"]["errors"]["group_by"]
    assert "month, customer_name, accuser_name, type, reason, abnormal_type, status" in message


def test_order_stats_unknown_filter_value_400_names_field(dataset):
    response = get(client_for(dataset.users["service"]), "orders", group_by="status", status="nope")
    assert response.status_code == 400
    assert "status" in response.json()["data"]["errors"]


def test_stats_anonymous_401(db, anon_client):
    assert anon_client.get(f"{BASE}/orders?group_by=month").status_code == 401
    assert anon_client.get(f"{BASE}/cycle-times").status_code == 401


def test_cycle_times_role_user_hand_computed(dataset):
    response = get(client_for(dataset.users["service"]), "cycle-times")
    assert response.status_code == 200
    data = response.json()["data"]
    assert [r["status"] for r in data] == [
        "waiting",
        "service_approving",
        "service_approved",
        "manager_reviewing",
        "manager_reviewed",
        "chief_reviewing",
        "chief_reviewed",
        "finance_reviewing",
    ]
    assert data[0] == {"status": "waiting", "count": 5, "median_hours": 2.0, "p90_hours": 4.3}
    assert data[1] == {"status": "service_approving", "count": 3, "median_hours": 2.0, "p90_hours": 3.0}


def test_cycle_times_trailing_slash_and_filters(dataset):
    response = get(client_for(dataset.users["service"]), "cycle-times/", customer_name="被告乙")
    assert response.status_code == 200
    assert response.json()["data"][0] == {"status": "waiting", "count": 1, "median_hours": 3.0, "p90_hours": 3.0}
    assert response.json()["data"][1]["median_hours"] is None


def test_cycle_times_plain_user_without_orders_all_empty(db, users):
    data = get(client_for(users["other"]), "cycle-times").json()["data"]
    assert len(data) == 8 and all(r["count"] == 0 for r in data)


@pytest.mark.parametrize("path", ["orders?group_by=customer_name", "orders?group_by=abnormal_type", "cycle-times"])
def test_stats_one_query_whatever_the_number_of_groups(dataset, django_assert_max_num_queries, path):
    client = client_for(dataset.users["service"])
    with django_assert_max_num_queries(2):  # the token with its roles, then the statistics
        assert client.get(f"{BASE}/{path}").status_code == 200


def test_stats_schema_documents_both_operations(db, anon_client):
    schema = anon_client.get("/api/schema?format=json").json()
    orders = schema["paths"]["/api/v1/afterservice/stats/orders"]["get"]
    group_by = next(p for p in orders["parameters"] if p["name"] == "group_by")
    assert group_by["required"] is True
    assert set(group_by["schema"]["enum"]) == {
        "month",
        "customer_name",
        "accuser_name",
        "type",
        "reason",
        "abnormal_type",
        "status",
    }
    assert {"created_after", "customer_name", "status"} <= {p["name"] for p in orders["parameters"]}
    assert "/api/v1/afterservice/stats/cycle-times" in schema["paths"]


def test_order_stats_rows_written_out_as_drf_fields_would():
    from decimal import Decimal

    from rest_framework import serializers

    from stats.selectors import OrderStats
    from stats.serializers import OrderStatsSerializer

    rows = [
        OrderStats("被告甲", 3, 2, 1, 0, Decimal("1500.00"), Decimal("1000.00")),
        OrderStats("", 1, 0, 0, 1, Decimal("0.00"), Decimal("0.00")),
        OrderStats("2026-01", 10**6, 10**6, 0, 0, Decimal("9999999999.99"), Decimal("0.05")),
    ]
    direct = OrderStatsSerializer(rows, many=True).data
    by_fields = [serializers.Serializer.to_representation(OrderStatsSerializer(), row) for row in rows]
    assert direct == [dict(row) for row in by_fields]
