"""The customer's `page` / `per_page` paging with strict bounds, and its `pagination` object."""

from __future__ import annotations

import math
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

from afterservice_site.schema import envelope_schema


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

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None, total: int | None = None) -> list[Any]:
        """One page of `queryset`; `total`, when the caller knows it (the live-order counters), saves
        the COUNT query."""
        per_page = self._int_param(request, "per_page", self.default_per_page, 1, self.max_per_page)
        page = self._int_param(request, "page", 1, 1, None)
        if total is None:
            total = len(queryset) if isinstance(queryset, list) else queryset.count()
        self.total = total
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
