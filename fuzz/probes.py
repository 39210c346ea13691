"""Hostile inputs schemathesis rarely draws, sent to every operation of the schema by `fuzz/run.py`.

Each operation gets, where it has them: NUL bytes, 64-bit overflows, 1 MB strings, wrong JSON
types and calendar-edge dates in every query parameter and every body field (one level of
nesting included); and as whole bodies: bad UTF-8, truncated JSON, 100,000 levels of nesting,
300 levels inside a field (also with an `Idempotency-Key`), non-object JSON, a non-JSON
Content-Type and a body over the 2 MiB limit. The upload routes (multipart/form-data) get
hostile files and forms instead: HTML renamed .jpg, an empty file, a decompression bomb's header,
a file one byte over the size limit, a body over the route's limit, two files, no file, broken
multipart, the same bad form values, JSON and urlencoded bodies. Every answer must be a
documented status code, below 500, with the JSON error envelope.
"""

from __future__ import annotations

import itertools
import json
import struct
import urllib.error
import urllib.request
import uuid
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

BIG = 2**63  # one past the largest 64-bit signed integer
HUGE = "18446744073709551616"  # 2**64, as raw JSON: beyond every 64-bit integer type
MEGABYTE = "x" * 1_000_000
STRING_VALUES: tuple[Any, ...] = ("a\x00b", "x" * 5001, [], {}, True, BIG)
NUMBER_VALUES: tuple[Any, ...] = (BIG, -BIG - 1, -1, 0.5, "abc", [], True)
OTHER_VALUES: tuple[Any, ...] = ("a\x00b", [], {}, BIG, True, "maybe")
QUERY_VALUES = ("\x00", "a\x00b", "9" * 40, "-1", "1.5", "x" * 3000, "0001-01-01", "9999-12-31", "[]")
# Values no field of that JSON type accepts: these must be a 400 (numbers as text are coerced).
REJECTED: dict[str, tuple[Any, ...]] = {
    "string": ("a\x00b", "x" * 5001, MEGABYTE, [], {}, True),
    "integer": (BIG, -BIG - 1, "abc", [], True),
    "number": (BIG, -BIG - 1, "abc", [], True),
    "query": ("\x00", "a\x00b", "x" * 3000),
}


# Upload routes: one file at the limit plus its form fields (orders/uploads.py's defaults).
FILE_LIMIT = 10 * 1024 * 1024
MULTIPART_OVERHEAD = 64 * 1024
HTML_AS_JPEG = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def multipart_body(fields: dict[str, str], files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    """A multipart/form-data body of text `fields` and (field, file name, bytes) `files`, and its
    Content-Type."""
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts += [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + data
        + b"\r\n"
        for field, filename, data in files
    ]
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def pdf_of_size(size: int, tag: bytes = b"") -> bytes:
    """A PDF's first and last markers around `tag` and filler: accepted by content at any size
    (different tags, different files)."""
    head, tail = b"%PDF-1.7\n%" + tag, b"\n%%EOF\n"
    return head + b"0" * (size - len(head) - len(tail)) + tail


def png_bomb_header(width: int = 20_000, height: int = 20_000) -> bytes:
    """A tiny PNG that declares width × height pixels (a decompression bomb's header)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def multipart_probes(method: str, path: str, file_field: str) -> list[Probe]:
    """Hostile files and forms for an upload route whose file field is `file_field`; the order of
    `path` must take a file from the probing user (so that the file itself is what is judged)."""

    def upload(label: str, fields: dict[str, str], files: list[tuple[str, str, bytes]], expect: int | None) -> Probe:
        body, content_type = multipart_body(fields, files)
        return Probe(method, path, label, body, content_type, expect=expect)

    def one(data: bytes, name: str = "evidence.jpg") -> list[tuple[str, str, bytes]]:
        return [(file_field, name, data)]

    small = pdf_of_size(2048, uuid.uuid4().hex.encode())
    return [
        upload("multipart HTML renamed .jpg", {}, one(HTML_AS_JPEG), 415),
        upload("multipart empty file", {}, one(b""), 400),
        upload("multipart bomb header", {}, one(png_bomb_header(), "bomb.png"), 400),
        upload("multipart file 1 byte over", {}, one(pdf_of_size(FILE_LIMIT + 1), "big.pdf"), 413),
        upload("multipart no file", {"remark": "x"}, [], 400),
        upload("multipart two files", {}, one(small) + one(small), 400),
        upload("multipart remark NUL", {"remark": "a\x00b"}, one(small), 400),
        upload("multipart remark 5001", {"remark": "x" * 5001}, one(small), 400),
        upload("multipart line 2**64", {"abnormal_product_id": HUGE}, one(small), 400),
        upload("multipart line -1", {"abnormal_product_id": "-1"}, one(small), 400),
        upload("multipart line text", {"abnormal_product_id": "abc"}, one(small), 400),
        upload("multipart file name hostile", {}, one(pdf_of_size(2048, b"1"), "../../\u202egpj.exe\x00.pdf"), None),
        Probe(method, path, "multipart malformed", b"--x\r\nnonsense", "multipart/form-data; boundary=x", expect=400),
        Probe(method, path, "multipart no boundary", b"--x\r\n", "multipart/form-data", expect=400),
        # Declared, not sent: the limit is decided from Content-Length before the body is read (a
        # client still sending 10 MB into a closed connection would see a reset, not the answer).
        Probe(
            method,
            path,
            "multipart body over the route limit",
            b"--x\r\n",
            "multipart/form-data; boundary=x",
            headers={"Content-Length": str(FILE_LIMIT + MULTIPART_OVERHEAD + 1)},
            expect=413,
        ),
        Probe(method, path, "upload as JSON", b'{"file": "aGVsbG8="}', expect=415),
        Probe(method, path, "upload urlencoded", b"file=x", "application/x-www-form-urlencoded", expect=415),
    ]


@dataclass
class Probe:
    method: str
    path: str
    label: str
    body: bytes | None = None
    content_type: str = "application/json"
    headers: dict[str, str] | None = None
    expect: int | None = None  # the one right answer, where there is one


@dataclass
class Outcome:
    probe: Probe
    status: int
    problem: str


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while isinstance(schema, dict) and "$ref" in schema:
        schema = root["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    if isinstance(schema, dict) and "allOf" in schema and len(schema["allOf"]) == 1:
        return _resolve(schema["allOf"][0], root)
    return schema if isinstance(schema, dict) else {}


def _object_schema(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    """The first object schema of a request body (`oneOf` of object and array included)."""
    schema = _resolve(schema, root)
    for option in schema.get("oneOf", []):
        found = _object_schema(option, root)
        if found.get("properties"):
            return found
    return schema


def _fields(schema: dict[str, Any], root: dict[str, Any]) -> Iterator[tuple[list[str | int], str]]:
    """(path into the body, JSON type) of every property, and of one level of nesting."""
    for name, prop in _object_schema(schema, root).get("properties", {}).items():
        prop = _resolve(prop, root)
        kind = prop.get("type", "object" if "properties" in prop else "")
        yield [name], kind
        inner = _resolve(prop.get("items", {}), root) if kind == "array" else prop if kind == "object" else {}
        prefix: list[str | int] = [name, 0] if kind == "array" else [name]
        for sub, sub_prop in inner.get("properties", {}).items():
            yield [*prefix, sub], _resolve(sub_prop, root).get("type", "")


def _with(base: dict[str, Any], path: list[str | int], value: Any) -> dict[str, Any]:
    body = json.loads(json.dumps(base))
    node: Any = body
    for step, following in itertools.pairwise(path):
        if isinstance(step, int):
            while len(node) <= step:
                node.append({})
            node = node[step]
        else:
            if not isinstance(node.get(step), (dict, list)):
                node[step] = [] if isinstance(following, int) else {}
            node = node[step]
    node[path[-1]] = value
    return body


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b  # True == 1, but True is no integer here


def _nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = {"a": value}
    return value


def probes(schema: dict[str, Any], ids: dict[str, str], bases: dict[tuple[str, str], dict[str, Any]]) -> list[Probe]:
    """Every probe for every operation; `ids` fills the path parameters, `bases` are valid bodies."""
    out: list[Probe] = []
    for template, operations in schema["paths"].items():
        path = template
        for name, value in ids.items():
            path = path.replace("{" + name + "}", value)
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            method = method.upper()
            params = [p for p in operation.get("parameters", []) if p.get("in") == "query"]
            for param in params:
                for value in QUERY_VALUES:
                    expect = 400 if value in REJECTED["query"] else None
                    label = f"query {param['name']}={value[:12]!r}"
                    out.append(Probe(method, f"{path}?{param['name']}={quote(value)}", label, expect=expect))
            if params:
                out.append(Probe(method, f"{path}?page=1&page=%00&per_page=9{'9' * 30}", "query overflow"))
            if "{order_id}" in template:
                out.append(Probe(method, template.replace("{order_id}", "9" * 18).format(**ids), "id 10**18"))
                out.append(Probe(method, template.replace("{order_id}", "9" * 25).format(**ids), "id > 2**64"))
            body_types = operation.get("requestBody", {}).get("content", {})
            if "multipart/form-data" in body_types:
                form = _object_schema(body_types["multipart/form-data"].get("schema", {}), schema)
                binary = [name for name, prop in form.get("properties", {}).items() if prop.get("format") == "binary"]
                out += multipart_probes(method, path, binary[0] if binary else "file")
            content = body_types.get("application/json")
            if content is None:
                continue
            # PATCH is PUT on these paths (docs/api.md): its body probes would repeat PUT's.
            if method == "PATCH" and "put" in operations:
                continue
            base = bases.get((method, template), {})
            for field, kind in _fields(content.get("schema", {}), schema):
                values = (
                    STRING_VALUES
                    if kind == "string"
                    else NUMBER_VALUES
                    if kind in ("integer", "number")
                    else OTHER_VALUES
                )
                if kind == "string" and len(field) == 1:
                    values = (*values, MEGABYTE)
                for value in values:
                    body = json.dumps(_with(base, field, value)).encode()
                    expect = 400 if any(_same(value, bad) for bad in REJECTED.get(kind, ())) else None
                    label = f"body {'.'.join(map(str, field))}={str(value)[:12]!r}"
                    out.append(Probe(method, path, label, body, expect=expect))
                raw = json.dumps(_with(base, field, "@HUGE@")).replace('"@HUGE@"', HUGE).encode()
                expect = 400 if kind == "integer" else None
                out.append(Probe(method, path, f"body {'.'.join(map(str, field))}=2**64", raw, expect=expect))
            deep = json.dumps({**base, "remark": _nested(300)}).encode()
            out += [
                Probe(method, path, "body bad UTF-8", b'{"remark": "\xff\xfe\xfd"}', expect=400),
                Probe(method, path, "body truncated", b'{"remark": "abc', expect=400),
                Probe(method, path, "body 100000 deep", b"[" * 100_000 + b"]" * 100_000, expect=400),
                Probe(method, path, "body field 300 deep", deep, expect=400),
                Probe(
                    method, path, "body 300 deep + key", deep, headers={"Idempotency-Key": "fuzz-deep-1"}, expect=400
                ),
                Probe(method, path, "body lone surrogate", b'{"remark": "\\ud800"}', expect=400),
                Probe(method, path, "body list", b"[1, 2]", expect=400),
                Probe(method, path, "body string", b'"x"', expect=400),
                Probe(method, path, "body number", b"1", expect=400),
                Probe(method, path, "body null", b"null", expect=400),
                Probe(method, path, "body text/plain", b"remark=x", "text/plain", expect=415),
                Probe(method, path, "body form", b"remark=x", "application/x-www-form-urlencoded", expect=415),
                Probe(method, path, "body 3 MiB", b'{"remark": "' + b"x" * 3 * 1024 * 1024 + b'"}', expect=413),
            ]
    return out


def _documented(schema: dict[str, Any], template: str, method: str) -> set[int]:
    operation = schema["paths"].get(template, {}).get(method.lower(), {})
    return {int(code) for code in operation.get("responses", {}) if code.isdigit()}


def run(base_url: str, token: str, schema: dict[str, Any], probe_list: list[Probe]) -> list[Outcome]:
    """Sends each probe; returns the ones answered with a 5xx, an undocumented status or no envelope."""

    def send(probe: Probe) -> Outcome | None:
        headers = {"Authorization": f"Token {token}", "Accept": "application/json", **(probe.headers or {})}
        if probe.body is not None:
            headers["Content-Type"] = probe.content_type
        req = urllib.request.Request(base_url + probe.path, data=probe.body, headers=headers, method=probe.method)  # noqa: S310
        try:
            with urllib.request.urlopen(req, timeout=60) as response:  # noqa: S310 - loopback
                status, content_type, raw = response.status, response.headers.get("Content-Type", ""), response.read()
        except urllib.error.HTTPError as error:
            status, content_type, raw = error.code, error.headers.get("Content-Type", ""), error.read()
        except (OSError, urllib.error.URLError) as error:
            return Outcome(probe, 0, f"no answer: {error}")
        problem = _problem(schema, probe, status, content_type, raw)
        return Outcome(probe, status, problem) if problem else None

    # Two at a time, like the two gunicorn workers; order and state do not matter to these checks.
    with ThreadPoolExecutor(max_workers=2) as pool:
        return [outcome for outcome in pool.map(send, probe_list) if outcome is not None]


def _template_of(schema: dict[str, Any], path: str) -> str | None:
    """The schema path a probe's path is an instance of; the most literal one when several fit
    (`orders/bulk` is not `orders/{order_id}`)."""
    bare = path.split("?", 1)[0].rstrip("/").split("/")
    fitting = []
    for template in schema["paths"]:
        parts = template.rstrip("/").split("/")
        if len(parts) == len(bare) and all(p == b or p.startswith("{") for p, b in zip(parts, bare, strict=True)):
            fitting.append((sum(part.startswith("{") for part in parts), template))
    return min(fitting)[1] if fitting else None


def _problem(schema: dict[str, Any], probe: Probe, status: int, content_type: str, raw: bytes) -> str:
    if status >= 500:
        return "server error"
    if probe.expect is not None and status != probe.expect:
        return f"expected {probe.expect}"
    template = _template_of(schema, probe.path)
    if template is not None and status not in _documented(schema, template, probe.method):
        return "undocumented status"
    if not content_type.startswith("application/json"):
        return f"content type {content_type}"
    try:
        body = json.loads(raw)
    except ValueError:
        return "body is not JSON"
    expected = 0 if status < 400 else status
    if not isinstance(body, dict) or body.get("status") != expected or "data" not in body:
        return "not the envelope"
    return ""
