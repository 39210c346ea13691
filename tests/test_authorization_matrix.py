"""Every endpoint × every role × the order states that matter: the HTTP status DESIGN.md §6 implies.

The expected statuses are generated from `orders.workflow` (STEPS, RECORD_WRITERS,
DEDUCTION_WRITERS, DELETERS, WORKFLOW_MOVES and the editable-status sets), in the order the
services check: 401 anonymous → 404 invisible order → 409 the state refuses → 403 the role may
not → 200/201. The endpoints come from the URL resolver: a route or method without a rule in
RULES fails `test_every_endpoint_has_a_rule` (OWASP API1/API5: no endpoint escapes the matrix).

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
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from orders import services, workflow
from orders.models import AbnormalProduct, Deduction, Order
from orders.workflow import CREATOR, Operation, Status, WorkflowStatus
from tests.conftest import client_for
from tests.factories import make_order

BASE = "/api/v1/afterservice/"
ROLES = ("anonymous", "creator", "other", "service", "manager", "chief", "finance", "superuser")
PLAIN = frozenset({"creator", "other"})  # no role group


# --- The states --------------------------------------------------------------------------------
# name → (number of `done` from waiting, then an optional workflow operation)
STATES: dict[str, tuple[int, str | None]] = {
    "waiting": (0, None),
    "service_approving": (1, None),
    "manager_reviewing": (3, None),
    "finance_reviewing": (7, None),
    "end": (8, None),
    "halted": (1, Operation.HALT),
    "cancelled": (0, Operation.CANCEL),
}


@dataclass
class Ctx:
    """One order in one state, with one of each nested record, and the users."""

    order: Order
    line_id: int
    deduction_id: int
    users: dict[str, Any]
    suppliers: dict[str, Any]
    sku: str


def build_order(users: dict[str, Any], suppliers: dict[str, Any], sku: str, state: str) -> Ctx:
    """An order filed by the plain creator (specialist: the service user), walked to `state`."""
    root = users["superuser"]
    order = make_order(
        users["creator"], suppliers["customer"], suppliers["accuser"], abnormal_products=[{"sku_code": sku}]
    )
    deduction = services.deduction_add(user=root, order_id=order.pk, values={"compensation": Decimal("10.00")})
    services.track_add(user=root, order_id=order.pk, remark="已联系")
    services.duty_report_upsert(user=root, order_id=order.pk, values={"duty_to": "原责任方"})
    dones, extra = STATES[state]
    for _ in range(dones):
        services.order_update(user=root, order_id=order.pk, operation=Operation.DONE, remark="同意")
    if extra:
        services.order_update(user=root, order_id=order.pk, operation=extra, remark="演示")
    order.refresh_from_db()
    line_id = AbnormalProduct.objects.get(order=order).pk
    return Ctx(order, line_id, deduction.pk, users, suppliers, sku)


# --- Who may, by the tables of orders.workflow -------------------------------------------------
def acts(role: str, actors: frozenset[str]) -> bool:
    """Is `role` (on an order created by "creator") one of `actors`? Superusers always are."""
    return role == "superuser" or (role == "creator" and CREATOR in actors) or role in actors


def sees(role: str) -> bool:
    """Role users see every order; plain users the ones they created or handle (§6)."""
    return role != "other"


def in_progress(order: Order) -> bool:
    return order.workflow_status == WorkflowStatus.IN_PROGRESS


def records_open(order: Order) -> bool:
    return in_progress(order) and order.status != workflow.FINAL_STATUS


def header_open(order: Order) -> bool:
    return in_progress(order) and order.status in workflow.HEADER_EDITABLE_STATUSES


def deletable(order: Order) -> bool:
    return in_progress(order) and order.status in workflow.DELETABLE_STATUSES


def step_of(order: Order) -> workflow.Step:
    return next(step for step in workflow.STEPS if step.status == order.status)


def chain_open(operation: str) -> Callable[[Order], bool]:
    def check(order: Order) -> bool:
        step = step_of(order)
        target = step.done if operation == Operation.DONE else step.reject
        return in_progress(order) and bool(step.actors) and target is not None

    return check


def chain_actors(order: Order) -> frozenset[str]:
    return step_of(order).actors


def move_open(operation: str) -> Callable[[Order], bool]:
    sources, _target = workflow.WORKFLOW_MOVES[operation]
    return lambda order: order.workflow_status in sources


# --- The rules -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rule:
    """How to call one endpoint and which status each role gets.

    `state`/`actors` None: a read (visibility only). `scoped`: the path names an order.
    """

    build: Callable[[Ctx], tuple[str, Any]]
    scoped: bool = True
    state: Callable[[Order], bool] | None = None
    actors: Callable[[Order], frozenset[str]] | None = None
    success: int = 200

    def expected(self, role: str, ctx: Ctx | None) -> int:
        if role == "anonymous":
            return 401
        if self.scoped and not sees(role):
            return 404
        if self.state is None or ctx is None:
            return self.success
        if not self.state(ctx.order):
            return 409
        if self.actors is not None and not acts(role, self.actors(ctx.order)):
            return 403
        return self.success


def fixed(actors: frozenset[str]) -> Callable[[Order], frozenset[str]]:
    return lambda order: actors


def order_path(suffix: str = "") -> Callable[[Ctx], str]:
    return lambda ctx: f"orders/{ctx.order.pk}{suffix}"


def read(path: Callable[[Ctx], str], scoped: bool = True) -> Rule:
    return Rule(build=lambda ctx: (path(ctx), None), scoped=scoped)


def write(
    path: Callable[[Ctx], str],
    body: Callable[[Ctx], Any],
    state: Callable[[Order], bool],
    actors: Callable[[Order], frozenset[str]],
    success: int = 200,
) -> Rule:
    return Rule(build=lambda ctx: (path(ctx), body(ctx)), state=state, actors=actors, success=success)


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


RECORDS = fixed(workflow.RECORD_WRITERS)
DEDUCTIONS = fixed(workflow.DEDUCTION_WRITERS)
DETAIL = order_path()


def operation_rule(operation: str) -> Rule:
    body = {"operation": operation, "remark": "理由", "operator_name": "矩阵"}
    if operation in (Operation.DONE, Operation.REJECT):
        return write(DETAIL, lambda ctx: body, chain_open(operation), chain_actors)
    return write(DETAIL, lambda ctx: body, move_open(operation), RECORDS)


# `PUT orders/<id>` does many things (§8): one variant per kind of change, each with its own rule.
ORDER_UPDATE_VARIANTS: dict[str, Rule] = {
    "header": write(DETAIL, lambda ctx: {"type": "交期投诉"}, header_open, RECORDS),
    "abnormal_products": write(
        DETAIL, lambda ctx: {"abnormal_products": [{"skuCode": ctx.sku}]}, records_open, RECORDS
    ),
    "duty_report": write(DETAIL, lambda ctx: {"duty_report": {"duty_to": "新责任方"}}, records_open, RECORDS),
    "tracks": write(DETAIL, lambda ctx: {"tracks": [{"remark": "跟进"}]}, records_open, RECORDS),
    "deductions": write(DETAIL, lambda ctx: {"deductions": [{"compensation": "1.00"}]}, records_open, DEDUCTIONS),
    **{f"operation {op.value}": operation_rule(op) for op in Operation},
}
LINE = lambda ctx: f"orders/{ctx.order.pk}/abnormal-products/{ctx.line_id}"  # noqa: E731
DEDUCTION = lambda ctx: f"orders/{ctx.order.pk}/deductions/{ctx.deduction_id}"  # noqa: E731

# (URL name, method) → {variant: rule}. Every API route and method must be here.
RULES: dict[tuple[str, str], dict[str, Rule]] = {
    ("order-list", "GET"): {"": read(lambda ctx: "orders", scoped=False)},
    ("order-list", "POST"): {"": Rule(build=lambda ctx: ("orders", create_body(ctx)), scoped=False, success=201)},
    ("order-detail", "GET"): {"": read(DETAIL)},
    ("order-detail", "PUT"): ORDER_UPDATE_VARIANTS,
    ("order-detail", "PATCH"): {
        name: ORDER_UPDATE_VARIANTS[name] for name in ("header", "tracks", "deductions", "operation done")
    },
    ("order-detail", "DELETE"): {"": write(DETAIL, lambda ctx: None, deletable, fixed(workflow.DELETERS))},
    ("order-journals", "GET"): {"": read(order_path("/journals"))},
    ("journals", "GET"): {"": read(lambda ctx: f"{ctx.order.pk}/journals")},
    ("abnormal-product-list", "GET"): {"": read(order_path("/abnormal-products"))},
    ("abnormal-product-list", "POST"): {
        "": write(order_path("/abnormal-products"), lambda ctx: {"skuCode": ctx.sku}, records_open, RECORDS, 201)
    },
    ("abnormal-product-detail", "GET"): {"": read(LINE)},
    ("abnormal-product-detail", "PUT"): {"": write(LINE, lambda ctx: {"remark": "改"}, records_open, RECORDS)},
    ("abnormal-product-detail", "PATCH"): {"": write(LINE, lambda ctx: {"remark": "改"}, records_open, RECORDS)},
    ("abnormal-product-detail", "DELETE"): {"": write(LINE, lambda ctx: None, records_open, RECORDS)},
    ("duty-report", "GET"): {"": read(order_path("/duty-report"))},
    ("duty-report", "PUT"): {
        "": write(order_path("/duty-report"), lambda ctx: {"duty_to": "新责任方"}, records_open, RECORDS)
    },
    ("duty-report", "PATCH"): {
        "": write(order_path("/duty-report"), lambda ctx: {"duty_to": "新责任方"}, records_open, RECORDS)
    },
    ("track-list", "GET"): {"": read(order_path("/tracks"))},
    ("track-list", "POST"): {
        "": write(order_path("/tracks"), lambda ctx: {"remark": "跟进"}, records_open, RECORDS, 201)
    },
    ("deduction-list", "GET"): {"": read(order_path("/deductions"))},
    ("deduction-list", "POST"): {
        "": write(order_path("/deductions"), lambda ctx: {"compensation": "5.00"}, records_open, DEDUCTIONS, 201)
    },
    ("deduction-detail", "PUT"): {
        "": write(DEDUCTION, lambda ctx: {"compensation": "99.99"}, records_open, DEDUCTIONS)
    },
    ("deduction-detail", "PATCH"): {
        "": write(DEDUCTION, lambda ctx: {"compensation": "99.99"}, records_open, DEDUCTIONS)
    },
    ("deduction-detail", "DELETE"): {"": write(DEDUCTION, lambda ctx: None, records_open, DEDUCTIONS)},
    ("option-list", "GET"): {
        name: read(lambda ctx, name=name: f"dutyreports/{name}", scoped=False)
        for name in ("typerank", "reasonrank", "dutyrank", "compensationrank", "publishmentrank", "abnormalrank")
    },
    ("all-products", "GET"): {"": read(lambda ctx: "all-products", scoped=False)},
    ("supplier-user-matcher", "GET"): {"": read(lambda ctx: "supplier_user_matcher", scoped=False)},
    # One's own notifications: every authenticated user, no order in the path.
    ("notification-list", "GET"): {"": read(lambda ctx: "notifications", scoped=False)},
    ("notification-read", "POST"): {"": Rule(build=lambda ctx: ("notifications/read", {"all": True}), scoped=False)},
    ("stats-orders", "GET"): {"": read(lambda ctx: "stats/orders?group_by=month", scoped=False)},
    ("stats-cycle-times", "GET"): {"": read(lambda ctx: "stats/cycle-times", scoped=False)},
}

# Routes outside the authenticated API, each with why (DESIGN.md §6–§7).
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
class _Rollback(Exception):  # noqa: N818 - control flow, not an error
    def __init__(self, response: Any) -> None:
        self.response = response


def call(client: APIClient, method: str, path: str, body: Any) -> Any:
    """The request inside a savepoint that is rolled back afterwards (reads and writes alike)."""
    try:
        with transaction.atomic():
            response = client.generic(
                method, BASE + path, data=b"" if body is None else _json(body), content_type="application/json"
            )
            raise _Rollback(response)
    except _Rollback as done:
        return done.response


def _json(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode()


@pytest.fixture
def clients(users: dict[str, Any]) -> dict[str, APIClient]:
    made = {name: client_for(user) for name, user in users.items()}
    made["anonymous"] = APIClient()
    return made


@pytest.fixture
def catalogue(products: list[Any]) -> str:
    return products[0].sku_code


def run_matrix(
    clients: dict[str, APIClient],
    ctx: Ctx | None,
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
    unknown = sorted(endpoints - set(RULES))
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
    assert ctx.order.status == {"halted": Status.SERVICE_APPROVING, "cancelled": Status.WAITING}.get(state, state)
    scoped = {key: variants for key, variants in RULES.items() if any(rule.scoped for rule in variants.values())}
    # Anonymous is refused before the state is looked at: test_anonymous_gets_401_everywhere.
    mismatches, count = run_matrix(clients, ctx, scoped, ROLES[1:])
    assert count > 200
    assert not mismatches, f"{len(mismatches)} of {count} requests:\n" + "\n".join(mismatches)


def test_matrix_for_endpoints_without_an_order(users, clients, suppliers, catalogue):
    ctx = build_order(users, suppliers, catalogue, "waiting")
    unscoped = {key: variants for key, variants in RULES.items() if not all(rule.scoped for rule in variants.values())}
    mismatches, _count = run_matrix(clients, ctx, unscoped, ROLES[1:])
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
        if role == "anonymous" or not sees(role):
            continue
        response = call(clients[role], "GET", f"orders/{ctx.order.pk}", None)
        allowed = {
            op.value for op in Operation if ORDER_UPDATE_VARIANTS[f"operation {op.value}"].expected(role, ctx) == 200
        }
        assert set(response.json()["data"]["operations"]) == allowed, role


def test_invisible_order_is_absent_from_the_list(users, clients, suppliers, catalogue):
    ctx = build_order(users, suppliers, catalogue, "waiting")
    for role in ROLES[1:]:
        ids = {row["id"] for row in call(clients[role], "GET", "orders?per_page=100", None).json()["data"]}
        assert (ctx.order.pk in ids) == sees(role), role


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


def _snapshot(order: Order) -> dict[str, Any]:
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
    before = _snapshot(ctx.order)
    body = {"type": "交期投诉", **_hostile(users)}
    response = getattr(clients[role], method)(f"{BASE}orders/{ctx.order.pk}", body, format="json")
    assert response.status_code in (200, 400)
    after = _snapshot(ctx.order)
    assert after == before
    if response.status_code == 200:
        assert ctx.order.type == "交期投诉"  # the legitimate field did change
        assert ctx.order.updated_at.year != 2000


@pytest.mark.parametrize("role", ["service", "superuser"])
def test_nested_writes_ignore_server_owned_fields(role, users, clients, suppliers, catalogue):
    ctx = build_order(users, suppliers, catalogue, "waiting")
    before = _snapshot(ctx.order)
    hostile = _hostile(users)
    client, order_url = clients[role], f"{BASE}orders/{ctx.order.pk}"
    writes = [
        ("post", f"{order_url}/abnormal-products", {"skuCode": catalogue, **hostile}),
        ("put", f"{order_url}/abnormal-products/{ctx.line_id}", {"remark": "改", **hostile}),
        ("put", f"{order_url}/duty-report", {"duty_to": "新责任方", **hostile}),
        ("post", f"{order_url}/tracks", {"remark": "跟进", **hostile}),
        ("post", f"{order_url}/deductions", {"compensation": "5.00", **hostile}),
        ("put", f"{order_url}/deductions/{ctx.deduction_id}", {"compensation": "6.00", **hostile}),
    ]
    for method, url, body in writes:
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code in (200, 201, 400), (url, response.content)
        data = response.json()["data"]
        if response.status_code < 300 and isinstance(data, dict) and "id" in data:
            assert data["id"] != PROTECTED["id"], url
        if response.status_code < 300 and isinstance(data, dict) and "created_at" in data:
            assert not data["created_at"].startswith("2000"), url
    assert _snapshot(ctx.order) == before
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
