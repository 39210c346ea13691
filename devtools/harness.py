"""A throwaway database and a gunicorn on a free loopback port, for `make bench` and `make fuzz`."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


class ThrowawayDatabase:
    """A SQLite file, or a PostgreSQL database the tool creates and drops.

    No URL: the file `sqlite_path`, handed to the service as SQLITE_PATH; a `sqlite:///PATH` URL:
    that file, handed over as DATABASE_URL. A PostgreSQL name must match `guard` (the tool drops
    it, so it never touches another one); an empty name in the URL becomes `default_name`.
    """

    def __init__(self, url: str, *, sqlite_path: Path, default_name: str, guard: str, tool: str) -> None:
        self.url, self.tool = url, tool
        self.env: dict[str, str] = {}
        if not url:
            self.path = sqlite_path
            self.env["SQLITE_PATH"] = str(sqlite_path)
            self.label = f"SQLite {sqlite_path.name}"
            self.vendor = "sqlite"
            return
        parts = urlsplit(url)
        if parts.scheme == "sqlite" and parts.path not in ("", "/"):
            self.path = Path(parts.path[1:] if parts.path.startswith("//") else parts.path.lstrip("/"))
            self.env["DATABASE_URL"] = url
            self.label = f"SQLite {self.path.name} (by DATABASE_URL)"
            self.vendor = "sqlite"
            return
        if parts.scheme not in ("postgres", "postgresql", "pgsql"):
            raise SystemExit(f"{tool}: unsupported --database-url scheme {parts.scheme!r} (postgres:// only)")
        self.name = parts.path.lstrip("/") or default_name
        if not re.fullmatch(guard, self.name):
            raise SystemExit(f"{tool}: refusing database name {self.name!r} (it is dropped; it must match {guard})")
        self.maintenance = urlunsplit(parts._replace(path="/postgres"))
        self.env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{self.name}"))
        self.label = f"PostgreSQL {self.name}"
        self.vendor = "postgresql"

    def pg(self, statement: str) -> list[Any]:
        """Runs one statement on the server's maintenance database (autocommit)."""
        import psycopg2

        conn = psycopg2.connect(self.maintenance)
        conn.autocommit = True
        try:
            with conn.cursor() as cursor:
                cursor.execute(statement)
                return cursor.fetchall() if cursor.description else []
        finally:
            conn.close()

    def exists(self) -> bool:
        if self.vendor == "sqlite":
            return self.path.exists()
        return bool(self.pg(f"SELECT 1 FROM pg_database WHERE datname = '{self.name}'"))  # noqa: S608 - guarded name

    def create(self) -> None:
        self.drop()
        if self.vendor == "postgresql":
            self.pg(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        if self.vendor == "sqlite":
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        else:
            self.pg(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A gunicorn serving `app` on 127.0.0.1 in its own process group, logging to `log`."""

    def __init__(
        self, name: str, app: str, env: dict[str, str], workers: int, log: Path, extra: list[str] | None = None
    ) -> None:
        self.name, self.log = name, log
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        command = [str(BIN / "gunicorn"), app, *(extra or []), "--bind", f"127.0.0.1:{self.port}"]
        command += ["--workers", str(workers), "--timeout", "60", "--error-logfile", "-"]
        self.proc = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
            command, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_ready(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"{self.name}: gunicorn exited ({self.proc.returncode}); see {self.log}")
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=5):  # noqa: S310 - loopback
                    return
            except OSError:
                time.sleep(0.3)
        raise SystemExit(f"{self.name}: gunicorn did not answer /healthz in time; see {self.log}")

    def get(self, path: str, token: str = "") -> bytes:
        headers = {"Authorization": f"Token {token}"} if token else {}
        request = urllib.request.Request(self.base + path, headers=headers)  # noqa: S310 - loopback
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.read()

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
