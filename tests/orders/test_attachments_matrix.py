"""Attachments × every role × the authorization matrix's order states: the HTTP status each gets.

The matrix of tests/test_authorization_matrix.py sends JSON; uploads are multipart and every
state's order needs stored files, so the attachment endpoints have their matrix here (that file
names them as covered here, and `test_every_attachment_endpoint_has_a_rule` keeps the two in
step). Same notation: per state, one outcome per role of ROLES — 2 success, 3 = 403 (someone else
may), 4 = 404 (cannot see the order), 9 = 409 (nobody may now).

Each state's order carries two files: one the specialist added while it was waiting, one the
superuser added at the order's last status before its final move (or at its status now).
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from afterservice_site.settings import attachments_storage
from orders import services
from orders.models import Attachment, Order
from tests import files
from tests.factories import make_order
from tests.helpers import BASE, advance, make_overdue, rolled_back
from tests.test_authorization_matrix import NOBODY, ROLES, STATES, VISIBLE, api_endpoints, table

READ = table(**dict.fromkeys(STATES, VISIBLE))
# Adding: waiting — the creator, service; each later status before end — that step's actors.
ADD = table(
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
# Removing the specialist's file from `waiting`: theirs (and superusers') while the order is still
# waiting and in progress.
REMOVE_EARLIER = table(
    waiting="3 4 2 3 3 3 2",
    service_approving=NOBODY,
    service_approved=NOBODY,
    manager_reviewing=NOBODY,
    finance_reviewing=NOBODY,
    end=NOBODY,
    halted=NOBODY,
    cancelled=NOBODY,
    overdue=NOBODY,
)
# Removing the superuser's file from the order's status: theirs while the order is still there and
# in progress or overdue (end, halted and cancelled orders moved on or froze since it was added).
REMOVE_CURRENT = table(
    waiting="3 4 3 3 3 3 2",
    service_approving="3 4 3 3 3 3 2",
    service_approved="3 4 3 3 3 3 2",
    manager_reviewing="3 4 3 3 3 3 2",
    finance_reviewing="3 4 3 3 3 3 2",
    end=NOBODY,
    halted=NOBODY,
    cancelled=NOBODY,
    overdue="3 4 3 3 3 3 2",
)


def _upload(field: str) -> Any:
    """A multipart body with a file no request of the test sent before (so never a duplicate)."""

    def body(ctx: dict[str, Any]) -> bytes:
        ctx["sent"] += 1
        pdf = files.pdf_of_size(2000 + ctx["sent"])
        return encode_multipart(BOUNDARY, {field: SimpleUploadedFile("新证据.pdf", pdf), "remark": "矩阵"})

    return body


ORDER = "orders/{order}"
# (URL name, method) → (path, multipart body or None, expectations, success status)
RULES: dict[tuple[str, str], tuple[str, Any, dict[str, tuple[int, ...]], int]] = {
    ("attachment-list", "GET"): (ORDER + "/attachments", None, READ, 200),
    ("attachment-list", "POST"): (ORDER + "/attachments", _upload("file"), ADD, 201),
    ("attachment-detail", "GET"): (ORDER + "/attachments/{current}", None, READ, 200),
    ("attachment-detail", "DELETE"): (ORDER + "/attachments/{current}", None, REMOVE_CURRENT, 200),
    ("attachment-download", "GET"): (ORDER + "/attachments/{current}/download", None, READ, 200),
    ("attachment-thumbnail", "GET"): (ORDER + "/attachments/{current}/thumbnail", None, READ, 200),
    ("legacy-upload", "POST"): ("uploads/{order}", _upload("file_data"), ADD, 201),
    ("legacy-download", "GET"): ("download/{current}", None, READ, 200),
}
# The removal of the earlier file: the same endpoint as removing the current one, another rule.
REMOVE_EARLIER_RULE = (ORDER + "/attachments/{earlier}", None, REMOVE_EARLIER, 200)


@pytest.fixture(autouse=True)
def attachments_root(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "attachments": attachments_storage({}, tmp_path / "media")}
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "upload-tmp")
    os.mkdir(settings.FILE_UPLOAD_TEMP_DIR)
    return tmp_path / "media" / "attachments"


def add(user: Any, order: Order, data: bytes, name: str) -> Attachment:
    return services.attachment_add(user=user, order_id=order.pk, uploaded_file=SimpleUploadedFile(name, data))


def build(users: dict[str, Any], suppliers: dict[str, Any], sku: str, state: str) -> dict[str, Any]:
    """The state's order with its two files (see the module's docstring)."""
    order = make_order(
        users["creator"], suppliers["customer"], suppliers["accuser"], abnormal_products=[{"sku_code": sku}]
    )
    earlier = add(users["service"], order, files.pdf_of_size(1500), "等待时.pdf")
    status, then = STATES[state]
    order = advance(users, order, "finance_reviewing" if status == "end" else status)
    current = add(users["superuser"], order, files.jpeg((400, 300)), "当前.jpg")
    if status == "end":
        order = advance(users, order, "end")
    if then == "overdue":
        make_overdue(order)
    elif then:
        services.order_update(user=users["creator"], order_id=order.pk, operation=then, remark="演示")
    return {"order": order.pk, "earlier": earlier.pk, "current": current.pk, "sent": 0}


def run(clients: dict[str, Any], ctx: dict[str, Any], state: str, rules: list[tuple[str, tuple]]) -> list[str]:
    mismatches = []
    for (name, method), (path, body, expect, success) in rules:
        for index, role in enumerate(ROLES):
            code = expect[state][index]
            expected = success if code == 200 else code
            data = body(ctx) if body else b""
            with rolled_back():
                response = clients[role].generic(
                    method, BASE + path.format(**ctx), data, MULTIPART_CONTENT if body else "application/json"
                )
            if response.status_code != expected:
                detail = b"" if response.streaming else response.content[:160]
                mismatches.append(
                    f"{method} {name} as {role}: {response.status_code}, expected {expected} — {detail.decode()}"
                )
    return mismatches


@pytest.mark.parametrize("state", list(STATES))
def test_attachment_matrix_for_order_state(state, users, clients, suppliers, products):
    ctx = build(users, suppliers, products[0].sku_code, state)
    rules = [*RULES.items(), (("attachment-detail", "DELETE"), REMOVE_EARLIER_RULE)]

    mismatches = run(clients, ctx, state, rules)

    assert not mismatches, f"{len(mismatches)} requests:\n" + "\n".join(mismatches)


def test_anonymous_gets_401_on_every_attachment_endpoint(users, clients, suppliers, products):
    ctx = build(users, suppliers, products[0].sku_code, "waiting")

    for (name, method), (path, body, _expect, _success) in RULES.items():
        data = body(ctx) if body else b""
        response = clients["anonymous"].generic(
            method, BASE + path.format(**ctx), data, MULTIPART_CONTENT if body else "application/json"
        )
        assert response.status_code == 401, (name, method)


def test_every_attachment_endpoint_has_a_rule():
    endpoints = {(name, method) for name, method in api_endpoints() if name.startswith(("attachment-", "legacy-"))}

    assert endpoints == set(RULES)
