"""`orders/<id>/tracks` (docs/api.md, docs/workflow.md): follow-up notes, append only, signed with the writer's name."""

import re

import pytest
from django.utils import timezone

from orders import services
from orders.models import Track
from tests.factories import make_order
from tests.helpers import BASE, assert_error, assert_field_error, assert_ok, db_state

WIRE_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


@pytest.fixture
def order(users, suppliers, products):
    return make_order(users["creator"], suppliers["customer"], suppliers["accuser"])


@pytest.fixture
def cancelled_order(users, suppliers, products):
    cancelled = make_order(users["creator"], suppliers["customer"], suppliers["accuser"])
    services.order_update(user=users["creator"], order_id=cancelled.pk, operation="cancel")
    return cancelled


def tracks_url(order_id):
    return f"{BASE}orders/{order_id}/tracks"


def test_get_tracks_none_answers_empty_list(api, order):
    response = api.get(tracks_url(order.pk))

    assert assert_ok(response) == []
    assert "pagination" not in response.json()


def test_post_track_answers_201_with_operator_full_name(api, order, creator):
    data = assert_ok(api.post(tracks_url(order.pk), {"remark": "已联系工厂"}, format="json"), 201)

    track = Track.objects.get()
    assert set(data) == {"id", "remark", "operator_name", "created_at"}
    assert (data["id"], data["remark"], data["operator_name"]) == (track.pk, "已联系工厂", "张三")
    assert data["created_at"] == timezone.localtime(track.created_at).strftime("%Y-%m-%d %H:%M:%S")
    assert (track.order_id, track.operator, track.operator_name) == (order.pk, creator, "张三")


def test_post_track_user_without_full_name_defaults_to_username(clients, order):
    data = assert_ok(clients["manager"].post(tracks_url(order.pk), {"remark": "看过"}, format="json"), 201)

    assert data["operator_name"] == "manager1"


@pytest.mark.parametrize("operator_name", ["", None])
def test_post_track_blank_operator_name_defaults_to_user(api, order, operator_name):
    body = {"remark": "跟进"} if operator_name is None else {"remark": "跟进", "operator_name": operator_name}

    data = assert_ok(api.post(tracks_url(order.pk), body, format="json"), 201)

    assert data["operator_name"] == "张三"


def test_post_track_explicit_operator_name_kept(api, order, creator):
    data = assert_ok(api.post(tracks_url(order.pk), {"remark": "跟进", "operator_name": "王经理"}, format="json"), 201)

    assert data["operator_name"] == "王经理"
    assert Track.objects.get().operator == creator


@pytest.mark.parametrize(
    "body",
    [{}, {"remark": ""}, {"remark": "   "}, {"remark": None}, {"remark": "x" * 5001}, {"remark": "a\u0000"}],
    ids=["missing", "empty", "spaces", "null", "too-long", "nul"],
)
def test_post_track_invalid_remark_answers_400(api, order, body):
    before = db_state()

    response = api.post(tracks_url(order.pk), body, format="json")

    assert list(assert_field_error(response)) == ["remark"]
    assert db_state() == before


def test_post_track_operator_name_too_long_answers_400(api, order):
    before = db_state()

    response = api.post(tracks_url(order.pk), {"remark": "跟进", "operator_name": "名" * 101}, format="json")

    assert list(assert_field_error(response)) == ["operator_name"]
    assert db_state() == before


def test_get_tracks_oldest_first(api, clients, order):
    api.post(tracks_url(order.pk), {"remark": "第一"}, format="json")
    clients["service"].post(tracks_url(order.pk), {"remark": "第二"}, format="json")
    api.post(tracks_url(order.pk), {"remark": "第三"}, format="json")

    data = assert_ok(api.get(tracks_url(order.pk)))

    assert [(t["remark"], t["operator_name"]) for t in data] == [("第一", "张三"), ("第二", "李四"), ("第三", "张三")]
    assert [t["id"] for t in data] == sorted(t["id"] for t in data)
    assert all(WIRE_DATETIME.match(t["created_at"]) for t in data)


def test_post_track_cancelled_order_answers_409(api, cancelled_order):
    before = db_state()

    response = api.post(tracks_url(cancelled_order.pk), {"remark": "跟进"}, format="json")

    assert_error(response, 409, "invalid_operation")
    assert db_state() == before


def test_put_single_track_path_answers_404_unchanged(api, order):
    track = services.track_add(user=order.creator, order_id=order.pk, remark="不可改")

    response = api.put(f"{tracks_url(order.pk)}/{track.pk}", {"remark": "改"}, format="json")

    assert_error(response, 404, "not_found")
    assert Track.objects.get().remark == "不可改"
