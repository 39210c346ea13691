"""`GET notifications` and `POST notifications/read`: one's own only, the envelope, paging, 400s."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from notifications.models import Kind, Notification
from notifications.selectors import unread_count
from orders.workflow import Status
from tests.factories import make_order

pytestmark = pytest.mark.django_db

LIST = "/api/v1/afterservice/notifications"
READ = "/api/v1/afterservice/notifications/read"


@pytest.fixture
def inbox(users, suppliers):
    """Three notifications of the plain creator (oldest first) and one of the manager."""
    order = make_order(users["creator"], suppliers["customer"], suppliers["accuser"], reason="其它")
    times = [datetime(2026, 11, 28, 1, minute, 5, tzinfo=UTC) for minute in (0, 1, 2)]
    mine = [
        Notification.objects.create(
            recipient=users["creator"], kind=kind, order=order, status=Status.WAITING, message=f"消息{i}", created_at=at
        )
        for i, (kind, at) in enumerate(zip([Kind.REJECTED, Kind.OVERDUE, Kind.CANCELLED], times, strict=True))
    ]
    theirs = Notification.objects.create(
        recipient=users["manager"], kind=Kind.TODO, order=order, status=Status.MANAGER_REVIEWING, message="别人的"
    )
    return {"order": order, "mine": mine, "theirs": theirs}


def unread_ids(user) -> set[int]:
    return set(Notification.objects.filter(recipient=user, read_at__isnull=True).values_list("id", flat=True))


# --- GET notifications ------------------------------------------------------------------------------
def test_list_returns_own_newest_first_in_the_envelope(clients, inbox):
    response = clients["creator"].get(LIST)

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == 0
    assert body["pagination"] == {"page": 1, "per_page": 20, "total": 3, "pages": 1}
    newest = inbox["mine"][2]
    assert body["data"][0] == {
        "id": newest.id,
        "kind": "cancelled",
        "order_id": inbox["order"].id,
        "serial_number": inbox["order"].serial_number,
        "status": "waiting",
        "message": "消息2",
        "created_at": "2026-11-28 09:02:05",  # Asia/Shanghai
        "read_at": None,
    }
    assert [item["id"] for item in body["data"]] == [n.id for n in reversed(inbox["mine"])]


def test_list_unread_only_leaves_out_read_ones(clients, inbox):
    Notification.objects.filter(pk=inbox["mine"][0].pk).update(read_at=timezone.now())

    for value in ("1", "true"):
        response = clients["creator"].get(LIST, {"unread": value})
        assert [item["id"] for item in response.json()["data"]] == [inbox["mine"][2].id, inbox["mine"][1].id]
    everything = clients["creator"].get(f"{LIST}/", {"unread": "0"}).json()["data"]  # trailing slash too
    assert len(everything) == 3
    assert everything[2]["read_at"] is not None


def test_list_pages_by_per_page(clients, inbox):
    body = clients["creator"].get(LIST, {"per_page": 2, "page": 2}).json()

    assert body["pagination"] == {"page": 2, "per_page": 2, "total": 3, "pages": 2}
    assert [item["id"] for item in body["data"]] == [inbox["mine"][0].id]


@pytest.mark.parametrize(("params", "field"), [({"unread": "maybe"}, "unread"), ({"per_page": "0"}, "per_page")])
def test_list_bad_parameter_is_400_naming_it(clients, inbox, params, field):
    response = clients["creator"].get(LIST, params)

    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert field in response.json()["data"]["errors"]


def test_list_needs_authentication(clients, inbox):
    assert clients["anonymous"].get(LIST).status_code == 401


def test_list_query_count_is_flat_in_per_page(clients, users, suppliers, django_assert_num_queries):
    order = make_order(users["creator"], suppliers["customer"], suppliers["accuser"], reason="其它")
    Notification.objects.bulk_create(
        Notification(recipient=users["creator"], kind=Kind.TODO, order=order, status=Status.WAITING, message="m")
        for _ in range(60)
    )
    counts = {}
    for per_page in (1, 20, 60):
        with django_assert_num_queries(3) as captured:  # token with roles, count, the page with its orders
            response = clients["creator"].get(LIST, {"per_page": per_page})
        assert len(response.json()["data"]) == per_page
        counts[per_page] = len(captured.captured_queries)
    assert len(set(counts.values())) == 1


# --- POST notifications/read ------------------------------------------------------------------------
def test_read_ids_marks_only_own_unread_and_counts_them(clients, users, inbox):
    first, second, _third = inbox["mine"]
    Notification.objects.filter(pk=second.pk).update(read_at=timezone.now())

    response = clients["creator"].post(READ, {"ids": [first.id, second.id, inbox["theirs"].id, 999999]}, format="json")

    assert response.status_code == 200
    assert response.json() == {"status": 0, "message": "ok", "data": {"updated": 1}}
    assert unread_ids(users["creator"]) == {inbox["mine"][2].id}
    assert unread_ids(users["manager"]) == {inbox["theirs"].id}  # someone else's: untouched


def test_read_all_marks_every_own_unread(clients, users, inbox):
    response = clients["creator"].post(f"{READ}/", {"all": True}, format="json")

    assert response.json()["data"] == {"updated": 3}
    assert unread_ids(users["creator"]) == set()
    assert unread_ids(users["manager"]) == {inbox["theirs"].id}
    assert unread_count(users["creator"]) == 0
    assert unread_count(users["manager"]) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "ids"),
        ({"all": False}, "ids"),
        ({"all": True, "ids": [1]}, "all"),
        ({"ids": "1,2"}, "ids"),
        ({"ids": [0]}, "ids"),
        ({"ids": [2**63]}, "ids"),
        ({"ids": ["x"]}, "ids"),
        ({"ids": list(range(1, 102))}, "ids"),
        ({"all": "maybe"}, "all"),
        ([1, 2], "non_field_errors"),
    ],
)
def test_read_bad_body_is_400_naming_the_field_and_changes_nothing(clients, users, inbox, body, field):
    before = unread_ids(users["creator"])

    response = clients["creator"].post(READ, body, format="json")

    assert response.status_code == 400
    assert field in response.json()["data"]["errors"]
    assert unread_ids(users["creator"]) == before


def test_read_malformed_json_is_400(clients, users, inbox):
    response = clients["creator"].post(READ, b'{"ids": [1', content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert len(unread_ids(users["creator"])) == 3


def test_read_a_hundred_ids_is_accepted(clients, inbox):
    response = clients["creator"].post(READ, {"ids": list(range(1, 101))}, format="json")

    assert response.status_code == 200


def test_read_needs_authentication(clients, users, inbox):
    assert clients["anonymous"].post(READ, {"all": True}, format="json").status_code == 401
    assert len(unread_ids(users["creator"])) == 3


def test_transition_through_the_api_reaches_the_next_actor_inbox(clients, users, suppliers):
    order = make_order(users["creator"], suppliers["customer"], suppliers["accuser"], reason="其它")

    clients["creator"].put(f"/api/v1/afterservice/orders/{order.pk}", {"operation": "done"}, format="json")

    data = clients["service"].get(LIST, {"unread": 1}).json()["data"]
    assert [(item["kind"], item["serial_number"], item["status"]) for item in data] == [
        ("todo", order.serial_number, "service_approving")
    ]
    assert clients["creator"].get(LIST).json()["data"] == []


def test_unknown_query_parameter_answers_400_naming_it(clients):
    response = clients["creator"].get(LIST, {"unraed": "1"})

    assert response.status_code == 400
    assert list(response.json()["data"]["errors"]) == ["unraed"]
