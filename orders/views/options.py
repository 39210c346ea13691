"""`dutyreports/<list>`: the option lists behind the dropdowns."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from afterservice_site.query import KnownQueryParametersMixin
from orders import selectors
from orders.exceptions import NotFound
from orders.serializers import OptionListParams
from orders.views.common import valid

OPTION_STAT_SCHEMA = {
    "type": "object",
    "properties": {"value": {"type": "string"}, "count": {"type": "integer"}, "compensation": {"type": "string"}},
    "required": ["value", "count", "compensation"],
}


class OptionListView(KnownQueryParametersMixin, GenericAPIView):
    """`GET dutyreports/<list>`: a dropdown's values in display order; `?stats=1` ranks them by use."""

    pagination_class = None
    known_query_parameters = frozenset({"stats"})
    serializer_class = OptionListParams

    @extend_schema(
        tags=["option lists"],
        parameters=[
            OpenApiParameter(
                "category", str, OpenApiParameter.PATH, enum=selectors.OPTION_LISTS, description="The list."
            ),
            OpenApiParameter("stats", OpenApiTypes.BOOL, description="Rank by use in duty reports, with totals."),
        ],
        responses={
            200: OpenApiResponse(
                response={"type": "array", "items": {"oneOf": [{"type": "string"}, OPTION_STAT_SCHEMA]}},
                description="Values as strings; with `stats=1`, objects `{value, count, compensation}`.",
            )
        },
    )
    def get(self, request: Request, category: str) -> Response:
        if category not in selectors.OPTION_LISTS:
            raise NotFound()
        if valid(OptionListParams, request.query_params)["stats"]:
            return Response(selectors.option_stats(category, user=request.user))
        return Response(selectors.option_values(category))
