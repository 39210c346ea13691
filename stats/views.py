"""`GET stats/orders` and `GET stats/cycle-times`: thin views over `stats.selectors`.

Both count the user's visible orders narrowed by the filters of `GET orders` (`stats.filters`).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django_filters.utils import translate_validation
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from orders.filters import OrderFilter, OrderFilterBackend
from orders.models import Order
from orders.selectors import orders_visible_to
from stats import filters, selectors
from stats.serializers import CycleTimeSerializer, OrderStatsParams, OrderStatsSerializer

STATS = ["statistics"]


class StatsView(GenericAPIView):
    # For the schema: the order filters of `GET orders` are documented from these.
    filterset_class = OrderFilter
    filter_backends = [OrderFilterBackend]
    pagination_class = None

    def get_queryset(self) -> QuerySet[Order]:
        return orders_visible_to(self.request.user)

    def scope(self) -> filters.Scope:
        filterset = filters.order_filter(user=self.request.user, params=self.request.query_params)
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        return filters.scope(user=self.request.user, filterset=filterset)


class OrderStatsView(StatsView):
    """`GET stats/orders?group_by=...`."""

    serializer_class = OrderStatsSerializer

    @extend_schema(
        tags=STATS,
        parameters=[
            OpenApiParameter(
                "group_by", str, enum=selectors.GROUP_BY, required=True, description="What one row counts."
            )
        ],
        responses=OrderStatsSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        params = OrderStatsParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        rows = selectors.order_stats(figures=self.scope().figures, group_by=params.validated_data["group_by"])
        return Response(self.get_serializer(rows, many=True).data)


class CycleTimesView(StatsView):
    """`GET stats/cycle-times`."""

    serializer_class = CycleTimeSerializer

    @extend_schema(tags=STATS, responses=CycleTimeSerializer(many=True))
    def get(self, request: Request) -> Response:
        scope = self.scope()
        rows = selectors.cycle_times(stays=scope.stays, stay_months=scope.stay_months)
        return Response(self.get_serializer(rows, many=True).data)
