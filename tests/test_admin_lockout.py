"""Admin login lockout (django-axes): 10 failures lock the address and the username for 15 minutes,
answered by the admin-styled Chinese page; `manage.py axes_reset` unlocks."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tests.factories import UserFactory

LOGIN = "/admin/login/?next=/admin/"
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    # The real hasher costs ~0.5 s per attempt; these tests make dozens.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def staff(db):
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def staff2(db):
    user = UserFactory(username="clerk", is_staff=True, is_superuser=True)
    user.set_password(PASSWORD)
    user.save()
    return user


def login(username, password, address="10.0.0.1", **headers):
    client = Client(REMOTE_ADDR=address, **headers)
    response = client.post(LOGIN, {"username": username, "password": password})
    return client, response


def logged_in(client):
    return client.get("/admin/").status_code == 200


def fail(times, username="root", address="10.0.0.1", **headers):
    return [login(username, "wrong", address, **headers)[1].status_code for _ in range(times)]


def test_admin_login_tenth_failure_locks_with_chinese_admin_page(staff):
    statuses = fail(9)
    _client, response = login("root", "wrong")

    assert statuses == [200] * 9  # the login form again, with its error
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    page = response.content.decode()
    assert "登录已锁定" in page
    assert "登录失败次数过多，登录已锁定 15 分钟。" in page
    assert 'id="header"' in page  # the admin's own frame and styles
    assert "admin/css/base.css" in page
    assert "root" not in page  # the page names no account


def test_admin_login_right_password_after_lock_stays_refused(staff):
    fail(10)

    client, response = login("root", PASSWORD)

    assert response.status_code == 429
    assert not logged_in(client)


def test_admin_login_nine_failures_then_right_password_logs_in(staff):
    fail(9)

    client, response = login("root", PASSWORD)

    assert response.status_code == 302
    assert logged_in(client)


def test_admin_login_locked_username_refused_from_another_address(staff):
    fail(10, address="10.0.0.1")

    client, response = login("root", PASSWORD, address="10.9.9.9")

    assert response.status_code == 429
    assert not logged_in(client)


def test_admin_login_locked_address_refuses_other_accounts(staff, staff2):
    for index in range(10):
        login(f"guess{index}", "wrong", address="10.0.0.1")

    client, response = login("clerk", PASSWORD, address="10.0.0.1")

    assert response.status_code == 429
    assert not logged_in(client)
    assert login("clerk", PASSWORD, address="10.0.0.2")[1].status_code == 302  # another address is not locked


def test_admin_login_forged_forwarded_for_does_not_escape_the_address_lock(staff, staff2):
    # Without trusted proxies (NUM_PROXIES 0) X-Forwarded-For is the client's word: ignored.
    for index in range(10):
        login(f"guess{index}", "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{index}")

    _client, response = login("clerk", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7")

    assert response.status_code == 429


def test_admin_login_attempts_during_lock_write_nothing(staff):
    fail(10)
    before = list(AccessAttempt.objects.values_list("pk", "failures_since_start", "post_data", "attempt_time"))

    statuses = fail(20)

    assert statuses == [429] * 20
    after = list(AccessAttempt.objects.values_list("pk", "failures_since_start", "post_data", "attempt_time"))
    assert after == before


def test_axes_reset_command_unlocks(staff):
    fail(10)

    call_command("axes_reset", verbosity=0)

    client, response = login("root", PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


def test_admin_login_after_fifteen_minutes_unlocks(staff):
    fail(10)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=15, seconds=1))

    client, response = login("root", PASSWORD)

    assert response.status_code == 302
    assert logged_in(client)


def test_admin_login_lock_page_in_english_when_asked(staff):
    fail(9)

    _client, response = login("root", "wrong", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 429
    assert "Logging in is locked for 15 minutes." in response.content.decode()
