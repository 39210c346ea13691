"""Regressions found by `make fuzz` (fuzz/run.py): each was a 500 or a response the schema did not
describe. The fuzzer keeps looking; these pin the cases it found."""

import json

import pytest

from tests.factories import make_order
from tests.helpers import BASE, advance


def _nested(depth):
    value = "x"
    for _ in range(depth):
        value = {"a": value}
    return value


@pytest.mark.parametrize(
    "query",
    [
        {"created_after": "0001-01-01"},
        {"created_before": "9999-12-31"},
        {"created_after": "0001-01-02", "created_before": "9999-12-30"},
    ],
)
def test_get_orders_calendar_edge_dates_answer_200_not_500(api, creator, suppliers, query):
    order = make_order(creator, suppliers["customer"], suppliers["accuser"])

    response = api.get(BASE + "orders", query)

    assert response.status_code == 200, response.content
    assert [row["id"] for row in response.json()["data"]] == [order.pk]


@pytest.mark.parametrize("path", ["orders", "orders/{id}"])
def test_write_json_nested_past_limit_with_idempotency_key_answers_400(api, creator, suppliers, path):
    """orjson reads 1024 levels but writes 254: the Idempotency-Key fingerprint was a 500."""
    order = make_order(creator, suppliers["customer"], suppliers["accuser"])
    body = json.dumps({"remark": _nested(300)})

    method = api.post if path == "orders" else api.put
    response = method(
        BASE + path.format(id=order.pk), body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="deep-1"
    )

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "parse_error"


def test_write_json_nested_33_levels_answers_400_parse_error(api, creator, suppliers):
    order = make_order(creator, suppliers["customer"], suppliers["accuser"])

    response = api.post(
        f"{BASE}orders/{order.pk}/tracks", json.dumps({"remark": _nested(32)}), content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_duty_date_before_year_1000_renders_four_digit_year(clients, users, suppliers):
    order = advance(
        users, make_order(users["creator"], suppliers["customer"], suppliers["accuser"]), "service_approving"
    )

    response = clients["service"].put(
        f"{BASE}orders/{order.pk}/duty-report", {"duty_date": "0256-04-22"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["data"]["duty_date"] == "0256-04-22"


# --- The schema describes what the API answers -----------------------------------------------------
@pytest.fixture
def schema(db, anon_client):
    return anon_client.get("/api/schema?format=json").json()


def _response_schema(schema, path, method, code):
    return schema["paths"][path][method]["responses"][code]["content"]["application/json"]["schema"]


def test_schema_deletes_answer_200_not_204(schema):
    for path, operations in schema["paths"].items():
        if "delete" in operations:
            assert set(operations["delete"]["responses"]) & {"200", "204"} == {"200"}, path


def test_schema_datetimes_are_the_wire_format_not_rfc3339(schema):
    created_at = schema["components"]["schemas"]["Order"]["properties"]["created_at"]
    assert "format" not in created_at
    assert created_at["pattern"] == r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"


def test_schema_paginated_lists_are_enveloped_once(schema):
    journals = _response_schema(schema, "/api/v1/afterservice/orders/{order_id}/journals", "get", "200")
    component = schema["components"]["schemas"][journals["$ref"].rsplit("/", 1)[-1]]
    assert component["properties"]["data"]["type"] == "array"
    assert "pagination" in component["required"]


def test_schema_duty_report_may_be_null_and_batch_add_may_be_one_or_many(schema):
    report = _response_schema(schema, "/api/v1/afterservice/orders/{order_id}/duty-report", "get", "200")
    assert report["properties"]["data"]["nullable"] is True
    added = _response_schema(schema, "/api/v1/afterservice/orders/{order_id}/abnormal-products", "post", "201")
    assert len(added["properties"]["data"]["oneOf"]) == 2


def test_duty_report_get_before_one_exists_answers_null(api, creator, suppliers):
    order = make_order(creator, suppliers["customer"], suppliers["accuser"])

    response = api.get(f"{BASE}orders/{order.pk}/duty-report")

    assert response.status_code == 200
    assert response.json()["data"] is None
