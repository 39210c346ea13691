"""The product catalogue (SKU master data) that abnormal-product lines point at."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Product(models.Model):
    sku_code = models.CharField(_("SKU code"), max_length=64, unique=True)
    item_name = models.CharField(_("item name"), max_length=200)
    item_code = models.CharField(_("item code"), max_length=64, blank=True)
    sku_name = models.CharField(_("SKU name"), max_length=200, blank=True)
    img_path = models.CharField(_("image path"), max_length=500, blank=True)
    # Deactivate instead of deleting: order lines keep pointing at the product (PROTECT).
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["sku_code"]
        indexes = [models.Index(fields=["item_name"], name="product_item_name_idx")]

    def __str__(self) -> str:
        return f"{self.sku_code} {self.item_name}"
