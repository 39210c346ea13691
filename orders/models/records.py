"""The records of an order: abnormal products, the duty report, follow-ups, deductions, attachments."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders.models.limits import MAX_NAME, MAX_NOTE, MAX_TEXT
from orders.models.order import Order
from orders.workflow import Status


class AbnormalProduct(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="abnormal_products")
    product = models.ForeignKey("products.Product", verbose_name=_("product"), on_delete=models.PROTECT)
    sku_code = models.CharField(_("SKU code"), max_length=64)
    remark = models.TextField(_("abnormality description"), max_length=MAX_NOTE, blank=True)
    product_item_name = models.CharField(_("product item name"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("abnormal product")
        verbose_name_plural = _("abnormal products")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.sku_code


class DutyReport(models.Model):
    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="duty_report")
    abnormal_type = models.CharField(_("abnormality type"), max_length=MAX_NAME, blank=True)
    abnormal_reason = models.CharField(_("cause of responsibility"), max_length=MAX_NAME, blank=True)
    publishment = models.CharField(_("penalty"), max_length=MAX_NAME, blank=True)
    publish_to = models.CharField(_("responsible party"), max_length=MAX_NAME, blank=True)
    compensation = models.DecimalField(_("compensation"), max_digits=12, decimal_places=2, null=True, blank=True)
    duty_to = models.CharField(_("responsible unit"), max_length=MAX_NAME, blank=True)
    duty_to_supplier = models.ForeignKey(
        "suppliers.Supplier",
        verbose_name=_("responsible supplier"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    duty_date = models.DateField(_("duty decided on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("duty report")
        verbose_name_plural = _("duty reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(compensation__isnull=True) | Q(compensation__gte=0), name="duty_report_compensation_gte_0"
            )
        ]

    def __str__(self) -> str:
        return f"{self.order} {self.duty_to}"


class Track(models.Model):
    """A follow-up note (append only)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="tracks")
    remark = models.TextField(_("follow-up note"), max_length=MAX_NOTE)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("operator"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    operator_name = models.CharField(_("operator name"), max_length=MAX_NAME, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.remark[:40]


class Deduction(models.Model):
    """A charge-back line (扣款单明细)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="deductions")
    compensation = models.DecimalField(_("penalty amount"), max_digits=12, decimal_places=2)
    has_receipt = models.BooleanField(_("invoiced"), default=False)
    remark = models.TextField(_("remark"), max_length=MAX_TEXT, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("deduction")
        verbose_name_plural = _("deductions")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(compensation__gte=0), name="deduction_compensation_gte_0")]

    def __str__(self) -> str:
        return f"{self.compensation}"


class Attachment(models.Model):
    """A photo or document proving the claim (evidence), optionally tied to one abnormal product
    line. The file itself lives in `STORAGES["attachments"]` (orders/uploads.py); the row keeps
    what it is and where it went. A soft-deleted order keeps its attachments and their files."""

    # The unique (order, sha256) index leads with order_id: it serves the order's lookups.
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="attachments", db_index=False
    )
    # Removing the line keeps the evidence on the order.
    abnormal_product = models.ForeignKey(
        AbnormalProduct,
        verbose_name=_("abnormal product"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attachments",
    )
    file_name = models.CharField(_("stored file"), max_length=255, editable=False)
    thumbnail_name = models.CharField(_("stored thumbnail"), max_length=255, blank=True, editable=False)
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("file type"), max_length=50)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField("SHA-256", max_length=64)
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    remark = models.TextField(_("remark"), max_length=MAX_TEXT, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    # The uploader's display name when uploading: the output and the journal show it, no join.
    uploaded_by_name = models.CharField(_("uploader name"), max_length=MAX_NAME)
    # Deleting is the uploader's, while the order is still at this status.
    status = models.CharField(_("order status when added"), max_length=20, choices=Status.choices)
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["order", "sha256"], name="attachment_order_sha256_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def stored_names(self) -> tuple[str, ...]:
        """The storage names of the file and its thumbnail."""
        return (self.file_name, self.thumbnail_name) if self.thumbnail_name else (self.file_name,)
