"""Shared fixtures: users per role, authenticated API clients, a supplier pair and products."""

import pytest
from django.core.cache import caches
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from afterservice_site.compiled import CompiledQuery
from orders.workflow import CHIEF, FINANCE, MANAGER, SERVICE
from tests.factories import ProductFactory, SupplierFactory, UserFactory


@pytest.hookimpl(tryfirst=True)  # before pytest-django sorts transactional tests to the end
def pytest_collection_modifyitems(config, items):
    del config
    on_postgres = connection.vendor == "postgresql"
    for item in items:
        if not item.get_closest_marker("postgres_only"):
            continue
        if on_postgres:
            # Real parallel transactions need committed data; the serialized copy of the migrated
            # data (role groups, option lists) is restored for each such test.
            item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))
        else:
            item.add_marker(
                pytest.mark.skip(reason="needs PostgreSQL: real row locks and parallel transactions (CI runs it)")
            )


@pytest.fixture(autouse=True, scope="session")
def _compiled_queries_unverified():
    # Query counts are asserted per request; the first-run comparison with the ORM would add
    # queries to whichever test first meets a shape. tests/test_compiled.py checks every query.
    CompiledQuery.verify_first_run = False


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # Throttling counts requests in the `throttle` cache; tests get fresh local caches each.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "test-default"},
        "throttle": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "test-throttle"},
    }
    caches["throttle"].clear()  # local memory outlives a test: no counts carried over
    # The manifest storage needs `collectstatic` first; admin pages in tests use plain storage.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def client_for(user):
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def creator(db):
    return UserFactory(username="creator", first_name="张三")


@pytest.fixture
def other_creator(db):
    return UserFactory(username="other")


@pytest.fixture
def service_user(db):
    return UserFactory(username="service1", first_name="李四", roles=[SERVICE])


@pytest.fixture
def manager_user(db):
    return UserFactory(username="manager1", roles=[MANAGER])


@pytest.fixture
def chief_user(db):
    return UserFactory(username="chief1", roles=[CHIEF])


@pytest.fixture
def finance_user(db):
    return UserFactory(username="finance1", roles=[FINANCE])


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def users(creator, other_creator, service_user, manager_user, chief_user, finance_user, superuser):
    return {
        "creator": creator,
        "other": other_creator,
        "service": service_user,
        "manager": manager_user,
        "chief": chief_user,
        "finance": finance_user,
        "superuser": superuser,
    }


@pytest.fixture
def staff(users):
    """Every user of `users` with `is_staff` (needed to log in to the admin)."""
    for user in users.values():
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return users


@pytest.fixture
def anon_client():
    return APIClient()


@pytest.fixture
def api(creator):
    """The plain creator's client."""
    return client_for(creator)


@pytest.fixture
def clients(users):
    clients = {name: client_for(user) for name, user in users.items()}
    clients["anonymous"] = APIClient()
    return clients


@pytest.fixture
def suppliers(db, service_user):
    return {
        "customer": SupplierFactory(name="被告工厂", role="成品商", specialist=service_user),
        "accuser": SupplierFactory(name="原告材料厂", role="材料商"),
    }


@pytest.fixture
def products(db):
    return [ProductFactory(sku_code=f"SKU-{i}", item_name=f"沙发{i}") for i in range(1, 4)]
