"""Thin DRF views: validate input → call a service or selector → serialize (DESIGN.md §7).

Errors are not caught here: `afterservice_site.errors.exception_handler` maps them.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from afterservice_site.errors import domain_status
from afterservice_site.query import KnownQueryParametersMixin
from orders import filters, selectors, services
from orders.exceptions import NotFound
from orders.idempotency import HEADER, REPLAYED, body_fingerprint, idempotent
from orders.models import Order
from orders.serializers import (
    AbnormalProductBatchInput,
    AbnormalProductInput,
    AbnormalProductSerializer,
    AbnormalProductUpdateInput,
    BulkOperationInput,
    BulkOperationResult,
    DeductionInput,
    DeductionSerializer,
    DeductionUpdateInput,
    DutyReportInput,
    DutyReportSerializer,
    JournalSerializer,
    OptionListParams,
    OrderCreateInput,
    OrderDeleteInput,
    OrderSerializer,
    OrderUpdateInput,
    TrackInput,
    TrackSerializer,
)

ORDERS = ["orders"]
IDEMPOTENCY = OpenApiParameter(
    HEADER,
    str,
    OpenApiParameter.HEADER,
    description="Optional. A retry with the same key and body returns the first response (kept 24 h).",
)
RECORDS = ["order records"]
# A DELETE answers 200 with `data: null` (DESIGN.md §5), not drf-spectacular's default 204.
DELETED = {200: OpenApiResponse(description="Deleted; `data` is null.")}


def _valid(serializer_class: type[serializers.Serializer], data: Any, **kwargs: Any) -> Any:
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class OrderRepresentationMixin:
    def current_representation(self, request: Request, order_id: int) -> Any:
        """The order as it is now (the replay of an idempotent response too large to keep)."""
        return self.get_serializer(selectors.order_get(user=request.user, order_id=order_id)).data


class OrderListView(KnownQueryParametersMixin, OrderRepresentationMixin, GenericAPIView):
    """`GET/POST orders`."""

    serializer_class = OrderSerializer
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
        values, fingerprint = _valid(OrderCreateInput, request.data), body_fingerprint(request)
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
        values = OrderUpdateInput.service_kwargs(_valid(OrderUpdateInput, request.data))
        services.order_update(user=request.user, order_id=order_id, **values)
        return Response(self.get_serializer(selectors.order_get(user=request.user, order_id=order_id)).data)

    @extend_schema(tags=ORDERS, request=OrderUpdateInput, responses=OrderSerializer, parameters=[IDEMPOTENCY])
    def patch(self, request: Request, order_id: int) -> Response:
        return self.put(request, order_id)

    @extend_schema(tags=ORDERS, request=None, responses=DELETED)
    def delete(self, request: Request, order_id: int) -> Response:
        remark = _valid(OrderDeleteInput, request.data if isinstance(request.data, dict) else {}).get("remark", "")
        services.order_delete(user=request.user, order_id=order_id, remark=remark)
        return Response(None)


class OrderBulkView(KnownQueryParametersMixin, GenericAPIView):
    """`POST orders/bulk`: one operation on up to 100 orders, each in its own transaction."""

    serializer_class = BulkOperationResult
    pagination_class = None

    @extend_schema(tags=ORDERS, request=BulkOperationInput, responses=BulkOperationResult)
    def post(self, request: Request) -> Response:
        values = _valid(BulkOperationInput, request.data)
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


class OrderScopedView(KnownQueryParametersMixin, GenericAPIView):
    """Base of the nested endpoints: the order must be visible to the user (else 404)."""

    # Tells the schema generator the type of `order_id`; reads go through selectors.
    queryset = Order.objects.none()

    def visible_order(self, order_id: int):
        return selectors.order_get(user=self.request.user, order_id=order_id, details=False)


class JournalListView(OrderScopedView):
    """`GET <id>/journals` and `GET orders/<id>/journals`: oldest first, paginated."""

    serializer_class = JournalSerializer

    @extend_schema(tags=ORDERS, responses=JournalSerializer(many=True))
    def get(self, request: Request, order_id: int) -> Response:
        page = self.paginate_queryset(selectors.journal_list(order=self.visible_order(order_id)))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class AbnormalProductListView(OrderScopedView):
    """`GET/POST orders/<id>/abnormal-products` (one object, a list, or `{"product_list": [...]}`)."""

    serializer_class = AbnormalProductSerializer
    pagination_class = None

    @extend_schema(tags=RECORDS, responses=AbnormalProductSerializer(many=True))
    def get(self, request: Request, order_id: int) -> Response:
        lines = selectors.abnormal_product_list(order=self.visible_order(order_id))
        return Response(self.get_serializer(lines, many=True).data)

    @extend_schema(
        tags=RECORDS,
        request={
            "application/json": {
                "oneOf": [
                    {"$ref": "#/components/schemas/AbnormalProductInputRequest"},
                    {"type": "array", "items": {"$ref": "#/components/schemas/AbnormalProductInputRequest"}},
                ]
            }
        },
        responses={
            201: OpenApiResponse(
                response={
                    "oneOf": [
                        {"$ref": "#/components/schemas/AbnormalProduct"},
                        {"type": "array", "items": {"$ref": "#/components/schemas/AbnormalProduct"}},
                    ]
                },
                description="The line for one object; the lines for a list or `product_list`.",
            )
        },
    )
    def post(self, request: Request, order_id: int) -> Response:
        self.visible_order(order_id)  # a missing order answers 404 before the body costs anything
        body, many = AbnormalProductBatchInput.normalise(request.data)
        items = (
            _valid(AbnormalProductBatchInput, body)["abnormal_products"]
            if many
            else [_valid(AbnormalProductInput, body)]
        )
        lines = services.abnormal_products_add(user=request.user, order_id=order_id, items=items, many=many)
        data = self.get_serializer(lines, many=True).data
        return Response(data if many else data[0], status=status.HTTP_201_CREATED)


class AbnormalProductDetailView(OrderScopedView):
    """`GET/PUT/DELETE orders/<id>/abnormal-products/<pid>`."""

    serializer_class = AbnormalProductSerializer

    @extend_schema(tags=RECORDS)
    def get(self, request: Request, order_id: int, line_id: int) -> Response:
        line = selectors.abnormal_product_get(order=self.visible_order(order_id), product_line_id=line_id)
        return Response(self.get_serializer(line).data)

    @extend_schema(tags=RECORDS, request=AbnormalProductUpdateInput)
    def put(self, request: Request, order_id: int, line_id: int) -> Response:
        data = _valid(AbnormalProductUpdateInput, request.data)
        line = services.abnormal_product_update(user=request.user, order_id=order_id, line_id=line_id, values=data)
        return Response(self.get_serializer(line).data)

    @extend_schema(tags=RECORDS, request=AbnormalProductUpdateInput)
    def patch(self, request: Request, order_id: int, line_id: int) -> Response:
        return self.put(request, order_id, line_id)

    @extend_schema(tags=RECORDS, request=None, responses=DELETED)
    def delete(self, request: Request, order_id: int, line_id: int) -> Response:
        services.abnormal_product_delete(user=request.user, order_id=order_id, line_id=line_id)
        return Response(None)


class DutyReportView(OrderScopedView):
    """`GET/PUT orders/<id>/duty-report` (`data: null` before one exists)."""

    serializer_class = DutyReportSerializer

    @extend_schema(
        tags=RECORDS,
        responses=OpenApiResponse(
            response={"allOf": [{"$ref": "#/components/schemas/DutyReport"}], "nullable": True},
            description="The duty report, or null before one exists.",
        ),
    )
    def get(self, request: Request, order_id: int) -> Response:
        report = selectors.duty_report_get(order=self.visible_order(order_id))
        return Response(self.get_serializer(report).data if report else None)

    @extend_schema(tags=RECORDS, request=DutyReportInput, responses=DutyReportSerializer)
    def put(self, request: Request, order_id: int) -> Response:
        report = services.duty_report_upsert(
            user=request.user, order_id=order_id, values=_valid(DutyReportInput, request.data)
        )
        return Response(self.get_serializer(report).data)

    @extend_schema(tags=RECORDS, request=DutyReportInput, responses=DutyReportSerializer)
    def patch(self, request: Request, order_id: int) -> Response:
        return self.put(request, order_id)


class TrackListView(OrderScopedView):
    """`GET/POST orders/<id>/tracks`: follow-up notes, append only."""

    serializer_class = TrackSerializer
    pagination_class = None

    @extend_schema(tags=RECORDS, responses=TrackSerializer(many=True))
    def get(self, request: Request, order_id: int) -> Response:
        return Response(self.get_serializer(selectors.track_list(order=self.visible_order(order_id)), many=True).data)

    @extend_schema(tags=RECORDS, request=TrackInput, responses={201: TrackSerializer})
    def post(self, request: Request, order_id: int) -> Response:
        track = services.track_add(user=request.user, order_id=order_id, **_valid(TrackInput, request.data))
        return Response(self.get_serializer(track).data, status=status.HTTP_201_CREATED)


class DeductionListView(OrderScopedView):
    """`GET/POST orders/<id>/deductions`."""

    serializer_class = DeductionSerializer
    pagination_class = None

    @extend_schema(tags=RECORDS, responses=DeductionSerializer(many=True))
    def get(self, request: Request, order_id: int) -> Response:
        deductions = selectors.deduction_list(order=self.visible_order(order_id))
        return Response(self.get_serializer(deductions, many=True).data)

    @extend_schema(tags=RECORDS, request=DeductionInput, responses={201: DeductionSerializer})
    def post(self, request: Request, order_id: int) -> Response:
        data = _valid(DeductionInput, request.data)
        data.pop("id", None)
        deduction = services.deduction_add(user=request.user, order_id=order_id, values=data)
        return Response(self.get_serializer(deduction).data, status=status.HTTP_201_CREATED)


class DeductionDetailView(OrderScopedView):
    """`PUT/DELETE orders/<id>/deductions/<did>`."""

    serializer_class = DeductionSerializer

    @extend_schema(tags=RECORDS, request=DeductionUpdateInput)
    def put(self, request: Request, order_id: int, deduction_id: int) -> Response:
        data = _valid(DeductionUpdateInput, request.data)
        deduction = services.deduction_update(
            user=request.user, order_id=order_id, deduction_id=deduction_id, values=data
        )
        return Response(self.get_serializer(deduction).data)

    @extend_schema(tags=RECORDS, request=DeductionUpdateInput)
    def patch(self, request: Request, order_id: int, deduction_id: int) -> Response:
        return self.put(request, order_id, deduction_id)

    @extend_schema(tags=RECORDS, request=None, responses=DELETED)
    def delete(self, request: Request, order_id: int, deduction_id: int) -> Response:
        services.deduction_delete(user=request.user, order_id=order_id, deduction_id=deduction_id)
        return Response(None)


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
        if _valid(OptionListParams, request.query_params)["stats"]:
            return Response(selectors.option_stats(category, user=request.user))
        return Response(selectors.option_values(category))
