"""One webhook POST with a hard deadline, and what came of it (never an exception).

`http.client` from the standard library does the HTTP; the one thing added is the deadline.
Socket timeouts bound each read separately, so an endpoint trickling a byte every few seconds
could hold a request far beyond them; here a timer shuts the socket down when the whole
request (connect, send, status, headers, body) has taken `timeout` seconds, which ends any
blocked read at once. Redirects are not followed (a webhook URL that moved is a failure to
fix in the admin, not a hop to take with a signed body).
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

# Kept of an answer: enough for a platform's error code and message, not a whole page.
MAX_RESPONSE_BYTES = 64 * 1024
USER_AGENT = "afterservice-webhooks/1.0"


@dataclass(frozen=True)
class Outgoing:
    url: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Reply:
    """`status` None: no HTTP answer (`error` says why: a timeout, a refused connection...)."""

    status: int | None
    body: bytes
    error: str
    duration_ms: int


def post(request: Outgoing, *, timeout: float) -> Reply:
    """POSTs `request` and returns within about `timeout` seconds (name resolution aside)."""
    started = time.monotonic()
    parts = urlsplit(request.url)
    try:
        port = parts.port
    except ValueError:
        port = None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return Reply(None, b"", f"not an http(s) URL: {request.url[:200]}", 0)
    if parts.scheme == "https":
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            parts.hostname, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(parts.hostname, port, timeout=timeout)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = {"User-Agent": USER_AGENT, "Content-Type": "application/json; charset=utf-8", **request.headers}

    expired = threading.Event()

    def expire() -> None:
        expired.set()
        sock = connection.sock
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed
                sock.shutdown(socket.SHUT_RDWR)

    timer = threading.Timer(timeout, expire)
    timer.daemon = True
    timer.start()
    try:
        connection.request("POST", target, body=request.body, headers=headers)
        response = connection.getresponse()
        body = response.read(MAX_RESPONSE_BYTES)
        if expired.is_set():
            raise TimeoutError
        return Reply(response.status, body, "", _ms_since(started))
    except TimeoutError:
        return Reply(None, b"", f"timed out after {timeout:g} s", _ms_since(started))
    except (OSError, http.client.HTTPException) as exc:
        if expired.is_set():
            return Reply(None, b"", f"timed out after {timeout:g} s", _ms_since(started))
        return Reply(None, b"", f"{type(exc).__name__}: {exc}"[:500], _ms_since(started))
    finally:
        timer.cancel()
        connection.close()


def _ms_since(started: float) -> int:
    return round((time.monotonic() - started) * 1000)
