"""Suppliers and the after-sales specialist who handles each one's claims."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Supplier(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    # The supplier category, e.g. 成品商 (finished goods) or 材料商 (materials).
    role = models.CharField(_("category"), max_length=50, blank=True)
    is_logistic = models.BooleanField(_("logistics supplier"), default=False)
    specialist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("after-sales specialist"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supplied_accounts",
    )
    # Deactivate instead of deleting: orders keep pointing at the supplier (PROTECT).
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["name"]
        indexes = [models.Index(fields=["role"], name="supplier_role_idx")]

    def __str__(self) -> str:
        return self.name
