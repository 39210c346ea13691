"""`make fuzz`: schemathesis against the service's own OpenAPI schema, over every operation.

What it does, start to end (loopback only, bounded in examples and in time):

1. a throwaway database: a SQLite file in a temp folder (default), or with
   `--database-url postgres://USER@HOST:PORT/NAME` a PostgreSQL database NAME that it creates
   and drops itself (NAME must contain "fuzz": the driver never drops anything else);
2. `migrate`, `seed_demo`, the API tokens of `admin` (superuser) and `creator` (a plain user); a
   deduction and an attachment (a small PDF) on each order that takes them;
3. gunicorn on a free 127.0.0.1 port with production-like settings (DEBUG off, the manifest-free
   static storage, throttling raised so the fuzzer is not answered 429);
4. fuzz/probes.py's hostile inputs on every operation (NUL bytes, 64-bit overflows, 1 MB strings,
   wrong JSON types, deep nesting, bad UTF-8, wrong Content-Type, a body over the limit; hostile
   files and broken multipart on the upload routes): each must be a documented status below 500
   in the envelope, most of them exactly 400/413/415;
5. `st run` on `/api/schema` per user (`--users admin,creator`; the coverage phase only for
   the first), checks `not_a_server_error`, `response_schema_conformance`,
   `content_type_conformance`, `status_code_conformance`, with part of the path ids and master
   data steered onto seeded rows (fuzz/hooks.py) so that the nested endpoints and the services
   behind a valid body are reached, not only their 404 and 400;
6. stops gunicorn, drops the database, prints
   `fuzz: <operations> operations, <examples> examples, <failures> failures` and exits 1 on any
   failure (a 5xx, a body or status code or content type the schema does not document) or when
   the time bound is hit.

Run: `make fuzz`, `make fuzz FUZZ_ARGS="--database-url postgres://postgres@127.0.0.1:5432/as_fuzz"`,
`.venv/bin/python fuzz/run.py --help`. The server log's errors are printed when something fails.
"""

# ruff: noqa: T201 - a command-line driver: it reports on stdout

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import probes  # fuzz/probes.py (this folder is on sys.path when run as a script)

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))
from devtools.harness import Server, ThrowawayDatabase  # noqa: E402 - needs ROOT on sys.path

CHECKS = "not_a_server_error,response_schema_conformance,content_type_conformance,status_code_conformance"
API = "/api/v1/afterservice"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default="", help="postgres://USER@HOST:PORT/NAME (default: a SQLite temp file)"
    )
    parser.add_argument("--users", default="admin,creator", help="seeded users to fuzz as, one pass each")
    parser.add_argument("--max-examples", type=int, default=15, help="generated examples per operation and phase")
    parser.add_argument("--phases", default="examples,coverage,fuzzing", help="schemathesis phases, first user")
    # The coverage phase (boundary values, not bounded by --max-examples) is about input
    # validation, the same for every user; the other users' passes fuzz what they may see and do.
    parser.add_argument("--other-phases", default="fuzzing", help="schemathesis phases, the other users")
    parser.add_argument("--seed", default="20261128", help="schemathesis seed ('random' for a fresh one)")
    # One schemathesis worker: its threads trip a CPython 3.11 `ast.parse` race in hypothesis
    # ("AST constructor recursion depth mismatch"); gunicorn still runs two workers.
    parser.add_argument("--workers", type=int, default=1, help="schemathesis worker threads")
    parser.add_argument("--timeout", type=int, default=420, help="hard bound in seconds for each pass")
    parser.add_argument("--no-probes", action="store_true", help="skip fuzz/probes.py's hostile inputs")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder (logs, reports) afterwards")
    return parser.parse_args(argv)


# --- The database --------------------------------------------------------------------------------
def Database(url: str, workdir: Path) -> ThrowawayDatabase:  # noqa: N802 - reads as the class it builds
    """The fuzzing's database: a SQLite file in `workdir`, or a PostgreSQL one whose name contains "fuzz"."""
    return ThrowawayDatabase(
        url,
        sqlite_path=workdir / "fuzz.sqlite3",
        default_name="as_fuzz",
        guard=r"[A-Za-z0-9_]*fuzz[A-Za-z0-9_]*",
        tool="fuzz",
    )


def server_env(db: Database, workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH", "REDIS_URL", "DEBUG")}
    env.update(db.env)
    env.update(
        {
            "DEBUG": "0",
            "AFTERSERVICE_DEV_KEY_OK": "1",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            # Production settings, less the static manifest (the admin is not fuzzed).
            "AFTERSERVICE_PLAIN_STATIC": "1",
            "THROTTLE_USER": "1000000/minute",
            "THROTTLE_ANON": "1000000/minute",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own manage.py
        [str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"fuzz: manage.py {' '.join(args)} failed")
    return result.stdout


def token_of(env: dict[str, str], username: str) -> str:
    out = manage(env, "drf_create_token", username)
    match = re.search(r"token (\w+) for user", out)
    if not match:
        raise SystemExit(f"fuzz: no token in drf_create_token output: {out!r}")
    return match.group(1)


def request(base: str, path: str, token: str = "", method: str = "GET", body: Any = None) -> Any:
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    data = None
    if body is not None:
        data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
    req = urllib.request.Request(base + path, data=data, headers=headers, method=method)  # noqa: S310 - loopback
    with urllib.request.urlopen(req, timeout=30) as response:  # noqa: S310
        return json.loads(response.read() or b"null")


# --- Fuzzing -------------------------------------------------------------------------------------
def id_pool(base: str, token: str) -> dict[str, Any]:
    """Seeded rows for fuzz/hooks.py: the orders the user sees (with their line, deduction and
    attachment ids), supplier names, SKU codes and the duty-report option values."""
    orders = request(base, f"{API}/orders?per_page=100", token)["data"]
    suppliers = request(base, f"{API}/supplier_user_matcher?per_page=100", token)["data"]
    products = request(base, f"{API}/all-products?per_page=100", token)["data"]
    options = {
        name: request(base, f"{API}/dutyreports/{name}", token)["data"]
        for name in ("typerank", "reasonrank", "dutyrank", "publishmentrank")
    }
    return {
        **options,
        "suppliers": [row["supplier_name"] for row in suppliers],
        "skus": [row["skuCode"] for row in products],
        "orders": [
            {
                "id": order["id"],
                "lines": [line["id"] for line in order["abnormal_products"]],
                "deductions": [line["id"] for line in order["deductions"]],
                "attachments": [item["id"] for item in order["attachments"]],
            }
            for order in orders
        ],
    }


def add_deductions(base: str, token: str, pool: dict[str, Any]) -> None:
    """Seeded orders have no deductions; give the in-progress ones one each (as the superuser)."""
    for order in pool["orders"]:
        try:
            line = request(base, f"{API}/orders/{order['id']}/deductions", token, "POST", {"compensation": "100.00"})[
                "data"
            ]
        except urllib.error.HTTPError:  # 409 for a finished, halted or cancelled order
            continue
        order["deductions"].append(line["id"])


def add_attachments(base: str, token: str, pool: dict[str, Any]) -> None:
    """Seeded orders have no attachments; give each order that takes them a small PDF and a JPEG
    (which has a thumbnail), as the superuser."""
    from PIL import Image  # the service's own dependency

    for order in pool["orders"]:
        photo = io.BytesIO()
        Image.new("RGB", (64, 48 + order["id"] % 100), (200, 30, 30)).save(photo, format="JPEG")
        for name, data in (
            ("seed.pdf", probes.pdf_of_size(1024, f"fuzz seed {order['id']}".encode())),
            ("seed.jpg", photo.getvalue()),
        ):
            body, content_type = probes.multipart_body({"remark": "fuzz"}, [("file", name, data)])
            req = urllib.request.Request(  # noqa: S310 - loopback
                f"{base}{API}/orders/{order['id']}/attachments",
                data=body,
                headers={"Authorization": f"Token {token}", "Content-Type": content_type, "Accept": "application/json"},
                method="POST",
            )
            try:
                with urllib.request.urlopen(req, timeout=30) as response:  # noqa: S310
                    order["attachments"].append(json.loads(response.read())["data"]["id"])
            except urllib.error.HTTPError:  # 409 for a finished, halted or cancelled order
                break


def run_probes(base: str, token: str, pool: dict[str, Any]) -> tuple[int, int]:
    """fuzz/probes.py's hostile inputs on every operation, on a still pristine database."""
    schema = request(base, "/api/schema?format=json")
    # An order that took a deduction and an attachment: every nested write reaches its checks.
    target = next((o for o in pool["orders"] if o["lines"] and o["deductions"] and o["attachments"]), pool["orders"][0])
    ids = {
        "order_id": str(target["id"]),
        "line_id": str(target["lines"][0] if target["lines"] else 1),
        "deduction_id": str(target["deductions"][0] if target["deductions"] else 1),
        "attachment_id": str(target["attachments"][0] if target["attachments"] else 1),
        "category": "typerank",
    }
    suppliers, skus = pool["suppliers"], pool["skus"]
    bases = {
        ("POST", f"{API}/orders"): {
            "type": "质量投诉",
            "customer_name": suppliers[0],
            "accuser_name": suppliers[1],
            "creator_name": "fuzz",
            "reason": "成品",
            "remark": "fuzz",
            "abnormal_products": [{"skuCode": skus[0]}],
        },
        ("POST", f"{API}/orders/{{order_id}}/abnormal-products"): {"skuCode": skus[0]},
        ("POST", f"{API}/orders/{{order_id}}/deductions"): {"compensation": "1.00"},
        ("POST", f"{API}/orders/{{order_id}}/tracks"): {"remark": "fuzz"},
    }
    probe_list = probes.probes(schema, ids, bases)
    started = time.monotonic()
    failures = probes.run(base, token, schema, probe_list)
    print(f"probes: {len(probe_list)} sent, {len(failures)} failures ({time.monotonic() - started:.0f}s)", flush=True)
    for outcome in failures[:60]:
        probe = outcome.probe
        print(f"  {probe.method} {probe.path[:100]} [{probe.label}] → {outcome.status} {outcome.problem}")
    return len(probe_list), len(failures)


def st_pass(args: argparse.Namespace, base: str, token: str, user: str, phases: str, workdir: Path) -> dict[str, Any]:
    report = workdir / f"report-{user}.json"
    command = [
        str(BIN / "st"),
        "run",
        f"{base}/api/schema",
        "--url",
        base,
        "--header",
        f"Authorization: Token {token}",
        "--checks",
        CHECKS,
        "--phases",
        phases,
        "--max-examples",
        str(args.max_examples),
        "--workers",
        str(args.workers),
        "--request-timeout",
        "30",
        "--generation-database",
        "none",
        "--suppress-health-check",
        "all",
        "--report",
        "json",
        "--report-dir",
        str(workdir),
        "--report-json-path",
        str(report),
        "--output-truncate",
        "true",
        "--no-color",
    ]
    if args.seed != "random":
        command += ["--seed", str(args.seed)]
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.update(
        {
            "NO_PROXY": "*",
            "SCHEMATHESIS_HOOKS": str(ROOT / "fuzz" / "hooks.py"),
            "FUZZ_ID_POOL": str(workdir / f"pool-{user}.json"),
        }
    )
    print(f"\n--- fuzzing as {user} ---", flush=True)
    try:
        proc = subprocess.run(command, cwd=workdir, env=env, timeout=args.timeout, check=False)  # noqa: S603
        code = proc.returncode
    except subprocess.TimeoutExpired:
        print(f"fuzz: the pass as {user} hit the {args.timeout}s bound", flush=True)
        code = -1
    data = json.loads(report.read_text()) if report.exists() else {}
    operations = (data.get("operations") or {}).get("tested", 0)
    cases = (data.get("test_cases") or {}).get("generated", 0)
    failures = sum(group.get("count", 0) for group in data.get("failures", []))
    errors = sum(group.get("count", 0) for group in data.get("errors", []))
    return {
        "code": code,
        "operations": operations,
        "examples": cases,
        "failures": failures + errors + (1 if code != 0 and not (failures or errors) else 0),
    }


def print_server_errors(log: Path, limit: int = 150) -> None:
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    interesting = [i for i, line in enumerate(lines) if " ERROR " in line or "Traceback" in line]
    if not interesting:
        return
    print(f"\n--- server errors ({log}) ---")
    print("\n".join(lines[interesting[0] : interesting[0] + limit]))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="as-fuzz-"))
    db = Database(args.database_url, workdir)
    env = server_env(db, workdir)
    server: Server | None = None
    totals = {"operations": 0, "examples": 0, "failures": 0}
    try:
        db.create()
        manage(env, "migrate", "--noinput", "--verbosity", "0")
        manage(env, "seed_demo")
        users = [name.strip() for name in args.users.split(",") if name.strip()]
        tokens = {user: token_of(env, user) for user in users}
        server = Server("fuzz", "afterservice_site.wsgi:application", env, 2, workdir / "gunicorn.log")
        server.wait_ready()
        print(f"fuzz: {db.label}, gunicorn on {server.base}, users {', '.join(users)}", flush=True)
        admin_pool = id_pool(server.base, tokens[users[0]])
        add_deductions(server.base, tokens[users[0]], admin_pool)
        add_attachments(server.base, tokens[users[0]], admin_pool)
        if not args.no_probes:
            sent, failed = run_probes(server.base, tokens[users[0]], admin_pool)
            totals["examples"] += sent
            totals["failures"] += failed
        for index, user in enumerate(users):
            pool = id_pool(server.base, tokens[user])
            (workdir / f"pool-{user}.json").write_text(json.dumps(pool))
            phases = args.phases if index == 0 else args.other_phases
            result = st_pass(args, server.base, tokens[user], user, phases, workdir)
            totals["operations"] = max(totals["operations"], result["operations"])
            totals["examples"] += result["examples"]
            totals["failures"] += result["failures"]
    finally:
        if server is not None:
            server.stop()
        if totals["failures"] and server is not None:
            print_server_errors(server.log)
        db.drop()
        if args.keep or totals["failures"]:
            print(f"fuzz: reports and server log kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"fuzz: {db.label}, {time.monotonic() - started:.0f}s wall clock")
    print(f"fuzz: {totals['operations']} operations, {totals['examples']} examples, {totals['failures']} failures")
    return 1 if totals["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
