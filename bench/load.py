"""Closed-loop HTTP load generator: N connections, each sends its next request when the last answers.

Why this and not wrk: one small Python process with a `selectors` event loop over raw sockets
(pre-built request bytes, a minimal HTTP/1.1 response parser), not threads nor `requests`, so it
needs nothing from apt and keeps its own CPU low; and the scenarios need per-request state that
wrk only offers through Lua: detail reads over many ids, creates with a JSON body, and `done`
transitions that walk each order up the chain and move to the next order at the end of the chain
(or on a 409). Its cost is measured and reported per run as `client_cpu_s`: on the benchmark
machine ~0.35-0.45 ms of CPU per request, the reconnect that gunicorn's sync workers force
included (12% of one core at the floor's ~280 req/s). It takes a little more CPU from the faster
side (the floor), so it errs slightly in the API's favour (~3% of the machine at 10k orders).

gunicorn's sync workers close the connection after each response; the client then reconnects
(the connect is part of the measured latency, for the API and the floor alike).

Run by bench/run.py as a second process: `python bench/load.py SPEC.json` prints one JSON object:
requests, rps, p50_ms, p90_ms, p99_ms, max_ms, status counts, errors, client_cpu_s.
SPEC: {"host", "port", "concurrency", "warmup", "duration", "kind": get|ids|post|done,
       "path" | "paths", "headers": {...}, "body", "ids"}.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import socket
import sys
import time
from collections import Counter, deque
from pathlib import Path
from typing import Any


def build_request(method: str, path: str, host: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Accept: application/json"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if body or method in ("POST", "PUT", "PATCH"):
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class Scenario:
    """Hands out the next request of a connection and sees each response."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.kind = spec["kind"]
        self.host = f"{spec['host']}:{spec['port']}"
        self.headers = spec.get("headers", {})
        self.exhausted = False
        if self.kind == "get":
            self.fixed = build_request("GET", spec["path"], self.host, self.headers)
        elif self.kind == "ids":
            self.requests = [build_request("GET", path, self.host, self.headers) for path in spec["paths"]]
            self.next_index = 0
        elif self.kind == "post":
            self.fixed = build_request("POST", spec["path"], self.host, self.headers, spec["body"].encode())
        elif self.kind == "done":
            self.queue = deque(spec["ids"])
            self.template = spec["path"]  # e.g. /api/v1/afterservice/orders/{id}
            self.body = spec["body"].encode()
        else:
            raise SystemExit(f"load: unknown kind {self.kind!r}")

    def next_request(self, conn: Connection) -> bytes | None:
        if self.kind in ("get", "post"):
            return self.fixed
        if self.kind == "ids":
            request = self.requests[self.next_index % len(self.requests)]
            self.next_index += 1
            return request
        # done: keep walking this connection's order until the end of the chain.
        if conn.order_id is None:
            if not self.queue:
                self.exhausted = True
                return None
            conn.order_id = self.queue.popleft()
        path = self.template.format(id=conn.order_id)
        return build_request("PUT", path, self.host, self.headers, self.body)

    def saw(self, conn: Connection, status: int, body: bytes) -> None:
        if self.kind == "done" and (status != 200 or b'"status":"end"' in body):
            conn.order_id = None


class Connection:
    def __init__(self, loop: Load) -> None:
        self.loop = loop
        self.sock: socket.socket | None = None
        self.order_id: Any = None
        self.out = b""
        self.buf = bytearray()
        self.started = 0.0

    # --- life cycle -------------------------------------------------------------------------------
    def start(self) -> None:
        request = self.loop.scenario.next_request(self)
        if request is None:
            self.close()
            return
        self.out = request
        self.buf.clear()
        self.started = time.perf_counter()
        if self.sock is None:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.sock.setblocking(False)
            with contextlib.suppress(BlockingIOError):  # non-blocking: completes when writable
                self.sock.connect(self.loop.address)
            self.loop.selector.register(self.sock, selectors.EVENT_WRITE, self)
        else:
            self.loop.selector.modify(self.sock, selectors.EVENT_WRITE, self)

    def close(self) -> None:
        if self.sock is not None:
            self.loop.selector.unregister(self.sock)
            self.sock.close()
            self.sock = None

    def fail(self, reason: str) -> None:
        self.loop.errors[reason] += 1
        self.close()
        self.loop.restart.append(self)

    # --- events -----------------------------------------------------------------------------------
    def writable(self) -> None:
        try:
            sent = self.sock.send(self.out)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            self.fail(type(exc).__name__)
            return
        self.out = self.out[sent:]
        if not self.out:
            self.loop.selector.modify(self.sock, selectors.EVENT_READ, self)

    def readable(self) -> None:
        try:
            chunk = self.sock.recv(262144)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            self.fail(type(exc).__name__)
            return
        if chunk:
            self.buf += chunk
        head_end = self.buf.find(b"\r\n\r\n")
        if head_end < 0:
            if not chunk:
                self.fail("closed before headers")
            return
        head = bytes(self.buf[:head_end]).decode("latin-1").lower()
        length = None
        keep_alive = True
        for line in head.split("\r\n")[1:]:
            name, _, value = line.partition(":")
            if name == "content-length":
                length = int(value)
            elif name == "connection" and "close" in value:
                keep_alive = False
        body_start = head_end + 4
        if length is None:
            if chunk:  # read to EOF
                return
            length = len(self.buf) - body_start
        elif len(self.buf) - body_start < length:
            if not chunk:
                self.fail("closed mid-body")
            return
        status = int(head[9:12])
        self.loop.finished(self, status, bytes(self.buf[body_start : body_start + length]))
        if not keep_alive:
            self.close()
        self.start()


class Load:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.address = (spec["host"], int(spec["port"]))
        self.scenario = Scenario(spec)
        self.selector = selectors.DefaultSelector()
        self.errors: Counter[str] = Counter()
        self.statuses: Counter[int] = Counter()
        self.latencies: list[float] = []
        self.restart: list[Connection] = []
        self.measuring = False

    def finished(self, conn: Connection, status: int, body: bytes) -> None:
        if self.measuring:
            self.latencies.append(time.perf_counter() - conn.started)
            self.statuses[status] += 1
        self.scenario.saw(conn, status, body)

    def run(self) -> dict[str, Any]:
        warmup, duration = float(self.spec.get("warmup", 2)), float(self.spec["duration"])
        connections = [Connection(self) for _ in range(int(self.spec.get("concurrency", 8)))]
        cpu_before = os.times()
        begin = time.perf_counter()
        measure_from, measure_to = begin + warmup, begin + warmup + duration
        for conn in connections:
            conn.start()
        while True:
            now = time.perf_counter()
            if now >= measure_to:
                break
            if not self.measuring and now >= measure_from:
                self.measuring = True
            if not self.selector.get_map():
                break  # every connection ran out of work (done: no orders left)
            for key, mask in self.selector.select(timeout=0.05):
                conn = key.data
                if mask & selectors.EVENT_WRITE:
                    conn.writable()
                elif mask & selectors.EVENT_READ:
                    conn.readable()
            while self.restart:
                self.restart.pop().start()
        elapsed = min(time.perf_counter(), measure_to) - max(measure_from, begin)
        cpu_after = os.times()
        for conn in connections:
            conn.close()
        lat = sorted(self.latencies)

        def pct(p: float) -> float | None:
            return round(lat[min(len(lat) - 1, int(p * len(lat)))] * 1000, 2) if lat else None

        ok = sum(count for status, count in self.statuses.items() if 200 <= status < 300)
        return {
            "requests": len(lat),
            "ok": ok,
            "rps": round(ok / elapsed, 1) if elapsed > 0 else 0.0,
            "p50_ms": pct(0.50),
            "p90_ms": pct(0.90),
            "p99_ms": pct(0.99),
            "max_ms": round(lat[-1] * 1000, 2) if lat else None,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "errors": dict(self.errors),
            "exhausted": self.scenario.exhausted,
            "seconds": round(elapsed, 2),
            "client_cpu_s": round((cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system), 2),
        }


def main(argv: list[str]) -> int:
    spec = json.loads(Path(argv[1]).read_text(encoding="utf-8")) if len(argv) > 1 else json.load(sys.stdin)
    print(json.dumps(Load(spec).run()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
