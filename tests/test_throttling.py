"""Throttling: DRF's rates counted per fixed window in the `throttle` cache; client addresses
only through the configured number of trusted proxies (`NUM_PROXIES`)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.test import APIRequestFactory

from afterservice_site import throttling
from tests.conftest import client_for

ORDERS = "/api/v1/afterservice/orders"


@pytest.fixture
def low_rates(monkeypatch):
    monkeypatch.setattr(throttling.UserRateThrottle, "THROTTLE_RATES", {"user": "3/minute", "anon": "2/minute"})
    monkeypatch.setattr(throttling.AnonRateThrottle, "THROTTLE_RATES", {"user": "3/minute", "anon": "2/minute"})
    caches["throttle"].clear()  # the local-memory cache outlives a test: other tests' counts


def _anonymous_allowed(ip: str, forwarded_for: str | None = None) -> bool:
    headers = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for is not None else {}
    request = Request(APIRequestFactory().get("/api/schema", REMOTE_ADDR=ip, **headers))
    request.user = AnonymousUser()
    return throttling.AnonRateThrottle().allow_request(request, None)


def test_increment_counts_per_key_from_one():
    caches["throttle"].clear()

    counts = [throttling.increment("k1", 60), throttling.increment("k1", 60), throttling.increment("k2", 60)]

    assert counts == [1, 2, 1]


def test_get_over_user_rate_answers_429_with_retry_after(low_rates, users):
    client = client_for(users["creator"])

    statuses = [client.get(ORDERS).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    response = client.get(ORDERS)
    assert response.json()["code"] == "throttled"
    assert 1 <= int(response["Retry-After"]) <= 60


def test_user_rate_counts_per_user(low_rates, users):
    first, second = client_for(users["creator"]), client_for(users["other"])
    for _ in range(3):
        first.get(ORDERS)

    assert second.get(ORDERS).status_code == 200
    assert first.get(ORDERS).status_code == 429


def test_anonymous_over_anon_rate_refused_per_address(low_rates):
    # Protected endpoints answer 401 before throttling (DRF checks permissions first); the open ones
    # (the schema, the docs) are throttled per client address.
    assert [_anonymous_allowed("10.0.0.1") for _ in range(3)] == [True, True, False]
    assert _anonymous_allowed("10.0.0.2")


def test_forged_forwarded_for_without_trusted_proxy_changes_nothing(low_rates):
    assert api_settings.NUM_PROXIES == 0
    allowed = [_anonymous_allowed("10.0.0.9", forwarded_for=f"203.0.113.{n}") for n in range(5)]

    assert allowed == [True, True, False, False, False]


def test_long_forwarded_for_value_is_still_throttled(low_rates):
    forged = ",".join(["198.51.100.7"] * 40)  # ~500 characters

    assert [_anonymous_allowed("10.0.0.8", forwarded_for=forged) for _ in range(3)] == [True, True, False]


def test_one_trusted_proxy_throttles_by_the_address_it_adds(low_rates, monkeypatch):
    monkeypatch.setattr(api_settings, "NUM_PROXIES", 1)
    # The proxy (10.0.0.1) appends the address it saw; anything before it is the client's claim.
    first = [_anonymous_allowed("10.0.0.1", forwarded_for=f"1.1.1.{n}, 198.51.100.20") for n in range(3)]

    assert first == [True, True, False]
    assert _anonymous_allowed("10.0.0.1", forwarded_for="198.51.100.21")
