"""The admin-managed option lists behind the dropdowns, and which field each one feeds."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from orders.models.limits import MAX_NAME


class OptionCategory(models.TextChoices):
    ORDER_TYPE = "ordertype", _("order type")
    TYPE = "typerank", _("abnormality type")
    REASON = "reasonrank", _("cause of responsibility")
    DUTY = "dutyrank", _("responsible party")
    COMPENSATION = "compensationrank", _("compensation")
    PUBLISHMENT = "publishmentrank", _("penalty")


# The duty-report field each option list feeds (`compensationrank` only suggests amounts;
# `ordertype` feeds the order's `type`).
DUTY_REPORT_OPTION_FIELDS: dict[str, str] = {
    "abnormal_type": OptionCategory.TYPE,
    "abnormal_reason": OptionCategory.REASON,
    "publish_to": OptionCategory.DUTY,
    "publishment": OptionCategory.PUBLISHMENT,
}


class OptionValue(models.Model):
    """A value of a duty-report dropdown, managed in the admin."""

    category = models.CharField(_("list"), max_length=20, choices=OptionCategory.choices)
    value = models.CharField(_("value"), max_length=MAX_NAME)
    position = models.PositiveIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("option value")
        verbose_name_plural = _("option values")
        ordering = ["category", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["category", "value"], name="option_value_unique")]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.value}"
