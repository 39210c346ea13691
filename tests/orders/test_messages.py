"""Messages a person can act on (issue 11): a 403 names the role that may act, a 409 names the order's
state as people call it — never the raw status codes — in zh-hans by default and in English on request.
Sentences themselves are being translated, so these check the names inside them, not whole sentences.
"""

from __future__ import annotations

import re

import pytest

from orders.workflow import Status, WorkflowStatus
from tests.factories import make_order
from tests.helpers import advance, assert_error, order_url

# The roles as people name them.
ROLE_NAMES = {"service": "售后专员", "manager": "负责人", "chief": "主管", "finance": "财务"}
RAW_CODES = re.compile(
    r"\b(waiting|service_approv\w+|manager_review\w+|chief_review\w+|finance_reviewing|end|in_progress|done|halt|cancel)\b"
)


@pytest.fixture
def order(users, suppliers, products):
    return make_order(
        users["creator"], suppliers["customer"], suppliers["accuser"], abnormal_products=[{"sku_code": "SKU-1"}]
    )


@pytest.mark.parametrize(
    ("status", "who", "body", "role"),
    [
        ("service_approving", "manager", {"operation": "done"}, "service"),
        ("manager_reviewing", "service", {"operation": "reject", "remark": "不对"}, "manager"),
        ("service_approving", "creator", {"type": "交期投诉"}, "service"),
        ("manager_reviewing", "chief", {"duty_report": {"abnormal_type": "质量"}}, "manager"),
        ("finance_reviewing", "service", {"deductions": [{"compensation": "1"}]}, "finance"),
    ],
    ids=["done", "reject", "header", "duty-report", "deductions"],
)
def test_forbidden_names_the_role_that_may_act(clients, users, order, status, who, body, role):
    advance(users, order, status)

    response = clients[who].put(order_url(order.pk), body, format="json")

    message = assert_error(response, 403, "permission_denied")["message"]
    assert ROLE_NAMES[role] in message
    assert role not in message  # the group's name is the code's, not the people's


def test_forbidden_in_english_names_the_role_in_english(clients, users, order):
    advance(users, order, "service_approving")

    response = clients["manager"].put(
        order_url(order.pk), {"operation": "done"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert "after-sales specialist" in assert_error(response, 403, "permission_denied")["message"]


@pytest.mark.parametrize(
    ("setup", "body"),
    [("end", {"operation": "done"}), ("end", {"tracks": [{"remark": "跟进"}]}), ("halt", {"operation": "done"})],
    ids=["done-at-end", "track-at-end", "done-while-halted"],
)
def test_not_allowed_now_names_the_state_by_its_labels_not_its_codes(clients, users, order, setup, body):
    if setup == "end":
        advance(users, order, "end")
        status, workflow_status = Status.END, WorkflowStatus.DONE
    else:
        clients["creator"].put(order_url(order.pk), {"operation": "halt"}, format="json")
        status, workflow_status = Status.WAITING, WorkflowStatus.HALT

    response = clients["superuser"].put(order_url(order.pk), body, format="json")

    message = assert_error(response, 409, "invalid_operation")["message"]
    assert str(status.label) in message and str(workflow_status.label) in message
    assert not RAW_CODES.search(message), message
