"""Request id for logs and responses, the request-body limit for JSON bodies, and
`Cache-Control: no-store` on API responses."""

import contextvars
import logging
import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIDLogFilter(logging.Filter):
    """Adds the current request id to every log record (`-` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


class RequestIDMiddleware:
    """Reuses a sane incoming `X-Request-ID` (from a proxy) or makes one; echoes it back."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
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
                from afterservice_site.api import error_response

                return error_response(413, "request_too_large")
        return self.get_response(request)


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
