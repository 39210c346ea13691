"""`GET stats/orders` and `GET stats/cycle-times`: thin views over `stats.selectors`.

Both count the user's visible orders narrowed by the filters of `GET orders` (`stats.filters`).
"""

from __future__ import annotations

from django_filters.utils import translate_validation
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from afterservice_site.query import KnownQueryParametersMixin
from orders.filters import OrderFilter, openapi_parameters
from orders.models import Order
from stats import filters, selectors
from stats.serializers import CycleTimeSerializer, OrderStatsParams, OrderStatsSerializer

STATS = ["statistics"]


class StatsView(KnownQueryParametersMixin, GenericAPIView):
    queryset = Order.objects.none()  # the schema's model; reads go through selectors
    pagination_class = None
    known_query_parameters = OrderFilter.known_parameters()

    def scope(self) -> filters.Scope:
        filterset = filters.order_filter(request=self.request, params=self.request.query_params)
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        return filters.scope(user=self.request.user, filterset=filterset)


class OrderStatsView(StatsView):
    """`GET stats/orders?group_by=...`."""

    serializer_class = OrderStatsSerializer
    known_query_parameters = OrderFilter.known_parameters() | {"group_by"}

    @extend_schema(
        tags=STATS,
        parameters=[
            OpenApiParameter(
                "group_by", str, enum=selectors.GROUP_BY, required=True, description="What one row counts."
            ),
            *openapi_parameters(),
        ],
        responses=OrderStatsSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        params = OrderStatsParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        rows = selectors.order_stats(scope=self.scope(), group_by=params.validated_data["group_by"])
        return Response(self.get_serializer(rows, many=True).data)


class CycleTimesView(StatsView):
    """`GET stats/cycle-times`."""

    serializer_class = CycleTimeSerializer

    @extend_schema(tags=STATS, parameters=openapi_parameters(), responses=CycleTimeSerializer(many=True))
    def get(self, request: Request) -> Response:
        rows = selectors.cycle_times(scope=self.scope())
        return Response(self.get_serializer(rows, many=True).data)
