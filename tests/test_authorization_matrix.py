"""Every endpoint × every role × the order states that matter: the HTTP status the contract
(docs/workflow.md) gives each, written out literally below — nothing here is computed from
`orders.workflow`, so a wrong table there cannot make this test agree with it.

The endpoints come from the URL resolver: a route or method without a rule in RULES fails
`test_every_endpoint_has_a_rule` (OWASP API1/API5: no endpoint escapes the matrix).

Each state's order is built once per test through the services; every request runs inside a
savepoint that is rolled back, so a successful write never changes what the next request sees.
Also here: mass assignment (API3) of the server-owned fields, and ids of another order's lines.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from orders import services
from orders.models import AbnormalProduct, Deduction, DutyReport, Order
from orders.workflow import Operation, Status, WorkflowStatus
from tests.factories import make_order
from tests.helpers import BASE, advance, make_overdue, rolled_back

# The roles of the expectation strings below, in their order. "creator" filed every order here;
# "other" is a plain user who did not (and so cannot see it).
ROLES = ("creator", "other", "service", "manager", "chief", "finance", "superuser")
AMOUNT = Decimal("10.00")  # the duty report's compensation and the one deduction: `done` is never blocked


# --- The states --------------------------------------------------------------------------------
# name → (status, then what happens to the workflow there)
STATES: dict[str, tuple[str, str | None]] = {
    "waiting": ("waiting", None),
    "service_approving": ("service_approving", None),
    "service_approved": ("service_approved", None),
    "manager_reviewing": ("manager_reviewing", None),
    "finance_reviewing": ("finance_reviewing", None),
    "end": ("end", None),
    "halted": ("service_approving", "halt"),
    "cancelled": ("waiting", "cancel"),
    "overdue": ("manager_reviewing", "overdue"),
}


@dataclass
class Ctx:
    """One order in one state, with one of each nested record, and the users."""

    state: str
    order: Order
    line_id: int
    deduction_id: int
    users: dict[str, Any]
    suppliers: dict[str, Any]
    sku: str


def build_order(users: dict[str, Any], suppliers: dict[str, Any], sku: str, state: str) -> Ctx:
    """An order filed by the plain creator (specialist: the service user) with an abnormal product,
    a follow-up, a duty report and a deduction, then brought to `state`. The duty report and the
    deduction are what the specialist writes at service_approved; an order at an earlier status has
    them from before a reject sent it back (written here directly)."""
    order = make_order(
        users["creator"], suppliers["customer"], suppliers["accuser"], abnormal_products=[{"sku_code": sku}]
    )
    services.track_add(user=users["creator"], order_id=order.pk, remark="已联系")
    DutyReport.objects.create(
        order=order, compensation=AMOUNT, duty_to=suppliers["customer"].name, duty_to_supplier=suppliers["customer"]
    )
    deduction = Deduction.objects.create(order=order, compensation=AMOUNT)
    status, then = STATES[state]
    order = advance(users, order, status)
    if then == "overdue":
        order = make_overdue(order)
    elif then:
        services.order_update(user=users["creator"], order_id=order.pk, operation=then, remark="演示")
    order.refresh_from_db()
    line_id = AbnormalProduct.objects.get(order=order).pk
    return Ctx(state, order, line_id, deduction.pk, users, suppliers, sku)


# --- What each role gets, state by state (docs/workflow.md) ---------------------------------
# One string per state: the outcome for each of ROLES in order. 2 = success (200, or 201 for a
# create), 3 = 403 (someone else may), 4 = 404 (cannot see the order), 9 = 409 (nobody may now).
def table(**rows: str) -> dict[str, tuple[int, ...]]:
    assert set(rows) == set(STATES), set(STATES) ^ set(rows)
    codes = {"2": 200, "3": 403, "4": 404, "9": 409}
    parsed = {state: tuple(codes[c] for c in row.split()) for state, row in rows.items()}
    assert all(len(row) == len(ROLES) for row in parsed.values())
    return parsed


NOBODY = "9 4 9 9 9 9 9"
VISIBLE = "2 4 2 2 2 2 2"  # reads: role users see every order, plain users their own

READ = table(**dict.fromkeys(STATES, VISIBLE))
# Header fields and abnormal products: waiting — the creator, service; service_approving — service.
CLAIM = table(
    waiting="2 4 2 3 3 3 2",
    service_approving="3 4 2 3 3 3 2",
    service_approved=NOBODY,
    manager_reviewing=NOBODY,
    finance_reviewing=NOBODY,
    end=NOBODY,
    halted=NOBODY,
    cancelled=NOBODY,
    overdue=NOBODY,
)
# The duty report: service_approving, service_approved — service; manager_reviewing — manager.
DUTY_REPORT = table(
    waiting=NOBODY,
    service_approving="3 4 2 3 3 3 2",
    service_approved="3 4 2 3 3 3 2",
    manager_reviewing="3 4 3 2 3 3 2",
    finance_reviewing=NOBODY,
    end=NOBODY,
    halted=NOBODY,
    cancelled=NOBODY,
    overdue="3 4 3 2 3 3 2",
)
# Deductions: service_approved — service; finance_reviewing — finance.
DEDUCTIONS = table(
    waiting=NOBODY,
    service_approving=NOBODY,
    service_approved="3 4 2 3 3 3 2",
    manager_reviewing=NOBODY,
    finance_reviewing="3 4 3 3 3 2 2",
    end=NOBODY,
    halted=NOBODY,
    cancelled=NOBODY,
    overdue=NOBODY,
)
# Follow-ups: any status before end, the creator and any role user.
TRACKS = table(
    waiting=VISIBLE,
    service_approving=VISIBLE,
    service_approved=VISIBLE,
    manager_reviewing=VISIBLE,
    finance_reviewing=VISIBLE,
    end=NOBODY,
    halted=NOBODY,
    cancelled=NOBODY,
    overdue=VISIBLE,
)
# `done`: the step's actors (the approval chain's table); `reject`: the same, not at waiting.
DONE = table(
    waiting="2 4 2 3 3 3 2",
    service_approving="3 4 2 3 3 3 2",
    service_approved="3 4 2 3 3 3 2",
    manager_reviewing="3 4 3 2 3 3 2",
    finance_reviewing="3 4 3 3 3 2 2",
    end=NOBODY,
    halted=NOBODY,
    cancelled=NOBODY,
    overdue="3 4 3 2 3 3 2",
)
REJECT = table(
    waiting=NOBODY,
    service_approving="3 4 2 3 3 3 2",
    service_approved="3 4 2 3 3 3 2",
    manager_reviewing="3 4 3 2 3 3 2",
    finance_reviewing="3 4 3 3 3 2 2",
    end=NOBODY,
    halted=NOBODY,
    cancelled=NOBODY,
    overdue="3 4 3 2 3 3 2",
)
# halt (from in_progress), resume (from halt or overdue), cancel (from in_progress, halt, overdue):
# the creator or any role user.
HALT = table(
    waiting=VISIBLE,
    service_approving=VISIBLE,
    service_approved=VISIBLE,
    manager_reviewing=VISIBLE,
    finance_reviewing=VISIBLE,
    end=NOBODY,
    halted=NOBODY,
    cancelled=NOBODY,
    overdue=NOBODY,
)
RESUME = table(
    waiting=NOBODY,
    service_approving=NOBODY,
    service_approved=NOBODY,
    manager_reviewing=NOBODY,
    finance_reviewing=NOBODY,
    end=NOBODY,
    halted=VISIBLE,
    cancelled=NOBODY,
    overdue=VISIBLE,
)
CANCEL = table(
    waiting=VISIBLE,
    service_approving=VISIBLE,
    service_approved=VISIBLE,
    manager_reviewing=VISIBLE,
    finance_reviewing=VISIBLE,
    end=NOBODY,
    halted=VISIBLE,
    cancelled=NOBODY,
    overdue=VISIBLE,
)
# Deleting an order: while waiting and in progress, by the creator or service.
DELETE = table(
    waiting="2 4 2 3 3 3 2",
    service_approving=NOBODY,
    service_approved=NOBODY,
    manager_reviewing=NOBODY,
    finance_reviewing=NOBODY,
    end=NOBODY,
    halted=NOBODY,
    cancelled=NOBODY,
    overdue=NOBODY,
)
OPERATIONS = {"done": DONE, "reject": REJECT, "halt": HALT, "resume": RESUME, "cancel": CANCEL}


# --- The rules -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rule:
    """How to call one endpoint and which status each role gets.

    `expect` None: not about an order (every signed-in user succeeds). `success`: the status a
    success answers (200, or 201 for a create).
    """

    build: Callable[[Ctx], tuple[str, Any]]
    expect: dict[str, tuple[int, ...]] | None = None
    success: int = 200

    @property
    def scoped(self) -> bool:
        return self.expect is not None

    def expected(self, role: str, ctx: Ctx) -> int:
        if role == "anonymous":
            return 401
        if self.expect is None:
            return self.success
        code = self.expect[ctx.state][ROLES.index(role)]
        return self.success if code == 200 else code


def order_path(suffix: str = "") -> Callable[[Ctx], str]:
    return lambda ctx: f"orders/{ctx.order.pk}{suffix}"


def read(path: Callable[[Ctx], str]) -> Rule:
    return Rule(build=lambda ctx: (path(ctx), None), expect=READ)


def unscoped(path: str, body: Any = None, success: int = 200) -> Rule:
    return Rule(build=lambda ctx: (path, body(ctx) if callable(body) else body), success=success)


def write(
    path: Callable[[Ctx], str], body: Callable[[Ctx], Any], expect: dict[str, tuple[int, ...]], success: int = 200
) -> Rule:
    return Rule(build=lambda ctx: (path(ctx), body(ctx)), expect=expect, success=success)


def create_body(ctx: Ctx) -> dict[str, Any]:
    return {
        "type": "质量投诉",
        "customer_name": ctx.suppliers["customer"].name,
        "accuser_name": ctx.suppliers["accuser"].name,
        "creator_name": "张三",
        "reason": "成品",
        "remark": "表面划伤",
        "abnormal_products": [{"skuCode": ctx.sku}],
    }


DETAIL = order_path()
# Each body changes what it names (a value equal to the stored one would be no change at all).
NEW_DUTY_TO = lambda ctx: {"duty_to": ctx.suppliers["accuser"].name}  # noqa: E731 - stored: the defendant


def operation_rule(operation: str) -> Rule:
    body = {"operation": operation, "remark": "理由", "operator_name": "矩阵"}
    return write(DETAIL, lambda ctx: body, OPERATIONS[operation])


# `PUT orders/<id>` does many things: one variant per kind of change, each with its own rule.
ORDER_UPDATE_VARIANTS: dict[str, Rule] = {
    "header": write(DETAIL, lambda ctx: {"type": "交期投诉"}, CLAIM),
    "abnormal_products": write(DETAIL, lambda ctx: {"abnormal_products": [{"skuCode": ctx.sku}]}, CLAIM),
    "duty_report": write(DETAIL, lambda ctx: {"duty_report": NEW_DUTY_TO(ctx)}, DUTY_REPORT),
    "tracks": write(DETAIL, lambda ctx: {"tracks": [{"remark": "跟进"}]}, TRACKS),
    "deductions": write(DETAIL, lambda ctx: {"deductions": [{"compensation": "1.00"}]}, DEDUCTIONS),
    **{f"operation {op.value}": operation_rule(op) for op in Operation},
}
LINE = lambda ctx: f"orders/{ctx.order.pk}/abnormal-products/{ctx.line_id}"  # noqa: E731
DEDUCTION = lambda ctx: f"orders/{ctx.order.pk}/deductions/{ctx.deduction_id}"  # noqa: E731

# (URL name, method) → {variant: rule}. Every API route and method must be here.
RULES: dict[tuple[str, str], dict[str, Rule]] = {
    ("order-list", "GET"): {"": unscoped("orders")},
    ("order-list", "POST"): {"": unscoped("orders", create_body, success=201)},
    ("order-detail", "GET"): {"": read(DETAIL)},
    ("order-detail", "PUT"): ORDER_UPDATE_VARIANTS,
    ("order-detail", "PATCH"): {
        name: ORDER_UPDATE_VARIANTS[name] for name in ("header", "tracks", "deductions", "operation done")
    },
    ("order-detail", "DELETE"): {"": write(DETAIL, lambda ctx: None, DELETE)},
    ("order-journals", "GET"): {"": read(order_path("/journals"))},
    ("journals", "GET"): {"": read(lambda ctx: f"{ctx.order.pk}/journals")},
    ("abnormal-product-list", "GET"): {"": read(order_path("/abnormal-products"))},
    ("abnormal-product-list", "POST"): {
        "": write(order_path("/abnormal-products"), lambda ctx: {"skuCode": ctx.sku}, CLAIM, 201)
    },
    ("abnormal-product-detail", "GET"): {"": read(LINE)},
    ("abnormal-product-detail", "PUT"): {"": write(LINE, lambda ctx: {"remark": "改"}, CLAIM)},
    ("abnormal-product-detail", "PATCH"): {"": write(LINE, lambda ctx: {"remark": "改"}, CLAIM)},
    ("abnormal-product-detail", "DELETE"): {"": write(LINE, lambda ctx: None, CLAIM)},
    ("duty-report", "GET"): {"": read(order_path("/duty-report"))},
    ("duty-report", "PUT"): {"": write(order_path("/duty-report"), NEW_DUTY_TO, DUTY_REPORT)},
    ("duty-report", "PATCH"): {"": write(order_path("/duty-report"), NEW_DUTY_TO, DUTY_REPORT)},
    ("track-list", "GET"): {"": read(order_path("/tracks"))},
    ("track-list", "POST"): {"": write(order_path("/tracks"), lambda ctx: {"remark": "跟进"}, TRACKS, 201)},
    ("deduction-list", "GET"): {"": read(order_path("/deductions"))},
    ("deduction-list", "POST"): {
        "": write(order_path("/deductions"), lambda ctx: {"compensation": "5.00"}, DEDUCTIONS, 201)
    },
    ("deduction-detail", "PUT"): {"": write(DEDUCTION, lambda ctx: {"compensation": "99.99"}, DEDUCTIONS)},
    ("deduction-detail", "PATCH"): {"": write(DEDUCTION, lambda ctx: {"compensation": "99.99"}, DEDUCTIONS)},
    ("deduction-detail", "DELETE"): {"": write(DEDUCTION, lambda ctx: None, DEDUCTIONS)},
    ("option-list", "GET"): {
        name: unscoped(f"dutyreports/{name}")
        for name in (
            "ordertype",
            "typerank",
            "reasonrank",
            "dutyrank",
            "compensationrank",
            "publishmentrank",
            "abnormalrank",
        )
    },
    ("all-products", "GET"): {"": unscoped("all-products")},
    ("supplier-user-matcher", "GET"): {"": unscoped("supplier_user_matcher")},
    # One's own notifications and the statistics of one's visible orders: every signed-in user.
    ("notification-list", "GET"): {"": unscoped("notifications")},
    ("notification-read", "POST"): {"": unscoped("notifications/read", {"all": True})},
    ("stats-orders", "GET"): {"": unscoped("stats/orders?group_by=month")},
    ("stats-cycle-times", "GET"): {"": unscoped("stats/cycle-times")},
    ("order-summary", "GET"): {"": unscoped("orders/summary")},
    # Bulk answers 200 with one result per order (a refused or invisible order is its own 403/404
    # entry: tests/orders/test_api_bulk.py).
    ("order-bulk", "POST"): {"": unscoped("orders/bulk", lambda ctx: {"ids": [ctx.order.pk], "operation": "halt"})},
}

# API routes with their matrix elsewhere, each with why.
COVERED_ELSEWHERE = {
    (name, method): "multipart uploads and stored files: tests/orders/test_attachments_matrix.py"
    for name, method in (
        ("attachment-list", "GET"),
        ("attachment-list", "POST"),
        ("attachment-detail", "GET"),
        ("attachment-detail", "DELETE"),
        ("attachment-download", "GET"),
        ("attachment-thumbnail", "GET"),
        ("legacy-upload", "POST"),
        ("legacy-download", "GET"),
    )
}

# Routes outside the authenticated API, each with why (docs/api.md).
NOT_IN_MATRIX = {
    "schema": "open: the OpenAPI schema",
    "docs": "open: Swagger UI",
    "healthz": "open: the health check",
    "api-not-found": "the 404 envelope for any other /api/ path",
}
ADMIN_PREFIX = "admin/"  # the back office: staff sessions, Django's own permissions (tests/orders/test_admin.py)
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def routes(patterns: list[Any] | None = None, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    """(full pattern, URLPattern) of every route, includes followed."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            yield from routes(entry.url_patterns, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern), entry


def route_name(pattern: str, entry: URLPattern) -> str:
    if entry.name:
        return entry.name
    return "api-not-found" if pattern.lstrip("^").startswith("api/") else pattern


def api_endpoints() -> set[tuple[str, str]]:
    """(URL name, method) of every route under /api/v1/ with the methods its view implements."""
    found = set()
    for pattern, entry in routes():
        if not pattern.lstrip("^").startswith("api/v1/"):
            continue
        view_class = getattr(entry.callback, "view_class", None) or getattr(entry.callback, "cls", None)
        if view_class is None:  # a function view: its methods are unknown, so it cannot have a rule
            found.add((route_name(pattern, entry), "ANY"))
            continue
        found |= {(route_name(pattern, entry), m) for m in METHODS if hasattr(view_class, m.lower())}
    return found


# --- Calling ---------------------------------------------------------------------------------------
def call(client: APIClient, method: str, path: str, body: Any) -> Any:
    """The request inside a savepoint that is rolled back afterwards (reads and writes alike)."""
    with rolled_back():
        return client.generic(
            method, BASE + path, data=b"" if body is None else _json(body), content_type="application/json"
        )


def _json(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode()


@pytest.fixture
def catalogue(products: list[Any]) -> str:
    return products[0].sku_code


def run_matrix(
    clients: dict[str, APIClient],
    ctx: Ctx,
    rules: dict[tuple[str, str], dict[str, Rule]],
    roles: tuple[str, ...],
) -> tuple[list[str], int]:
    mismatches, count = [], 0
    for (name, method), variants in rules.items():
        for variant, rule in variants.items():
            path, body = rule.build(ctx)
            for role in roles:
                expected = rule.expected(role, ctx)
                response = call(clients[role], method, path, body)
                count += 1
                if response.status_code != expected:
                    detail = response.content[:160].decode(errors="replace")
                    mismatches.append(
                        f"{method} {name} [{variant}] as {role}: {response.status_code}, expected {expected} — {detail}"
                    )
    return mismatches, count


# --- Tests -----------------------------------------------------------------------------------------
def test_every_endpoint_has_a_rule():
    """A new route or method under /api/v1/ must get a rule here (and stale rules are removed)."""
    endpoints = api_endpoints()
    unknown = sorted(endpoints - set(RULES) - set(COVERED_ELSEWHERE))
    assert not unknown, f"unknown endpoint(s) without an authorization rule: {unknown}"
    stale = sorted(set(RULES) - endpoints)
    assert not stale, f"rules for endpoints that no longer exist: {stale}"


def test_every_route_outside_the_api_is_accounted_for():
    others = set()
    for pattern, entry in routes():
        bare = pattern.lstrip("^")
        if bare.startswith(("api/v1/", ADMIN_PREFIX)):
            continue
        others.add(route_name(pattern, entry))
    unknown = sorted(others - set(NOT_IN_MATRIX))
    assert not unknown, f"unknown endpoint(s) outside /api/v1/ and the admin: {unknown}"


@pytest.mark.parametrize("state", list(STATES))
def test_matrix_for_order_state(state, users, clients, suppliers, catalogue):
    ctx = build_order(users, suppliers, catalogue, state)
    status, then = STATES[state]
    workflow_status = {"halt": "halt", "cancel": "cancel", "overdue": "overdue"}.get(then, "in_progress")
    assert (ctx.order.status, ctx.order.workflow_status) == (status, "done" if status == "end" else workflow_status)
    scoped = {key: variants for key, variants in RULES.items() if any(rule.scoped for rule in variants.values())}
    # Anonymous is refused before the state is looked at: test_anonymous_gets_401_everywhere.
    mismatches, count = run_matrix(clients, ctx, scoped, ROLES)
    assert count > 200
    assert not mismatches, f"{len(mismatches)} of {count} requests:\n" + "\n".join(mismatches)


def test_matrix_for_endpoints_without_an_order(users, clients, suppliers, catalogue):
    ctx = build_order(users, suppliers, catalogue, "waiting")
    unscoped = {key: variants for key, variants in RULES.items() if not all(rule.scoped for rule in variants.values())}
    mismatches, _count = run_matrix(clients, ctx, unscoped, ROLES)
    assert not mismatches, "\n".join(mismatches)


def test_anonymous_gets_401_everywhere(users, clients, suppliers, catalogue):
    ctx = build_order(users, suppliers, catalogue, "waiting")
    mismatches, count = run_matrix(clients, ctx, RULES, ("anonymous",))
    assert count >= len(RULES)
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize("state", list(STATES))
def test_operations_field_lists_what_the_user_may_apply(state, users, clients, suppliers, catalogue):
    """`operations` in the output is exactly the set of operations that would answer 200."""
    ctx = build_order(users, suppliers, catalogue, state)
    for role in ROLES:
        if role == "other":  # cannot see the order
            continue
        response = call(clients[role], "GET", f"orders/{ctx.order.pk}", None)
        allowed = {
            op.value for op in Operation if ORDER_UPDATE_VARIANTS[f"operation {op.value}"].expected(role, ctx) == 200
        }
        assert set(response.json()["data"]["operations"]) == allowed, role


def test_invisible_order_is_absent_from_the_list(users, clients, suppliers, catalogue):
    ctx = build_order(users, suppliers, catalogue, "waiting")
    for role in ROLES:
        ids = {row["id"] for row in call(clients[role], "GET", "orders?per_page=100", None).json()["data"]}
        assert (ctx.order.pk in ids) == (role != "other"), role


def test_open_routes_need_no_credentials(clients, db):
    for path in ("/api/schema", "/healthz"):
        assert clients["anonymous"].get(path).status_code == 200, path


# --- Mass assignment (OWASP API3) ------------------------------------------------------------------
PROTECTED = {
    "status": Status.END,
    "workflow_status": WorkflowStatus.DONE,
    "serial_number": "SH000000009999",
    "charge_number": "CH000000009999",
    "summitted_at": "2000-01-01 00:00:00",
    "creator": None,  # filled with another user's id
    "created_at": "2000-01-01 00:00:00",
    "updated_at": "2000-01-01 00:00:00",
    "id": 987654,
}


def _server_owned(order: Order) -> dict[str, Any]:
    """The order's fields no client may set, as stored."""
    order.refresh_from_db()
    return {
        "status": order.status,
        "workflow_status": order.workflow_status,
        "serial_number": order.serial_number,
        "charge_number": order.charge_number,
        "summitted_at": order.summitted_at,
        "creator_id": order.creator_id,
        "created_at": order.created_at,
        "id": order.pk,
    }


def _hostile(users: dict[str, Any]) -> dict[str, Any]:
    return {**PROTECTED, "creator": users["other"].pk}


@pytest.mark.parametrize("role", ["creator", "superuser"])
def test_create_order_ignores_server_owned_fields(role, users, clients, suppliers, catalogue):
    ctx = build_order(users, suppliers, catalogue, "waiting")
    before = timezone.now()
    response = clients[role].post(BASE + "orders", {**create_body(ctx), **_hostile(users)}, format="json")
    assert response.status_code in (201, 400)
    if response.status_code == 400:
        return
    order = Order.objects.get(pk=response.json()["data"]["id"])
    assert order.pk != PROTECTED["id"]
    assert order.status == Status.WAITING and order.workflow_status == WorkflowStatus.IN_PROGRESS
    assert order.serial_number != PROTECTED["serial_number"] and order.charge_number is None
    assert order.summitted_at is None
    assert order.creator_id == users[role].pk
    assert order.created_at >= before and order.updated_at >= before


@pytest.mark.parametrize("method", ["put", "patch"])
@pytest.mark.parametrize("role", ["creator", "superuser"])
def test_update_order_ignores_server_owned_fields(method, role, users, clients, suppliers, catalogue):
    ctx = build_order(users, suppliers, catalogue, "waiting")
    before = _server_owned(ctx.order)
    body = {"type": "交期投诉", **_hostile(users)}
    response = getattr(clients[role], method)(f"{BASE}orders/{ctx.order.pk}", body, format="json")
    assert response.status_code in (200, 400)
    after = _server_owned(ctx.order)
    assert after == before
    if response.status_code == 200:
        assert ctx.order.type == "交期投诉"  # the legitimate field did change
        assert ctx.order.updated_at.year != 2000


@pytest.mark.parametrize("role", ["service", "superuser"])
def test_nested_writes_ignore_server_owned_fields(role, users, clients, suppliers, catalogue):
    ctx = build_order(users, suppliers, catalogue, "waiting")
    hostile = _hostile(users)
    client, order_url = clients[role], f"{BASE}orders/{ctx.order.pk}"
    # Each write at the status where the specialist writes it, so that it succeeds.
    writes = [
        ("waiting", "post", f"{order_url}/abnormal-products", {"skuCode": catalogue, **hostile}),
        ("waiting", "put", f"{order_url}/abnormal-products/{ctx.line_id}", {"remark": "改", **hostile}),
        ("waiting", "post", f"{order_url}/tracks", {"remark": "跟进", **hostile}),
        ("service_approving", "put", f"{order_url}/duty-report", {"duty_to": "原告材料厂", **hostile}),
        ("service_approved", "post", f"{order_url}/deductions", {"compensation": "5.00", **hostile}),
        ("service_approved", "put", f"{order_url}/deductions/{ctx.deduction_id}", {"compensation": "6.00", **hostile}),
    ]
    for status, method, url, body in writes:
        advance(users, ctx.order, status)
        before = _server_owned(ctx.order)
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code in (200, 201), (url, response.content)
        data = response.json()["data"]
        assert data.get("id") != PROTECTED["id"], url
        assert not (data.get("created_at") or "").startswith("2000"), url
        after = _server_owned(ctx.order)
        assert after == before | {"charge_number": after["charge_number"]}  # a first deduction assigns it
        assert after["charge_number"] != PROTECTED["charge_number"]
    assert not AbnormalProduct.objects.filter(pk=PROTECTED["id"]).exists()
    assert not Deduction.objects.filter(pk=PROTECTED["id"]).exists()


# --- Ids of another order (OWASP API1) -------------------------------------------------------------
def test_lines_of_another_order_are_not_reachable(users, clients, suppliers, catalogue):
    """A line or deduction id of order B through order A: 404 on its own path, 400 in a full list —
    and order B is unchanged."""
    mine = build_order(users, suppliers, catalogue, "waiting")
    theirs = build_order(users, suppliers, catalogue, "waiting")
    client = clients["superuser"]
    base = f"{BASE}orders/{mine.order.pk}"
    assert client.get(f"{base}/abnormal-products/{theirs.line_id}").status_code == 404
    assert client.put(f"{base}/abnormal-products/{theirs.line_id}", {"remark": "x"}, format="json").status_code == 404
    assert client.delete(f"{base}/abnormal-products/{theirs.line_id}").status_code == 404
    assert (
        client.put(f"{base}/deductions/{theirs.deduction_id}", {"compensation": "1"}, format="json").status_code == 404
    )
    assert client.delete(f"{base}/deductions/{theirs.deduction_id}").status_code == 404
    full_lists = [
        {"abnormal_products": [{"id": theirs.line_id, "skuCode": catalogue, "remark": "x"}]},
        {"deductions": [{"id": theirs.deduction_id, "compensation": "1.00"}]},
    ]
    for body in full_lists:
        assert client.put(base, body, format="json").status_code == 400, body
    line = AbnormalProduct.objects.get(pk=theirs.line_id)
    deduction = Deduction.objects.get(pk=theirs.deduction_id)
    assert (line.order_id, line.remark) == (theirs.order.pk, "")
    assert (deduction.order_id, deduction.compensation) == (theirs.order.pk, Decimal("10.00"))
