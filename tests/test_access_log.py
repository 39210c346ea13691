"""One access line per request — request id, user id, method, path, status, duration — also for
refused requests; and a request for a host name the service does not serve says so."""

import logging
import re

import pytest
from django.test import Client

from tests.conftest import client_for

ORDERS = "/api/v1/afterservice/orders"
LINE = re.compile(r"^(GET|POST|PUT|DELETE) (\S+) (\d{3}) \d+\.\dms user=(\S+)$")


def _access_lines(caplog):
    return [
        (record.getMessage(), record.request_id) for record in caplog.records if record.name == "afterservice.access"
    ]


@pytest.fixture
def access(caplog):
    caplog.set_level(logging.INFO, logger="afterservice.access")
    # The request id filter sits on the console handler; caplog's own handler needs it too.
    from afterservice_site.middleware import RequestIDLogFilter

    caplog.handler.addFilter(RequestIDLogFilter())
    return caplog


def test_each_request_writes_one_access_line_with_request_id_user_and_status(access, users):
    response = client_for(users["creator"]).get(ORDERS, {"per_page": 1})

    lines = _access_lines(access)
    assert len(lines) == 1
    message, request_id = lines[0]
    method, path, status, user = LINE.match(message).groups()
    assert (method, path, status, user) == ("GET", ORDERS, "200", str(users["creator"].pk))
    assert request_id == response["X-Request-ID"]


def test_refused_request_is_logged_with_its_status(access, users):
    client_for(users["creator"]).put(f"{ORDERS}/999999", {"operation": "done"}, format="json")
    Client().get(ORDERS)

    statuses = [LINE.match(message).group(3) for message, _ in _access_lines(access)]
    users_seen = [LINE.match(message).group(4) for message, _ in _access_lines(access)]
    assert statuses == ["404", "401"]
    assert users_seen == [str(users["creator"].pk), "-"]


def test_host_not_allowed_answers_bad_request_saying_so(access, caplog):
    response = Client(HTTP_HOST="192.168.3.99:5050").get(ORDERS)

    body = response.json()
    assert response.status_code == 400
    assert body["code"] == "bad_request"
    assert "ALLOWED_HOSTS" in body["message"]
    assert any(record.name == "django.security.DisallowedHost" for record in caplog.records)
