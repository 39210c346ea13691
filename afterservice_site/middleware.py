"""Request id for logs and responses, and the request-body limit for JSON bodies."""

import contextvars
import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

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
    """Answers 413 for API bodies above DATA_UPLOAD_MAX_MEMORY_SIZE.

    Django enforces the limit only when `request.body` or form data is read; DRF's parsers
    read the raw stream, so the declared length is checked here before any view runs.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and request.path.startswith("/api/"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                from afterservice_site.errors import error_response

                return error_response(413, "request_too_large")
        return self.get_response(request)
