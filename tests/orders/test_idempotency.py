"""Idempotency-Key on POST orders and PUT orders/<id>: retries never write twice."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from orders.models import IdempotencyKey, Journal, Order
from tests.conftest import client_for
from tests.factories import order_body
from tests.helpers import ORDERS


@pytest.fixture
def body(suppliers, products):
    return order_body(suppliers, abnormal_products=[{"skuCode": products[0].sku_code}])


def test_create_retry_with_same_key_returns_first_response_and_creates_once(api, body):
    first = api.post(ORDERS, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    retry = api.post(ORDERS, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1


def test_create_same_key_other_body_is_422_and_creates_nothing_more(api, body):
    api.post(ORDERS, body, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    response = api.post(ORDERS, {**body, "remark": "另一个问题"}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_mismatch"
    assert Order.objects.count() == 1


def test_create_same_body_key_order_irrelevant_is_replayed(api, body):
    api.post(ORDERS, body, format="json", HTTP_IDEMPOTENCY_KEY="k-3")
    reordered = dict(reversed(list(body.items())))
    assert api.post(ORDERS, reordered, format="json", HTTP_IDEMPOTENCY_KEY="k-3").status_code == 201
    assert Order.objects.count() == 1


def test_create_without_key_different_bodies_create_each_time(api, body):
    api.post(ORDERS, body, format="json")
    api.post(ORDERS, {**body, "remark": "另一个问题"}, format="json")
    assert Order.objects.count() == 2


def test_create_key_still_running_is_409_conflict(api, body):
    first = api.post(ORDERS, body, format="json", HTTP_IDEMPOTENCY_KEY="k-4")
    # As if the first request were still being processed by another worker.
    IdempotencyKey.objects.filter(key="k-4").update(state=IdempotencyKey.State.RUNNING)

    response = api.post(ORDERS, body, format="json", HTTP_IDEMPOTENCY_KEY="k-4")

    assert first.status_code == 201
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert Order.objects.count() == 1


def test_create_refused_request_is_not_stored_so_a_fixed_retry_works(api, body):
    bad = api.post(ORDERS, {**body, "reason": "不存在"}, format="json", HTTP_IDEMPOTENCY_KEY="k-5")
    assert bad.status_code == 400
    assert not IdempotencyKey.objects.filter(key="k-5").exists()

    good = api.post(ORDERS, {**body, "reason": "材料"}, format="json", HTTP_IDEMPOTENCY_KEY="k-5")
    assert good.status_code == 201
    assert Order.objects.count() == 1


def test_create_expired_key_may_be_reused(api, body):
    api.post(ORDERS, body, format="json", HTTP_IDEMPOTENCY_KEY="k-6")
    IdempotencyKey.objects.filter(key="k-6").update(expires_at=timezone.now() - timedelta(seconds=1))

    response = api.post(ORDERS, {**body, "remark": "新的一单"}, format="json", HTTP_IDEMPOTENCY_KEY="k-6")

    assert response.status_code == 201
    assert Order.objects.count() == 2


def test_create_same_key_from_another_user_is_independent(api, body, other_creator):
    api.post(ORDERS, body, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    response = client_for(other_creator).post(ORDERS, body, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    assert response.status_code == 201
    assert Order.objects.count() == 2


def test_create_invalid_key_is_400_naming_the_header(api, body):
    response = api.post(ORDERS, body, format="json", HTTP_IDEMPOTENCY_KEY="has space")
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["data"]["errors"]
    assert Order.objects.count() == 0


def test_update_retry_of_done_moves_the_order_once(api, body):
    order_id = api.post(ORDERS, body, format="json").json()["data"]["id"]
    submit = {"operation": "done", "remark": "提交"}

    first = api.put(f"{ORDERS}/{order_id}", submit, format="json", HTTP_IDEMPOTENCY_KEY="submit-1")
    retry = api.put(f"{ORDERS}/{order_id}", submit, format="json", HTTP_IDEMPOTENCY_KEY="submit-1")

    assert first.status_code == retry.status_code == 200
    assert retry.json()["data"]["status"] == "service_approving"
    assert Journal.objects.filter(order_id=order_id, operation="done").count() == 1


@pytest.mark.postgres_only
def test_create_concurrent_duplicates_create_one_order(creator, body):
    threads, results = 8, []
    barrier = threading.Barrier(threads)

    def post():
        client = client_for(creator)
        barrier.wait()
        try:
            response = client.post(ORDERS, body, format="json", HTTP_IDEMPOTENCY_KEY="burst")
            results.append(response.status_code)
        finally:
            connection.close()

    workers = [threading.Thread(target=post) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert Order.objects.count() == 1
    assert results.count(201) >= 1
    assert set(results) <= {201, 409}
