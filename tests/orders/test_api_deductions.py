"""`orders/<id>/deductions` (docs/api.md, docs/workflow.md): charge-back lines by the step's writer; the first one
assigns the order's charge number."""

import re
from decimal import Decimal

import pytest

from orders import services
from orders.models import Deduction, Order
from tests.factories import make_order
from tests.helpers import BASE, advance, assert_error, assert_field_error, assert_ok, db_state, today

WIRE_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


@pytest.fixture
def order(users, suppliers, products):
    return make_order(users["creator"], suppliers["customer"], suppliers["accuser"])


@pytest.fixture
def other_order(users, suppliers, products):
    return make_order(users["creator"], suppliers["customer"], suppliers["accuser"])


@pytest.fixture
def cancelled_order(users, suppliers, products):
    cancelled = make_order(users["creator"], suppliers["customer"], suppliers["accuser"])
    services.order_update(user=users["creator"], order_id=cancelled.pk, operation="cancel")
    return cancelled


@pytest.fixture
def charging(users, order):
    """The order at service_approved, where the specialist writes deductions."""
    return advance(users, order, "service_approved")


def deductions_url(order_id):
    return f"{BASE}orders/{order_id}/deductions"


def deduction_url(order_id, deduction_id):
    return f"{BASE}orders/{order_id}/deductions/{deduction_id}"


def add_deduction(user, order, amount="100"):
    return services.deduction_add(user=user, order_id=order.pk, values={"compensation": Decimal(amount)})


def test_post_deduction_service_answers_201_and_assigns_charge_number(clients, charging):
    response = clients["service"].post(
        deductions_url(charging.pk), {"compensation": "100.5", "has_receipt": True, "remark": "首笔"}, format="json"
    )

    data = assert_ok(response, 201)
    deduction = Deduction.objects.get()
    assert set(data) == {"id", "compensation", "has_receipt", "remark", "created_at"}
    assert (data["id"], data["compensation"], data["has_receipt"], data["remark"]) == (
        deduction.pk,
        "100.50",
        True,
        "首笔",
    )
    assert WIRE_DATETIME.match(data["created_at"])
    assert deduction.compensation == Decimal("100.50")
    charging.refresh_from_db()
    assert charging.charge_number == f"CH{today()}0001"


def test_post_deduction_second_keeps_charge_number_next_order_gets_next(clients, users, charging, other_order):
    other_order = advance(users, other_order, "service_approved")
    service = clients["service"]
    service.post(deductions_url(charging.pk), {"compensation": 1}, format="json")
    service.post(deductions_url(charging.pk), {"compensation": 2}, format="json")
    service.post(deductions_url(other_order.pk), {"compensation": 3}, format="json")

    charging.refresh_from_db()
    other_order.refresh_from_db()
    assert charging.charge_number == f"CH{today()}0001"
    assert other_order.charge_number == f"CH{today()}0002"
    assert assert_ok(service.get(f"{BASE}orders/{charging.pk}"))["charge_number"] == f"CH{today()}0001"


def test_post_deduction_finance_at_finance_reviewing_allowed(clients, users, charging):
    advance(users, charging, "finance_reviewing")

    assert_ok(clients["finance"].post(deductions_url(charging.pk), {"compensation": "10"}, format="json"), 201)

    assert Deduction.objects.filter(order=charging).count() == 1


@pytest.mark.parametrize("role", ["creator", "manager", "chief", "finance"])
def test_post_deduction_at_service_approved_by_other_than_service_answers_403_unchanged(clients, charging, role):
    before = db_state()

    response = clients[role].post(deductions_url(charging.pk), {"compensation": "10"}, format="json")

    assert_error(response, 403, "permission_denied")
    assert db_state() == before
    assert Order.objects.get(pk=charging.pk).charge_number is None


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (True, True),
        (False, False),
        (1, True),
        (0, False),
        ("1", True),
        ("0", False),
        ("true", True),
        ("false", False),
        ("是", True),
        ("否", False),
    ],
)
def test_post_deduction_has_receipt_accepts_boolean_spellings(clients, charging, given, expected):
    data = assert_ok(
        clients["service"].post(deductions_url(charging.pk), {"compensation": 1, "has_receipt": given}, format="json"),
        201,
    )

    assert data["has_receipt"] is expected
    assert Deduction.objects.get().has_receipt is expected


@pytest.mark.parametrize("given", ["maybe", 2, "有", None, []])
def test_post_deduction_invalid_has_receipt_answers_400(clients, charging, given):
    before = db_state()

    response = clients["service"].post(
        deductions_url(charging.pk), {"compensation": 1, "has_receipt": given}, format="json"
    )

    assert list(assert_field_error(response)) == ["has_receipt"]
    assert db_state() == before


def test_post_deduction_has_receipt_omitted_defaults_false(clients, charging):
    data = assert_ok(clients["service"].post(deductions_url(charging.pk), {"compensation": 1}, format="json"), 201)

    assert data["has_receipt"] is False


@pytest.mark.parametrize(
    "body",
    [{}, {"compensation": -1}, {"compensation": "abc"}, {"compensation": None}, {"compensation": "1.001"}],
    ids=["missing", "negative", "text", "null", "three-decimals"],
)
def test_post_deduction_invalid_compensation_answers_400(clients, charging, body):
    before = db_state()

    response = clients["service"].post(deductions_url(charging.pk), body, format="json")

    assert list(assert_field_error(response)) == ["compensation"]
    assert db_state() == before


def test_post_deduction_client_id_ignored(clients, charging):
    data = assert_ok(
        clients["service"].post(deductions_url(charging.pk), {"id": 424242, "compensation": 1}, format="json"), 201
    )

    assert data["id"] != 424242
    assert not Deduction.objects.filter(pk=424242).exists()


def test_post_deduction_cancelled_order_answers_409(clients, cancelled_order):
    before = db_state()

    response = clients["service"].post(deductions_url(cancelled_order.pk), {"compensation": 1}, format="json")

    assert_error(response, 409, "invalid_operation")
    assert db_state() == before


def test_get_deductions_creator_reads_list(api, users, charging):
    first = add_deduction(users["service"], charging, "1")
    second = add_deduction(users["service"], charging, "2.5")

    response = api.get(deductions_url(charging.pk))

    data = assert_ok(response)
    assert "pagination" not in response.json()
    assert [(d["id"], d["compensation"]) for d in data] == [(first.pk, "1.00"), (second.pk, "2.50")]


@pytest.mark.parametrize(("status", "role"), [("service_approved", "service"), ("finance_reviewing", "finance")])
def test_put_deduction_by_the_steps_writer_updates_given_fields(clients, users, charging, status, role):
    deduction = add_deduction(users["service"], charging, "100")
    advance(users, charging, status)

    data = assert_ok(clients[role].put(deduction_url(charging.pk, deduction.pk), {"has_receipt": "是"}, format="json"))

    assert (data["compensation"], data["has_receipt"]) == ("100.00", True)
    deduction.refresh_from_db()
    assert (deduction.compensation, deduction.has_receipt) == (Decimal("100.00"), True)


def test_patch_deduction_updates_like_put(clients, users, charging):
    deduction = add_deduction(users["service"], charging, "100")

    data = assert_ok(
        clients["service"].patch(deduction_url(charging.pk, deduction.pk), {"compensation": "7"}, format="json")
    )

    assert data["compensation"] == "7.00"


@pytest.mark.parametrize("role", ["creator", "manager", "chief", "finance"])
def test_put_deduction_at_service_approved_by_other_than_service_answers_403_unchanged(clients, users, charging, role):
    deduction = add_deduction(users["service"], charging)
    before = db_state()

    response = clients[role].put(deduction_url(charging.pk, deduction.pk), {"compensation": "1"}, format="json")

    assert_error(response, 403, "permission_denied")
    assert db_state() == before


def test_put_deduction_negative_compensation_answers_400_unchanged(clients, users, charging):
    deduction = add_deduction(users["service"], charging)
    before = db_state()

    response = clients["service"].put(deduction_url(charging.pk, deduction.pk), {"compensation": "-5"}, format="json")

    assert list(assert_field_error(response)) == ["compensation"]
    assert db_state() == before


def test_delete_deduction_answers_200_null_then_gone(clients, users, charging):
    deduction = add_deduction(users["service"], charging)

    response = clients["service"].delete(deduction_url(charging.pk, deduction.pk))

    assert response.status_code == 200
    assert response.json() == {"status": 0, "message": "ok", "data": None}
    assert not Deduction.objects.filter(pk=deduction.pk).exists()
    assert_error(clients["service"].delete(deduction_url(charging.pk, deduction.pk)), 404, "not_found")


@pytest.mark.parametrize("role", ["creator", "manager", "finance"])
def test_delete_deduction_at_service_approved_by_other_than_service_answers_403_unchanged(
    clients, users, charging, role
):
    deduction = add_deduction(users["service"], charging)
    before = db_state()

    response = clients[role].delete(deduction_url(charging.pk, deduction.pk))

    assert_error(response, 403, "permission_denied")
    assert db_state() == before


@pytest.mark.parametrize(("method", "body"), [("put", {"compensation": "9"}), ("delete", None)])
def test_request_deduction_of_another_order_answers_404_unchanged(clients, users, charging, other_order, method, body):
    foreign = add_deduction(users["service"], advance(users, other_order, "service_approved"))
    before = db_state()

    response = getattr(clients["service"], method)(deduction_url(charging.pk, foreign.pk), body, format="json")

    assert_error(response, 404, "not_found")
    assert db_state() == before
