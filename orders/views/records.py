"""The nested endpoints of an order: journal, abnormal products, duty report, tracks, deductions."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from orders import selectors, services
from orders.serializers import (
    AbnormalProductBatchInput,
    AbnormalProductInput,
    AbnormalProductSerializer,
    AbnormalProductUpdateInput,
    DeductionInput,
    DeductionSerializer,
    DeductionUpdateInput,
    DutyReportInput,
    DutyReportSerializer,
    JournalSerializer,
    TrackInput,
    TrackSerializer,
)
from orders.views.common import (
    DELETED,
    ORDERS,
    RECORDS,
    OrderScopedView,
    valid,
)


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
            valid(AbnormalProductBatchInput, body)["abnormal_products"] if many else [valid(AbnormalProductInput, body)]
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
        data = valid(AbnormalProductUpdateInput, request.data)
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
            user=request.user, order_id=order_id, values=valid(DutyReportInput, request.data)
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
        track = services.track_add(user=request.user, order_id=order_id, **valid(TrackInput, request.data))
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
        data = valid(DeductionInput, request.data)
        data.pop("id", None)
        deduction = services.deduction_add(user=request.user, order_id=order_id, values=data)
        return Response(self.get_serializer(deduction).data, status=status.HTTP_201_CREATED)


class DeductionDetailView(OrderScopedView):
    """`PUT/DELETE orders/<id>/deductions/<did>`."""

    serializer_class = DeductionSerializer

    @extend_schema(tags=RECORDS, request=DeductionUpdateInput)
    def put(self, request: Request, order_id: int, deduction_id: int) -> Response:
        data = valid(DeductionUpdateInput, request.data)
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
