"""The compiled fast paths (`afterservice_site.compiled`) return exactly what the ORM returns,
and fall back to the ORM — requests keep working — when Django's compiler stops fitting.

These run on SQLite and on PostgreSQL (CI): a Django upgrade that changes the compiler's
internals fails here first, loudly, while production requests take the fallback."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django_fsm import ConcurrentTransitionMixin
from rest_framework.authtoken.models import Token

from afterservice_site import authentication, compiled
from orders import selectors, services
from orders.models import Order
from tests.factories import UserFactory, make_order
from tests.helpers import advance


@pytest.fixture
def orders_with_records(users, creator, suppliers, products, service_user):
    made = []
    for index in range(3):
        order = make_order(
            creator,
            suppliers["customer"],
            suppliers["accuser"],
            abnormal_products=[{"sku_code": product.sku_code, "remark": f"第{index}件"} for product in products],
        )
        made.append(order)
    advance(users, made[0], "service_approving")  # where the specialist writes the duty report
    services.order_update(
        user=service_user,
        order_id=made[0].pk,
        tracks=[{"remark": "跟进"}],
        duty_report={"compensation": Decimal("12.50"), "duty_to": suppliers["customer"].name},
    )
    return made


def _sample_arguments(query: compiled.CompiledQuery, orders: list[Order], token: Token) -> list[tuple]:
    if query is authentication._TOKEN_QUERY:
        return [(token.key,), ("no-such-token",)]
    ids = [order.pk for order in orders]
    return [(ids,), (ids[:1],), ([-1],)]


def test_first_run_matching_the_queryset_keeps_the_compiled_path(db, verified):
    UserFactory(username="fast-a")
    query = compiled.CompiledQuery(lambda name: User.objects.filter(username=name).values_list("username"))
    compiled.CompiledQuery.instances.remove(query)

    assert query.rows("fast-a") == [("fast-a",)]
    assert query.rows("fast-a") == [("fast-a",)]
    assert not query.fallback


def test_every_compiled_query_returns_the_rows_of_its_queryset(orders_with_records, creator):
    token, _ = Token.objects.get_or_create(user=creator)
    assert compiled.CompiledQuery.instances, "the project's compiled queries registered themselves"

    for query in compiled.CompiledQuery.instances:
        for args in _sample_arguments(query, orders_with_records, token):
            fast = query.rows(*args)
            assert sorted(fast, key=repr) == sorted(query.orm_rows(*args), key=repr)
            assert not query.fallback, "the compiled path fell back to the ORM: Django's compiler changed"


def test_order_rows_have_nested_records_and_duty_report(orders_with_records):
    rows = selectors.order_rows([order.pk for order in orders_with_records])

    assert [row.id for row in rows] == [order.pk for order in orders_with_records]
    assert rows[0].duty_report.compensation == Decimal("12.50")
    assert len(rows[0].nested["abnormal_products"]) == 3 and len(rows[0].nested["tracks"]) == 1
    assert rows[1].duty_report is None


@pytest.fixture
def verified(monkeypatch):
    monkeypatch.setattr(compiled.CompiledQuery, "verify_first_run", True)


def test_compilation_failure_falls_back_to_the_orm_with_one_warning(db, caplog):
    UserFactory(username="fallback-a")
    calls = []

    def build(name):
        calls.append(name)
        if isinstance(name, str) and name.startswith("\x00standin"):
            raise RuntimeError("compiler changed")  # what an incompatible Django would do
        return User.objects.filter(username=name).values_list("username")

    query = compiled.CompiledQuery(build)
    compiled.CompiledQuery.instances.remove(query)

    assert query.rows("fallback-a") == [("fallback-a",)]
    assert query.rows("nobody") == []
    assert query.fallback
    assert caplog.text.count("falls back to the ORM") == 1


def test_rows_differing_from_the_queryset_fall_back_to_the_queryset(db, monkeypatch, caplog, verified):
    UserFactory(username="fallback-b")
    query = compiled.CompiledQuery(lambda name: User.objects.filter(username=name).values_list("username"))
    compiled.CompiledQuery.instances.remove(query)
    monkeypatch.setattr(query, "_run", lambda entry, args: [("someone else",)])

    assert query.rows("fallback-b") == [("fallback-b",)]
    assert query.fallback
    assert "rows differ" in caplog.text


def test_fsm_hook_the_order_model_overrides_still_exists():
    # Order._update_initial_state skips django-fsm-2's concurrency snapshot for partial instances
    # (the deletion collector's). If django-fsm-2 renames the hook, the override would silently do
    # nothing; this fails instead (see tests/orders/test_models.py for the behaviour itself).
    assert "_update_initial_state" in vars(ConcurrentTransitionMixin)
    assert Order._update_initial_state is not ConcurrentTransitionMixin._update_initial_state
