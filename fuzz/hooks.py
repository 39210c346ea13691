"""schemathesis hooks of `fuzz/run.py`: steer part of the generated data onto real, seeded rows.

Random ids are almost always a 404 and random supplier names or SKU codes almost always a
400, so the nested endpoints and the services behind a valid body would never run. Here, for
three generated values in four (chosen deterministically from the value, so shrinking still
works), path ids are mapped onto a seeded order the fuzzing user sees (and `line_id` /
`deduction_id` onto a line of that order), and body fields that must name master data onto
existing suppliers, SKUs and option-list values. The fourth value, and every value of the
wrong type (negative testing), is sent as generated. The pool is written by run.py
(`FUZZ_ID_POOL`).
"""

from __future__ import annotations

import json
import os
import zlib
from pathlib import Path
from typing import Any

import schemathesis

_POOL: dict[str, Any] = {}

# Body field → pool list of valid values.
MASTER_DATA = {
    "customer_name": "suppliers",
    "accuser_name": "suppliers",
    "duty_to": "suppliers",
    "skuCode": "skus",
    "abnormal_type": "typerank",
    "abnormal_reason": "reasonrank",
    "publish_to": "dutyrank",
    "publishment": "publishmentrank",
}


def _pool() -> dict[str, Any]:
    if not _POOL:
        path = os.environ.get("FUZZ_ID_POOL", "")
        _POOL.update(json.loads(Path(path).read_text(encoding="utf-8")) if path else {})
        _POOL.setdefault("orders", [])
    return _POOL


def _number(value: Any) -> int | None:
    """A generated id as an int (path ids are strings of digits in the schema), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 30:
        return int(value)
    return None


def _steer(number: int | None) -> bool:
    return number is not None and number % 4 != 3


def _like(original: Any, value: int) -> Any:
    return str(value) if isinstance(original, str) else value


@schemathesis.hook
def map_path_parameters(context: Any, path_parameters: dict[str, Any]) -> dict[str, Any]:
    orders = _pool().get("orders", [])
    if not orders or not isinstance(path_parameters, dict):
        return path_parameters
    number = _number(path_parameters.get("order_id"))
    if not _steer(number):
        return path_parameters
    order = orders[number % len(orders)]
    mapped = {**path_parameters, "order_id": _like(path_parameters["order_id"], order["id"])}
    for name, rows in (("line_id", order["lines"]), ("deduction_id", order["deductions"])):
        value = _number(path_parameters.get(name))
        if rows and _steer(value):
            mapped[name] = _like(path_parameters[name], rows[value % len(rows)])
    return mapped


def _map_object(item: dict[str, Any], pool: dict[str, Any]) -> dict[str, Any]:
    out = dict(item)
    for field, value in item.items():
        if field in MASTER_DATA and isinstance(value, str):
            choices = pool.get(MASTER_DATA[field], [])
            digest = zlib.crc32(value.encode("utf-8", "surrogatepass"))
            if choices and _steer(digest):
                out[field] = choices[digest % len(choices)]
        elif isinstance(value, dict):
            out[field] = _map_object(value, pool)
        elif isinstance(value, list):
            out[field] = [_map_object(v, pool) if isinstance(v, dict) else v for v in value]
    return out


@schemathesis.hook
def map_body(context: Any, body: Any) -> Any:
    pool = _pool()
    if isinstance(body, dict):
        return _map_object(body, pool)
    if isinstance(body, list):
        return [_map_object(v, pool) if isinstance(v, dict) else v for v in body]
    return body
