"""`make abuse`: the bounded-cost findings replayed against a real gunicorn, as an attacker with an
ordinary account would, asserting the bounds of docs/limits.md.

What it does (loopback only; each phase bounded in time, each worker in memory):

1. a throwaway database — a SQLite file in a temp folder (default), or with
   `--database-url postgres://USER@HOST:PORT/NAME` a PostgreSQL database NAME that it creates and
   drops itself (NAME must contain "abuse") — then `migrate` and `seed_demo` (its accounts,
   passwords and tokens are read from its output);
2. for each attack a fresh gunicorn (2 workers × 4 threads, gthread: the shape the findings were
   measured on) with production settings, warmed up, its workers' memory read from /proc;
3. the attacks, each while another user's ordinary `GET orders?per_page=1` is timed:
   1. 2 MB bodies of a 1,040,000-element list `[1,1,…]` to `POST orders/<missing id>/abnormal-products`,
      `POST orders` and `PUT orders/<id>` (`abnormal_products`, `deductions`, `tracks`): one at a
      time, then 8 in parallel;
   2. one order filled with records as the finding did (40 × 500 lines of 4,000 characters), one
      filled to the per-order caps, the role users' default list, then `PUT {}` with 10 different
      `Idempotency-Key`s on the biggest order;
   3. 200 wrong admin logins then the right password (must stay locked), `manage.py axes_reset`
      (must unlock), 16 parallel anonymous login posters while an authenticated request is timed,
      and bad API tokens until they are throttled;
   4. `PUT orders/<own id> {"saler": …}` with the superuser's name, a role-less user's and an unknown
      one (the same 400, no name revealed);
   5. (SQLite only) the service on `DATABASE_URL=sqlite:///…`: 40 concurrent creates and 10
      concurrent operations on one order (no 5xx, no lost update);
4. prints a table of figures per attack and `abuse: <checks> checks, <failed> failed`; exits 1 on
   any broken bound.

The bounds and the attacks' shapes are the constants below. A broken bound can be very expensive
(the findings measured 50 s and 4.5 GB for one request), so a request still running after
REQUEST_TIMEOUT_S counts as that long, a worker growing past WORKER_KILL_MB is killed (gunicorn
starts another), and a phase stops sending after PHASE_BUDGET_S.

Run: `make abuse`, `make abuse ABUSE_ARGS="--database-url postgres://postgres@127.0.0.1:5432/as_abuse"`,
`.venv/bin/python devtools/abuse.py --help` (`--attacks 1,3` runs a subset).
"""

# ruff: noqa: T201 - a command-line driver: it reports on stdout

from __future__ import annotations

import argparse
import base64
import http.client
import itertools
import json
import os
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))
from devtools.harness import Server, ThrowawayDatabase  # noqa: E402 - needs ROOT on sys.path

# --- The bounds (docs/limits.md) ------------------------------------------------------------------
HOSTILE_MAX_S = 1.0  # every hostile request answers within this
HOSTILE_MAX_BYTES = 64 * 1024  # … with a body smaller than this (error bodies are capped)
ORDINARY_MAX_S = 0.5  # median latency of another user's GET orders?per_page=1 during an attack
WORKER_GROWTH_MAX_MB = 100  # peak resident memory of a worker above its warmed-up size
DB_GROWTH_MAX_MB = 20  # logical database size added by one attack
LIST_MAX_S = 1.0  # a role user's default list with the attacker's orders on top …
LIST_MAX_BYTES = 1024 * 1024  # … and its size
IDEMPOTENCY_STORED_MAX_BYTES = 256 * 1024  # a stored response above this is not stored
ADMIN_FAILURE_LIMIT = 10  # the 10th wrong admin password locks
TOKEN_FAILURES_PER_MINUTE = 20  # bad API tokens per address; counted per worker without REDIS_URL

# --- The attacks' shapes (as the findings measured them) -----------------------------------------
WORKERS, THREADS = 2, 4
BIG_LIST_ELEMENTS = 1_040_000  # `[1,1,…]`: 2,080,001 bytes, under the 2 MiB body limit
PARALLEL_HOSTILE = 8
RECORD_POSTS, LINES_PER_POST, LINE_CHARS = 40, 500, 4000
CAP_PRODUCTS, CAP_TRACKS, CAPPED_REMARK_CHARS = 100, 200, 1000  # the per-order caps, filled
IDEMPOTENT_PUTS = 10
WRONG_LOGINS = 200
LOGIN_POSTERS, POSTER_SECONDS = 16, 8
BAD_TOKENS = 60
SQLITE_CREATES, SQLITE_OPERATIONS = 40, 10

# --- Safety while a bound is still broken (the machine is shared) --------------------------------
REQUEST_TIMEOUT_S = 10.0
WORKER_KILL_MB = 1024
PHASE_BUDGET_S = 60.0

API = "/api/v1/afterservice"
SUPERUSER_FULL_NAME = "管理员"  # seed_demo's `admin`
HEAD_BYTES = 64 * 1024  # how much of a body is kept for inspection (all of it is counted)


# --- HTTP ------------------------------------------------------------------------------------------
@dataclass
class Answer:
    status: int | None  # None: no answer (timed out, or the connection was dropped)
    seconds: float
    size: int = 0
    head: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    cookies: str = ""
    error: str = ""

    def json(self) -> Any:
        return json.loads(self.head) if self.size <= len(self.head) else None

    @property
    def shown(self) -> str:
        return str(self.status) if self.status is not None else self.error


class Client:
    """Plain HTTP/1.1 to the server under test, one connection per request (as clients come)."""

    def __init__(self, port: int) -> None:
        self.port = port

    def send(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = REQUEST_TIMEOUT_S,
    ) -> Answer:
        started = time.monotonic()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            size, head = 0, b""
            while chunk := response.read(1 << 16):
                size += len(chunk)
                if len(head) < HEAD_BYTES:
                    head += chunk[: HEAD_BYTES - len(head)]
                if time.monotonic() - started > timeout:
                    raise TimeoutError
            cookies = "; ".join(value for name, value in response.getheaders() if name.lower() == "set-cookie")
            return Answer(
                response.status,
                time.monotonic() - started,
                size,
                head,
                {name.lower(): value for name, value in response.getheaders()},
                cookies,
            )
        except TimeoutError:
            return Answer(None, max(timeout, time.monotonic() - started), error="timeout")
        except (OSError, http.client.HTTPException) as exc:
            return Answer(None, time.monotonic() - started, error=type(exc).__name__)
        finally:
            conn.close()

    def api(self, method: str, path: str, token: str, body: Any = None, **headers: str) -> Answer:
        sent = {"Authorization": f"Token {token}", "Accept": "application/json", **headers}
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        return self.send(method, API + path, data, sent)


class Ordinary:
    """Another user's `GET orders?per_page=1`, every 0.1 s while an attack runs, timed."""

    def __init__(self, client: Client, token: str) -> None:
        self.client, self.token = client, token
        self.latencies: list[float] = []
        self.failures = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            answer = self.client.api("GET", "/orders?per_page=1", self.token)
            self.latencies.append(answer.seconds)
            self.failures += answer.status != 200
            self._stop.wait(0.1)

    def __enter__(self) -> Ordinary:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def median(self) -> float:
        return statistics.median(self.latencies) if self.latencies else 0.0


def noise(chars: int) -> str:
    """Text that does not compress (PostgreSQL would store "xxxx…" in a few bytes, hiding growth)."""
    return base64.b64encode(os.urandom(chars))[:chars].decode()


def parallel(calls: list[Callable[[], Answer]]) -> list[Answer]:
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


# --- Memory of the gunicorn workers (/proc) ------------------------------------------------------
def proc_kb(pid: int, key: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def worker_pids(master: int) -> list[int]:
    try:
        with open(f"/proc/{master}/task/{master}/children") as children:
            return [int(pid) for pid in children.read().split()]
    except OSError:
        return []


class MemoryWatch:
    """Peak resident memory of each worker above its warmed-up size; kills a runaway worker."""

    def __init__(self, master: int) -> None:
        self.master = master
        for pid in worker_pids(master):  # VmHWM from here on: the attack's peak, not the start-up's
            with suppress(OSError):
                Path(f"/proc/{pid}/clear_refs").write_text("5")
        self.baseline = {pid: proc_kb(pid, "VmRSS") for pid in worker_pids(master)}
        self.peak: dict[int, int] = {}
        self.killed = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _base(self, pid: int) -> int:
        return self.baseline.get(pid) or min(self.baseline.values(), default=0)

    def _run(self) -> None:
        while not self._stop.is_set():
            for pid in worker_pids(self.master):
                rss = proc_kb(pid, "VmRSS")
                self.peak[pid] = max(self.peak.get(pid, 0), rss, proc_kb(pid, "VmHWM"))
                if rss - self._base(pid) > WORKER_KILL_MB * 1024:
                    try:
                        os.kill(pid, signal.SIGKILL)
                        self.killed += 1
                    except ProcessLookupError:
                        pass
            self._stop.wait(0.1)

    def __enter__(self) -> MemoryWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def growth_mb(self) -> float:
        growths = [peak - self._base(pid) for pid, peak in self.peak.items()]
        return max(growths, default=0) / 1024


# --- The database under test ---------------------------------------------------------------------
class Measure:
    """Logical database size and the idempotency table's stored responses, read beside the service."""

    def __init__(self, db: ThrowawayDatabase) -> None:
        self.db = db

    def query(self, sql: str) -> tuple[Any, ...]:
        if self.db.vendor == "sqlite":
            conn = sqlite3.connect(self.db.path, timeout=30)
            try:
                return conn.execute(sql).fetchone()
            finally:
                conn.close()
        import psycopg2

        conn = psycopg2.connect(self.db.env["DATABASE_URL"])
        try:
            with conn.cursor() as cursor:
                cursor.execute(sql)
                return cursor.fetchone()
        finally:
            conn.close()

    def size_bytes(self) -> int:
        if self.db.vendor == "sqlite":
            pages, free, page_size = (
                self.query("PRAGMA page_count")[0],
                self.query("PRAGMA freelist_count")[0],
                self.query("PRAGMA page_size")[0],
            )
            return (pages - free) * page_size
        return int(self.query("SELECT pg_database_size(current_database())")[0])

    def idempotency(self) -> tuple[int, int, int]:
        """(rows, bytes of stored responses, the largest one)."""
        length = "LENGTH" if self.db.vendor == "sqlite" else "OCTET_LENGTH"
        row = self.query(
            f"SELECT COUNT(*), COALESCE(SUM({length}(response_body)), 0), "  # noqa: S608 - fixed SQL
            f"COALESCE(MAX({length}(response_body)), 0) FROM orders_idempotencykey"
        )
        return int(row[0]), int(row[1]), int(row[2])


# --- Results -------------------------------------------------------------------------------------
@dataclass
class Check:
    attack: str
    what: str
    bound: str
    measured: str
    ok: bool | None  # None: a figure shown, not asserted


class Report:
    def __init__(self) -> None:
        self.checks: list[Check] = []

    def add(self, attack: str, what: str, bound: str, measured: str, ok: bool | None) -> None:
        self.checks.append(Check(attack, what, bound, measured, ok))
        mark = {True: "ok", False: "FAILED", None: ""}[ok]
        print(f"  {what:<58} {bound:<16} {measured:<26} {mark}", flush=True)

    def figure(self, attack: str, what: str, measured: str) -> None:
        self.add(attack, what, "", measured, None)

    def seconds(self, attack: str, what: str, value: float, bound: float) -> None:
        self.add(attack, what, f"< {bound:g} s", _s(value), value < bound)

    def table(self) -> str:
        rows = [("attack", "check", "bound", "measured", "")]
        rows += [
            (c.attack, c.what, c.bound, c.measured, {True: "ok", False: "FAILED", None: ""}[c.ok]) for c in self.checks
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(5)]
        return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows)

    @property
    def failed(self) -> int:
        return sum(check.ok is False for check in self.checks)

    @property
    def asserted(self) -> int:
        return sum(check.ok is not None for check in self.checks)


def _s(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds < REQUEST_TIMEOUT_S else f"≥ {REQUEST_TIMEOUT_S:g} s (timed out)"


def _kb(size: int) -> str:
    return f"{size / 1024:.1f} KiB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MiB"


def _statuses(answers: list[Answer]) -> str:
    counts: dict[str, int] = {}
    for answer in answers:
        counts[answer.shown] = counts.get(answer.shown, 0) + 1
    return ", ".join(f"{count}×{status}" for status, count in sorted(counts.items()))


# --- The run -------------------------------------------------------------------------------------
class Run:
    def __init__(self, args: argparse.Namespace, workdir: Path) -> None:
        self.args, self.workdir = args, workdir
        self.db = ThrowawayDatabase(
            args.database_url,
            sqlite_path=workdir / "abuse.sqlite3",
            default_name="as_abuse",
            guard=r"[A-Za-z0-9_]*abuse[A-Za-z0-9_]*",
            tool="abuse",
        )
        self.env = self.server_env(self.db)
        self.measure = Measure(self.db)
        self.report = Report()
        self.server: Server | None = None
        self.accounts: dict[str, tuple[str, str]] = {}  # username → (password, token)
        self.suppliers: list[str] = []
        self.skus: list[str] = []
        self.order_numbers = itertools.count(1)

    def server_env(self, db: ThrowawayDatabase) -> dict[str, str]:
        drop = ("DATABASE_URL", "SQLITE_PATH", "REDIS_URL", "DEBUG")
        env = {k: v for k, v in os.environ.items() if k not in drop}
        env.update(db.env)
        env.update(
            {
                "DEBUG": "0",
                "AFTERSERVICE_DEV_KEY_OK": "1",
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "AFTERSERVICE_PLAIN_STATIC": "1",
                "LOG_LEVEL": "WARNING",
                "PYTHONUNBUFFERED": "1",
            }
        )
        return env

    def manage(self, env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(  # noqa: S603 - our own manage.py
            [str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
        )
        if check and result.returncode != 0:
            sys.stderr.write(result.stdout + result.stderr)
            raise SystemExit(f"abuse: manage.py {' '.join(args)} failed")
        return result

    def prepare(self, db: ThrowawayDatabase, env: dict[str, str]) -> dict[str, tuple[str, str]]:
        """Creates, migrates and seeds `db`; returns seed_demo's accounts (password, token)."""
        db.create()
        self.manage(env, "migrate", "--noinput", "--verbosity", "0")
        out = self.manage(env, "seed_demo").stdout
        accounts = {}
        for line in out.splitlines():
            fields = line.split()
            if len(fields) == 4 and re.fullmatch(r"[0-9a-f]{40}", fields[3]):
                accounts[fields[0]] = (fields[2], fields[3])
        if not {"admin", "creator", "manager"} <= accounts.keys():
            raise SystemExit(f"abuse: no accounts in seed_demo's output:\n{out}")
        return accounts

    @contextmanager
    def fresh_server(self, name: str, env: dict[str, str] | None = None) -> Iterator[tuple[Client, MemoryWatch]]:
        """A new gunicorn for one attack: warmed up, its workers' memory watched."""
        log = self.workdir / f"gunicorn-{name}.log"
        extra = ["--worker-class", "gthread", "--threads", str(THREADS), "--graceful-timeout", "3"]
        server = Server(name, "afterservice_site.wsgi:application", env or self.env, WORKERS, log, extra)
        self.server = server
        try:
            server.wait_ready()
            client = Client(server.port)
            self.master_data(client)
            self.warm_up(client)
            with MemoryWatch(server.proc.pid) as watch:
                yield client, watch
        finally:
            server.stop()
            self.server = None

    def warm_up(self, client: Client) -> None:
        """Every code path the attacks take, a few times on each worker, before memory is measured."""
        _, creator = self.accounts["creator"]
        calls: list[Callable[[], Answer]] = []
        for _ in range(4):
            calls += [
                lambda: client.api("GET", "/orders", creator),
                lambda: client.api("GET", "/orders?per_page=1", creator),
                lambda: client.api("POST", "/orders", creator, {"abnormal_products": [1, 1]}),
                lambda: client.api("PUT", "/orders/999999", creator, {}),
                lambda: client.send("GET", "/admin/login/"),
            ]
        parallel(calls)

    def own_order(self, client: Client, **extra: Any) -> int:
        """A new order of the attacker's (status waiting)."""
        _, token = self.accounts["creator"]
        body = {
            "type": "质量投诉",
            "customer_name": self.suppliers[0],
            "accuser_name": self.suppliers[1],
            "creator_name": "王小明",
            "reason": "成品",
            # Each body its own: an identical create within the duplicate window answers the first order.
            "remark": f"abuse harness {next(self.order_numbers)}",
            "abnormal_products": [{"skuCode": self.skus[0], "remark": "划伤"}],
            **extra,
        }
        answer = client.api("POST", "/orders", token, body)
        if answer.status != 201:
            raise SystemExit(f"abuse: could not create an order: {answer.shown} {answer.head[:300]!r}")
        return answer.json()["data"]["id"]

    def master_data(self, client: Client) -> None:
        _, token = self.accounts["creator"]
        suppliers = client.api("GET", "/supplier_user_matcher?per_page=100", token).json()["data"]
        products = client.api("GET", "/all-products?per_page=100", token).json()["data"]
        self.suppliers = [row["supplier_name"] for row in suppliers if row["supplier_name"] != "安运物流"]
        self.skus = [row["skuCode"] for row in products]

    def common_bounds(
        self,
        attack: str,
        watch: MemoryWatch,
        ordinary: Ordinary | None,
        size_before: int,
        measure: Measure | None = None,
    ) -> None:
        r = self.report
        if ordinary is not None:
            r.seconds(attack, "another user's GET orders?per_page=1, median", ordinary.median, ORDINARY_MAX_S)
            worst = max(ordinary.latencies, default=0.0)
            p90 = (
                statistics.quantiles(ordinary.latencies, n=10, method="inclusive")[-1]
                if len(ordinary.latencies) > 1
                else worst
            )
            shown = f"{_s(p90)} / {_s(worst)} / {len(ordinary.latencies)} / {ordinary.failures}"
            r.figure(attack, "  … p90 / slowest / samples / not 200", shown)
        growth = watch.growth_mb
        shown = f"{growth:.0f} MB" + (
            f" ({watch.killed} worker(s) killed at {WORKER_KILL_MB} MB)" if watch.killed else ""
        )
        r.add(
            attack,
            "worker memory growth (peak VmRSS/VmHWM)",
            f"< {WORKER_GROWTH_MAX_MB} MB",
            shown,
            growth < WORKER_GROWTH_MAX_MB and not watch.killed,
        )
        added = ((measure or self.measure).size_bytes() - size_before) / 1024 / 1024
        r.add(attack, "database growth", f"< {DB_GROWTH_MAX_MB} MB", f"{added:.1f} MB", added < DB_GROWTH_MAX_MB)

    def hostile(self, attack: str, what: str, answers: list[Answer], *, refused: bool = True) -> None:
        """Each answer within HOSTILE_MAX_S, smaller than HOSTILE_MAX_BYTES, a 4xx when `refused`."""
        r = self.report
        slowest = max(a.seconds for a in answers)
        largest = max(a.size for a in answers)
        answered = all(a.status is not None for a in answers)  # a body never sent is not a small one
        r.seconds(attack, f"{what}: slowest answer", slowest, HOSTILE_MAX_S)
        shown = _kb(largest) + ("" if answered else " (some never answered)")
        r.add(
            attack,
            f"{what}: largest body",
            f"< {_kb(HOSTILE_MAX_BYTES)}",
            shown,
            answered and largest < HOSTILE_MAX_BYTES,
        )
        statuses = _statuses(answers)
        if refused:
            all_4xx = all(a.status is not None and 400 <= a.status < 500 for a in answers)
            r.add(attack, f"{what}: answers", "4xx", statuses, all_4xx)
        else:
            r.add(
                attack,
                f"{what}: answers",
                "no 5xx",
                statuses,
                all(a.status is not None and a.status < 500 for a in answers),
            )

    # --- 1 ----------------------------------------------------------------------------------------
    def attack_1(self) -> None:
        name = "1 big lists"
        print(
            f"\n--- {name}: {BIG_LIST_ELEMENTS:,}-element lists, one at a time then {PARALLEL_HOSTILE} in parallel ---"
        )
        _, creator = self.accounts["creator"]
        _, manager = self.accounts["manager"]
        big = b"[" + b"1," * (BIG_LIST_ELEMENTS - 1) + b"1]"
        with self.fresh_server("1") as (client, watch):
            own = self.own_order(client)
            header = json.dumps(
                {
                    "type": "质量投诉",
                    "customer_name": self.suppliers[0],
                    "accuser_name": self.suppliers[1],
                    "creator_name": "王小明",
                    "reason": "成品",
                    "remark": "abuse",
                }
            ).encode()
            targets = [
                ("POST", "/orders/999999/abnormal-products", big),
                ("POST", "/orders", header[:-1] + b', "abnormal_products": ' + big + b"}"),
                ("PUT", f"/orders/{own}", b'{"abnormal_products": ' + big + b"}"),
                ("PUT", f"/orders/{own}", b'{"deductions": ' + big + b"}"),
                ("PUT", f"/orders/{own}", b'{"tracks": ' + big + b"}"),
            ]
            size_before = self.measure.size_bytes()
            with Ordinary(client, manager) as ordinary:
                one_by_one = []
                for method, path, body in targets:
                    answer = client.api(method, path, creator, body)
                    one_by_one.append(answer)
                    label = f"{method} {path.replace(str(own), '<own id>')} ({len(body):,} bytes)"
                    self.report.figure(name, f"  {label}", f"{answer.shown}, {_s(answer.seconds)}, {_kb(answer.size)}")
                self.hostile(name, "one at a time", one_by_one)
                batch = [targets[i % len(targets)] for i in range(PARALLEL_HOSTILE)]
                together = parallel([lambda t=t: client.api(t[0], t[1], creator, t[2]) for t in batch])
                self.hostile(name, f"{PARALLEL_HOSTILE} in parallel", together)
            self.common_bounds(name, watch, ordinary, size_before)

    # --- 2 ----------------------------------------------------------------------------------------
    def attack_2(self) -> None:
        name = "2 records"
        print(
            f"\n--- {name}: {RECORD_POSTS} × {LINES_PER_POST} lines of {LINE_CHARS:,} characters, "
            "the caps, lists, idempotency ---"
        )
        _, creator = self.accounts["creator"]
        _, manager = self.accounts["manager"]
        r = self.report
        with self.fresh_server("2") as (client, watch):
            flooded, capped = self.own_order(client), self.own_order(client)
            size_before = self.measure.size_bytes()
            with Ordinary(client, manager) as ordinary:
                lines = [
                    {"skuCode": self.skus[i % len(self.skus)], "remark": noise(LINE_CHARS)}
                    for i in range(LINES_PER_POST)
                ]
                body = json.dumps(lines).encode()
                posts, started = [], time.monotonic()
                for _ in range(RECORD_POSTS):
                    if time.monotonic() - started > PHASE_BUDGET_S:
                        break
                    posts.append(client.api("POST", f"/orders/{flooded}/abnormal-products", creator, body))
                accepted = sum(a.status == 201 for a in posts)
                r.figure(name, f"  POST abnormal-products × {len(posts)} ({len(body):,} bytes each)", _statuses(posts))
                self.hostile(name, f"{LINES_PER_POST}-line posts", posts, refused=False)
                r.add(
                    name,
                    "lines stored from the flood",
                    f"≤ {CAP_PRODUCTS}",
                    f"{accepted * LINES_PER_POST:,}",
                    accepted * LINES_PER_POST <= CAP_PRODUCTS,
                )

                # Filled to the caps with what is accepted: the biggest order an attacker can make
                # (it was created with one line).
                filler = noise(CAPPED_REMARK_CHARS)
                products = [
                    {"skuCode": self.skus[i % len(self.skus)], "remark": filler} for i in range(CAP_PRODUCTS - 1)
                ]
                fill = [client.api("POST", f"/orders/{capped}/abnormal-products", creator, products)]
                fill += [
                    client.api("PUT", f"/orders/{capped}", creator, {"tracks": [{"remark": filler}] * 100})
                    for _ in range(CAP_TRACKS // 100)
                ]
                r.figure(
                    name,
                    f"  fill to the caps ({CAP_PRODUCTS} lines, {CAP_TRACKS} tracks of {CAPPED_REMARK_CHARS:,})",
                    _statuses(fill),
                )
                over = [
                    client.api("POST", f"/orders/{capped}/abnormal-products", creator, {"skuCode": self.skus[0]}),
                    client.api("PUT", f"/orders/{capped}", creator, {"tracks": [{"remark": "one more"}]}),
                ]
                r.add(
                    name,
                    "one line / one track past the caps",
                    "409, 409",
                    ", ".join(a.shown for a in over),
                    [a.status for a in over] == [409, 409],
                )

                roles = [self.accounts[role][1] for role in ("service", "manager", "chief", "finance")]
                lists = parallel([lambda t=t: client.api("GET", "/orders", t) for t in roles])
                r.add(
                    name,
                    "4 role users' default lists at once: slowest",
                    f"< {LIST_MAX_S:g} s",
                    _s(max(a.seconds for a in lists)),
                    max(a.seconds for a in lists) < LIST_MAX_S,
                )
                largest = max(a.size for a in lists)
                r.add(
                    name,
                    "  … largest page",
                    f"< {_kb(LIST_MAX_BYTES)}",
                    _kb(largest),
                    largest < LIST_MAX_BYTES and all(a.status == 200 for a in lists),
                )

                # The finding's PUTs went to the flooded order; once the flood is refused the capped
                # one is the biggest an attacker has.
                sizes = {order: client.api("GET", f"/orders/{order}", creator).size for order in (flooded, capped)}
                biggest = max(sizes, key=sizes.__getitem__)
                r.figure(name, "  the biggest order's representation", f"{_kb(sizes[biggest])}")
                rows_before, stored_before, _ = self.measure.idempotency()
                puts, started = [], time.monotonic()
                for n in range(IDEMPOTENT_PUTS):
                    if time.monotonic() - started > PHASE_BUDGET_S:
                        break
                    puts.append(
                        client.api("PUT", f"/orders/{biggest}", creator, {}, **{"Idempotency-Key": f"abuse-{n}"})
                    )
                r.figure(
                    name,
                    f"  PUT {{}} × {IDEMPOTENT_PUTS} Idempotency-Keys",
                    f"{_statuses(puts)}, {_kb(max(a.size for a in puts))} each",
                )
                r.seconds(
                    name,
                    f"PUT {{}} × {IDEMPOTENT_PUTS} keys on the biggest order: slowest",
                    max(a.seconds for a in puts),
                    HOSTILE_MAX_S,
                )
                rows_after, stored_after, largest_stored = self.measure.idempotency()
                added = stored_after - stored_before
                r.add(
                    name,
                    "idempotency: response bytes stored by the 10 PUTs",
                    f"≤ {_kb(IDEMPOTENT_PUTS * IDEMPOTENCY_STORED_MAX_BYTES)}",
                    f"{_kb(added)} in {rows_after - rows_before} rows",
                    added <= IDEMPOTENT_PUTS * IDEMPOTENCY_STORED_MAX_BYTES,
                )
                r.add(
                    name,
                    "idempotency: largest stored response",
                    f"≤ {_kb(IDEMPOTENCY_STORED_MAX_BYTES)}",
                    _kb(largest_stored),
                    largest_stored <= IDEMPOTENCY_STORED_MAX_BYTES,
                )
                replay = client.api("PUT", f"/orders/{biggest}", creator, {}, **{"Idempotency-Key": "abuse-0"})
                replayed = replay.status == 200 and replay.headers.get("idempotent-replayed") == "true"
                r.add(
                    name,
                    "idempotency: a retried key still replays",
                    "200, replayed",
                    f"{replay.shown}, {replay.headers.get('idempotent-replayed', '-')}",
                    replayed,
                )
            self.common_bounds(name, watch, ordinary, size_before)

    # --- 3 ----------------------------------------------------------------------------------------
    def login_form(self, client: Client) -> tuple[str, str]:
        page = client.send("GET", "/admin/login/")
        cookie = re.search(r"csrftoken=([^;]+)", page.cookies)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.head)
        if not (cookie and token):
            raise SystemExit(f"abuse: no CSRF token on the admin login page ({page.shown})")
        return cookie.group(1), token.group(1).decode()

    def login(self, client: Client, form: tuple[str, str], username: str, password: str) -> Answer:
        cookie, token = form
        body = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token, "next": "/admin/"})
        headers = {"Cookie": f"csrftoken={cookie}", "Content-Type": "application/x-www-form-urlencoded"}
        return client.send("POST", "/admin/login/?next=/admin/", body.encode(), headers)

    @staticmethod
    def logged_in(answer: Answer) -> bool:
        return answer.status == 302 and "sessionid=" in answer.cookies

    def attack_3(self) -> None:
        name = "3 logins"
        print(
            f"\n--- {name}: {WRONG_LOGINS} wrong admin passwords, axes_reset, {LOGIN_POSTERS} posters, bad tokens ---"
        )
        password, _ = self.accounts["admin"]
        _, creator = self.accounts["creator"]
        _, manager = self.accounts["manager"]
        r = self.report
        with self.fresh_server("3") as (client, watch):
            size_before = self.measure.size_bytes()
            form = self.login_form(client)
            attempts, started = [], time.monotonic()
            for _ in range(WRONG_LOGINS):
                if time.monotonic() - started > PHASE_BUDGET_S:
                    break
                attempts.append(self.login(client, form, "admin", "wrong-password"))
            locked_at = next((i + 1 for i, a in enumerate(attempts) if a.status == 429), None)
            r.figure(
                name, f"  {len(attempts)} wrong passwords in {time.monotonic() - started:.1f} s", _statuses(attempts)
            )
            r.add(
                name,
                "wrong admin passwords: locked at attempt",
                f"{ADMIN_FAILURE_LIMIT}",
                str(locked_at or f"never in {len(attempts)}"),
                locked_at == ADMIN_FAILURE_LIMIT,
            )
            if locked_at is not None and attempts[locked_at:]:
                slowest = max(a.seconds for a in attempts[locked_at:])
                r.seconds(name, "  … attempts once locked: slowest", slowest, HOSTILE_MAX_S)
            hashed = [a.seconds for a in attempts[: ADMIN_FAILURE_LIMIT - 1]]
            r.figure(name, "  … attempts before the lock (the password hasher), median", _s(statistics.median(hashed)))
            right = self.login(client, form, "admin", password)
            r.add(
                name,
                "the right password after the lock",
                "refused",
                "logged in" if self.logged_in(right) else f"refused ({right.shown})",
                not self.logged_in(right),
            )

            reset = self.manage(self.env, "axes_reset", check=False)
            again = self.login(client, self.login_form(client), "admin", password)
            unlocked = reset.returncode == 0 and self.logged_in(again)
            shown = "logged in" if unlocked else f"exit {reset.returncode}, {again.shown}"
            r.add(name, "manage.py axes_reset, then the right password", "logged in", shown, unlocked)

            stop = threading.Event()
            posted: list[Answer] = []

            def poster() -> None:
                poster_form = self.login_form(client)
                while not stop.is_set():
                    posted.append(self.login(client, poster_form, "admin", "guess"))

            threads = [threading.Thread(target=poster, daemon=True) for _ in range(LOGIN_POSTERS)]
            own = self.own_order(client)
            with Ordinary(client, manager) as ordinary:
                timed: list[float] = []
                for thread in threads:
                    thread.start()
                deadline = time.monotonic() + POSTER_SECONDS
                while time.monotonic() < deadline:
                    timed.append(client.api("GET", f"/orders/{own}", creator).seconds)
                    time.sleep(0.1)
                stop.set()
                for thread in threads:
                    thread.join(REQUEST_TIMEOUT_S + 1)
            r.figure(name, f"  {LOGIN_POSTERS} anonymous posters for {POSTER_SECONDS} s", _statuses(posted))
            r.seconds(name, "authenticated GET orders/<id> meanwhile, median", statistics.median(timed), ORDINARY_MAX_S)

            tokens = [client.api("GET", "/orders?per_page=1", "0" * 40) for _ in range(BAD_TOKENS)]
            first_429 = next((i + 1 for i, a in enumerate(tokens) if a.status == 429), None)
            # Without REDIS_URL each worker counts its own failures: at most WORKERS × the rate pass.
            limit = TOKEN_FAILURES_PER_MINUTE * WORKERS + 1
            r.add(
                name,
                f"{BAD_TOKENS} bad API tokens: first 429 at",
                f"≤ {limit}",
                str(first_429 or "never"),
                first_429 is not None and first_429 <= limit,
            )
            throttled = [a for a in tokens if a.status == 429]
            retry = bool(throttled) and all(a.headers.get("retry-after", "").isdigit() for a in throttled)
            r.add(name, "  … 429s carry Retry-After", "yes", "yes" if retry else "no", retry)
            valid = client.api("GET", "/orders?per_page=1", creator)
            r.add(name, "  … a valid token from that address", "200", valid.shown, valid.status == 200)
            self.common_bounds(name, watch, ordinary, size_before)

    # --- 4 ----------------------------------------------------------------------------------------
    def attack_4(self) -> None:
        name = "4 saler names"
        print(f"\n--- {name}: PUT orders/<own id> with the superuser's, a role-less and an unknown name ---")
        _, creator = self.accounts["creator"]
        r = self.report
        with self.fresh_server("4") as (client, watch):
            size_before = self.measure.size_bytes()
            own = self.own_order(client)
            saler_before = client.api("GET", f"/orders/{own}", creator).json()["data"]["saler"]
            names = {"superuser": "admin", "role-less user": "creator", "unknown": "nobody-7f3a9c"}
            answers = {
                label: client.api("PUT", f"/orders/{own}", creator, {"saler": sent}) for label, sent in names.items()
            }
            for label, answer in answers.items():
                body = answer.json() or {}
                shown = body.get("message") if answer.status != 200 else f"saler → {body['data']['saler']}"
                r.figure(name, f"  saler = {names[label]!r} ({label})", f"{answer.shown}: {shown}")
            bodies = {answer.head.replace(names[label].encode(), b"<name>") for label, answer in answers.items()}
            same = len(bodies) == 1 and all(a.status == 400 for a in answers.values())
            r.add(
                name,
                "the three answers",
                "one identical 400",
                "identical 400"
                if same
                else _statuses(list(answers.values())) + (", bodies differ" if len(bodies) > 1 else ""),
                same,
            )
            leaked = any(SUPERUSER_FULL_NAME.encode() in a.head for a in answers.values())
            r.add(
                name, "the superuser's full name in any answer", "absent", "present" if leaked else "absent", not leaked
            )
            saler = client.api("GET", f"/orders/{own}", creator).json()["data"]["saler"]
            r.add(
                name,
                "the order's saler afterwards",
                f"{saler_before} (unchanged)",
                saler or "(empty)",
                saler == saler_before,
            )
            self.common_bounds(name, watch, None, size_before)

    # --- 5 ----------------------------------------------------------------------------------------
    def attack_5(self) -> None:
        name = "5 sqlite by URL"
        if self.db.vendor != "sqlite":
            self.report.figure(name, "(SQLite only: skipped on PostgreSQL)", "-")
            return
        print(
            f"\n--- {name}: DATABASE_URL=sqlite:///…, {SQLITE_CREATES} concurrent creates, "
            f"{SQLITE_OPERATIONS} concurrent operations ---"
        )
        db = ThrowawayDatabase(
            f"sqlite:///{self.workdir / 'by-url.sqlite3'}", sqlite_path=Path(), default_name="", guard="", tool="abuse"
        )
        env = self.server_env(db)
        self.accounts = self.prepare(db, env)
        _, creator = self.accounts["creator"]
        r = self.report
        try:
            with self.fresh_server("5", env) as (client, watch):
                size_before = Measure(db).size_bytes()
                bodies = [
                    {
                        "type": "质量投诉",
                        "customer_name": self.suppliers[0],
                        "accuser_name": self.suppliers[1],
                        "creator_name": "王小明",
                        "reason": "成品",
                        "remark": f"concurrent {n}",
                        "abnormal_products": [{"skuCode": self.skus[0]}],
                    }
                    for n in range(SQLITE_CREATES)
                ]
                creates = parallel([lambda b=b: client.api("POST", "/orders", creator, b) for b in bodies])
                r.add(
                    name,
                    f"{SQLITE_CREATES} concurrent creates",
                    f"{SQLITE_CREATES}×201",
                    _statuses(creates),
                    all(a.status == 201 for a in creates),
                )
                r.figure(name, "  … slowest", _s(max(a.seconds for a in creates)))
                order = self.own_order(client)
                done = {"operation": "done", "expected_status": "waiting", "remark": "提交"}
                operations = parallel(
                    [lambda: client.api("PUT", f"/orders/{order}", creator, done) for _ in range(SQLITE_OPERATIONS)]
                )
                statuses = sorted(a.status or 0 for a in operations)
                expected = [200] + [409] * (SQLITE_OPERATIONS - 1)
                r.add(
                    name,
                    f"{SQLITE_OPERATIONS} concurrent 'done' on one order",
                    f"1×200, {SQLITE_OPERATIONS - 1}×409",
                    _statuses(operations),
                    statuses == expected,
                )
                journal = client.api("GET", f"/orders/{order}/journals", creator).json()
                submits = sum(row["operation"] == "done" for row in journal["data"]) if journal else -1
                r.add(name, "  … journal rows for it", "1 done", f"{submits} done", submits == 1)
                self.common_bounds(name, watch, None, size_before, Measure(db))
        finally:
            db.drop()

    def run(self, attacks: list[int]) -> int:
        started = time.monotonic()
        print(f"abuse: {self.db.label}, gunicorn {WORKERS} workers × {THREADS} threads", flush=True)
        try:
            for number in attacks:
                # Each attack on a freshly seeded database: one broken bound (an 800 MB flood)
                # must not slow the next attack and blur its figures.
                if number != 5:
                    self.accounts = self.prepare(self.db, self.env)
                getattr(self, f"attack_{number}")()
        finally:
            if self.server is not None:
                self.server.stop()
            self.db.drop()
        print(f"\n=== make abuse: {self.db.label}, {time.monotonic() - started:.0f} s ===")
        print(self.report.table())
        print(f"abuse: {self.report.asserted} checks, {self.report.failed} failed")
        return 1 if self.report.failed else 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default="", help="postgres://USER@HOST:PORT/NAME (default: a SQLite temp file)"
    )
    parser.add_argument("--attacks", default="1,2,3,4,5", help="which attacks, comma-separated")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder (server logs) afterwards")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    attacks = [int(n) for n in args.attacks.split(",") if n.strip()]
    workdir = Path(tempfile.mkdtemp(prefix="as-abuse-"))
    code = 1
    try:
        code = Run(args, workdir).run(attacks)
    finally:
        if args.keep or code:
            print(f"abuse: server logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
