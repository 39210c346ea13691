"""Retried creates without a key (docs/api.md): the old app gives up on `POST orders` after 60 s and
the user taps again, sending the same body with no `Idempotency-Key`. Within
`AFTERSERVICE_DUPLICATE_WINDOW_S` (10 minutes) the same user's identical body is answered with the
order it filed (200, `Idempotent-Replayed: true`), not filed twice.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from orders.models import Journal, Order
from tests.conftest import client_for
from tests.factories import order_body
from tests.helpers import ORDERS, assert_ok


@pytest.fixture
def body(suppliers, products):
    return order_body(suppliers, abnormal_products=[{"skuCode": "SKU-1", "remark": "划伤"}])


def test_identical_create_within_the_window_answers_the_first_order(api, body):
    first = api.post(ORDERS, body, format="json")

    retry = api.post(ORDERS, body, format="json")

    created = assert_ok(first, 201)
    assert "Idempotent-Replayed" not in first
    assert assert_ok(retry, 200) == created
    assert retry["Idempotent-Replayed"] == "true"
    assert list(Order.objects.values_list("id", flat=True)) == [created["id"]]
    assert Journal.objects.count() == 1  # the first create's row, nothing for the retry


def test_identical_create_with_keys_in_another_order_is_the_same_body(api, body):
    created = assert_ok(api.post(ORDERS, body, format="json"), 201)

    retry = api.post(ORDERS, dict(reversed(list(body.items()))), format="json")

    assert (retry.status_code, assert_ok(retry)["id"]) == (200, created["id"])
    assert Order.objects.count() == 1


def test_identical_create_after_the_window_files_a_new_order(api, body, settings):
    first = assert_ok(api.post(ORDERS, body, format="json"), 201)
    window = settings.AFTERSERVICE_DUPLICATE_WINDOW_S
    Order.objects.filter(pk=first["id"]).update(created_at=timezone.now() - timedelta(seconds=window + 1))

    again = api.post(ORDERS, body, format="json")

    assert assert_ok(again, 201)["id"] != first["id"]
    assert "Idempotent-Replayed" not in again
    assert Order.objects.count() == 2


def test_identical_create_with_the_window_off_files_a_new_order(api, body, settings):
    settings.AFTERSERVICE_DUPLICATE_WINDOW_S = 0

    first = assert_ok(api.post(ORDERS, body, format="json"), 201)
    again = assert_ok(api.post(ORDERS, body, format="json"), 201)

    assert again["id"] != first["id"]
    assert Order.objects.count() == 2


def test_identical_create_by_another_user_files_their_own_order(api, body, other_creator):
    mine = assert_ok(api.post(ORDERS, body, format="json"), 201)

    theirs = client_for(other_creator).post(ORDERS, body, format="json")

    assert assert_ok(theirs, 201)["id"] != mine["id"]
    assert Order.objects.get(pk=assert_ok(theirs, 201)["id"]).creator == other_creator


def test_create_with_a_different_body_files_a_new_order(api, body):
    first = assert_ok(api.post(ORDERS, body, format="json"), 201)

    other = assert_ok(api.post(ORDERS, {**body, "remark": "另一处划伤"}, format="json"), 201)

    assert other["id"] != first["id"]


def test_identical_create_after_the_first_was_deleted_files_a_new_order(api, body):
    first = assert_ok(api.post(ORDERS, body, format="json"), 201)
    assert_ok(api.delete(f"{ORDERS}/{first['id']}"))

    again = api.post(ORDERS, body, format="json")

    assert assert_ok(again, 201)["id"] != first["id"]


def test_retry_answers_the_order_as_it_is_now(api, body):
    first = assert_ok(api.post(ORDERS, body, format="json"), 201)
    assert_ok(api.put(f"{ORDERS}/{first['id']}", {"operation": "done"}, format="json"))

    retry = assert_ok(api.post(ORDERS, body, format="json"), 200)

    assert (retry["id"], retry["status"]) == (first["id"], "service_approving")


def test_refused_create_is_not_remembered_so_the_corrected_body_files_one_order(api, body):
    refused = api.post(ORDERS, {**body, "customer_name": "无此工厂"}, format="json")
    assert refused.status_code == 400

    assert_ok(api.post(ORDERS, body, format="json"), 201)
    assert_ok(api.post(ORDERS, body, format="json"), 200)
    assert Order.objects.count() == 1
