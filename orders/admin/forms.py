"""Forms of the order admin: choices limited to what the services accept, so a save is not
refused late."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from afterservice_site.people import display_name
from orders import selectors
from orders.models import DUTY_REPORT_OPTION_FIELDS, MAX_TEXT, AbnormalProduct, DutyReport, Order
from orders.workflow import Operation, Status
from products.models import Product
from suppliers.models import Supplier


class OrderAdminForm(forms.ModelForm):
    """Header fields; choices limited to what the service accepts, so a save is not refused late."""

    class Meta:
        model = Order
        fields = ["type", "reason", "customer", "accuser", "saler", "creator_name", "remark"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("customer", "accuser"):
            if name in self.fields:
                current = getattr(self.instance, f"{name}_id", None)
                self.fields[name].queryset = Supplier.objects.filter(Q(active=True) | Q(pk=current))
        if "saler" in self.fields:
            if not self.instance.pk:  # the default only applies when the order is created
                self.fields["saler"].help_text = _("Empty: the defendant supplier's specialist.")
            self.fields["saler"].queryset = selectors.specialist_choices(current_id=self.instance.saler_id)
            self.fields["saler"].label_from_instance = display_name


class AbnormalProductForm(forms.ModelForm):
    class Meta:
        model = AbnormalProduct
        fields = ["product", "remark"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "product" in self.fields:
            current = self.instance.product_id if self.instance.pk else None
            self.fields["product"].queryset = Product.objects.filter(Q(active=True) | Q(pk=current))


class DutyReportForm(forms.ModelForm):
    """The four option-list fields are dropdowns of their list's active values."""

    class Meta:
        model = DutyReport
        fields = [
            "abnormal_type",
            "abnormal_reason",
            "publish_to",
            "publishment",
            "compensation",
            "duty_to",
            "duty_date",
        ]

    # Set per request by `DutyReportInline.get_formset`: one query for all forms of the formset.
    options: dict[str, list[str]] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options = self.options if self.options is not None else selectors.active_option_values()
        for name, category in DUTY_REPORT_OPTION_FIELDS.items():
            if name not in self.fields:
                continue
            values = list(options.get(category, []))
            current = getattr(self.instance, name, "")
            if current and current not in values:  # a value retired since: still shown, unchanged
                values.append(current)
            field = self.fields[name]
            self.fields[name] = forms.ChoiceField(
                label=field.label,
                required=False,
                choices=[("", "---------"), *((value, value) for value in values)],
            )


class OperationForm(forms.Form):
    """One workflow operation from the admin: what `services.order_apply_operation` takes."""

    operation = forms.ChoiceField(choices=Operation.choices, widget=forms.HiddenInput)
    remark = forms.CharField(
        label=_("note"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
    )
    expected_status = forms.ChoiceField(choices=Status.choices, required=False, widget=forms.HiddenInput)
