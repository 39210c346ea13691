"""Failed token authentications are throttled per client address (afterservice_site/authentication.py):
past THROTTLE_TOKEN_FAILURES → 429 `throttled` with Retry-After; valid tokens are never slowed."""

import pytest
from django.core.cache import caches
from rest_framework.test import APIClient

from tests.conftest import client_for
from tests.factories import UserFactory

ORDERS = "/api/v1/afterservice/orders"
BAD = "Token 0000000000000000000000000000000000000000"


@pytest.fixture(autouse=True)
def _three_per_minute(settings):
    settings.THROTTLE_TOKEN_FAILURES = "3/minute"


def bad_get(address="10.0.0.1", header=BAD, **extra):
    return APIClient().get(ORDERS, HTTP_AUTHORIZATION=header, REMOTE_ADDR=address, **extra)


def test_bad_token_past_rate_answers_429_throttled_with_retry_after(db):
    statuses = [bad_get().status_code for _ in range(3)]

    response = bad_get()

    assert statuses == [401, 401, 401]
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "throttled"
    assert body["status"] == 429
    assert body["data"] is None
    assert 1 <= int(response["Retry-After"]) <= 60


def test_valid_token_from_throttled_address_still_answers(creator):
    for _ in range(4):
        bad_get(address="127.0.0.1")

    response = client_for(creator).get(ORDERS, REMOTE_ADDR="127.0.0.1")

    assert response.status_code == 200


def test_valid_tokens_leave_no_failure_count(creator):
    client = client_for(creator)

    for _ in range(10):
        assert client.get(ORDERS, REMOTE_ADDR="10.0.0.1").status_code == 200

    assert caches["throttle"].get("throttle_token_failure_10.0.0.1") is None
    assert [bad_get().status_code for _ in range(4)] == [401, 401, 401, 429]


def test_token_failures_counted_per_address(db):
    for _ in range(4):
        bad_get(address="10.0.0.1")

    assert bad_get(address="10.0.0.2").status_code == 401


@pytest.mark.parametrize(
    "header",
    ["Token", "Token two words", "Token \u00e9\u00e9\u00e9", BAD],
    ids=["no-key", "spaces", "non-ascii", "unknown-key"],
)
def test_every_kind_of_token_failure_counts(db, header):
    statuses = [bad_get(header=header).status_code for _ in range(4)]

    assert statuses == [401, 401, 401, 429]


def test_inactive_users_token_counts_as_failure(db):
    inactive = UserFactory(username="gone", is_active=False)
    client = client_for(inactive)

    statuses = [client.get(ORDERS, REMOTE_ADDR="10.0.0.1").status_code for _ in range(4)]

    assert statuses == [401, 401, 401, 429]


def test_forged_forwarded_for_counts_as_the_same_address(db):
    statuses = [bad_get(HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(4)]

    assert statuses == [401, 401, 401, 429]


def test_behind_one_trusted_proxy_counts_per_forwarded_client(db, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}

    for _ in range(4):
        bad_get(address="10.0.0.254", HTTP_X_FORWARDED_FOR="203.0.113.1")

    assert bad_get(address="10.0.0.254", HTTP_X_FORWARDED_FOR="203.0.113.1").status_code == 429
    # The proxy appends what it saw: a forged leftmost entry does not make a new client.
    assert bad_get(address="10.0.0.254", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.1").status_code == 429
    assert bad_get(address="10.0.0.254", HTTP_X_FORWARDED_FOR="203.0.113.2").status_code == 401


def test_requests_without_credentials_are_not_token_failures(db):
    statuses = [APIClient().get(ORDERS, REMOTE_ADDR="10.0.0.1").status_code for _ in range(5)]

    assert statuses == [401] * 5
    assert bad_get().status_code == 401
