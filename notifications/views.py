"""Thin views of the notification endpoints: validate → service or selector → serialize."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from afterservice_site.query import KnownQueryParametersMixin
from notifications import selectors, services
from notifications.serializers import MarkReadInput, MarkReadResult, NotificationListParams, NotificationSerializer

TAGS = ["notifications"]
UNREAD = OpenApiParameter(
    "unread", OpenApiTypes.BOOL, OpenApiParameter.QUERY, description="1/true: only unread notifications."
)


def _valid(serializer_class: type[serializers.Serializer], data: Any) -> Any:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class NotificationListView(KnownQueryParametersMixin, GenericAPIView):
    """`GET notifications`: the user's own, newest first, paginated."""

    known_query_parameters = frozenset({"unread"})
    serializer_class = NotificationSerializer
    filter_backends: list[Any] = []

    @extend_schema(tags=TAGS, parameters=[UNREAD], responses=NotificationSerializer(many=True))
    def get(self, request: Request) -> Response:
        params = _valid(NotificationListParams, request.query_params)
        notifications = selectors.notification_list(user=request.user, unread=params["unread"])
        page = self.paginate_queryset(notifications)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class NotificationReadView(KnownQueryParametersMixin, GenericAPIView):
    """`POST notifications/read` with `{"ids": [...]}` or `{"all": true}`."""

    serializer_class = MarkReadInput

    @extend_schema(tags=TAGS, request=MarkReadInput, responses=MarkReadResult)
    def post(self, request: Request) -> Response:
        data = _valid(MarkReadInput, request.data)
        updated = services.notifications_mark_read(user=request.user, ids=None if data["all"] else data["ids"])
        return Response({"updated": updated})
