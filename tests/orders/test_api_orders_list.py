"""`GET orders` (docs/api.md): filters, the default order, and who sees which orders."""

from datetime import datetime

import pytest
from django.utils import timezone

from orders import services
from orders.models import Order
from orders.workflow import SERVICE
from tests.factories import (
    SupplierFactory,
    UserFactory,
    make_order,
    order_for_former_specialist,
)
from tests.helpers import (
    ORDERS,
    SHANGHAI,
    advance,
    assert_field_error,
    ids,
    order_url,
)

ALL_STATUSES = [
    "created",
    "waiting",
    "service_approving",
    "service_approved",
    "manager_reviewing",
    "manager_reviewed",
    "chief_reviewing",
    "chief_reviewed",
    "finance_reviewing",
    "end",
]


@pytest.fixture
def catalogue_orders(users, suppliers):
    """Four orders in different states, by different people, against different suppliers."""
    other_factory = SupplierFactory(name="其他工厂", role="成品商")
    UserFactory(username="service2", first_name="王五", roles=[SERVICE])
    o1 = make_order(users["creator"], suppliers["customer"], suppliers["accuser"])
    o2 = make_order(users["creator"], suppliers["customer"], suppliers["accuser"], remark="抽屉卡顿")
    advance(users, o2, "service_approving")
    o3 = make_order(
        users["service"],
        other_factory,
        suppliers["customer"],
        type="交期投诉",
        reason="材料",
        remark="延迟交货",
        saler="service2",
    )
    services.order_update(user=users["service"], order_id=o3.pk, operation="halt")
    o4 = make_order(users["other"], other_factory, suppliers["accuser"], reason="其它", remark="包装破损")
    return [Order.objects.get(pk=o.pk) for o in (o1, o2, o3, o4)]


def listed(client, **params):
    response = client.get(ORDERS, {"per_page": 100, **params})
    return set(ids(response))


# --- Filters --------------------------------------------------------------------------------------
# Each filter (and legacy spelling) → the catalogue orders it answers, by index.
FILTER_CASES = [
    ({}, {0, 1, 2, 3}),
    ({"status": "waiting"}, {0, 2, 3}),
    ({"status": "waitting"}, {0, 2, 3}),
    ({"status": "service_approving"}, {1}),
    ({"status": "end"}, set()),
    ({"workflow_status": "halt"}, {2}),
    ({"workflow_status": "in_progress"}, {0, 1, 3}),
    ({"workflow_status": "cancel"}, set()),
    ({"status": "waiting", "workflow_status": "in_progress"}, {0, 3}),
    ({"creator_name": "张三"}, {0, 1}),
    ({"creator_name": "creator"}, {0, 1}),
    ({"creater_name": "张三"}, {0, 1}),
    ({"creater_name": "creator"}, {0, 1}),
    ({"creator_name": "李四"}, {2}),
    ({"creator_name": "service1"}, {2}),
    ({"creator_name": "other"}, {3}),
    ({"creator_name": "查无此人"}, set()),
    ({"saler": "李四"}, {0, 1}),
    ({"saler": "service1"}, {0, 1}),
    ({"saler_name": "李四"}, {0, 1}),
    ({"saler_name": "service1"}, {0, 1}),
    ({"saler": "service2"}, {2}),
    ({"saler": "王五"}, {2}),
    ({"customer_name": "被告工厂"}, {0, 1}),
    ({"customer_name": "其他工厂"}, {2, 3}),
    ({"accuser_name": "被告工厂"}, {2}),
    ({"accuser_name": "原告材料厂"}, {0, 1, 3}),
    ({"type": "交期投诉"}, {2}),
    ({"type": "质量投诉"}, {0, 1, 3}),
    ({"reason": "成品"}, {0, 1}),
    ({"reason": "材料"}, {2}),
    ({"reason": "其它"}, {3}),
    ({"key_word": "抽屉"}, {1}),
    ({"key_word": "其他"}, {2, 3}),
    ({"key_word": "原告"}, {0, 1, 3}),
    ({"key_word": "不存在的词"}, set()),
    ({"creator_name": "张三", "status": "service_approving"}, {1}),
]


def test_get_orders_filter_answers_matching_orders(clients, catalogue_orders):
    mismatches = []
    for params, expected in FILTER_CASES:
        found = listed(clients["service"], **params)
        wanted = {catalogue_orders[i].pk for i in expected}
        if found != wanted:
            mismatches.append(f"{params}: {sorted(found)}, expected {sorted(wanted)}")

    assert not mismatches, "\n".join(mismatches)


def test_get_orders_filter_serial_number_exact(clients, catalogue_orders):
    target = catalogue_orders[1]

    assert listed(clients["service"], serial_number=target.serial_number) == {target.pk}
    assert listed(clients["service"], serial_number=target.serial_number[:-1]) == set()


def test_get_orders_key_word_matches_serial_number_part(clients, catalogue_orders):
    target = catalogue_orders[2]

    assert listed(clients["service"], key_word=target.serial_number[-4:]) == {target.pk}
    assert listed(clients["service"], key_word=target.serial_number[:10]) == {o.pk for o in catalogue_orders}


def test_get_orders_canonical_filter_wins_over_legacy_alias(clients, catalogue_orders):
    assert listed(clients["service"], creator_name="李四", creater_name="张三") == {catalogue_orders[2].pk}


def test_get_orders_created_after_before_use_local_dates(clients, catalogue_orders):
    o1, o2, o3, o4 = catalogue_orders
    # 00:30 in Shanghai on the 21st is still the 20th in UTC: the filter must use the local date.
    Order.objects.filter(pk=o1.pk).update(created_at=datetime(2024, 1, 10, 12, 0, tzinfo=SHANGHAI))
    Order.objects.filter(pk=o2.pk).update(created_at=datetime(2024, 1, 21, 0, 30, tzinfo=SHANGHAI))
    Order.objects.filter(pk=o3.pk).update(created_at=datetime(2024, 1, 20, 23, 59, 59, tzinfo=SHANGHAI))
    Order.objects.filter(pk=o4.pk).update(created_at=datetime(2024, 2, 1, 8, 0, tzinfo=SHANGHAI))
    service = clients["service"]

    assert listed(service, created_after="2024-01-21") == {o2.pk, o4.pk}
    assert listed(service, created_before="2024-01-20") == {o1.pk, o3.pk}
    assert listed(service, created_after="2024-01-20", created_before="2024-01-21") == {o2.pk, o3.pk}
    assert listed(service, created_after="2024-01-10", created_before="2024-01-10") == {o1.pk}
    assert listed(service, created_after="2024-02-02") == set()
    assert listed(service, created_after="2024-02-01", created_before="2024-01-01") == set()


@pytest.mark.parametrize("param", ["created_after", "created_before"])
@pytest.mark.parametrize("value", ["2024-13-01", "2024-02-30", "yesterday", "20240101x"])
def test_get_orders_bad_date_answers_400(clients, db, param, value):
    response = clients["service"].get(ORDERS, {param: value})

    assert list(assert_field_error(response, param)) == [param]


@pytest.mark.parametrize(
    ("param", "allowed"),
    [
        ("status", ALL_STATUSES),
        ("workflow_status", ["halt", "in_progress", "done", "cancel", "overdue"]),
        ("reason", ["成品", "材料", "其它"]),
    ],
)
def test_get_orders_unknown_enum_answers_400_listing_allowed(clients, db, param, allowed):
    response = clients["service"].get(ORDERS, {param: "bogus"})

    errors = assert_field_error(response, param)
    assert list(errors) == [param]
    message = errors[param][0]
    assert "bogus" in message
    for value in allowed:
        assert value in message


@pytest.mark.parametrize("param", ["creator_name", "saler", "customer_name", "accuser_name", "type", "key_word"])
def test_get_orders_overlong_filter_answers_400(clients, db, param):
    response = clients["service"].get(ORDERS, {param: "x" * 101})

    assert_field_error(response, param)


def test_get_orders_unknown_parameter_answers_400_naming_it(clients, catalogue_orders):
    # A typo'd filter must not answer the unfiltered list as if it were the filtered one.
    response = clients["service"].get(ORDERS, {"stauts": "waiting", "status": "waiting"})

    errors = assert_field_error(response, "stauts")["stauts"]
    assert list(assert_field_error(response, "stauts")) == ["stauts"]
    assert errors


# --- Ordering -------------------------------------------------------------------------------------
def test_get_orders_default_order_most_recently_updated_first(api, creator, suppliers):
    first, second, third = (make_order(creator, suppliers["customer"], suppliers["accuser"]) for _ in range(3))

    assert ids(api.get(ORDERS)) == [third.pk, second.pk, first.pk]

    touched = api.put(order_url(first.pk), {"remark": "更新后"}, format="json")
    assert touched.status_code == 200

    assert ids(api.get(ORDERS)) == [first.pk, third.pk, second.pk]


def test_get_orders_equal_updated_at_ordered_by_id_descending(api, creator, suppliers):
    orders = [make_order(creator, suppliers["customer"], suppliers["accuser"]) for _ in range(4)]
    same = timezone.now()
    Order.objects.update(updated_at=same)

    assert ids(api.get(ORDERS)) == [o.pk for o in reversed(orders)]
    assert ids(api.get(ORDERS, {"per_page": 2, "page": 2})) == [orders[1].pk, orders[0].pk]


# --- Visibility -----------------------------------------------------------------------------------
def test_get_orders_plain_user_sees_only_own_orders(clients, catalogue_orders):
    o1, o2, _o3, o4 = catalogue_orders

    assert listed(clients["creator"]) == {o1.pk, o2.pk}
    assert listed(clients["other"]) == {o4.pk}


def test_get_orders_plain_user_sees_orders_assigned_to_them(clients, users, suppliers, catalogue_orders):
    assigned, _ = order_for_former_specialist(users["creator"], suppliers["customer"], suppliers["accuser"], "other")

    assert listed(clients["other"]) == {catalogue_orders[3].pk, assigned.pk}
    assert clients["other"].get(order_url(assigned.pk)).status_code == 200


def test_get_orders_plain_user_total_counts_only_visible(clients, catalogue_orders):
    response = clients["other"].get(ORDERS)

    assert response.json()["pagination"]["total"] == 1


@pytest.mark.parametrize("role", ["service", "manager", "chief", "finance", "superuser"])
def test_get_orders_role_user_sees_all_orders(clients, catalogue_orders, role):
    assert listed(clients[role]) == {o.pk for o in catalogue_orders}


def test_get_orders_deleted_order_hidden_from_everyone(clients, users, catalogue_orders):
    services.order_delete(user=users["creator"], order_id=catalogue_orders[0].pk)

    assert catalogue_orders[0].pk not in listed(clients["creator"])
    assert catalogue_orders[0].pk not in listed(clients["superuser"])


@pytest.mark.parametrize("role", ["service", "manager", "chief", "finance", "superuser"])
def test_get_order_role_user_sees_any_order_detail(clients, catalogue_orders, role):
    response = clients[role].get(order_url(catalogue_orders[3].pk))

    assert response.status_code == 200
    assert response.json()["data"]["id"] == catalogue_orders[3].pk
