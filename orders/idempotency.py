"""`Idempotency-Key` for `POST orders` and `PUT orders/<id>` (the mobile app retries after 60 s).

- Same user + key + request → the stored response; nothing is written twice.
- Same key, different request → 422 `idempotency_mismatch`.
- A retry while the first is still running → 409 `conflict`.

The key row is claimed in its own short transaction (so a concurrent retry sees it at once);
the view's writes and the stored response then commit together, so a request that failed or
was cut off leaves nothing stored and the key can be used again. Keys expire after
AFTERSERVICE_IDEMPOTENCY_TTL_HOURS (24 h); a `running` claim older than RUNNING_TIMEOUT is
treated as abandoned (the worker died) and may be taken over. A response above
MAX_STORED_RESPONSE keeps only the order's id: its replay is the order as it is now.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

import orjson
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from afterservice_site.errors import IdempotencyMismatch
from afterservice_site.rendering import dumps
from orders.exceptions import Conflict
from orders.models import IdempotencyKey

HEADER = "Idempotency-Key"
RUNNING_TIMEOUT = timedelta(minutes=5)
# A response larger than this is not stored (a full order can reach ~0.6 MB); its replay answers
# the order's current representation instead.
MAX_STORED_RESPONSE = 256 * 1024
_VALID_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")  # printable ASCII, no spaces


REPLAYED = "Idempotent-Replayed"


def _canonical_body(request: Request) -> bytes:
    # Sorted keys: the same JSON object in another key order is the same request.
    return orjson.dumps(request.data, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)


def body_fingerprint(request: Request) -> str:
    """sha256 of the request's JSON body, key order aside (a retried create's identity)."""
    return hashlib.sha256(_canonical_body(request)).hexdigest()


def _fingerprint(request: Request) -> str:
    path = request.path.rstrip("/")
    return hashlib.sha256(request.method.encode() + b" " + path.encode() + b"\n" + _canonical_body(request)).hexdigest()


def _claim(view: Any, request: Request, key: str, fingerprint: str) -> tuple[IdempotencyKey | None, Response | None]:
    """Claims the key for this request, or answers from an earlier one."""
    user = request.user
    now = timezone.now()
    expires = now + timedelta(hours=settings.AFTERSERVICE_IDEMPOTENCY_TTL_HOURS)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(user=user, key=key, fingerprint=fingerprint, expires_at=expires)
            return record, None
        except IntegrityError:
            pass
        existing = IdempotencyKey.objects.filter(user=user, key=key).first()
        if existing is None:  # released meanwhile: claim again
            continue
        stale_claim = existing.state == IdempotencyKey.State.RUNNING and existing.created_at < now - RUNNING_TIMEOUT
        if existing.expires_at <= now or stale_claim:
            IdempotencyKey.objects.filter(pk=existing.pk, state=existing.state, created_at=existing.created_at).delete()
            continue
        if existing.fingerprint != fingerprint:
            raise IdempotencyMismatch()
        if existing.state == IdempotencyKey.State.RUNNING:
            raise Conflict(_("A request with this Idempotency-Key is still being processed; retry later."))
        if existing.response_body:
            response = Response(orjson.loads(existing.response_body), status=existing.response_status)
        else:  # too large to keep: the order as it is now
            response = Response(view.current_representation(request, existing.resource_id))
            response.status_code = existing.response_status
        response[REPLAYED] = "true"
        return None, response
    raise Conflict(_("A request with this Idempotency-Key is still being processed; retry later."))


def idempotent(view_method: Callable[..., Response]) -> Callable[..., Response]:
    """Makes a view method honour the `Idempotency-Key` header (optional for the client). The view
    answers an order and offers `current_representation(request, order_id)` for replays of
    responses too large to keep."""

    @wraps(view_method)
    def wrapper(view: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER)
        if key is None:
            return view_method(view, request, *args, **kwargs)
        if not _VALID_KEY.match(key):
            raise ValidationError({HEADER: [_("1 to 255 printable ASCII characters without spaces.")]})
        record, replay = _claim(view, request, key, _fingerprint(request))
        if replay is not None:
            return replay
        try:
            with transaction.atomic():
                response = view_method(view, request, *args, **kwargs)
                if 200 <= response.status_code < 300:
                    body = dumps(response.data)
                    record.state = IdempotencyKey.State.DONE
                    record.response_status = response.status_code
                    if len(body) <= MAX_STORED_RESPONSE:
                        record.response_body = body.decode()
                    else:  # a replay renders the order anew instead
                        record.resource_id = response.data["id"]
                    record.save(update_fields=["state", "response_status", "response_body", "resource_id"])
                    return response
        except BaseException:
            record.delete()
            raise
        # Refused requests (4xx) are not stored: the client may fix and retry with the same key.
        record.delete()
        return response

    return wrapper


def purge_expired() -> int:
    """Deletes expired keys; returns how many."""
    deleted, _counts = IdempotencyKey.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted
