"""`orders/<id>/attachments…` and the old app's `uploads/<id>` and `download/<aid>`: evidence files.

Uploads are the only `multipart/form-data` routes (`AttachmentMultiPartParser`: streamed to disk,
aborted past the size limit); every other route here is JSON like the rest of the API. Downloads
and thumbnails answer the file itself, streamed from the storage; their errors are the envelope.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response

from orders import selectors, services, uploads
from orders.exceptions import NotFound
from orders.parsers import AttachmentMultiPartParser
from orders.serializers import AttachmentInput, AttachmentSerializer, AttachmentUpload, LegacyUpload
from orders.views.common import DELETED, OrderScopedView, valid

ATTACHMENTS = ["attachments"]
# What a download can be: the stored types (HEIC is stored as JPEG).
FILE_TYPES = ("image/jpeg", "image/png", "image/webp", "application/pdf")
FILE_RESPONSE = {(200, media_type): OpenApiTypes.BINARY for media_type in FILE_TYPES}
UPLOADED = {201: AttachmentSerializer}


class FileNegotiation(BaseContentNegotiation):
    """A download answers its file whatever `Accept` asks for (an `<img>` asks for `image/*`, a
    browser tab for `text/html`); an error is the JSON envelope, as everywhere."""

    def select_parser(self, request: Request, parsers: list[Any]) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(self, request: Request, renderers: list[Any], format_suffix: str | None = None) -> Any:
        return renderers[0], renderers[0].media_type


def _upload(view: OrderScopedView, request: Request, order_id: int, fields: tuple[str, ...]) -> Response:
    """The upload of either route: the form's fields, its one file, `services.attachment_add`."""
    # Reading the form streams the file to a temporary file (413 as soon as it is too big).
    values = valid(AttachmentInput, request.data)
    uploaded = uploads.uploaded_file_from(request.FILES, fields=fields)
    sent_as = next((name for name in fields if name in request.FILES), fields[0])
    attachment = services.attachment_add(
        user=request.user,
        order_id=order_id,
        uploaded_file=uploaded,
        abnormal_product_id=values.get("abnormal_product_id"),
        remark=values.get("remark", ""),
        file_field=sent_as,
    )
    return Response(view.get_serializer(attachment).data, status=status.HTTP_201_CREATED)


def _file(attachment: Any, *, thumbnail: bool) -> Any:
    if not thumbnail:
        return uploads.file_response(
            uploads.open_stored(attachment.file_name), filename=attachment.name, content_type=attachment.content_type
        )
    if not attachment.thumbnail_name:  # a PDF has none
        raise NotFound()
    return uploads.file_response(
        uploads.open_stored(attachment.thumbnail_name),
        filename=f"{PurePath(attachment.name).stem}.jpg",
        content_type="image/jpeg",
        inline=True,
    )


class AttachmentListView(OrderScopedView):
    """`GET/POST orders/<id>/attachments`: the order's files (all of them, oldest first); add one."""

    serializer_class = AttachmentSerializer
    pagination_class = None
    parser_classes = [AttachmentMultiPartParser]

    @extend_schema(tags=ATTACHMENTS, responses=AttachmentSerializer(many=True))
    def get(self, request: Request, order_id: int) -> Response:
        attachments = selectors.attachment_list(order=self.visible_order(order_id))
        return Response(self.get_serializer(attachments, many=True).data)

    @extend_schema(
        tags=ATTACHMENTS,
        request={"multipart/form-data": AttachmentUpload},
        responses=UPLOADED,
        description="One file per request; `file_data` (the old app's name) is accepted instead of `file`. "
        "415 for a type that is not accepted, 413 above the size limit, 409 when the order holds 50 files "
        "or this file already.",
    )
    def post(self, request: Request, order_id: int) -> Response:
        self.visible_order(order_id)  # a missing order answers 404 before the body is read
        return _upload(self, request, order_id, ("file", "file_data"))


class LegacyUploadView(OrderScopedView):
    """`POST uploads/<id>`: the old app's upload (`file_data`), the same as `POST orders/<id>/attachments`."""

    serializer_class = AttachmentSerializer
    parser_classes = [AttachmentMultiPartParser]

    @extend_schema(tags=ATTACHMENTS, request={"multipart/form-data": LegacyUpload}, responses=UPLOADED)
    def post(self, request: Request, order_id: int) -> Response:
        self.visible_order(order_id)
        return _upload(self, request, order_id, ("file_data", "file"))


class AttachmentDetailView(OrderScopedView):
    """`GET/DELETE orders/<id>/attachments/<aid>`."""

    serializer_class = AttachmentSerializer

    @extend_schema(tags=ATTACHMENTS)
    def get(self, request: Request, order_id: int, attachment_id: int) -> Response:
        attachment = selectors.attachment_get(user=request.user, attachment_id=attachment_id, order_id=order_id)
        return Response(self.get_serializer(attachment).data)

    @extend_schema(
        tags=ATTACHMENTS,
        request=None,
        responses=DELETED,
        description="By its uploader, while the order is in progress at the status the file was added at: "
        "409 when nobody may remove it now, 403 when someone else may.",
    )
    def delete(self, request: Request, order_id: int, attachment_id: int) -> Response:
        services.attachment_delete(user=request.user, order_id=order_id, attachment_id=attachment_id)
        return Response(None)


class AttachmentDownloadView(OrderScopedView):
    """`GET orders/<id>/attachments/<aid>/download`: the file, under the name it was uploaded with."""

    content_negotiation_class = FileNegotiation

    @extend_schema(
        tags=ATTACHMENTS,
        responses=FILE_RESPONSE,
    )
    def get(self, request: Request, order_id: int, attachment_id: int) -> Any:
        attachment = selectors.attachment_get(user=request.user, attachment_id=attachment_id, order_id=order_id)
        return _file(attachment, thumbnail=False)


class AttachmentThumbnailView(OrderScopedView):
    """`GET orders/<id>/attachments/<aid>/thumbnail`: a JPEG, longest side ≤ 320 px (none for a PDF: 404)."""

    content_negotiation_class = FileNegotiation

    @extend_schema(
        tags=ATTACHMENTS,
        responses={(200, "image/jpeg"): OpenApiTypes.BINARY},
    )
    def get(self, request: Request, order_id: int, attachment_id: int) -> Any:
        attachment = selectors.attachment_get(user=request.user, attachment_id=attachment_id, order_id=order_id)
        return _file(attachment, thumbnail=True)


class LegacyDownloadView(OrderScopedView):
    """`GET download/<aid>`: the old app's download, the same as `…/attachments/<aid>/download`."""

    content_negotiation_class = FileNegotiation

    @extend_schema(tags=ATTACHMENTS, responses=FILE_RESPONSE)
    def get(self, request: Request, attachment_id: int) -> Any:
        return _file(selectors.attachment_get(user=request.user, attachment_id=attachment_id), thumbnail=False)


def file_responses_schema_hook(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular post-processing, after the envelope hook: a success that is a file (a
    binary body of another media type) is only that file — not also the JSON envelope, which the
    envelope hook adds to every success."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for code, response in operation.get("responses", {}).items():
                content = response.get("content", {}) if code.startswith("2") else {}
                if any(
                    media != "application/json" and schema.get("schema", {}).get("format") == "binary"
                    for media, schema in content.items()
                ):
                    content.pop("application/json", None)
    return result
