"""Request id and access line for every request, the request-body limit of API routes,
`Cache-Control` on API responses, and 503 (not 500) for a database still locked after its busy
timeout."""

import contextvars
import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

access_log = logging.getLogger("afterservice.access")
_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIDLogFilter(logging.Filter):
    """Adds the current request id to every log record (`-` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


class RequestIDMiddleware:
    """Reuses a sane incoming `X-Request-ID` (from a proxy) or makes one; echoes it back; and writes
    the request's one access line — request id, user id, method, path, status, duration — to the
    `afterservice.access` log (gunicorn's own access log stays off, so there is one line, not two)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        started = time.perf_counter()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
        finally:
            user = getattr(request, "user", None)  # DRF hands its authenticated user down here
            access_log.info(
                "%s %s %s %.1fms user=%s",
                request.method,
                request.path,
                status,
                (time.perf_counter() - started) * 1000,
                user.pk if getattr(user, "is_authenticated", False) else "-",
            )
            _request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


class BodySizeLimitMiddleware:
    """Answers 413 for API bodies above their route's limit, before any view reads them.

    Django enforces DATA_UPLOAD_MAX_MEMORY_SIZE only when `request.body` or form data is read;
    DRF's parsers read the raw stream, so the declared length is checked here. The limit is
    DATA_UPLOAD_MAX_MEMORY_SIZE (2 MiB of JSON), except for a view with a parser that declares a
    bigger one (`max_body_bytes()`: the upload routes' multipart parser, one file plus its form
    fields) — decided per resolved view, so no other route takes big bodies.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is None or not request.path.startswith("/api/"):
            return None
        parsers = getattr(getattr(view_func, "cls", None), "parser_classes", ())
        limit = max([limit, *(parser.max_body_bytes() for parser in parsers if hasattr(parser, "max_body_bytes"))])
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            from afterservice_site.errors import error_response

            return error_response(413, "request_too_large")
        return None


class ApiNoStoreMiddleware:
    """`Cache-Control: no-store` on every response under /api/ that does not set its own.

    Claims name people and money: no browser, proxy or app cache should keep a copy. A response
    that chose its caching (a private file download) keeps its header.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith("/api/") and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store"
        return response


# A lock that outlasted the busy timeout belongs to a long write (a migration, a backup, a batch):
# a few seconds is a fair first retry.
BUSY_RETRY_AFTER_S = 5
BUSY_MESSAGE = _("The database is busy; try again in a moment.")
busy_logger = logging.getLogger("afterservice.busy")


def database_busy(exc: BaseException) -> bool:
    """Is `exc` a database lock that outlasted its wait (SQLite busy timeout, PostgreSQL lock_timeout)?"""
    if not isinstance(exc, OperationalError):
        return False
    if getattr(exc.__cause__, "pgcode", None) == "55P03":  # lock_not_available
        return True
    message = str(exc)
    return "database is locked" in message or "database table is locked" in message


class DatabaseBusyMiddleware:
    """Answers 503 with Retry-After, never 500, when a view outside DRF hits a locked database.

    DRF views get the same answer from the API's exception handler; this covers the admin and the
    other plain Django views. The page is built without the database (it is the thing that is busy).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not database_busy(exception):
            return None
        busy_logger.warning("Database busy: %s %s answered 503 (%s)", request.method, request.path, exception)
        if request.path.startswith("/api/"):
            from afterservice_site.errors import error_response

            response = error_response(503, "unavailable", BUSY_MESSAGE)
        else:
            response = HttpResponse(
                format_html("<!doctype html><title>{0}</title><h1>{0}</h1>", BUSY_MESSAGE),
                status=503,
                content_type="text/html; charset=utf-8",
            )
        response["Retry-After"] = str(BUSY_RETRY_AFTER_S)
        return response
