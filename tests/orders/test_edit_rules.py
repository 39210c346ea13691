"""Who may change which content of an order, at which status (docs/workflow.md, "The edit table"), checked against the
edit table written out literally below — not read from `orders.workflow.EDIT_TABLE`.

For each state an order is built with one of every record; then every user tries every write —
through `PUT orders/<id>` and through the nested endpoints — each in a savepoint rolled back
afterwards. An allowed write succeeds and is journaled in exactly one `edit` row with the exact
`changes` (record, id, action, each field's before and after as on the wire); a refused one answers
403 when someone else may change that content now, 409 when nobody may, and changes nothing.
(Attachments, the table's fifth row, are not part of this service yet.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from afterservice_site.people import display_name
from orders import services
from orders.models import AbnormalProduct, Deduction, DutyReport, Order
from orders.services.common import assign_charge_number
from tests.factories import make_order
from tests.helpers import advance, db_state, journal_rows, make_overdue, order_url, rolled_back

ROLES = ("service", "manager", "chief", "finance")
EVERYONE = ("creator", *ROLES)  # the order's creator and every role user (superusers pass any *who*)
OPEN = (
    "waiting",
    "service_approving",
    "service_approved",
    "manager_reviewing",
    "manager_reviewed",
    "chief_reviewing",
    "chief_reviewed",
    "finance_reviewing",
)
# The edit table, literally: content → {status: who may write it there}. Anywhere else nobody may,
# not even a superuser; and only while the workflow is in progress or overdue.
EDIT_TABLE: dict[str, dict[str, tuple[str, ...]]] = {
    "header": {"waiting": ("creator", "service"), "service_approving": ("service",)},
    "abnormal_products": {"waiting": ("creator", "service"), "service_approving": ("service",)},
    "duty_report": {
        "service_approving": ("service",),
        "service_approved": ("service",),
        "manager_reviewing": ("manager",),
    },
    "deductions": {"service_approved": ("service",), "finance_reviewing": ("finance",)},
    "tracks": dict.fromkeys(OPEN, EVERYONE),  # append only, any status before end
}
# The states tried: every status, and a halted, a cancelled and an overdue order.
STATES = {**{status: (status, None) for status in (*OPEN, "end")}, "halted": ("service_approving", "halt")}
STATES |= {"cancelled": ("waiting", "cancel"), "overdue": ("manager_reviewing", "overdue")}
ACTORS = ("creator", *ROLES, "superuser")
AMOUNT = Decimal("5000.00")


@dataclass
class Built:
    order: Order
    line: AbnormalProduct
    report: DutyReport
    deduction: Deduction


def build(users: dict[str, Any], suppliers: dict[str, Any], state: str) -> Built:
    """The creator's order with an abnormal product (SKU-1, 划伤), a duty report (质量, 5000.00) and a
    deduction (5000.00, not invoiced), brought to `state`. The duty report and the deduction are
    what the specialist writes at service_approved; an order at an earlier status has them from
    before a reject sent it back (written here directly, with the charge number they bring)."""
    order = make_order(
        users["creator"],
        suppliers["customer"],
        suppliers["accuser"],
        abnormal_products=[{"sku_code": "SKU-1", "remark": "划伤"}],
    )
    report = DutyReport.objects.create(order=order, abnormal_type="质量", compensation=AMOUNT)
    deduction = Deduction.objects.create(order=order, compensation=AMOUNT)
    assign_charge_number(order)
    status, then = STATES[state]
    order = advance(users, order, status)
    if then == "overdue":
        order = make_overdue(order)
    elif then:
        services.order_update(user=users["creator"], order_id=order.pk, operation=then)
    return Built(Order.objects.get(pk=order.pk), AbnormalProduct.objects.get(order=order), report, deduction)


# --- The writes, each with the `changes` it must journal ------------------------------------------
def change(record: str, record_id: int, action: str, **fields: list[Any]) -> list[dict[str, Any]]:
    return [{"record": record, "id": record_id, "action": action, "fields": fields}]


@dataclass(frozen=True)
class Write:
    content: str
    method: str
    path: Callable[[Built], str]
    body: Callable[[Built], Any]
    # (the built order, the response's data, the writer's display name) → the journal row's `changes`
    changes: Callable[[Built, Any, str], list[dict[str, Any]]]
    success: int = 200


def detail(b: Built) -> str:
    return order_url(b.order.pk)


def line_path(b: Built) -> str:
    return order_url(b.order.pk, f"/abnormal-products/{b.line.pk}")


def deduction_path(b: Built) -> str:
    return order_url(b.order.pk, f"/deductions/{b.deduction.pk}")


LINE_UPDATED = lambda b, data, name: change("abnormal_product", b.line.pk, "update", remark=["划伤", "改"])  # noqa: E731

WRITES: dict[str, Write] = {
    "PUT orders/<id> header": Write(
        "header",
        "put",
        detail,
        lambda b: {"type": "交期投诉"},
        lambda b, data, name: change("order", b.order.pk, "update", type=["质量投诉", "交期投诉"]),
    ),
    "PUT orders/<id> abnormal_products": Write(
        "abnormal_products",
        "put",
        detail,
        lambda b: {"abnormal_products": [{"id": b.line.pk, "skuCode": "SKU-1", "remark": "改"}]},
        LINE_UPDATED,
    ),
    "POST abnormal-products": Write(
        "abnormal_products",
        "post",
        lambda b: order_url(b.order.pk, "/abnormal-products"),
        lambda b: {"skuCode": "SKU-2", "remark": "新增"},
        lambda b, data, name: change(
            "abnormal_product",
            data["id"],
            "create",
            skuCode=[None, "SKU-2"],
            remark=[None, "新增"],
            product_item_name=[None, "沙发2"],
        ),
        201,
    ),
    "PUT abnormal-products/<pid>": Write(
        "abnormal_products", "put", line_path, lambda b: {"remark": "改"}, LINE_UPDATED
    ),
    "DELETE abnormal-products/<pid>": Write(
        "abnormal_products",
        "delete",
        line_path,
        lambda b: None,
        lambda b, data, name: change(
            "abnormal_product",
            b.line.pk,
            "delete",
            skuCode=["SKU-1", None],
            remark=["划伤", None],
            product_item_name=["沙发1", None],
        ),
    ),
    "PUT orders/<id> duty_report": Write(
        "duty_report",
        "put",
        detail,
        lambda b: {"duty_report": {"abnormal_type": "色差"}},
        lambda b, data, name: change("duty_report", b.report.pk, "update", abnormal_type=["质量", "色差"]),
    ),
    "PUT duty-report": Write(
        "duty_report",
        "put",
        lambda b: order_url(b.order.pk, "/duty-report"),
        lambda b: {"compensation": "6000"},
        lambda b, data, name: change("duty_report", b.report.pk, "update", compensation=["5000.00", "6000.00"]),
    ),
    "PUT orders/<id> deductions": Write(
        "deductions",
        "put",
        detail,
        lambda b: {"deductions": [{"id": b.deduction.pk, "compensation": "5000", "has_receipt": True}]},
        lambda b, data, name: change("deduction", b.deduction.pk, "update", has_receipt=[False, True]),
    ),
    "POST deductions": Write(
        "deductions",
        "post",
        lambda b: order_url(b.order.pk, "/deductions"),
        lambda b: {"compensation": "100.5"},
        lambda b, data, name: change(
            "deduction",
            data["id"],
            "create",
            compensation=[None, "100.50"],
            has_receipt=[None, False],
            remark=[None, ""],
        ),
        201,
    ),
    "PUT deductions/<did>": Write(
        "deductions",
        "put",
        deduction_path,
        lambda b: {"remark": "已开票"},
        lambda b, data, name: change("deduction", b.deduction.pk, "update", remark=["", "已开票"]),
    ),
    "DELETE deductions/<did>": Write(
        "deductions",
        "delete",
        deduction_path,
        lambda b: None,
        lambda b, data, name: change(
            "deduction",
            b.deduction.pk,
            "delete",
            compensation=["5000.00", None],
            has_receipt=[False, None],
            remark=["", None],
        ),
    ),
    "PUT orders/<id> tracks": Write(
        "tracks",
        "put",
        detail,
        lambda b: {"tracks": [{"remark": "跟进"}]},
        lambda b, data, name: change(
            "track", data["tracks"][-1]["id"], "create", remark=[None, "跟进"], operator_name=[None, name]
        ),
    ),
    "POST tracks": Write(
        "tracks",
        "post",
        lambda b: order_url(b.order.pk, "/tracks"),
        lambda b: {"remark": "跟进"},
        lambda b, data, name: change("track", data["id"], "create", remark=[None, "跟进"], operator_name=[None, name]),
        201,
    ),
}


def outcome(content: str, state: str, actor: str) -> int:
    """What the table says `actor` gets for a change of `content` in `state`: 200 (allowed), 403
    (someone else may change it now), 409 (nobody may)."""
    status, then = STATES[state]
    writers = () if then in ("halt", "cancel") else EDIT_TABLE[content].get(status, ())
    if not writers:
        return 409
    return 200 if actor in writers or actor == "superuser" else 403


# --- The table, row by row -----------------------------------------------------------------------------
@pytest.mark.parametrize("state", list(STATES))
def test_every_write_by_every_user_in_state_follows_the_edit_table(clients, users, suppliers, products, state):
    built = build(users, suppliers, state)
    order = built.order
    before, journal = db_state(order), len(journal_rows(order))
    mismatches = []

    for name, write in WRITES.items():
        for actor in ACTORS:
            expected = outcome(write.content, state, actor)
            with rolled_back():
                response = getattr(clients[actor], write.method)(write.path(built), write.body(built), format="json")
                got = response.status_code
                if got != (write.success if expected == 200 else expected):
                    mismatches.append(f"{name} by {actor}: {got}, expected {expected} — {response.content[:120]}")
                    continue
                if expected != 200:
                    assert response.json()["code"] == ("permission_denied" if expected == 403 else "invalid_operation")
                    assert db_state(order) == before, (name, actor)
                    continue
                rows = journal_rows(order)[journal:]
                writer = display_name(users[actor])
                assert len(rows) == 1, (name, actor, rows)
                row = rows[0]
                assert (row.operation, row.source, row.target) == ("edit", order.status, order.status), name
                assert (row.workflow_source, row.workflow_target) == (order.workflow_status, order.workflow_status)
                assert (row.operator_id, row.operator_name, row.on_behalf_of) == (users[actor].pk, writer, "")
                assert row.changes == write.changes(built, response.json()["data"], writer), (name, actor)

    assert not mismatches, f"{len(mismatches)} of {len(WRITES) * len(ACTORS)}:\n" + "\n".join(mismatches)
    assert db_state(order) == before


def test_every_write_by_a_user_who_cannot_see_the_order_is_not_found(clients, users, suppliers, products):
    built = build(users, suppliers, "waiting")
    before = db_state()

    for name, write in WRITES.items():
        response = getattr(clients["other"], write.method)(write.path(built), write.body(built), format="json")
        assert (response.status_code, response.json()["code"]) == (404, "not_found"), name

    assert db_state() == before


def test_edit_table_covers_each_content_and_state():
    # Every content is written through `PUT orders/<id>` and its nested endpoints (the header has
    # none), and is writable somewhere (so each is shown succeeding as well as refused).
    for content in EDIT_TABLE:
        paths = {name.split(" ", 1)[1].startswith("orders/<id>") for name, w in WRITES.items() if w.content == content}
        assert paths == ({True} if content == "header" else {True, False}), content
        assert any(outcome(content, state, "superuser") == 200 for state in STATES), content
