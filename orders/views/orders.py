"""`orders`, `orders/<id>`, `orders/bulk`: the order itself."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from afterservice_site.errors import domain_status
from afterservice_site.query import KnownQueryParametersMixin
from notifications.selectors import unread_count
from orders import filters, selectors, services
from orders.idempotency import HEADER, REPLAYED, body_fingerprint, idempotent
from orders.models import Order
from orders.serializers import (
    BulkOperationInput,
    BulkOperationResult,
    OrderCreateInput,
    OrderDeleteInput,
    OrderSerializer,
    OrderSummarySerializer,
    OrderUpdateInput,
)
from orders.views.common import (
    DELETED,
    IDEMPOTENCY,
    ORDERS,
    valid,
)


class OrderRepresentationMixin:
    def current_representation(self, request: Request, order_id: int) -> Any:
        """The order as it is now (the replay of an idempotent response too large to keep)."""
        return self.get_serializer(selectors.order_get(user=request.user, order_id=order_id)).data


class OrderListView(KnownQueryParametersMixin, OrderRepresentationMixin, GenericAPIView):
    """`GET/POST orders`."""

    serializer_class = OrderSerializer
    queryset = Order.objects.none()  # the schema's model; reads go through selectors
    known_query_parameters = filters.OrderFilter.known_parameters()

    @extend_schema(tags=ORDERS, parameters=filters.openapi_parameters(), responses=OrderSerializer(many=True))
    def get(self, request: Request) -> Response:
        orders, counted = filters.filter_orders(request, selectors.order_list(user=request.user))
        total = selectors.order_total(user=request.user, **counted) if counted is not None else None
        ids = self.paginator.paginate_queryset(selectors.page_ids(orders), request, view=self, total=total)
        return self.get_paginated_response(self.get_serializer(selectors.order_rows(ids), many=True).data)

    @extend_schema(
        tags=ORDERS,
        request=OrderCreateInput,
        responses={
            201: OrderSerializer,
            200: OpenApiResponse(OrderSerializer, description="A retried identical create: the order it filed."),
        },
        parameters=[IDEMPOTENCY],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        values, fingerprint = valid(OrderCreateInput, request.data), body_fingerprint(request)
        if HEADER in request.headers:  # the key makes retries safe on its own
            order, created = services.order_create(user=request.user, fingerprint=fingerprint, **values), True
        else:
            order, created = services.order_create_once(user=request.user, fingerprint=fingerprint, **values)
        fresh = selectors.order_get(user=request.user, order_id=order.pk)
        response = Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED if created else 200)
        if not created:
            response[REPLAYED] = "true"
        return response


class OrderDetailView(KnownQueryParametersMixin, OrderRepresentationMixin, GenericAPIView):
    """`GET/PUT/PATCH/DELETE orders/<id>`."""

    serializer_class = OrderSerializer

    @extend_schema(tags=ORDERS)
    def get(self, request: Request, order_id: int) -> Response:
        return Response(self.get_serializer(selectors.order_get(user=request.user, order_id=order_id)).data)

    @extend_schema(tags=ORDERS, request=OrderUpdateInput, responses=OrderSerializer, parameters=[IDEMPOTENCY])
    @idempotent
    def put(self, request: Request, order_id: int) -> Response:
        values = OrderUpdateInput.service_kwargs(valid(OrderUpdateInput, request.data))
        services.order_update(user=request.user, order_id=order_id, **values)
        return Response(self.get_serializer(selectors.order_get(user=request.user, order_id=order_id)).data)

    @extend_schema(tags=ORDERS, request=OrderUpdateInput, responses=OrderSerializer, parameters=[IDEMPOTENCY])
    def patch(self, request: Request, order_id: int) -> Response:
        return self.put(request, order_id)

    @extend_schema(tags=ORDERS, request=None, responses=DELETED)
    def delete(self, request: Request, order_id: int) -> Response:
        remark = valid(OrderDeleteInput, request.data if isinstance(request.data, dict) else {}).get("remark", "")
        services.order_delete(user=request.user, order_id=order_id, remark=remark)
        return Response(None)


class OrderSummaryView(KnownQueryParametersMixin, GenericAPIView):
    """`GET orders/summary`: the to-do queue, overdue orders, orders per status, unread notifications."""

    serializer_class = OrderSummarySerializer
    pagination_class = None

    @extend_schema(tags=ORDERS, responses=OrderSummarySerializer)
    def get(self, request: Request) -> Response:
        summary = selectors.order_summary(user=request.user)
        return Response({**summary, "unread_notifications": unread_count(request.user)})


class OrderBulkView(KnownQueryParametersMixin, GenericAPIView):
    """`POST orders/bulk`: one operation on up to 100 orders, each in its own transaction."""

    serializer_class = BulkOperationResult
    pagination_class = None

    @extend_schema(tags=ORDERS, request=BulkOperationInput, responses=BulkOperationResult)
    def post(self, request: Request) -> Response:
        values = valid(BulkOperationInput, request.data)
        results = services.orders_bulk_apply(
            user=request.user,
            order_ids=values["ids"],
            operation=values["operation"],
            remark=values.get("remark", ""),
            operator_name=values.get("operator_name", ""),
            expected_status=values.get("expected_status", ""),
        )
        items = [_bulk_item(result) for result in results]
        failed = sum(1 for item in items if item["status"])
        return Response({"results": items, "succeeded": len(items) - failed, "failed": failed})


def _bulk_item(result: services.BulkResult) -> dict[str, Any]:
    if result.error is None:
        order = result.order
        return {
            "id": result.order_id,
            "status": 0,
            "order_status": order.status,
            "workflow_status": order.workflow_status,
        }
    http_status, code = domain_status(result.error)
    return {"id": result.order_id, "status": http_status, "code": code, "message": result.error.message}
