"""`make bench`: seed a database, serve it with gunicorn, load it from a second process, compare to the floor.

What it does, start to end (loopback only; every load is bounded in time):

1. a database of its own: a SQLite file `bench/bench-<scale>.sqlite3` (default), or with
   `--database-url postgres://USER@HOST:PORT/NAME` a PostgreSQL database on that server named
   NAME if it starts with `as_bench`, else `as_bench_<scale>` — created and dropped by the driver
   (`--keep` keeps it, `--reuse` reuses a kept one of the same scale instead of seeding again);
2. `migrate`, then bench/seed.py: SCALE orders (default 10,000), each with 3 abnormal products,
   2 tracks, 2 deductions, a duty report and ~8 journal rows;
3. EXPLAIN of every SQL statement the list (plain and filtered), detail and journal endpoints run,
   flagging a sequential scan of the orders table (PostgreSQL: EXPLAIN ANALYZE);
4. gunicorn with the production settings (DEBUG off, sync workers, `--workers`, same as
   `make run`; throttling stays on with its rate raised out of the way) and, beside it on another
   port, the floor (bench/floor.py: bare WSGI, one raw SQL query per table, json.dumps) with the
   same worker settings; it checks that both answer the same bytes for the same page;
5. `--rounds` interleaved rounds; in each, bench/load.py (a second process, `--concurrency`
   connections, `--warmup` seconds unmeasured, then `--duration` seconds) drives in turn: the
   floor, list (per_page 20), the floor filtered by status, list filtered by status, detail,
   create, done (a superuser walking orders up the chain);
6. prints requests/s, p50 and p99 per scenario (medians over the rounds), list ÷ floor throughput
   and list p99 ÷ floor p99 (medians of the per-round ratios), and saves everything as JSON in
   bench/results/.

Run: `make bench`, `make bench SCALE=1000000 DATABASE_URL=postgres://postgres@127.0.0.1:5432/as_bench`,
`.venv/bin/python bench/run.py --help`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))
from devtools.harness import Server, ThrowawayDatabase  # noqa: E402 - needs ROOT on sys.path

API = "/api/v1/afterservice"
FILTER_STATUS = "manager_reviewing"
SCENARIOS = ["floor", "list", "floor_status", "list_status", "detail", "create", "done"]
# The statistics (stats/): GET paths, driven at --stats-concurrency by a role user. The date range
# (about 9 months, starting and ending mid-month) ends 10 days ago: the seeded orders end 2 days ago.
RANGE = f"created_after={date.today() - timedelta(days=280)}&created_before={date.today() - timedelta(days=10)}"
STATS_PATHS = {
    "stats_customer": f"{API}/stats/orders?group_by=customer_name",
    "stats_month_range": f"{API}/stats/orders?group_by=month&{RANGE}",
    "stats_status": f"{API}/stats/orders?group_by=type&status={FILTER_STATUS}",
    "cycle_times": f"{API}/stats/cycle-times",
    "cycle_times_range": f"{API}/stats/cycle-times?{RANGE}",
    "cycle_times_status": f"{API}/stats/cycle-times?status={FILTER_STATUS}",
}
SCENARIOS += list(STATS_PATHS)
LABELS = {
    "floor": "floor: list, raw SQL + json.dumps",
    "list": "list (per_page 20, no filter)",
    "floor_status": f"floor: list ?status={FILTER_STATUS}",
    "list_status": f"list ?status={FILTER_STATUS}",
    "detail": "detail",
    "create": "create (3 abnormal products)",
    "done": "done transition (PUT operation)",
    "stats_customer": "stats/orders ?group_by=customer_name",
    "stats_month_range": "stats/orders ?group_by=month, 9 months",
    "stats_status": f"stats/orders ?group_by=type&status={FILTER_STATUS[:9]}…",
    "cycle_times": "stats/cycle-times",
    "cycle_times_range": "stats/cycle-times, 9 months",
    "cycle_times_status": f"stats/cycle-times ?status={FILTER_STATUS[:9]}…",
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=int(os.environ.get("SCALE") or 10_000), help="orders to seed")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", ""),
        help="postgres://USER@HOST:PORT/NAME (default: a SQLite file in bench/)",
    )
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds per scenario and round")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds before each measurement")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (medians are reported)")
    parser.add_argument("--concurrency", type=int, default=8, help="connections of the load generator")
    parser.add_argument(
        "--stats-concurrency",
        type=int,
        default=2,
        help="connections of the statistics scenarios (a few staff open a dashboard; no app polls it)",
    )
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS") or 3), help="gunicorn workers")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help=f"subset of {','.join(SCENARIOS)}")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="reuse a kept database of the same scale")
    parser.add_argument("--no-explain", action="store_true", help="skip the EXPLAIN report")
    parser.add_argument("--explain-only", action="store_true", help="seed (or reuse) and EXPLAIN, no load")
    return parser.parse_args(argv)


def log(message: str) -> None:
    print(message, flush=True)


# --- The database --------------------------------------------------------------------------------
def Database(url: str, scale: int) -> ThrowawayDatabase:
    """The benchmark's database: bench/bench-<scale>.sqlite3, or a PostgreSQL `as_bench*` one."""
    return ThrowawayDatabase(
        url,
        sqlite_path=BENCH / f"bench-{scale}.sqlite3",
        default_name=f"as_bench_{scale}",
        guard=r"as_bench[A-Za-z0-9_]*",
        tool="bench",
    )


def django_env(db: Database) -> dict[str, str]:
    """Production settings (DEBUG off, a real secret), the benchmark's database, quiet logs."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH", "DEBUG", "SCALE")}
    env.update(db.env)
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            # No collectstatic for a benchmark of the API (the admin is not loaded).
            "AFTERSERVICE_PLAIN_STATIC": "1",
            # Throttling stays on (its cost is measured); the rate is raised out of the way.
            "THROTTLE_USER": "100000000/minute",
            "THROTTLE_ANON": "100000000/minute",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def prepare(args: argparse.Namespace, db: Database, env: dict[str, str]) -> dict[str, Any]:
    """Migrate and seed (or reuse), then read what the scenarios need through the ORM."""
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "afterservice_site.settings"
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(BENCH))
    import django

    django.setup()
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from orders.models import Order

    reused = args.reuse and db.exists()
    if reused:
        log(f"bench: reusing {db.label}")
        call_command("migrate", verbosity=0, interactive=False)
        count = Order.objects.count()
        if count < args.scale:
            raise SystemExit(f"bench: {db.label} has {count:,} orders, fewer than --scale {args.scale:,}")
    else:
        db.create()
        started = time.monotonic()
        call_command("migrate", verbosity=0, interactive=False)
        log(f"bench: {db.label} migrated in {time.monotonic() - started:.0f}s")
        import seed as seeder

        seeder.seed(args.scale, log=log)
    tokens = {t.user.username: t.key for t in Token.objects.select_related("user")}
    service_id = Token.objects.get(key=tokens["bench_service"]).user_id
    detail_ids = list(
        Order.objects.filter(is_deleted=False).order_by("?").values_list("id", flat=True)[:2000]
        if db.vendor == "sqlite" or args.scale <= 100_000
        else Order.objects.filter(is_deleted=False, id__in=_spread_ids(args.scale)).values_list("id", flat=True)
    )
    from django.db import connections

    connections.close_all()
    return {"tokens": tokens, "service_id": service_id, "detail_ids": detail_ids, "reused": reused}


def _spread_ids(scale: int, count: int = 2000) -> list[int]:
    import random

    rng = random.Random(7)
    return [rng.randrange(1, scale + 1) for _ in range(count)]


def done_ids() -> list[int]:
    """In-progress orders below the end of the chain, newest first (the creates' come first)."""
    from django.db import connections

    from orders.models import Order

    ids = list(
        Order.objects.filter(is_deleted=False, workflow_status="in_progress")
        .exclude(status="end")
        .order_by("-id")
        .values_list("id", flat=True)[:50_000]
    )
    connections.close_all()
    return ids


# --- EXPLAIN -------------------------------------------------------------------------------------------
EXPLAIN_CASES = [
    ("list, no filter", "bench_service", f"{API}/orders"),
    (f"list ?status={FILTER_STATUS}", "bench_service", f"{API}/orders?status={FILTER_STATUS}"),
    (
        f"list ?status={FILTER_STATUS}&workflow_status=in_progress",
        "bench_service",
        f"{API}/orders?status={FILTER_STATUS}&workflow_status=in_progress",
    ),
    ("list ?creator_name=员工7", "bench_service", f"{API}/orders?creator_name=员工7"),
    ("list ?creator_name=creator0007 (username)", "bench_service", f"{API}/orders?creator_name=creator0007"),
    ("list ?saler=专员3", "bench_service", f"{API}/orders?saler=专员3"),
    ("list ?customer_name=压测供应商0042", "bench_service", f"{API}/orders?customer_name=压测供应商0042"),
    ("list ?accuser_name=压测供应商0042", "bench_service", f"{API}/orders?accuser_name=压测供应商0042"),
    ("list ?serial_number=<one>", "bench_service", f"{API}/orders?serial_number={{serial}}"),
    ("list, plain creator (own orders only)", "creator0001", f"{API}/orders"),
    ("detail", "bench_service", f"{API}/orders/{{detail_id}}"),
    ("journal list", "bench_service", f"{API}/orders/{{detail_id}}/journals"),
    *((f"stats: {LABELS[name]}", "bench_service", path) for name, path in STATS_PATHS.items()),
    ("stats: stats/orders ?group_by=month, plain creator", "creator0001", f"{API}/stats/orders?group_by=month"),
    ("stats: stats/cycle-times, plain creator", "creator0001", f"{API}/stats/cycle-times"),
    (
        "stats: stats/cycle-times ?customer_name=压测供应商0042",
        "bench_service",
        f"{API}/stats/cycle-times?customer_name=压测供应商0042",
    ),
]


def explain_report(state: dict[str, Any], vendor: str) -> list[dict[str, Any]]:
    """Runs each case through the real view in-process and EXPLAINs every SELECT it sent."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from orders.models import Order

    order = Order.objects.filter(is_deleted=False).order_by("id").first()
    client = Client(HTTP_HOST="127.0.0.1")
    report = []
    for label, user, path in EXPLAIN_CASES:
        path = path.format(serial=order.serial_number, detail_id=order.pk)
        token = state["tokens"].get(user)
        if token is None:
            continue
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path, HTTP_AUTHORIZATION=f"Token {token}")
        statements = []
        for query in ctx.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            with connection.cursor() as cursor:
                if vendor == "postgresql":
                    cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {sql}")
                    plan = [row[0] for row in cursor.fetchall()]
                else:
                    cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
                    plan = [row[-1] for row in cursor.fetchall()]
            # A scan of the whole table: PostgreSQL's "Seq Scan", SQLite's "SCAN t" (not "SCAN t USING
            # [COVERING] INDEX i", a full index scan, which the report shows but does not flag).
            seq = any(
                re.search(r"Seq Scan on orders_(order|journal)\b", line)
                or re.fullmatch(r"SCAN orders_(order|journal)", line.strip())
                for line in plan
            )
            statements.append({"sql": sql, "plan": plan, "seq_scan_orders": seq})
        report.append({"case": label, "status": response.status_code, "statements": statements})
    connection.close()
    return report


def print_explain(report: list[dict[str, Any]], vendor: str) -> None:
    log(f"\n=== EXPLAIN ({'EXPLAIN ANALYZE' if vendor == 'postgresql' else 'EXPLAIN QUERY PLAN'}) ===")
    for case in report:
        flagged = [s for s in case["statements"] if s["seq_scan_orders"]]
        verdict = "SEQ SCAN of orders_order/journal" if flagged else "no seq scan of orders_order/journal"
        log(f"\n--- {case['case']} (HTTP {case['status']}): {verdict}")
        for statement in case["statements"]:
            if not re.search(r'FROM "(orders_(order|journal)|stats_\w+)"', statement["sql"]):
                continue
            head = statement["sql"][:60].replace("\n", " ")
            where = statement["sql"].find(" WHERE ")
            if where > 0:
                head += " ..." + statement["sql"][where : where + 150].replace("\n", " ")
            log(f"  {head}...")
            for line in statement["plan"]:
                if vendor == "postgresql" and line.strip().startswith(("Buffers", "Planning:", "  Buffers")):
                    continue
                log(f"      {line}")


# --- Servers ---------------------------------------------------------------------------------------
# --- Scenarios -----------------------------------------------------------------------------------
CREATE_BODY = {
    "type": "质量投诉",
    "customer_name": "压测供应商0001",
    "accuser_name": "压测供应商0002",
    "creator_name": "压测专员",
    "reason": "成品",
    "remark": "压测：到货表面划伤",
    "abnormal_products": [
        {"skuCode": "BSKU00001", "remark": "划伤"},
        {"skuCode": "BSKU00002", "remark": "色差"},
        {"skuCode": "BSKU00003", "remark": "缺件"},
    ],
}


def spec_for(name: str, api: Server, floor: Server, state: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    tokens = state["tokens"]
    service = {"Authorization": f"Token {tokens['bench_service']}"}
    admin = {"Authorization": f"Token {tokens['bench_admin']}"}
    base = {"host": "127.0.0.1", "concurrency": args.concurrency, "warmup": args.warmup, "duration": args.duration}
    if name == "floor":
        return {**base, "port": floor.port, "kind": "get", "path": f"{API}/orders?per_page=20"}
    if name == "floor_status":
        return {**base, "port": floor.port, "kind": "get", "path": f"{API}/orders?status={FILTER_STATUS}"}
    if name == "list":
        return {**base, "port": api.port, "kind": "get", "path": f"{API}/orders?per_page=20", "headers": service}
    if name == "list_status":
        return {
            **base,
            "port": api.port,
            "kind": "get",
            "path": f"{API}/orders?status={FILTER_STATUS}",
            "headers": service,
        }
    if name == "detail":
        paths = [f"{API}/orders/{i}" for i in state["detail_ids"]]
        return {**base, "port": api.port, "kind": "ids", "paths": paths, "headers": service}
    if name == "create":
        body = json.dumps(CREATE_BODY, ensure_ascii=False)
        return {**base, "port": api.port, "kind": "post", "path": f"{API}/orders", "body": body, "headers": service}
    if name in STATS_PATHS:
        return {
            **base,
            "concurrency": args.stats_concurrency,
            "port": api.port,
            "kind": "get",
            "path": STATS_PATHS[name],
            "headers": service,
        }
    if name == "done":
        body = json.dumps({"operation": "done", "remark": "同意"}, ensure_ascii=False)
        return {
            **base,
            "port": api.port,
            "kind": "done",
            "path": API + "/orders/{id}",
            "body": body,
            "ids": done_ids(),
            "headers": admin,
        }
    raise SystemExit(f"bench: unknown scenario {name!r}")


def run_load(spec: dict[str, Any], workdir: Path) -> dict[str, Any]:
    spec_file = workdir / "spec.json"
    spec_file.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    timeout = spec["warmup"] + spec["duration"] + 60
    result = subprocess.run(
        [sys.executable, str(BENCH / "load.py"), str(spec_file)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"bench: load.py failed: {result.stderr[-2000:]}")
    return json.loads(result.stdout)


def check_same_bytes(api: Server, floor: Server, token: str) -> list[str]:
    notes = []
    for query in ("per_page=20", f"status={FILTER_STATUS}", "per_page=100&page=2"):
        ours, theirs = api.get(f"{API}/orders?{query}", token), floor.get(f"{API}/orders?{query}")
        if ours == theirs:
            notes.append(f"?{query}: identical ({len(ours):,} bytes)")
            continue
        at = next(
            (i for i, (a, b) in enumerate(zip(ours, theirs, strict=False)) if a != b), min(len(ours), len(theirs))
        )
        raise SystemExit(
            f"bench: the floor and the API differ for ?{query} at byte {at}:\n"
            f"  api:   {ours[max(0, at - 80) : at + 80]!r}\n  floor: {theirs[max(0, at - 80) : at + 80]!r}"
        )
    return notes


# --- Report --------------------------------------------------------------------------------------
def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {
        "cpu": cpu or platform.processor(),
        "cores": os.cpu_count(),
        "memory": mem,
        "python": platform.python_version(),
        "os": platform.platform(),
    }


def db_version(db: Database) -> str:
    if db.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    row = db.pg("SHOW server_version")
    return f"PostgreSQL {row[0][0]} (TCP)"


def median(values: list[float]) -> float | None:
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 2) if values else None


def summarise(results: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for name, rounds in results.items():
        summary[name] = {
            "rps": median([r["rps"] for r in rounds]),
            "p50_ms": median([r["p50_ms"] for r in rounds]),
            "p99_ms": median([r["p99_ms"] for r in rounds]),
            "rounds_rps": [r["rps"] for r in rounds],
            "non_2xx": sum(c for r in rounds for s, c in r["statuses"].items() if not s.startswith("2")),
            "errors": sum(sum(r["errors"].values()) for r in rounds),
            "client_cpu_s": median([r["client_cpu_s"] for r in rounds]),
        }
    ratios: dict[str, Any] = {}
    for ours, floor in (("list", "floor"), ("list_status", "floor_status")):
        if ours in results and floor in results:
            pairs = list(zip(results[ours], results[floor], strict=False))
            ratios[ours] = {
                "throughput": median([a["rps"] / b["rps"] for a, b in pairs if b["rps"]]),
                "p99": median([a["p99_ms"] / b["p99_ms"] for a, b in pairs if b["p99_ms"]]),
                "rounds_throughput": [round(a["rps"] / b["rps"], 3) for a, b in pairs if b["rps"]],
            }
    return {"scenarios": summary, "ratios": ratios}


def print_table(summary: dict[str, Any], header: str) -> None:
    log(f"\n=== {header} ===")
    log(f"{'scenario':<40} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}  {'req/s per round':<24} non-2xx")
    for name, row in summary["scenarios"].items():
        rounds = ", ".join(f"{v:.0f}" for v in row["rounds_rps"])
        log(
            f"{LABELS.get(name, name):<40} {row['rps']:>8.1f} {row['p50_ms'] or 0:>8.2f} {row['p99_ms'] or 0:>8.2f}  "
            f"{rounds:<24} {row['non_2xx'] + row['errors']}"
        )
    for name, ratio in summary["ratios"].items():
        log(
            f"{LABELS[name]}: throughput ÷ floor = {ratio['throughput']:.2f} (rounds {ratio['rounds_throughput']}), "
            f"p99 ÷ floor p99 = {ratio['p99']:.2f}"
        )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = set(scenarios) - set(SCENARIOS)
    if unknown:
        raise SystemExit(f"bench: unknown scenario(s) {sorted(unknown)}")
    started = time.monotonic()
    db = Database(args.database_url, args.scale)
    env = django_env(db)
    workdir = Path(tempfile.mkdtemp(prefix="as-bench-"))
    api = floor = None
    output: dict[str, Any] = {
        "when": datetime.now().isoformat(timespec="seconds"),
        "machine": machine(),
        "database": db_version(db),
        "scale": args.scale,
        "args": vars(args),
    }
    try:
        state = prepare(args, db, env)
        output["database"] = db_version(db)
        if not args.no_explain:
            report = explain_report(state, db.vendor)
            print_explain(report, db.vendor)
            output["explain"] = report
        if args.explain_only:
            return 0
        floor_env = {
            **env,
            "FLOOR_USER_ID": str(state["service_id"]),
            "FLOOR_USER_ROLES": "service",
        }
        api = Server("api", "afterservice_site.wsgi:application", env, args.workers, workdir / "api.log")
        floor = Server(
            "floor", "floor:application", floor_env, args.workers, workdir / "floor.log", ["--pythonpath", str(BENCH)]
        )
        api.wait_ready()
        floor.wait_ready()
        notes = check_same_bytes(api, floor, state["tokens"]["bench_service"])
        log("\nbench: the floor answers the API's bytes: " + "; ".join(notes))
        store = "Redis (REDIS_URL)" if env.get("REDIS_URL") else "per-host counter files (no REDIS_URL)"
        log(f"bench: throttling on, its counters in {store}")
        log(
            f"bench: {db.label}, {args.scale:,} orders, {args.workers} gunicorn sync workers each, "
            f"concurrency {args.concurrency}, {args.rounds} rounds × ({args.warmup:g}s warm-up + {args.duration:g}s)"
        )
        results: dict[str, list[dict[str, Any]]] = {name: [] for name in scenarios}
        for round_no in range(1, args.rounds + 1):
            for name in scenarios:
                result = run_load(spec_for(name, api, floor, state, args), workdir)
                results[name].append(result)
                log(
                    f"  round {round_no} {name:<13} {result['rps']:>8.1f} req/s  p50 {result['p50_ms']} ms  "
                    f"p99 {result['p99_ms']} ms  statuses {result['statuses']}"
                    + (f" errors {result['errors']}" if result["errors"] else "")
                    + (" (ran out of orders)" if result["exhausted"] else "")
                )
        summary = summarise(results)
        output.update({"results": results, "summary": summary})
        m = output["machine"]
        print_table(
            summary,
            f"{output['database']}, {args.scale:,} orders — {m['cpu']}, {m['cores']} cores, {m['memory']}, "
            f"Python {m['python']}",
        )
    finally:
        for server in (api, floor):
            if server is not None:
                server.stop()
        if not args.keep:
            db.drop()
        elif db.vendor == "sqlite" or db.exists():
            log(f"bench: kept {db.label} (reuse with --reuse)")
    results_dir = BENCH / "results"
    results_dir.mkdir(exist_ok=True)
    name = f"{datetime.now():%Y%m%d-%H%M%S}-{db.vendor}-{args.scale}.json"
    (results_dir / name).write_text(json.dumps(output, ensure_ascii=False, indent=1), encoding="utf-8")
    log(f"\nbench: results in bench/results/{name}; {time.monotonic() - started:.0f}s wall clock")
    return 0


if __name__ == "__main__":
    sys.exit(main())
