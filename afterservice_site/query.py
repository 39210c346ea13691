"""Query parameters a view does not know are refused (400 naming them), not silently ignored: a
typo (`?stauts=waiting`) would otherwise answer the unfiltered list as if it were the filtered one.
A value with a NUL character is refused too."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError

PAGING = frozenset({"page", "per_page"})


class KnownQueryParametersMixin:
    """For DRF views: `known_query_parameters` (plus `page`/`per_page` on paginated views) are the
    only ones accepted."""

    known_query_parameters: frozenset[str] = frozenset()

    def initial(self, request: Any, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        known = self.known_query_parameters | (PAGING if getattr(self, "pagination_class", None) else frozenset())
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            raise ValidationError({name[:100]: [_("Unknown query parameter.")] for name in unknown[:20]})
        # Text never holds NUL (PostgreSQL refuses it in a query: a 500 otherwise).
        with_nul = sorted({name for name, values in request.query_params.lists() if any("\x00" in v for v in values)})
        if with_nul:
            raise ValidationError({name: [_("NUL characters are not allowed.")] for name in with_nul})
