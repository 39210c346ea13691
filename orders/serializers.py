"""Input validation and output shape of the orders API; no business rules, no writes.

Output serializers declare the wire shape (the OpenAPI schema reads the fields) but render
with hand-written `to_representation` methods: the list endpoint is the hot path and field-by-field
DRF rendering costs several times more (see README "Performance"). A test keeps the two in step.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from orders import wire, workflow
from orders.fields import AliasedSerializer, BoundedList, EnumField, Id, Money, Name, Text, WireDateTime, YesNo
from orders.models import (
    MAX_ABNORMAL_PRODUCTS,
    MAX_DEDUCTIONS,
    MAX_NOTE,
    MAX_TRACKS,
    AbnormalProduct,
    Deduction,
    DutyReport,
    Journal,
    Order,
    Reason,
    Track,
)
from orders.services.values import HEADER_FIELDS
from orders.wire import PUBLISHMENT_ALIASES, REASON_ALIASES, STATUS_ALIASES, fmt_datetime
from orders.workflow import Operation, Status, WorkflowStatus


# --- Inputs -------------------------------------------------------------------------------------------
class AbnormalProductInput(serializers.Serializer):
    id = Id(required=False)
    skuCode = serializers.CharField(source="sku_code", max_length=64)  # noqa: N815
    remark = Text(required=False, allow_blank=True, max_length=MAX_NOTE)


class AbnormalProductUpdateInput(serializers.Serializer):
    skuCode = serializers.CharField(source="sku_code", max_length=64, required=False)  # noqa: N815
    remark = Text(required=False, allow_blank=True, max_length=MAX_NOTE)


def abnormal_products_list(**kwargs: Any) -> BoundedList:
    return BoundedList(child=AbnormalProductInput(), max_length=MAX_ABNORMAL_PRODUCTS, **kwargs)


class AbnormalProductBatchInput(serializers.Serializer):
    abnormal_products = abnormal_products_list(min_length=1)

    @staticmethod
    def normalise(body: Any) -> tuple[Any, bool]:
        """One object, a list, or the legacy `{"product_list": [...]}` → (`{"abnormal_products": [...]}`, many)."""
        if isinstance(body, list):
            return {"abnormal_products": body}, True
        if isinstance(body, Mapping) and "product_list" in body:
            return {"abnormal_products": body["product_list"]}, True
        if isinstance(body, Mapping) and "abnormal_products" in body:
            return dict(body), True
        return body, False


class DutyReportInput(AliasedSerializer):
    aliases = {"DutyDate": "duty_date"}

    abnormal_type = Name(required=False, allow_blank=True)
    abnormal_reason = Name(required=False, allow_blank=True)
    publishment = Name(required=False, allow_blank=True)
    publish_to = Name(required=False, allow_blank=True)
    compensation = Money(required=False, allow_null=True)
    duty_to = Name(required=False, allow_blank=True)
    duty_date = serializers.DateField(required=False, allow_null=True)

    def validate_publishment(self, value: str) -> str:
        return PUBLISHMENT_ALIASES.get(value, value)


class TrackInput(serializers.Serializer):
    remark = Text(max_length=MAX_NOTE)
    operator_name = Name(required=False, allow_blank=True)


class DeductionInput(serializers.Serializer):
    id = Id(required=False)
    compensation = Money()
    has_receipt = YesNo(required=False)
    remark = Text(required=False, allow_blank=True)


class DeductionUpdateInput(serializers.Serializer):
    compensation = Money(required=False)
    has_receipt = YesNo(required=False)
    remark = Text(required=False, allow_blank=True)


class OrderCreateInput(AliasedSerializer):
    aliases = {"creater_name": "creator_name", "saler_name": "saler", "product_list": "abnormal_products"}

    type = Name()
    customer_name = Name()
    accuser_name = Name()
    creator_name = Name()
    reason = EnumField(Reason.choices, aliases=REASON_ALIASES)
    remark = Text()
    saler = Name(required=False, allow_blank=True)
    abnormal_products = abnormal_products_list(required=False)


class OrderUpdateInput(AliasedSerializer):
    """`PUT orders/<id>`: any subset of the header, nested records and one operation."""

    aliases = {
        "creater_name": "creator_name",
        "saler_name": "saler",
        "product_list": "abnormal_products",
        "reject_reason": "remark",
    }

    type = Name(required=False)
    customer_name = Name(required=False)
    accuser_name = Name(required=False)
    creator_name = Name(required=False)
    reason = EnumField(Reason.choices, aliases=REASON_ALIASES, required=False)
    remark = Text(required=False, allow_blank=True)
    saler = Name(required=False, allow_blank=True)
    abnormal_products = abnormal_products_list(required=False)
    duty_report = DutyReportInput(required=False, allow_null=True)
    tracks = BoundedList(child=TrackInput(), required=False, max_length=MAX_TRACKS)
    deductions = BoundedList(child=DeductionInput(), required=False, max_length=MAX_DEDUCTIONS)
    operation = EnumField(Operation.choices, required=False)
    operator_name = Name(required=False, allow_blank=True)
    expected_status = EnumField(Status.choices, aliases=STATUS_ALIASES, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("operation") and "remark" in attrs and not attrs["remark"].strip():
            raise serializers.ValidationError({"remark": [_("The abnormality description may not be blank.")]})
        return attrs

    @staticmethod
    def service_kwargs(data: Mapping[str, Any]) -> dict[str, Any]:
        """The validated body as `services.order_update`'s arguments. With an `operation`,
        `remark` is the operation's note; without, it is the order's description (a header field)."""
        data = dict(data)
        operation = data.pop("operation", None)
        note = data.pop("remark", None) if operation else None
        header = {name: data.pop(name) for name in HEADER_FIELDS if name in data}
        return {
            **data,
            "header": header,
            "operation": operation,
            "remark": note or "",
            "tracks": data.get("tracks") or (),
        }


MAX_BULK = 100  # orders per bulk request


class BulkOperationInput(serializers.Serializer):
    """`POST orders/bulk`."""

    ids = BoundedList(child=Id(), min_length=1, max_length=MAX_BULK)
    operation = EnumField(Operation.choices)
    remark = Text(required=False, allow_blank=True)
    operator_name = Name(required=False, allow_blank=True)
    expected_status = EnumField(Status.choices, aliases=STATUS_ALIASES, required=False)


class BulkItemResult(serializers.Serializer):
    """One order's outcome: `status` 0 with its new state, or the error answer it would have had alone."""

    id = serializers.IntegerField()
    status = serializers.IntegerField(help_text="0, or the HTTP status this order alone would have answered")
    order_status = serializers.ChoiceField(Status.choices, required=False)
    workflow_status = serializers.ChoiceField(WorkflowStatus.choices, required=False)
    code = serializers.CharField(required=False)
    message = serializers.CharField(required=False)


class BulkOperationResult(serializers.Serializer):
    results = BulkItemResult(many=True)
    succeeded = serializers.IntegerField()
    failed = serializers.IntegerField()


class OrderSummarySerializer(serializers.Serializer):
    """`GET orders/summary`: counts over the user's visible orders."""

    todo = serializers.IntegerField(help_text="Orders you may apply done to now.")
    overdue = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField(), help_text="Every status → its orders.")
    unread_notifications = serializers.IntegerField()


class OrderDeleteInput(serializers.Serializer):
    remark = Text(required=False, allow_blank=True)


class OptionListParams(serializers.Serializer):
    stats = serializers.BooleanField(required=False, default=False)


class AttachmentInput(serializers.Serializer):
    """The form fields of an upload beside its file (the file itself is read from the request's
    files by `orders.uploads.uploaded_file_from`: one, under `file` or the old app's `file_data`)."""

    abnormal_product_id = Id(
        required=False, allow_null=True, help_text="Ties the file to this abnormal product line of the order."
    )
    remark = Text(required=False, allow_blank=True)


class AttachmentUpload(AttachmentInput):
    """`POST orders/<id>/attachments` as a multipart form (documents the form; `file_data` is
    accepted instead of `file`)."""

    file = serializers.FileField(
        help_text="JPEG, PNG, WebP, HEIC or PDF, decided by content; at most AFTERSERVICE_ATTACHMENT_MAX_MB MiB."
    )


class LegacyUpload(AttachmentInput):
    """The old app's `POST uploads/<id>` form."""

    file_data = serializers.FileField(help_text="As `file` of `POST orders/<id>/attachments`.")


# --- Outputs ------------------------------------------------------------------------------------------
class AbnormalProductSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    skuCode = serializers.CharField()  # noqa: N815
    remark = serializers.CharField()
    product_item_name = serializers.CharField()

    def to_representation(self, line: AbnormalProduct) -> dict[str, Any]:
        return {"id": line.id, **wire.abnormal_product(line)}


class DutyReportSerializer(serializers.Serializer):
    abnormal_type = serializers.CharField()
    abnormal_reason = serializers.CharField()
    publishment = serializers.CharField()
    publish_to = serializers.CharField()
    compensation = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    duty_to_id = serializers.IntegerField(allow_null=True)
    duty_to = serializers.CharField()
    duty_date = serializers.DateField(allow_null=True)

    def to_representation(self, report: DutyReport) -> dict[str, Any]:
        return wire.duty_report(report)


class TrackSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    remark = serializers.CharField()
    operator_name = serializers.CharField()
    created_at = WireDateTime()

    def to_representation(self, track: Track) -> dict[str, Any]:
        return {"id": track.id, **wire.track(track), "created_at": fmt_datetime(track.created_at)}


class DeductionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    compensation = serializers.DecimalField(max_digits=12, decimal_places=2)
    has_receipt = serializers.BooleanField()
    remark = serializers.CharField()
    created_at = WireDateTime()

    def to_representation(self, deduction: Deduction) -> dict[str, Any]:
        return {"id": deduction.id, **wire.deduction(deduction), "created_at": fmt_datetime(deduction.created_at)}


def attachment_url_base(request: Any) -> str:
    """The absolute URL of `orders` (`http://host/api/v1/afterservice/orders`), which every
    attachment URL extends; built once per request (a list page may show thousands of URLs)."""
    if request is None:
        return reverse("order-list")
    base = getattr(request, "_attachment_url_base", None)
    if base is None:
        base = request.build_absolute_uri(reverse("order-list"))
        request._attachment_url_base = base
    return base


def attachment_representation(attachment: Any, base: str, *, with_order: bool = True) -> dict[str, Any]:
    """An attachment on the wire (a model instance or a row of `selectors.order_rows`); the order's
    own output leaves out `order_id`. `thumbnail_url` is null for a PDF (no thumbnail)."""
    url = f"{base}/{attachment.order_id}/attachments/{attachment.id}"
    data: dict[str, Any] = {"id": attachment.id}
    if with_order:
        data["order_id"] = attachment.order_id
    data.update(wire.attachment(attachment))
    data["created_at"] = fmt_datetime(attachment.created_at)
    data["download_url"] = f"{url}/download"
    data["thumbnail_url"] = f"{url}/thumbnail" if attachment.thumbnail_name else None
    return data


class OrderAttachmentSerializer(serializers.Serializer):
    """An attachment as the order's output lists it (the order's id is the order's)."""

    id = serializers.IntegerField()
    abnormal_product_id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField(help_text="The name the file was uploaded with (cleaned), extension of its content.")
    content_type = serializers.ChoiceField(["image/jpeg", "image/png", "image/webp", "application/pdf"])
    size = serializers.IntegerField(help_text="Bytes stored.")
    sha256 = serializers.CharField(help_text="Hex SHA-256 of the stored bytes (what a download answers).")
    width = serializers.IntegerField(allow_null=True, help_text="Pixels, upright; null for a PDF.")
    height = serializers.IntegerField(allow_null=True, help_text="Pixels, upright; null for a PDF.")
    remark = serializers.CharField()
    uploaded_by = serializers.CharField(help_text="The uploader's display name.")
    created_at = WireDateTime()
    download_url = serializers.URLField()
    thumbnail_url = serializers.URLField(allow_null=True, help_text="A JPEG ≤ 320 px; null for a PDF.")

    def to_representation(self, attachment: Any) -> dict[str, Any]:
        base = attachment_url_base(self.context.get("request"))
        return attachment_representation(attachment, base, with_order=False)


class AttachmentSerializer(OrderAttachmentSerializer):
    order_id = serializers.IntegerField()

    def to_representation(self, attachment: Any) -> dict[str, Any]:
        return attachment_representation(attachment, attachment_url_base(self.context.get("request")))


_LINE, _REPORT, _TRACK, _DEDUCTION = (
    AbnormalProductSerializer().to_representation,
    DutyReportSerializer().to_representation,
    TrackSerializer().to_representation,
    DeductionSerializer().to_representation,
)


def _nested(order: Order, name: str) -> Any:
    """A collection of an `OrderRow` (`selectors.order_rows`), or of a model instance through the ORM."""
    nested = getattr(order, "nested", None)
    return nested[name] if nested is not None else getattr(order, name).all()


class OrderSerializer(serializers.Serializer):
    """The order as the app sees it; `operations` are what the requesting user may apply now."""

    id = serializers.IntegerField()
    serial_number = serializers.CharField()
    charge_number = serializers.CharField(allow_null=True)
    type = serializers.CharField()
    customer_name = serializers.CharField()
    accuser_name = serializers.CharField()
    creator_name = serializers.CharField()
    saler = serializers.CharField()
    status = serializers.ChoiceField(Status.choices)
    workflow_status = serializers.ChoiceField(WorkflowStatus.choices)
    summitted_at = WireDateTime(allow_null=True)
    created_at = WireDateTime()
    updated_at = WireDateTime()
    remark = serializers.CharField()
    reason = serializers.ChoiceField(Reason.choices)
    last_reject_reason = serializers.CharField()
    abnormal_products = AbnormalProductSerializer(many=True)
    duty_report = DutyReportSerializer(allow_null=True)
    tracks = TrackSerializer(many=True)
    deductions = DeductionSerializer(many=True)
    attachments = OrderAttachmentSerializer(many=True)
    operations = serializers.ListField(child=serializers.ChoiceField(Operation.choices))

    def to_representation(self, order: Order) -> dict[str, Any]:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        report = getattr(order, "duty_report", None)
        attachments = _nested(order, "attachments")
        base = attachment_url_base(request) if attachments else ""
        return {
            "id": order.id,
            "serial_number": order.serial_number,
            "charge_number": order.charge_number,
            "type": order.type,
            "customer_name": order.customer_name,
            "accuser_name": order.accuser_name,
            "creator_name": order.creator_name,
            "saler": order.saler_name,
            "status": order.status,
            "workflow_status": order.workflow_status,
            "summitted_at": fmt_datetime(order.summitted_at),
            "created_at": fmt_datetime(order.created_at),
            "updated_at": fmt_datetime(order.updated_at),
            "remark": order.remark,
            "reason": order.reason,
            "last_reject_reason": order.last_reject_reason,
            "abnormal_products": [_LINE(line) for line in _nested(order, "abnormal_products")],
            "duty_report": _REPORT(report) if report is not None else None,
            "tracks": [_TRACK(track) for track in _nested(order, "tracks")],
            "deductions": [_DEDUCTION(deduction) for deduction in _nested(order, "deductions")],
            "attachments": [attachment_representation(item, base, with_order=False) for item in attachments],
            "operations": workflow.operations_for(order, user) if user is not None else [],
        }


class JournalSerializer(serializers.ModelSerializer):
    order_id = serializers.IntegerField()
    created_at = WireDateTime()

    class Meta:
        model = Journal
        fields = [
            "id",
            "order_id",
            "operation",
            "source",
            "target",
            "workflow_source",
            "workflow_target",
            "operator_name",
            "on_behalf_of",
            "remark",
            "changes",
            "created_at",
        ]
        read_only_fields = fields
