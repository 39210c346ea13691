"""A request that still finds the database locked after its busy timeout answers 503 with
Retry-After — in the API's envelope, and in the admin — never a 500. The lock is real: a second
connection holds a write transaction on a SQLite file, and the service waits 0.2 s for it."""

import sqlite3
from contextlib import contextmanager

import pytest
from django.db import connection, connections
from django.test import Client

from afterservice_site.settings import SQLITE_OPTIONS
from orders.models import Order
from tests.conftest import client_for
from tests.factories import UserFactory, make_order, order_body

# Committed data (the copy to a file needs it); the migrated role groups restored for each test.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "correct horse battery staple"


@pytest.fixture
def sqlite_file(tmp_path, settings):
    """The test database copied to a file the service uses for the test's requests."""
    if connection.vendor != "sqlite":
        pytest.skip("provokes SQLite's own lock (the busy timeout); PostgreSQL waits on row locks instead")
    path = tmp_path / "busy.sqlite3"
    copy = sqlite3.connect(path)
    connection.ensure_connection()
    connection.connection.backup(copy)
    copy.execute("PRAGMA journal_mode=WAL")  # as the service runs it: readers never wait
    copy.close()
    original = connections["default"]
    options = {**SQLITE_OPTIONS, "timeout": 0.2}
    on_file = original.__class__({**original.settings_dict, "NAME": str(path), "OPTIONS": options}, "default")
    connections["default"] = on_file
    yield path
    on_file.close()
    connections["default"] = original


@contextmanager
def write_lock_held(path):
    """Another connection holding a write transaction, as a long batch or a backup would."""
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.rollback()
        holder.close()


@pytest.fixture
def staff(db):
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    user.set_password(PASSWORD)
    user.save()
    return user


def test_api_write_on_locked_database_answers_503_envelope_with_retry_after(creator, suppliers, sqlite_file):
    client = client_for(creator)
    with write_lock_held(sqlite_file):
        response = client.post("/api/v1/afterservice/orders", order_body(suppliers), format="json")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {
        "status": 503,
        "message": "数据库繁忙，请稍后重试。",
        "code": "unavailable",
        "data": None,
    }
    assert Order.objects.count() == 0


def test_api_read_on_locked_database_still_answers(creator, sqlite_file):
    client = client_for(creator)
    with write_lock_held(sqlite_file):  # WAL: a writer holding the lock does not stop readers
        response = client.get("/api/v1/afterservice/orders")

    assert response.status_code == 200


def test_api_write_after_lock_released_succeeds(creator, suppliers, sqlite_file):
    client = client_for(creator)
    with write_lock_held(sqlite_file):
        client.post("/api/v1/afterservice/orders", order_body(suppliers), format="json")

    response = client.post("/api/v1/afterservice/orders", order_body(suppliers), format="json")

    assert response.status_code == 201
    assert Order.objects.count() == 1


def test_admin_login_on_locked_database_answers_503_page_with_retry_after(staff, sqlite_file, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    staff.set_password(PASSWORD)
    staff.save()
    client = Client()
    with write_lock_held(sqlite_file):
        response = client.post("/admin/login/?next=/admin/", {"username": "root", "password": PASSWORD})

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "数据库繁忙，请稍后重试。" in response.content.decode()
    assert "Traceback" not in response.content.decode()


@pytest.mark.postgres_only
def test_api_write_on_row_locked_past_lock_timeout_answers_503(creator, suppliers):
    import psycopg2

    order = make_order(creator, suppliers["customer"], suppliers["accuser"])
    holder = psycopg2.connect(**connection.get_connection_params())
    try:
        with holder.cursor() as cursor:
            cursor.execute("SELECT id FROM orders_order WHERE id = %s FOR UPDATE", [order.pk])
        with connection.cursor() as cursor:  # a deployment's lock_timeout, shortened for the test
            cursor.execute("SET lock_timeout = '200ms'")
        path = f"/api/v1/afterservice/orders/{order.pk}"
        response = client_for(creator).put(path, {"remark": "新描述"}, format="json")
    finally:
        holder.rollback()
        holder.close()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["code"] == "unavailable"
    order.refresh_from_db()
    assert order.remark != "新描述"
