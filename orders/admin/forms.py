"""Forms of the order admin: choices limited to what the services accept, so a save is not
refused late."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from afterservice_site.people import display_name
from orders import selectors
from orders.models import DUTY_REPORT_OPTION_FIELDS, MAX_TEXT, AbnormalProduct, DutyReport, OptionCategory, Order
from orders.workflow import Operation, Status
from products.models import Product
from suppliers.models import Supplier
from suppliers.selectors import active_suppliers_by_name


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
        if "type" in self.fields:
            self.fields["type"] = option_choice_field(
                self.fields["type"], selectors.option_values(OptionCategory.ORDER_TYPE), self.instance.type
            )

    def clean(self) -> dict[str, Any]:
        values = super().clean()
        customer, accuser = values.get("customer"), values.get("accuser")
        if customer is not None and customer == accuser:
            self.add_error("accuser", _("The plaintiff and the defendant must be different suppliers."))
        return values


def option_choice_field(field: forms.Field, values: list[str], current: str) -> forms.ChoiceField:
    """A dropdown of an option list's active values (plus the stored value, if retired since)."""
    values = list(values)
    if current and current not in values:
        values.append(current)
    return forms.ChoiceField(
        label=field.label,
        required=field.required,
        choices=[("", "---------"), *((value, value) for value in values)],
    )


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
            current = getattr(self.instance, name, "")
            self.fields[name] = option_choice_field(self.fields[name], options.get(category, []), current)

    def clean_duty_to(self) -> str:
        # The service's rule, said next to the field instead of after a reload.
        name = self.cleaned_data.get("duty_to", "")
        if name and name != self.instance.duty_to and not active_suppliers_by_name({name}):
            raise forms.ValidationError(_("No active supplier is named “%(name)s”.") % {"name": name})
        return name


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
