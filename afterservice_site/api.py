"""The wire format shared by every endpoint (DESIGN.md §5).

- `EnvelopeJSONRenderer` wraps every successful body as `{"status": 0, "message": "ok", "data": ...}`
  (plus `pagination` for lists); error bodies are built by `exception_handler` already enveloped.
- `StrictJSONParser` reads at most the body limit and turns every malformed body into a 400.
- `PagePagination` is the customer's `page` / `per_page` paging with strict bounds.
- Domain errors (`InvalidOperation`, `Conflict`, ...) are raised by services; the handler maps
  them, DRF's own exceptions and Django's to the envelope with a stable `code` word.
"""

from __future__ import annotations

import logging
import math
from decimal import Decimal
from typing import Any

import orjson
from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.encoding import force_str
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django_fsm import ConcurrentTransition, TransitionNotAllowed
from rest_framework import exceptions, status
from rest_framework.metadata import SimpleMetadata
from rest_framework.pagination import BasePagination
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error

from afterservice_site.middleware import BUSY_MESSAGE, BUSY_RETRY_AFTER_S, busy_logger, database_busy

logger = logging.getLogger("afterservice.api")


# --- Domain errors ------------------------------------------------------------------------------
class InvalidOperation(exceptions.APIException):
    """The operation is not allowed from the order's current state (409)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("This operation is not allowed in the order's current state.")
    default_code = "invalid_operation"


class Conflict(exceptions.APIException):
    """The order changed under the client (a lost race or a stale `expected_status`) (409)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The order was changed by someone else; reload it and try again.")
    default_code = "conflict"


class IdempotencyMismatch(exceptions.APIException):
    """An `Idempotency-Key` was reused with a different request body (422)."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _("This Idempotency-Key was already used with a different request.")
    default_code = "idempotency_mismatch"


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "request_too_large"


# --- Error bodies -------------------------------------------------------------------------------
DEFAULT_MESSAGES: dict[str, Any] = {
    "validation_error": _("Invalid input."),
    "parse_error": _("Malformed request body."),
    "not_authenticated": exceptions.NotAuthenticated.default_detail,
    "authentication_failed": exceptions.AuthenticationFailed.default_detail,
    "permission_denied": exceptions.PermissionDenied.default_detail,
    "not_found": exceptions.NotFound.default_detail,
    "method_not_allowed": _("Method not allowed."),
    "unsupported_media_type": _("Unsupported media type; send application/json."),
    "request_too_large": RequestTooLarge.default_detail,
    "invalid_operation": InvalidOperation.default_detail,
    "conflict": Conflict.default_detail,
    "idempotency_mismatch": IdempotencyMismatch.default_detail,
    "throttled": _("Too many requests; slow down."),
    "server_error": _("Internal server error; the request id identifies it in the log."),
}

# DRF's own codes mapped to ours where they differ.
_CODE_ALIASES = {"invalid": "validation_error", "error": "server_error"}


def error_body(http_status: int, code: str, message: Any = None, errors: Any = None) -> dict[str, Any]:
    return {
        "status": http_status,
        "message": force_str(message if message is not None else DEFAULT_MESSAGES.get(code, code)),
        "code": code,
        "data": {"errors": errors} if errors is not None else None,
    }


def error_response(http_status: int, code: str, message: Any = None) -> HttpResponse:
    """A plain Django response in the envelope, for code that runs outside DRF."""
    return HttpResponse(
        orjson.dumps(error_body(http_status, code, message)),
        status=http_status,
        content_type="application/json",
    )


def _first_message(errors: Any) -> str | None:
    if isinstance(errors, dict):
        for field, value in errors.items():
            inner = _first_message(value)
            if inner:
                return inner if field == "non_field_errors" else f"{field}: {inner}"
    elif isinstance(errors, list):
        for value in errors:
            inner = _first_message(value)
            if inner:
                return inner
    elif errors:
        return force_str(errors)
    return None


def _validation_errors(detail: Any) -> dict[str, Any]:
    if isinstance(detail, dict):
        return detail
    return {"non_field_errors": detail if isinstance(detail, list) else [detail]}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """Maps every exception raised in a DRF view to the error envelope; never a traceback."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, SuspiciousOperation):
        exc = exceptions.ParseError()
    elif isinstance(exc, ConcurrentTransition):  # the optimistic backstop behind the row lock
        exc = Conflict()
    elif isinstance(exc, TransitionNotAllowed):
        exc = InvalidOperation()

    # abuse bounds: a database still locked after its busy timeout → 503 `unavailable` (retry), not 500.
    if database_busy(exc):
        busy_logger.warning("Database busy: answered 503 (%s)", exc)
        headers = {"Retry-After": str(BUSY_RETRY_AFTER_S)}
        return Response(error_body(503, "unavailable", BUSY_MESSAGE), status=503, headers=headers)

    if not isinstance(exc, exceptions.APIException):
        request = context.get("request")
        logger.error(
            "Unhandled %s in %s %s",
            type(exc).__name__,
            getattr(request, "method", "?"),
            getattr(request, "path", "?"),
            exc_info=exc,
        )
        return Response(error_body(500, "server_error"), status=500)

    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(math.ceil(exc.wait))

    if isinstance(exc, exceptions.ValidationError):
        errors = _validation_errors(exc.detail)
        body = error_body(400, "validation_error", _first_message(errors), errors)
        return Response(body, status=400, headers=headers)

    code = exc.default_code
    if isinstance(exc.detail, str) and getattr(exc.detail, "code", None):
        code = exc.detail.code
    code = _CODE_ALIASES.get(code, code)
    message = exc.detail if isinstance(exc.detail, str) else None
    return Response(error_body(exc.status_code, code, message), status=exc.status_code, headers=headers)


# --- Django-level handlers for /api/ paths -----------------------------------------------------
@csrf_exempt  # else a POST/PUT/DELETE to an unknown path is CSRF's 403 HTML page, not the 404
def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return error_response(404, "not_found")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: the 403 envelope under /api/ (DRF's views check CSRF themselves)."""
    if request.path.startswith("/api/"):
        return error_response(403, "permission_denied", _("CSRF check failed."))
    from django.views.csrf import csrf_failure as default_csrf_failure

    return default_csrf_failure(request, reason)


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return error_response(404, "not_found")
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def handler500(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return error_response(500, "server_error")
    from django.views.defaults import server_error

    return server_error(request)


def handler400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        return error_response(413, "request_too_large")
    if request.path.startswith("/api/"):
        return error_response(400, "parse_error")
    from django.views.defaults import bad_request

    return bad_request(request, exception)


# --- Rendering and parsing ---------------------------------------------------------------------
def _json_default(value: Any) -> Any:
    if isinstance(value, Promise):
        return force_str(value)
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(data: Any) -> bytes:
    return orjson.dumps(data, default=_json_default, option=orjson.OPT_NON_STR_KEYS)


class EnvelopeJSONRenderer(BaseRenderer):
    """orjson renderer that puts successful bodies in the envelope.

    Error bodies come from `exception_handler` already enveloped (status ≥ 400); a view may
    also mark a body as final with `response.enveloped = True`.
    """

    media_type = "application/json"
    format = "json"
    charset = None  # JSON is UTF-8 by definition (RFC 8259)

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        response = (renderer_context or {}).get("response")
        if response is not None and (response.status_code >= 400 or getattr(response, "enveloped", False)):
            return dumps(data)
        body: dict[str, Any] = {"status": 0, "message": "ok", "data": data}
        pagination = getattr(response, "pagination", None)
        if pagination is not None:
            body["pagination"] = pagination
        return dumps(body)


class StrictJSONParser(BaseParser):
    """JSON bodies only; anything malformed (bad UTF-8, syntax, depth, huge integers) is a 400."""

    media_type = "application/json"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if stream is not None else b""
        if limit is not None and len(raw) > limit:
            raise RequestTooLarge()
        if not raw.strip():
            return {}
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise exceptions.ParseError(_("Malformed JSON: %(reason)s") % {"reason": exc.msg}) from None
        if _nesting_exceeds(data, MAX_JSON_DEPTH):
            raise exceptions.ParseError(_("JSON nested deeper than %(depth)d levels.") % {"depth": MAX_JSON_DEPTH})
        return data


# Our deepest body is 3 levels (an order's abnormal_products[i].skuCode). orjson reads up to 1024
# but writes only 254, so a deeper body that reaches `orjson.dumps` (the Idempotency-Key
# fingerprint, an error echo) would be a 500; far below both, it is a 400 here.
MAX_JSON_DEPTH = 32


def _nesting_exceeds(value: Any, limit: int) -> bool:
    """Is any array/object in `value` nested more than `limit` levels deep? (iterative)"""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


class PlainMetadata(SimpleMetadata):
    """`OPTIONS`: name, description, media types — no `actions`.

    DRF's `actions` instantiate each writable serializer and call `get_object()`, which our
    views (services and selectors, no `queryset`/`lookup_field`) do not have: a 500.
    """

    def determine_actions(self, request: Any, view: Any) -> dict[str, Any]:
        return {}


# --- Pagination ---------------------------------------------------------------------------------
class PagePagination(BasePagination):
    """`page` (≥ 1, default 1) and `per_page` (1..100, default 20); bad values are a 400."""

    default_per_page = 20
    max_per_page = 100

    def _int_param(self, request: Any, name: str, default: int, low: int, high: int | None) -> int:
        raw = request.query_params.get(name)
        if raw is None or raw == "":
            return default
        # ASCII digits only, bounded length: "abc", "1.5", "-1" and 10**100 are all a 400.
        value = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else None
        if value is None or value < low or (high is not None and value > high):
            if high is None:
                message = _("Must be an integer ≥ %(low)d.") % {"low": low}
            else:
                message = _("Must be an integer from %(low)d to %(high)d.") % {"low": low, "high": high}
            raise exceptions.ValidationError({name: [message]})
        return value

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> list[Any]:
        per_page = self._int_param(request, "per_page", self.default_per_page, 1, self.max_per_page)
        page = self._int_param(request, "page", 1, 1, None)
        self.total = len(queryset) if isinstance(queryset, list) else queryset.count()
        self.page, self.per_page = page, per_page
        start = (page - 1) * per_page
        if start >= self.total:
            return []
        return list(queryset[start : start + per_page])

    def pagination_info(self) -> dict[str, int]:
        pages = math.ceil(self.total / self.per_page) if self.total else 0
        return {"page": self.page, "per_page": self.per_page, "total": self.total, "pages": pages}

    def get_paginated_response(self, data: Any) -> Response:
        response = Response(data)
        response.pagination = self.pagination_info()
        return response

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return envelope_schema(schema, paginated=True)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": "page",
                "required": False,
                "in": "query",
                "description": "Page number, from 1.",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": "per_page",
                "required": False,
                "in": "query",
                "description": "Items per page, 1 to 100 (default 20).",
                "schema": {"type": "integer", "minimum": 1, "maximum": 100},
            },
        ]


# --- OpenAPI: the envelope around every documented body ----------------------------------------
PAGINATION_SCHEMA = {
    "type": "object",
    "properties": {
        "page": {"type": "integer"},
        "per_page": {"type": "integer"},
        "total": {"type": "integer"},
        "pages": {"type": "integer"},
    },
    "required": ["page", "per_page", "total", "pages"],
}

ERROR_SCHEMA = {
    "type": "object",
    "description": "Error envelope; `status` repeats the HTTP status, `code` is a stable word.",
    "properties": {
        "status": {"type": "integer"},
        "message": {"type": "string"},
        "code": {"type": "string"},
        "data": {
            "type": "object",
            "nullable": True,
            "properties": {"errors": {"type": "object", "additionalProperties": True}},
        },
    },
    "required": ["status", "message", "code", "data"],
}


def envelope_schema(data_schema: dict[str, Any], paginated: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "x-envelope": True,
        "properties": {
            "status": {"type": "integer", "minimum": 0, "maximum": 0, "description": "0 on success."},
            "message": {"type": "string"},
            "data": data_schema,
        },
        "required": ["status", "message", "data"],
    }
    if paginated:
        schema["properties"]["pagination"] = PAGINATION_SCHEMA
        schema["required"].append("pagination")
    return schema


_ERROR_STATUSES = {
    "400": "Invalid input (`validation_error`, `parse_error`).",
    "401": "Not authenticated.",
    "403": "Permission denied.",
    "404": "Not found.",
    "405": "Method not allowed.",
    "409": "State conflict (`invalid_operation`, `conflict`).",
    "413": "Request body too large.",
    "415": "Unsupported media type.",
    "422": "Idempotency-Key reused with another body.",
    "429": "Throttled.",
}


def _is_envelope(schema: dict[str, Any], components: dict[str, Any]) -> bool:
    """Already an envelope, also behind a `$ref` (the paginated list components are)."""
    ref = schema.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        schema = components.get(ref.rsplit("/", 1)[-1], {})
    return bool(schema.get("x-envelope"))


def envelope_schema_hook(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular post-processing: wrap success bodies, document the error envelope."""
    # Routes end in `/?$` and spectacular renders that as a trailing slash; document the
    # customer's paths (DESIGN.md §5: no trailing slash).
    result["paths"] = {
        (path.rstrip("/") if path.startswith("/api/v1/") else path): operations
        for path, operations in result.get("paths", {}).items()
    }
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    error_ref = {"$ref": "#/components/schemas/Error"}
    for path, operations in result.get("paths", {}).items():
        is_api = path.startswith("/api/v1/")
        for _method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code, response in list(operation["responses"].items()):
                if not code.startswith("2"):
                    continue
                content = response.setdefault("content", {})
                media = content.setdefault("application/json", {})
                inner = media.get("schema")
                if inner is None:
                    media["schema"] = envelope_schema({"nullable": True, "type": "object"})
                elif not _is_envelope(inner, components):
                    media["schema"] = envelope_schema(inner)
            if is_api:
                for code, description in _ERROR_STATUSES.items():
                    operation["responses"].setdefault(
                        code,
                        {"description": description, "content": {"application/json": {"schema": error_ref}}},
                    )
    return result
