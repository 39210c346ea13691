"""Throttling: fixed-window counters shared by every worker (afterservice_site/throttling.py)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from afterservice_site import throttling
from tests.conftest import client_for

ORDERS = "/api/v1/afterservice/orders"


@pytest.fixture
def low_rates(monkeypatch):
    monkeypatch.setattr(throttling.UserRateThrottle, "THROTTLE_RATES", {"user": "3/minute", "anon": "2/minute"})
    monkeypatch.setattr(throttling.AnonRateThrottle, "THROTTLE_RATES", {"user": "3/minute", "anon": "2/minute"})


@pytest.fixture(params=["files", "cache"])
def store(request, settings, tmp_path):
    settings.THROTTLE_DIR = str(tmp_path) if request.param == "files" else ""
    caches["default"].clear()  # the local-memory cache outlives a test: other tests' counts
    return request.param


def test_file_counters_two_workers_share_one_count(tmp_path):
    worker_a, worker_b = throttling.FileCounters(str(tmp_path)), throttling.FileCounters(str(tmp_path))

    counts = [worker_a.incr("throttle_user_1", 100, 60), worker_b.incr("throttle_user_1", 100, 60)]
    counts.append(worker_a.incr("throttle_user_1", 100, 60))

    assert counts == [1, 2, 3]
    assert worker_b.incr("throttle_user_2", 100, 60) == 1  # another user, another counter
    assert worker_b.incr("throttle_user_1", 101, 60) == 1  # the next window starts at 1


def test_file_counters_new_window_sweeps_finished_windows(tmp_path):
    counters = throttling.FileCounters(str(tmp_path))
    counters.incr("throttle_anon_::1", 100, 60)
    counters.incr("throttle_anon_127.0.0.1", 100, 60)

    counters.incr("throttle_anon_127.0.0.1", 102, 60)

    assert sorted(p.name for p in tmp_path.iterdir()) == ["throttle_anon_127.0.0.1.102"]


def test_get_over_user_rate_answers_429_with_retry_after(low_rates, store, users):
    client = client_for(users["creator"])

    statuses = [client.get(ORDERS).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    response = client.get(ORDERS)
    assert response.json()["code"] == "throttled"
    assert 1 <= int(response["Retry-After"]) <= 60


def test_user_rate_counts_per_user(low_rates, store, users):
    first, second = client_for(users["creator"]), client_for(users["other"])
    for _ in range(3):
        first.get(ORDERS)

    assert second.get(ORDERS).status_code == 200
    assert first.get(ORDERS).status_code == 429


def test_anonymous_over_anon_rate_refused_per_ip(low_rates, store):
    # Protected endpoints answer 401 before throttling (DRF checks permissions first); the open ones
    # (the schema, the docs) are throttled per IP.
    factory = APIRequestFactory()

    def allowed(ip):
        request = Request(factory.get("/api/schema", REMOTE_ADDR=ip))
        request.user = AnonymousUser()
        return throttling.AnonRateThrottle().allow_request(request, None)

    assert [allowed("10.0.0.1") for _ in range(3)] == [True, True, False]
    assert allowed("10.0.0.2")


def test_file_counters_unwritable_folder_lets_requests_through(tmp_path, caplog):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    counters = throttling.FileCounters(str(blocker / "counters"))

    assert counters.incr("throttle_user_1", 100, 60) == 0
    assert counters.incr("throttle_user_1", 100, 60) == 0
    assert caplog.text.count("requests are not throttled") == 1
