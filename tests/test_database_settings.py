"""The embedded database keeps its settings whichever way its file is named: the default file,
SQLITE_PATH or DATABASE_URL=sqlite:///… (IMMEDIATE transactions, a busy timeout, WAL)."""

import sqlite3

import pytest
from django.db import connections, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper

from afterservice_site.settings import BASE_DIR, SQLITE_OPTIONS, database_settings

EXPECTED_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 30,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}


@pytest.mark.parametrize(
    ("environ", "name"),
    [
        ({}, str(BASE_DIR / "db.sqlite3")),
        ({"SQLITE_PATH": "/srv/afterservice/claims.sqlite3"}, "/srv/afterservice/claims.sqlite3"),
        ({"DATABASE_URL": "sqlite:////srv/afterservice/claims.sqlite3"}, "/srv/afterservice/claims.sqlite3"),
    ],
    ids=["default-file", "SQLITE_PATH", "DATABASE_URL"],
)
def test_database_settings_sqlite_any_way_named_gets_the_same_options(environ, name):
    database = database_settings(environ)

    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == name
    assert database["OPTIONS"] == EXPECTED_OPTIONS
    assert SQLITE_OPTIONS == EXPECTED_OPTIONS  # the shared dict itself is never modified


def test_database_settings_sqlite_url_query_overrides_one_option():
    database = database_settings({"DATABASE_URL": "sqlite:////tmp/claims.sqlite3?timeout=5"})

    assert database["OPTIONS"] == {**EXPECTED_OPTIONS, "timeout": 5}


def test_database_settings_postgres_url_gets_no_sqlite_options():
    database = database_settings({"DATABASE_URL": "postgres://app@db.example.com:5432/afterservice"})

    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert "transaction_mode" not in database.get("OPTIONS", {})


def test_sqlite_url_connection_runs_wal_with_busy_timeout_and_immediate_writes(tmp_path, django_db_blocker):
    path = tmp_path / "claims.sqlite3"
    database = database_settings({"DATABASE_URL": f"sqlite:///{path}"})
    wrapper = DatabaseWrapper({**database, "TIME_ZONE": None, "AUTOCOMMIT": True, "ATOMIC_REQUESTS": False}, "by_url")
    connections["by_url"] = wrapper
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        with django_db_blocker.unblock():
            with wrapper.cursor() as cursor:
                cursor.execute("PRAGMA journal_mode")
                journal_mode = cursor.fetchone()[0]
                cursor.execute("PRAGMA busy_timeout")
                busy_timeout = cursor.fetchone()[0]
            # IMMEDIATE: the write lock is taken at BEGIN, before any statement, so a second
            # writer waits its busy timeout there instead of failing later on lock upgrade.
            with transaction.atomic(using="by_url"), pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
    finally:
        other.close()
        wrapper.close()
        del connections["by_url"]

    assert journal_mode == "wal"
    assert busy_timeout == 30_000
