"""`make bench`: seed a database, serve it with gunicorn, load it from a second process, compare to the floor.

What it does, start to end (loopback only; every load is bounded in time):

1. a database per scale (`--scale N`, or several side by side with `--scales 10000,1000000`): a
   SQLite file `bench/bench-<scale>.sqlite3` (default), or with
   `--database-url postgres://USER@HOST:PORT/NAME` a PostgreSQL database on that server — one
   scale: NAME, which must start with `as_bench` (none: `as_bench_<scale>`); several: `NAME_<scale>`
   (none: `as_bench_<scale>`). The driver creates and drops them; `--keep` keeps them,
   `--reuse` reuses a kept one of the same scale instead of seeding again (and keeps it);
2. per scale, in a child process with that scale's settings: `migrate`, then bench/seed.py —
   SCALE orders (default 10,000) at ~333 a day (10k: a month, 1M: ~8 years), each with 3 abnormal
   products, 2 tracks, 2 deductions, a duty report and ~8 journal rows; the live-order counters
   checked by `recount`; the statistics tables rebuilt. The seeding time split (load, index builds,
   VACUUM ANALYZE, counters, statistics) is logged and goes into the results header;
3. per scale, EXPLAIN of every SQL statement that the list (plain, with each filter, the to-do
   queue), summary, detail, journal, statistics and admin (changelist and change page, signed in
   with a session) requests run, flagging a sequential scan of orders_order or orders_journal
   (PostgreSQL: EXPLAIN ANALYZE);
4. per scale, gunicorn with the production settings (DEBUG off, sync workers, `--workers`, same as
   `make run`; throttling stays on with its rate raised out of the way; no collectstatic — the
   admin's pages name their CSS/JS by plain URLs, `AFTERSERVICE_PLAIN_STATIC`) and, beside it on
   another port, the floor (bench/floor.py: bare WSGI, one raw SQL query per table, json.dumps)
   with the same worker settings; it checks that both answer the same bytes for the same page, and
   that one request of every GET scenario answers 2xx (a warning otherwise);
5. `--rounds` interleaved rounds; in each, bench/load.py (a second process, `--concurrency`
   connections, `--warmup` seconds unmeasured, then `--duration` seconds) drives every scenario
   against each scale in turn (so machine noise hits the scales alike): the floor, list
   (per_page 20), the floor filtered by status, list filtered by status, the to-do queue
   (`?todo=1`, the `service` user), orders/summary, detail and journal over 2,000 orders, create,
   done (a superuser walking orders up the chain); the statistics at `--stats-concurrency`; the
   admin's order changelist and change pages (the superuser `bench_admin`'s session cookie) at
   `--admin-concurrency`;
6. prints one table: per scenario and scale requests/s, p50 and p99 (medians over the rounds);
   with several scales the largest scale's p50 and p99 ÷ the smallest's, `!` above 2.0; the
   non-2xx answers and socket errors (load.py counts them; the figures exclude them, and the exit
   status is 1 if there were any); then per scale list ÷ floor throughput and list p99 ÷ floor p99
   (medians of the per-round ratios). Everything — seeding times, EXPLAIN reports, every round —
   is saved as JSON in bench/results/<timestamp>-<vendor>-<scales>.json.

Run: `make bench`, `make bench SCALE=1000000 DATABASE_URL=postgres://postgres@127.0.0.1:5432/as_bench`,
`make bench SCALES=10000,1000000 DATABASE_URL=postgres://postgres@127.0.0.1:5432/as_bench`,
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
import urllib.error
import urllib.request
import warnings
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))
from devtools.harness import Server, ThrowawayDatabase  # noqa: E402 - needs ROOT on sys.path

API = "/api/v1/afterservice"
FILTER_STATUS = "manager_reviewing"
SCENARIOS = [
    "floor",
    "list",
    "floor_status",
    "list_status",
    "todo",
    "summary",
    "detail",
    "journal",
    "create",
    "done",
]
# The statistics (stats/): GET paths, driven at --stats-concurrency by a role user. The date range
# (about 9 months, starting and ending mid-month) ends 10 days ago: the seeded orders end 2 days
# ago and start at least 30 days back (10k orders: a month, so the range holds most of it; 1M:
# ~8 years, so it holds about a ninth).
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
# The admin (HTML pages, the superuser's session cookie), driven at --admin-concurrency.
ADMIN_CHANGELIST = "/admin/orders/order/"
ADMIN_SCENARIOS = ["admin_changelist", "admin_order"]
SCENARIOS += ADMIN_SCENARIOS
LABELS = {
    "floor": "floor: list, raw SQL + json.dumps",
    "list": "list (per_page 20, no filter)",
    "floor_status": f"floor: list ?status={FILTER_STATUS}",
    "list_status": f"list ?status={FILTER_STATUS}",
    "todo": "list ?todo=1 (a specialist's queue)",
    "summary": "orders/summary",
    "detail": "detail",
    "journal": "journal list (orders/<id>/journals)",
    "create": "create (3 abnormal products)",
    "done": "done transition (PUT operation)",
    "stats_customer": "stats/orders ?group_by=customer_name",
    "stats_month_range": "stats/orders ?group_by=month, 9 months",
    "stats_status": f"stats/orders ?group_by=type&status={FILTER_STATUS[:9]}…",
    "cycle_times": "stats/cycle-times",
    "cycle_times_range": "stats/cycle-times, 9 months",
    "cycle_times_status": f"stats/cycle-times ?status={FILTER_STATUS[:9]}…",
    "admin_changelist": "admin: order changelist",
    "admin_order": "admin: order change page",
}
FLAG_RATIO = 2.0  # a p50 or p99 more than this many times the smallest scale's is flagged


class _Help(argparse.HelpFormatter):
    """Shows an option's default when it has one worth showing (not empty, not a flag's False)."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if action.default not in (None, "", False, argparse.SUPPRESS) and "%(default)" not in text:
            text += " (default: %(default)s)"
        return text


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=_Help)
    parser.add_argument(
        "--scale", type=int, default=int(os.environ.get("SCALE") or 10_000), help="orders to seed (one scale)"
    )
    parser.add_argument(
        "--scales",
        default=os.environ.get("SCALES", ""),
        help="several scales side by side, e.g. 10000,1000000: one database and one gunicorn each, every "
        "scenario driven against each in turn; overrides --scale",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", ""),
        help="postgres://USER@HOST:PORT/NAME (default: a SQLite file in bench/); with --scales each "
        "scale's database is NAME_<scale>",
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
    parser.add_argument(
        "--admin-concurrency",
        type=int,
        default=2,
        help="connections of the admin scenarios (a few staff in the back office)",
    )
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS") or 3), help="gunicorn workers")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help="a comma-separated subset")
    parser.add_argument("--keep", action="store_true", help="keep the database(s) afterwards")
    parser.add_argument("--reuse", action="store_true", help="reuse a kept database of the same scale")
    parser.add_argument("--no-explain", action="store_true", help="skip the EXPLAIN report")
    parser.add_argument("--explain-only", action="store_true", help="seed (or reuse) and EXPLAIN, no load")
    # Internal: one scale's Django work (seed, EXPLAIN, ids) runs in a child process of its own,
    # with that scale's settings.
    parser.add_argument("--stage", choices=["prepare", "done-ids"], help=argparse.SUPPRESS)
    parser.add_argument("--stage-out", help=argparse.SUPPRESS)
    parser.add_argument("--multi", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def scales_of(args: argparse.Namespace) -> list[int]:
    if not args.scales:
        return [args.scale]
    try:
        scales = sorted({int(part.replace("_", "")) for part in args.scales.split(",") if part.strip()})
    except ValueError:
        raise SystemExit(f"bench: --scales wants numbers separated by commas, not {args.scales!r}") from None
    if not scales or scales[0] < 1:
        raise SystemExit(f"bench: --scales {args.scales!r}: at least one scale, each at least 1")
    return scales


def log(message: str) -> None:
    print(message, flush=True)


# --- The database --------------------------------------------------------------------------------
def Database(url: str, scale: int, multi: bool = False) -> ThrowawayDatabase:
    """The benchmark's database: bench/bench-<scale>.sqlite3, or a PostgreSQL `as_bench*` one. With
    several scales (`multi`) a URL's database name becomes NAME_<scale> (a SQLite file's NAME-<scale>)."""
    if multi and url:
        parts = urlsplit(url)
        name = parts.path.lstrip("/")
        if parts.scheme == "sqlite" and name:
            url = urlunsplit(parts._replace(path=re.sub(r"(\.\w+)?$", rf"-{scale}\1", parts.path, count=1)))
        elif name:
            url = urlunsplit(parts._replace(path=f"/{name}_{scale}"))
    return ThrowawayDatabase(
        url,
        sqlite_path=BENCH / f"bench-{scale}.sqlite3",
        default_name=f"as_bench_{scale}",
        guard=r"as_bench[A-Za-z0-9_]*",
        tool="bench",
    )


def django_env(db: Database) -> dict[str, str]:
    """Production settings (DEBUG off, a real secret), the benchmark's database, quiet logs."""
    drop = ("DATABASE_URL", "SQLITE_PATH", "DEBUG", "SCALE", "SCALES")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(db.env)
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            # No collectstatic: the admin's pages then name their CSS and JS by plain /static/ URLs
            # (no manifest to look them up in). The benchmark loads the pages, not those files.
            "AFTERSERVICE_PLAIN_STATIC": "1",
            # Throttling stays on (its cost is measured); the rate is raised out of the way.
            "THROTTLE_USER": "100000000/minute",
            "THROTTLE_ANON": "100000000/minute",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def setup_django() -> None:
    """In a stage's child process, whose environment is `django_env`'s."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "afterservice_site.settings"
    sys.path.insert(0, str(BENCH))
    # whitenoise's, for the STATIC_ROOT no collectstatic filled (AFTERSERVICE_PLAIN_STATIC).
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    import django

    django.setup()


def prepare(args: argparse.Namespace, db: Database) -> dict[str, Any]:
    """Migrate and seed (or reuse), then read what the scenarios need through the ORM."""
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from orders import counters
    from orders.models import Order

    reused = args.reuse and db.exists()
    seeding: dict[str, Any] | None = None
    if reused:
        log(f"bench: reusing {db.label}")
        call_command("migrate", verbosity=0, interactive=False)
        count = Order.objects.count()
        if count < args.scale:
            raise SystemExit(f"bench: {db.label} has {count:,} orders, fewer than --scale {args.scale:,}")
        # A database seeded before the seeder wrote the live-order counters has them all at 0:
        # the list totals and the summary would be wrong (and the floor's bytes differ).
        drifts = counters.recount(repair=True)
        if drifts:
            log(f"bench: {db.label}: {len(drifts)} live-order counters drifted from COUNT(*); repaired")
    else:
        db.create()
        started = time.monotonic()
        call_command("migrate", verbosity=0, interactive=False)
        migrate_s = round(time.monotonic() - started, 1)
        log(f"bench: {db.label} migrated in {migrate_s:.0f}s")
        import seed as seeder

        result = seeder.seed(args.scale, log=log)
        seeding = {"migrate_s": migrate_s, **result["times"], "days": result["days"]}
        seeding["journal_rows"] = result["journal_rows"]
    tokens = {t.user.username: t.key for t in Token.objects.select_related("user")}
    service_id = Token.objects.get(key=tokens["bench_service"]).user_id
    detail_ids = list(
        Order.objects.filter(is_deleted=False).order_by("?").values_list("id", flat=True)[:2000]
        if db.vendor == "sqlite" or args.scale <= 100_000
        else Order.objects.filter(is_deleted=False, id__in=_spread_ids(args.scale)).values_list("id", flat=True)
    )
    return {
        "scale": args.scale,
        "label": db.label,
        "tokens": tokens,
        "service_id": service_id,
        "detail_ids": detail_ids,
        "reused": reused,
        "seeding": seeding,
        "orders": Order.objects.count(),
        "admin_cookie": admin_session_cookie("bench_admin"),
    }


def admin_session_cookie(username: str) -> str:
    """A signed-in session of `username` (the seeded users have unusable passwords), stored by the
    session engine the server reads, as the `Cookie` header value of its requests."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model, load_backend

    user = get_user_model().objects.get(username=username)
    backend = next(path for path in settings.AUTHENTICATION_BACKENDS if hasattr(load_backend(path), "get_user"))
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = backend
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def _spread_ids(scale: int, count: int = 2000) -> list[int]:
    import random

    rng = random.Random(7)
    return [rng.randrange(1, scale + 1) for _ in range(count)]


def done_ids() -> list[int]:
    """Orders in progress or overdue below the end of the chain, newest first, that `done` can walk
    to the end: with a duty report (`orders.workflow.done_blocker` wants one after
    service_approved), so not the `create` scenario's orders."""
    from orders.models import Order

    return list(
        Order.objects.filter(
            is_deleted=False, workflow_status__in=["in_progress", "overdue"], duty_report__isnull=False
        )
        .exclude(status="end")
        .order_by("-id")
        .values_list("id", flat=True)[:50_000]
    )


def stage_main(args: argparse.Namespace) -> int:
    """A child process's work for one scale (`--stage`), its result written as JSON to `--stage-out`."""
    db = Database(args.database_url, args.scale, args.multi)
    setup_django()
    from django.db import connections

    if args.stage == "prepare":
        result = prepare(args, db)
        if not args.no_explain:
            result["explain"] = explain_report(result, db.vendor)
            print_explain(result["explain"], db.vendor, f"{db.label}, {result['orders']:,} orders")
    else:
        result = {"ids": done_ids()}
    connections.close_all()
    Path(args.stage_out).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    return 0


def run_stage(
    stage: str, scale: int, env: dict[str, str], args: argparse.Namespace, multi: bool, workdir: Path
) -> dict[str, Any]:
    out = workdir / f"{stage}-{scale}.json"
    command = [sys.executable, str(Path(__file__).resolve()), "--stage", stage, "--stage-out", str(out)]
    command += ["--scale", str(scale), "--database-url", args.database_url]
    command += [
        flag for flag, on in (("--multi", multi), ("--reuse", args.reuse), ("--no-explain", args.no_explain)) if on
    ]
    result = subprocess.run(command, env=env, check=False)
    if result.returncode != 0:
        raise SystemExit(f"bench: the {stage} stage of scale {scale:,} failed (exit status {result.returncode})")
    return json.loads(out.read_text(encoding="utf-8"))


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
    ("list ?todo=1 (a specialist's queue)", "bench_service", f"{API}/orders?todo=1"),
    ("list ?todo=1, plain creator", "creator0001", f"{API}/orders?todo=1"),
    ("orders/summary", "bench_service", f"{API}/orders/summary"),
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
    # "@user": the admin, signed in by the session cookie the load uses.
    ("admin: order changelist", "@bench_admin", ADMIN_CHANGELIST),
    ("admin: order change page", "@bench_admin", f"{ADMIN_CHANGELIST}{{detail_id}}/change/"),
]


def explain_report(state: dict[str, Any], vendor: str) -> list[dict[str, Any]]:
    """Runs each case through the real view in-process and EXPLAINs every SELECT it sent."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from orders.models import Order

    order = Order.objects.filter(is_deleted=False).order_by("id").first()
    client = Client(HTTP_HOST="127.0.0.1")
    admin = Client(HTTP_HOST="127.0.0.1")
    name, _, value = state["admin_cookie"].partition("=")
    admin.cookies[name] = value
    report = []
    for label, user, path in EXPLAIN_CASES:
        path = path.format(serial=order.serial_number, detail_id=order.pk)
        if user.startswith("@"):
            send = admin.get
            headers = {}
        else:
            token = state["tokens"].get(user)
            if token is None:
                continue
            send, headers = client.get, {"HTTP_AUTHORIZATION": f"Token {token}"}
        with CaptureQueriesContext(connection) as ctx:
            response = send(path, **headers)
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


def print_explain(report: list[dict[str, Any]], vendor: str, title: str) -> None:
    log(f"\n=== EXPLAIN ({'EXPLAIN ANALYZE' if vendor == 'postgresql' else 'EXPLAIN QUERY PLAN'}): {title} ===")
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


def spec_for(
    name: str, api: Server, floor: Server, state: dict[str, Any], args: argparse.Namespace, ids: Any = None
) -> dict[str, Any]:
    """The load generator's spec of one scenario against one scale's servers (`ids`: a callable
    that reads the `done` scenario's orders, called only for it)."""
    tokens = state["tokens"]
    service = {"Authorization": f"Token {tokens['bench_service']}"}
    admin = {"Authorization": f"Token {tokens['bench_admin']}"}
    base = {"host": "127.0.0.1", "concurrency": args.concurrency, "warmup": args.warmup, "duration": args.duration}
    get = {**base, "port": api.port, "kind": "get", "headers": service}
    details = state["detail_ids"]
    if name == "floor":
        return {**base, "port": floor.port, "kind": "get", "path": f"{API}/orders?per_page=20"}
    if name == "floor_status":
        return {**base, "port": floor.port, "kind": "get", "path": f"{API}/orders?status={FILTER_STATUS}"}
    if name == "list":
        return {**get, "path": f"{API}/orders?per_page=20"}
    if name == "list_status":
        return {**get, "path": f"{API}/orders?status={FILTER_STATUS}"}
    if name == "todo":
        return {**get, "path": f"{API}/orders?todo=1"}
    if name == "summary":
        return {**get, "path": f"{API}/orders/summary"}
    if name == "detail":
        return {**get, "kind": "ids", "paths": [f"{API}/orders/{i}" for i in details]}
    if name == "journal":
        return {**get, "kind": "ids", "paths": [f"{API}/orders/{i}/journals" for i in details]}
    if name == "create":
        body = json.dumps(CREATE_BODY, ensure_ascii=False)
        return {**get, "kind": "post", "path": f"{API}/orders", "body": body}
    if name in STATS_PATHS:
        return {**get, "concurrency": args.stats_concurrency, "path": STATS_PATHS[name]}
    if name in ADMIN_SCENARIOS:
        spec = {
            **base,
            "concurrency": args.admin_concurrency,
            "port": api.port,
            "headers": {"Cookie": state["admin_cookie"]},
        }
        if name == "admin_changelist":
            return {**spec, "kind": "get", "path": ADMIN_CHANGELIST}
        return {**spec, "kind": "ids", "paths": [f"{ADMIN_CHANGELIST}{i}/change/" for i in details]}
    if name == "done":
        body = json.dumps({"operation": "done", "remark": "同意"}, ensure_ascii=False)
        return {
            **base,
            "port": api.port,
            "kind": "done",
            "path": API + "/orders/{id}",
            "body": body,
            "ids": ids(),
            "headers": admin,
        }
    raise SystemExit(f"bench: unknown scenario {name!r}")


def probe(server: Server, spec: dict[str, Any]) -> str | None:
    """One request of a GET scenario before the load: None if it answers 2xx, else what it said."""
    path = spec.get("path") or spec["paths"][0]
    request = urllib.request.Request(server.base + path, headers=spec.get("headers", {}))
    try:
        with _NO_REDIRECTS.open(request, timeout=60) as response:
            return None if 200 <= response.status < 300 else f"HTTP {response.status}"
    except urllib.error.HTTPError as exc:  # 3xx (not followed: a redirect to the login page) and 4xx/5xx
        return f"HTTP {exc.code} {exc.headers.get('Location') or exc.read()[:200]!r}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_NO_REDIRECTS = urllib.request.build_opener(_NoRedirect)


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


def compare(summaries: dict[int, dict[str, Any]], scales: list[int]) -> dict[str, Any]:
    """Per scenario: the largest scale's p50 and p99 ÷ the smallest's, flagged above FLAG_RATIO."""
    small, large = summaries[scales[0]]["scenarios"], summaries[scales[-1]]["scenarios"]
    ratios = {}
    for name in small:
        a, b = small[name], large.get(name)
        if not b:
            continue
        row = {}
        for key in ("p50_ms", "p99_ms"):
            row[key.replace("_ms", "")] = round(b[key] / a[key], 2) if a[key] and b[key] else None
        row["flagged"] = any(v is not None and v > FLAG_RATIO for v in (row["p50"], row["p99"]))
        ratios[name] = row
    return {"smallest": scales[0], "largest": scales[-1], "ratios": ratios}


def short(scale: int) -> str:
    """10000 → 10k, 1000000 → 1M, 2500 → 2.5k."""
    for size, unit in ((1_000_000, "M"), (1_000, "k")):
        if scale >= size:
            return f"{scale / size:g}{unit}"
    return str(scale)


def print_table(output: dict[str, Any], header: str) -> None:
    scales: list[int] = output["scales"]
    summaries = output["summary"]["per_scale"]
    comparison = output["summary"].get("comparison")
    names = list(next(iter(summaries.values()))["scenarios"])
    log(f"\n=== {header} ===")
    for scale in scales:
        seeding = output["seeding"].get(str(scale))
        how = (
            f"migrated in {seeding['migrate_s']:.0f}s, seeded in {seeding['total_s']:.0f}s "
            f"({describe_seeding(seeding)}; {seeding['days']:,} days of orders)"
            if seeding
            else "reused (seeded earlier)"
        )
        log(f"{scale:>10,} orders: {output['databases'][str(scale)]}, {how}")
    columns = "".join(f"  {short(scale) + ' req/s':>10} {'p50 ms':>8} {'p99 ms':>8}" for scale in scales)
    if comparison:
        big, small = short(comparison["largest"]), short(comparison["smallest"])
        columns += f"  {'p50 ×':>7} {'p99 ×':>7}"
    width = max(40, *(len(LABELS.get(name, name)) for name in names))
    log(f"\n{'scenario':<{width}}{columns}  errors")
    flagged = []
    for name in names:
        line = f"{LABELS.get(name, name):<{width}}"
        errors = 0
        for scale in scales:
            row = summaries[str(scale)]["scenarios"][name]
            line += f"  {row['rps'] or 0:>10.1f} {row['p50_ms'] or 0:>8.2f} {row['p99_ms'] or 0:>8.2f}"
            errors += row["non_2xx"] + row["errors"]
        if comparison:
            ratio = comparison["ratios"].get(name, {})
            for key in ("p50", "p99"):
                value = ratio.get(key)
                mark = "!" if value is not None and value > FLAG_RATIO else " "
                line += f" {value if value is not None else float('nan'):>7.2f}{mark}"
            if ratio.get("flagged"):
                flagged.append(name)
        log(f"{line}  {errors:>6}")
    if comparison:
        log(
            f"p50 ×, p99 ×: {big} ÷ {small}; ! marks a ratio above {FLAG_RATIO:g}"
            + (f" ({', '.join(flagged)})" if flagged else " (none)")
        )
    for scale in scales:
        for name, ratio in summaries[str(scale)]["ratios"].items():
            log(
                f"{short(scale):>5}: {LABELS[name]}: throughput ÷ floor = {ratio['throughput']:.2f} "
                f"(rounds {ratio['rounds_throughput']}), p99 ÷ floor p99 = {ratio['p99']:.2f}"
            )


def describe_seeding(seeding: dict[str, Any]) -> str:
    import seed as seeder  # bench/ is on sys.path: this script's directory

    return seeder.describe_times(seeding)


def error_report(output: dict[str, Any]) -> list[str]:
    """`scenario @ scale: statuses/errors` for every measurement with a non-2xx answer or a socket error."""
    lines = []
    for scale, results in output["results"].items():
        for name, rounds in results.items():
            bad: dict[str, int] = {}
            for result in rounds:
                for status, count in result["statuses"].items():
                    if not status.startswith("2"):
                        bad[f"HTTP {status}"] = bad.get(f"HTTP {status}", 0) + count
                for reason, count in result["errors"].items():
                    bad[reason] = bad.get(reason, 0) + count
            if bad:
                lines.append(f"{name} @ {int(scale):,}: {bad}")
    return lines


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.stage:
        return stage_main(args)
    scales = scales_of(args)
    multi = len(scales) > 1
    scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = set(scenarios) - set(SCENARIOS)
    if unknown:
        raise SystemExit(f"bench: unknown scenario(s) {sorted(unknown)}")
    started = time.monotonic()
    dbs = {scale: Database(args.database_url, scale, multi) for scale in scales}
    envs = {scale: django_env(db) for scale, db in dbs.items()}
    vendor = dbs[scales[0]].vendor
    workdir = Path(tempfile.mkdtemp(prefix="as-bench-"))
    servers: dict[int, tuple[Server, Server]] = {}
    output: dict[str, Any] = {
        "when": datetime.now().isoformat(timespec="seconds"),
        "machine": machine(),
        "database": db_version(dbs[scales[0]]),
        "scales": scales,
        "args": vars(args),
    }
    # A database reused (kept by an earlier run) is kept again; the ones this run seeds are dropped
    # at the end unless --keep.
    reused = {scale for scale, db in dbs.items() if args.reuse and db.exists()}
    status = 0
    try:
        states = {}
        for scale in scales:
            log(f"\n=== {dbs[scale].label}: {scale:,} orders ===")
            states[scale] = run_stage("prepare", scale, envs[scale], args, multi, workdir)
        output["databases"] = {str(scale): dbs[scale].label for scale in scales}
        output["seeding"] = {str(scale): states[scale]["seeding"] for scale in scales}
        output["explain"] = {str(scale): states[scale].pop("explain", None) for scale in scales}
        output["orders"] = {str(scale): states[scale]["orders"] for scale in scales}
        refused = [
            f"{short(scale)}: {case['case']} (HTTP {case['status']})"
            for scale in scales
            for case in output["explain"][str(scale)] or []
            if not 200 <= case["status"] < 300
        ]
        if refused:
            log("\nbench: EXPLAIN cases that did not answer 2xx: " + "; ".join(refused))
            status = 1
        if args.explain_only:
            return status
        for scale in scales:  # every server boots at once; each is waited for below
            env = envs[scale]
            floor_env = {**env, "FLOOR_USER_ID": str(states[scale]["service_id"]), "FLOOR_USER_ROLES": "service"}
            api = Server("api", "afterservice_site.wsgi:application", env, args.workers, workdir / f"api-{scale}.log")
            floor = Server(
                "floor",
                "floor:application",
                floor_env,
                args.workers,
                workdir / f"floor-{scale}.log",
                ["--pythonpath", str(BENCH)],
            )
            servers[scale] = (api, floor)
        for scale, (api, floor) in servers.items():
            api.wait_ready()
            floor.wait_ready()
            notes = check_same_bytes(api, floor, states[scale]["tokens"]["bench_service"])
            log(f"\nbench: {short(scale)}: the floor answers the API's bytes: " + "; ".join(notes))
            for name in scenarios:
                if name in ("create", "done") or name.startswith("floor"):
                    continue
                answer = probe(api, spec_for(name, api, floor, states[scale], args))
                if answer:
                    log(f"bench: WARNING {short(scale)}: {name} answers {answer}; its requests will count as errors")
        store = "Redis (REDIS_URL)" if envs[scales[0]].get("REDIS_URL") else "each worker's memory (no REDIS_URL)"
        log(f"bench: throttling on, its counters in {store}")
        log(
            f"bench: {', '.join(dbs[scale].label for scale in scales)}; {args.workers} gunicorn sync workers each, "
            f"concurrency {args.concurrency} (statistics {args.stats_concurrency}, admin {args.admin_concurrency}), "
            f"{args.rounds} rounds × ({args.warmup:g}s warm-up + {args.duration:g}s)"
            + (", each scenario against each scale in turn" if multi else "")
        )
        results: dict[int, dict[str, list[dict[str, Any]]]] = {
            scale: {name: [] for name in scenarios} for scale in scales
        }
        for round_no in range(1, args.rounds + 1):
            for name in scenarios:
                for scale in scales:
                    api, floor = servers[scale]

                    def ids(scale: int = scale) -> list[int]:
                        return run_stage("done-ids", scale, envs[scale], args, multi, workdir)["ids"]

                    result = run_load(spec_for(name, api, floor, states[scale], args, ids), workdir)
                    results[scale][name].append(result)
                    log(
                        f"  round {round_no} {name:<18} {short(scale):>5} {result['rps']:>8.1f} req/s  "
                        f"p50 {result['p50_ms']} ms  p99 {result['p99_ms']} ms  statuses {result['statuses']}"
                        + (f" errors {result['errors']}" if result["errors"] else "")
                        + (" (ran out of orders)" if result["exhausted"] else "")
                    )
        summaries = {str(scale): summarise(results[scale]) for scale in scales}
        output["results"] = {str(scale): results[scale] for scale in scales}
        output["summary"] = {"per_scale": summaries}
        if multi:
            output["summary"]["comparison"] = compare({int(k): v for k, v in summaries.items()}, scales)
        m = output["machine"]
        print_table(
            output,
            f"{output['database']}, {' and '.join(f'{scale:,}' for scale in scales)} orders — {m['cpu']}, "
            f"{m['cores']} cores, {m['memory']}, Python {m['python']}",
        )
        problems = error_report(output)
        if problems:
            status = 1
            log("\nbench: non-2xx answers or socket errors (the figures above exclude them):")
            for line in problems:
                log(f"  {line}")
        else:
            log("\nbench: every measured request answered 2xx")
    finally:
        for pair in servers.values():
            for server in pair:
                server.stop()
        for scale, db in dbs.items():
            if not args.keep and scale not in reused:
                db.drop()
            elif db.vendor == "sqlite" or db.exists():
                log(f"bench: kept {db.label} (reuse with --reuse)")
        output["wall_clock_s"] = round(time.monotonic() - started)
        if "databases" in output:  # prepared: the results so far (the EXPLAIN at least) are worth keeping
            results_dir = BENCH / "results"
            results_dir.mkdir(exist_ok=True)
            name = f"{datetime.now():%Y%m%d-%H%M%S}-{vendor}-{'+'.join(str(scale) for scale in scales)}.json"
            (results_dir / name).write_text(json.dumps(output, ensure_ascii=False, indent=1), encoding="utf-8")
            log(f"\nbench: results in bench/results/{name}; {output['wall_clock_s']}s wall clock")
    return status


if __name__ == "__main__":
    sys.exit(main())
