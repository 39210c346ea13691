"""What the order views share: OpenAPI tags and parameters, input validation, the visible order."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers
from rest_framework.generics import GenericAPIView

from afterservice_site.query import KnownQueryParametersMixin
from orders import selectors
from orders.idempotency import HEADER
from orders.models import Order

ORDERS = ["orders"]
IDEMPOTENCY = OpenApiParameter(
    HEADER,
    str,
    OpenApiParameter.HEADER,
    description="Optional. A retry with the same key and body returns the first response (kept 24 h).",
)
RECORDS = ["order records"]
# A DELETE answers 200 with `data: null` (docs/api.md), not drf-spectacular's default 204.
DELETED = {200: OpenApiResponse(description="Deleted; `data` is null.")}


def valid(serializer_class: type[serializers.Serializer], data: Any, **kwargs: Any) -> Any:
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class OrderScopedView(KnownQueryParametersMixin, GenericAPIView):
    """Base of the nested endpoints: the order must be visible to the user (else 404)."""

    # Tells the schema generator the type of `order_id`; reads go through selectors.
    queryset = Order.objects.none()

    def visible_order(self, order_id: int) -> Order:
        return selectors.order_get(user=self.request.user, order_id=order_id, details=False)
