"""Database-level rules: constraints hold even when the API is bypassed; journal rows are immutable."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from orders.models import Deduction, DutyReport, Journal, Order
from tests.factories import make_order


@pytest.fixture
def order(creator, suppliers, products):
    return make_order(
        creator,
        suppliers["customer"],
        suppliers["accuser"],
        abnormal_products=[{"sku_code": products[0].sku_code, "remark": "划伤"}],
    )


def test_journal_row_save_again_raises_and_row_unchanged(order):
    row = Journal.objects.get(order=order)
    row.remark = "改写"
    with pytest.raises(TypeError):
        row.save()
    assert Journal.objects.get(pk=row.pk).remark == ""


def test_journal_delete_and_bulk_writes_raise_and_rows_stay(order):
    row = Journal.objects.get(order=order)
    with pytest.raises(TypeError):
        row.delete()
    with pytest.raises(TypeError):
        Journal.objects.filter(order=order).delete()
    with pytest.raises(TypeError):
        Journal.objects.filter(order=order).update(remark="x")
    assert Journal.objects.filter(order=order).count() == 1


def test_order_hard_delete_refused_because_journal_protects_it(order):
    with pytest.raises(ProtectedError):
        order.delete()
    assert Order.objects.filter(pk=order.pk).exists()


def test_supplier_product_user_referenced_by_an_order_cannot_be_deleted(order, suppliers, products, creator):
    for instance in (suppliers["customer"], products[0], creator):
        with pytest.raises(ProtectedError), transaction.atomic():
            instance.delete()
        assert type(instance).objects.filter(pk=instance.pk).exists()


def test_reason_outside_the_three_values_refused_by_the_database(order):
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.filter(pk=order.pk).update(reason="别的")
    order.refresh_from_db()
    assert order.reason == "成品"


def test_negative_compensation_refused_by_the_database(order):
    with pytest.raises(IntegrityError), transaction.atomic():
        Deduction.objects.create(order=order, compensation=Decimal("-1.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        DutyReport.objects.create(order=order, compensation=Decimal("-0.01"))
    assert not Deduction.objects.exists() and not DutyReport.objects.exists()


def test_duplicate_serial_number_refused_by_the_database(order, creator, suppliers):
    other = make_order(creator, suppliers["customer"], suppliers["accuser"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.filter(pk=other.pk).update(serial_number=order.serial_number)


def test_status_assignment_outside_a_transition_refused(order):
    with pytest.raises(AttributeError):
        order.status = "end"
    with pytest.raises(AttributeError):
        order.workflow_status = "done"
