"""schemathesis hooks of `fuzz/run.py`: steer part of the generated data onto real, seeded rows.

Random ids are almost always a 404 and random supplier names or SKU codes almost always a
400, so the nested endpoints and the services behind a valid body would never run. Here, for
three generated values in four (chosen deterministically from the value, so shrinking still
works), path ids are mapped onto a seeded order the fuzzing user sees (and `line_id` /
`deduction_id` / `attachment_id` onto a record of that order; a lone `attachment_id`, the old
app's download, onto any attachment), body fields that must name master data onto existing
suppliers, SKUs and option-list values, and an uploaded file's random bytes onto a real file
(a small PDF or JPEG, different for each value, so the upload runs to the end instead of a 415).
The fourth value, and every value of the wrong type (negative testing), is sent as generated.
The pool is written by run.py (`FUZZ_ID_POOL`).
"""

from __future__ import annotations

import io
import itertools
import json
import os
import zlib
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

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


def _is_upload(context: Any) -> bool:
    operation = getattr(context, "operation", None)
    path = getattr(operation, "path", "") or ""
    return getattr(operation, "method", "").upper() == "POST" and (
        path.rstrip("/").endswith("/attachments") or "/uploads/" in path
    )


@schemathesis.hook
def map_path_parameters(context: Any, path_parameters: dict[str, Any]) -> dict[str, Any]:
    orders = _pool().get("orders", [])
    if not orders or not isinstance(path_parameters, dict):
        return path_parameters
    if "order_id" not in path_parameters and "attachment_id" in path_parameters:  # GET download/<aid>
        value = _number(path_parameters["attachment_id"])
        attachments = [aid for order in orders for aid in order.get("attachments", [])]
        if attachments and _steer(value):
            return {
                **path_parameters,
                "attachment_id": _like(path_parameters["attachment_id"], attachments[value % len(attachments)]),
            }
        return path_parameters
    number = _number(path_parameters.get("order_id"))
    if not _steer(number):
        return path_parameters
    if _is_upload(context):  # onto the orders that took attachments when seeded: still open to them
        orders = [order for order in orders if order.get("attachments")] or orders
    order = orders[number % len(orders)]
    mapped = {**path_parameters, "order_id": _like(path_parameters["order_id"], order["id"])}
    records = (
        ("line_id", order["lines"]),
        ("deduction_id", order["deductions"]),
        ("attachment_id", order.get("attachments", [])),
    )
    for name, rows in records:
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


# Multipart file fields of the upload routes.
FILE_FIELDS = ("file", "file_data")


# Numbers the files sent: generated values repeat (b"", b"\x00"), the same file twice on one order
# is a 409, and the upload should run to the end.
_SENT = itertools.count()


def _real_file(value: Any) -> bytes | None:
    """A small real file for a generated one (3 in 4, decided by its bytes): a PDF, or a JPEG one
    time in three, a new one each time; None to send the generated bytes."""
    raw = value if isinstance(value, bytes) else str(value).encode("utf-8", "surrogatepass")
    digest = zlib.crc32(raw)
    if not _steer(digest):
        return None
    serial = next(_SENT)
    if digest % 3:
        tag = f"%fuzz {digest} {serial}".encode()
        return b"%PDF-1.4\n" + tag + b"\n%%EOF\n"
    from PIL import Image  # the service's own dependency; only the upload routes need it here

    buffer = io.BytesIO()
    Image.new("RGB", (16 + serial % 64, 16 + serial // 64 % 48), (digest % 256, digest // 256 % 256, 99)).save(
        buffer, format="JPEG"
    )
    return buffer.getvalue()


@schemathesis.hook
def map_body(context: Any, body: Any) -> Any:
    pool = _pool()
    if isinstance(body, dict) and any(field in body for field in FILE_FIELDS):
        mapped = dict(body)
        for field in FILE_FIELDS:
            real = _real_file(body[field]) if field in body and body[field] is not None else None
            if real is not None:
                mapped[field] = real
        return mapped
    if isinstance(body, dict):
        return _map_object(body, pool)
    if isinstance(body, list):
        return [_map_object(v, pool) if isinstance(v, dict) else v for v in body]
    return body


@schemathesis.hook
def map_case(context: Any, case: Any) -> Any:
    """An upload's `abnormal_product_id` onto a line of the order it goes to (3 in 4), once the
    path's order is mapped: a line of another order is a 400 before the file is looked at."""
    body, path = getattr(case, "body", None), getattr(case, "path_parameters", None) or {}
    if not isinstance(body, dict) or not any(field in body for field in FILE_FIELDS):
        return case
    number = _number(body.get("abnormal_product_id"))
    order_id = _number(path.get("order_id"))
    order = next((o for o in _pool().get("orders", []) if o["id"] == order_id), None)
    if order is not None and _steer(number):
        case.body = (
            {**body, "abnormal_product_id": order["lines"][number % len(order["lines"])]}
            if order["lines"]
            else {key: value for key, value in body.items() if key != "abnormal_product_id"}
        )
    return case


# The server refuses a request line over 4 KiB (gunicorn's `limit_request_line`, and any proxy in
# front) before the application sees it, with its own 414: a transport limit (docs/limits.md),
# not the API's. Generated queries stay under it.
MAX_QUERY_BYTES = 3 * 1024


@schemathesis.hook
def filter_query(context: Any, query: Any) -> bool:
    if not isinstance(query, dict):
        return True
    return len(urlencode(query, doseq=True).encode()) <= MAX_QUERY_BYTES
