"""How API bodies are written and read: the success envelope, strict JSON in, orjson out.

- `EnvelopeJSONRenderer` wraps every successful body as `{"status": 0, "message": "ok", "data": ...}`
  (plus `pagination` for lists); error bodies come from `afterservice_site.errors` already enveloped.
- `StrictJSONParser` reads at most the body limit and turns every malformed body into a 400.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import orjson
from django.conf import settings
from django.utils.encoding import force_str
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.metadata import SimpleMetadata
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer

from afterservice_site.errors import RequestTooLarge


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
        if raw.count(b",") > MAX_JSON_VALUES and _structural_commas(raw) > MAX_JSON_VALUES:
            raise exceptions.ParseError(
                _("The JSON body holds more than %(count)d values.") % {"count": MAX_JSON_VALUES}
            )
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


# A body of this service never holds more than a few thousand values (an order at its caps: ~1,500).
# Parsing a 2 MB list of a million values costs ~33 MB for a moment; four at once in one worker
# would be 130 MB. Counting first costs a regex pass over the body, only when it has that many commas.
MAX_JSON_VALUES = 20_000
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')


def _structural_commas(raw: bytes) -> int:
    """The commas of a JSON text outside its strings (values in arrays and objects, less one each)."""
    return _JSON_STRING.sub(b'""', raw).count(b",")


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
