"""Every error the API answers, in one envelope: `{"status", "message", "code", "data"}`.

- `exception_handler` (DRF's EXCEPTION_HANDLER) maps the domain's exceptions
  (`orders.exceptions`), DRF's and Django's to the envelope with a stable `code` word;
- `api_not_found`, `csrf_failure`, `handler400/404/500` do the same for what happens outside DRF.

No traceback ever reaches a client: anything unexpected is logged with the request id and
answered 500 `server_error`.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import orjson
from django.core.exceptions import DisallowedHost, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django_fsm import ConcurrentTransition, TransitionNotAllowed
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error

from orders import exceptions as domain
from orders.wire import WIRE_FIELD_NAMES

logger = logging.getLogger("afterservice.api")


# --- Errors of the transport itself -----------------------------------------------------------
class IdempotencyMismatch(exceptions.APIException):
    """An `Idempotency-Key` was reused with a different request body (422)."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _("This Idempotency-Key was already used with a different request.")
    default_code = "idempotency_mismatch"


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "request_too_large"


# The domain's exceptions → HTTP status and `code` word.
DOMAIN_ERRORS: dict[type[domain.DomainError], tuple[int, str]] = {
    domain.InvalidInput: (400, "validation_error"),
    domain.NotPermitted: (403, "permission_denied"),
    domain.NotFound: (404, "not_found"),
    domain.NotAllowedNow: (409, "invalid_operation"),
    domain.Conflict: (409, "conflict"),
    domain.FileTooLarge: (413, "request_too_large"),
    domain.UnsupportedFile: (415, "unsupported_media_type"),
}

DEFAULT_MESSAGES: dict[str, Any] = {
    "validation_error": _("Invalid input."),
    "parse_error": _("Malformed request body."),
    "bad_request": _("Bad request."),
    "not_authenticated": exceptions.NotAuthenticated.default_detail,
    "authentication_failed": exceptions.AuthenticationFailed.default_detail,
    "permission_denied": exceptions.PermissionDenied.default_detail,
    "not_found": exceptions.NotFound.default_detail,
    "method_not_allowed": _("Method not allowed."),
    "unsupported_media_type": _("Unsupported media type; send application/json."),
    "request_too_large": RequestTooLarge.default_detail,
    "invalid_operation": domain.NotAllowedNow.default_message,
    "conflict": domain.Conflict.default_message,
    "idempotency_mismatch": IdempotencyMismatch.default_detail,
    "throttled": _("Too many requests; slow down."),
    "server_error": _("Internal server error; the request id identifies it in the log."),
}

# DRF's own codes mapped to ours where they differ.
_CODE_ALIASES = {"invalid": "validation_error", "error": "server_error"}


# --- Error bodies -------------------------------------------------------------------------------
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


# An error response reports at most this many element errors per list (DESIGN.md §15).
MAX_ELEMENT_ERRORS = 20


def wire_errors(errors: Any) -> Any:
    """Field errors as the client knows them: the wire's field names (`skuCode`), list element
    indexes counted from 1 (DRF and the services count from 0), at most MAX_ELEMENT_ERRORS
    elements per list, every message a string."""
    if isinstance(errors, dict):
        items = list(errors.items())
        if items and all(isinstance(key, int) for key, _value in items):  # a list's elements, by index
            items = sorted(items)[:MAX_ELEMENT_ERRORS]
        return {_wire_key(key): wire_errors(value) for key, value in items}
    if isinstance(errors, (list, tuple)):
        return [wire_errors(value) for value in errors]
    return force_str(errors)


def _wire_key(key: Any) -> str:
    if isinstance(key, int):
        return str(key + 1)
    key = str(key)
    return WIRE_FIELD_NAMES.get(key, key)


def first_message(errors: Any) -> str | None:
    """The first sentence of field errors, prefixed with its field (`skuCode: ...`)."""
    if isinstance(errors, dict):
        for field, value in errors.items():
            inner = first_message(value)
            if inner:
                return inner if field == "non_field_errors" else f"{field}: {inner}"
    elif isinstance(errors, list):
        for value in errors:
            inner = first_message(value)
            if inner:
                return inner
    elif errors:
        return force_str(errors)
    return None


def _validation_errors(detail: Any) -> dict[str, Any]:
    if isinstance(detail, dict):
        return detail
    return {"non_field_errors": detail if isinstance(detail, list) else [detail]}


def validation_response(errors: Any, headers: dict[str, str] | None = None) -> Response:
    errors = wire_errors(_validation_errors(errors))
    return Response(error_body(400, "validation_error", first_message(errors), errors), status=400, headers=headers)


# --- The handler ----------------------------------------------------------------------------------
def _as_api_exception(exc: Exception) -> Exception:
    """Django's and django-fsm's exceptions as DRF's (the domain's are answered before)."""
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, RequestDataTooBig):
        return RequestTooLarge()
    if isinstance(exc, SuspiciousOperation):
        return exceptions.ParseError()
    if isinstance(exc, ConcurrentTransition):  # the optimistic backstop behind the row lock
        return _domain_response_exception(domain.Conflict())
    if isinstance(exc, TransitionNotAllowed):
        return _domain_response_exception(domain.NotAllowedNow())
    return exc


def _domain_response_exception(exc: domain.DomainError) -> exceptions.APIException:
    http_status, code = _domain_status(exc)
    api_exc = exceptions.APIException(exc.message, code=code)
    api_exc.status_code = http_status
    return api_exc


def _domain_status(exc: domain.DomainError) -> tuple[int, str]:
    for cls in type(exc).__mro__:
        if cls in DOMAIN_ERRORS:
            return DOMAIN_ERRORS[cls]
    return 400, "validation_error"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """Maps every exception raised in a DRF view to the error envelope; never a traceback."""
    if isinstance(exc, domain.InvalidInput):
        return validation_response(exc.errors or {"non_field_errors": [exc.message]})
    if isinstance(exc, domain.DomainError):
        http_status, code = _domain_status(exc)
        return Response(error_body(http_status, code, exc.message), status=http_status)

    exc = _as_api_exception(exc)
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
        return validation_response(exc.detail, headers)

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
        if isinstance(exception, DisallowedHost):
            # Django logs it on `django.security.DisallowedHost`; say what is wrong.
            return error_response(400, "bad_request", _("This host name is not allowed; add it to ALLOWED_HOSTS."))
        return error_response(400, "parse_error")
    from django.views.defaults import bad_request

    return bad_request(request, exception)
