"""Per-request CPU cost of the API against the floor, in one process, with an optional profile.

No sockets and no gunicorn: both WSGI apps (the production Django app and bench/floor.py) are
called directly, alternating in small batches so that noise on a shared machine hits both alike.
Prints µs per request of each and their ratio; `--profile` adds a cProfile of the API requests
(sorted by cumulative time), which is how the fixed per-request costs were found.

Needs a seeded database kept by the driver: `bench/run.py --keep ...`, then e.g.
`.venv/bin/python bench/inprocess.py --scale 10000 [--database-url postgres://.../as_bench_10000]
[--path '/api/v1/afterservice/orders?status=manager_reviewing'] [--profile]`.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import run  # noqa: E402  (bench/run.py: the same database naming and settings)


def wsgi_call(app: Any, path: str, token: str) -> bytes:
    target, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": target,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if token:
        environ["HTTP_AUTHORIZATION"] = f"Token {token}"
    status: list[str] = []
    body = b"".join(app(environ, lambda s, h, exc_info=None: status.append(s)))
    if not status[0].startswith("200"):
        raise SystemExit(f"inprocess: {path} answered {status[0]}: {body[:300]!r}")
    return body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=int(os.environ.get("SCALE") or 10_000))
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--path", default=f"{run.API}/orders?per_page=20")
    parser.add_argument("--requests", type=int, default=600, help="requests per app")
    parser.add_argument("--profile", action="store_true", help="cProfile the API requests")
    parser.add_argument("--top", type=int, default=45)
    args = parser.parse_args(argv)

    db = run.Database(args.database_url, args.scale)
    if not db.exists():
        raise SystemExit(f"inprocess: no {db.label}; run bench/run.py --keep first")
    env = run.django_env(db)
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "afterservice_site.settings"
    import django

    django.setup()
    from django.core.wsgi import get_wsgi_application
    from rest_framework.authtoken.models import Token

    token = Token.objects.get(user__username="bench_service")
    os.environ["FLOOR_USER_ID"], os.environ["FLOOR_USER_ROLES"] = str(token.user_id), "service"
    import floor

    api_app = get_wsgi_application()
    ours, theirs = wsgi_call(api_app, args.path, token.key), wsgi_call(floor.application, args.path, "")
    print(f"inprocess: same bytes: {ours == theirs} ({len(ours):,} bytes); {db.label}; {args.path}")
    for _ in range(50):  # warm both
        wsgi_call(api_app, args.path, token.key)
        wsgi_call(floor.application, args.path, "")
    # CPU time of this process (SQLite runs in it; a PostgreSQL server's share is not counted),
    # which a busy machine disturbs far less than wall-clock time.
    spent = {"api": 0.0, "floor": 0.0}
    profiler = cProfile.Profile(time.process_time) if args.profile else None  # CPU time, like the totals
    batch = 20
    for _ in range(args.requests // batch):
        started = time.process_time()
        for _ in range(batch):
            wsgi_call(floor.application, args.path, "")
        spent["floor"] += time.process_time() - started
        if profiler:
            profiler.enable()
        started = time.process_time()
        for _ in range(batch):
            wsgi_call(api_app, args.path, token.key)
        spent["api"] += time.process_time() - started
        if profiler:
            profiler.disable()
    n = batch * (args.requests // batch)
    api_us, floor_us = spent["api"] / n * 1e6, spent["floor"] / n * 1e6
    print(
        f"inprocess: CPU api {api_us:,.0f} µs/request, floor {floor_us:,.0f} µs/request, "
        f"floor ÷ api = {floor_us / api_us:.2f}"
    )
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(os.environ.get("SORT", "cumulative")).print_stats(args.top)
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
