"""The change form's inline formsets → the arguments of one `services.order_update`.

Each formset is read as the API's full list (`id` kept, no `id` created, missing deleted) with
only the values the user changed; Django's admin then records its history from what
`note_formset_changes` leaves on the formset.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.forms.formsets import DELETION_FIELD_NAME

from orders.models import AbnormalProduct, Deduction, DutyReport, Track


def _deleted(formset: forms.BaseFormSet, form: forms.Form) -> bool:
    return form in formset.deleted_forms or bool(getattr(form, "cleaned_data", {}).get(DELETION_FIELD_NAME))


def _record_changes(formset: forms.BaseFormSet, fields: Iterable[str]) -> list[tuple[forms.Form, dict[str, Any]]]:
    """The formset as a full list (`id` kept, no `id` created, missing deleted): each kept or new
    form with the values of the fields it changed. Forms the user may not change report no change
    (Django's inline forms guard `has_changed`)."""
    rows = []
    for form in formset.initial_forms:
        if _deleted(formset, form):
            continue
        changed = form.has_changed()
        rows.append((form, {name: form.cleaned_data[name] for name in fields if changed and name in form.changed_data}))
    for form in formset.extra_forms:
        if form.has_changed() and not _deleted(formset, form):
            rows.append((form, {name: form.cleaned_data.get(name) for name in fields if name in form.cleaned_data}))
    return rows


def formset_touched(formset: forms.BaseFormSet) -> bool:
    return any(form.has_changed() for form in formset.forms) or bool(formset.deleted_forms)


def _abnormal_products_data(formset: forms.BaseFormSet) -> dict[str, Any]:
    items = []
    for form, values in _record_changes(formset, ["product", "remark"]):
        item: dict[str, Any] = {"id": form.instance.pk} if form.instance.pk else {}
        if values.get("product") is not None:
            item["sku_code"] = form.instance.sku_code = values["product"].sku_code  # also names it in the history
        if "remark" in values:
            item["remark"] = values["remark"] or ""
        items.append(item)
    return {"abnormal_products": items}


def _deductions_data(formset: forms.BaseFormSet) -> dict[str, Any]:
    items = []
    for form, values in _record_changes(formset, ["compensation", "has_receipt", "remark"]):
        item: dict[str, Any] = {"id": form.instance.pk} if form.instance.pk else {}
        item.update(values)
        items.append(item)
    return {"deductions": items}


def _duty_report_data(formset: forms.BaseFormSet) -> dict[str, Any]:
    for form in formset.forms:
        if form.has_changed():
            return {"duty_report": {name: form.cleaned_data[name] for name in form.changed_data if name in form.fields}}
    return {}


def _tracks_data(formset: forms.BaseFormSet) -> dict[str, Any]:
    notes = [form.cleaned_data["remark"] for form in formset.extra_forms if form.has_changed()]
    return {"tracks": [{"remark": note} for note in notes]} if notes else {}


FORMSET_DATA = {
    AbnormalProduct: _abnormal_products_data,
    DutyReport: _duty_report_data,
    Track: _tracks_data,
    Deduction: _deductions_data,
}


def note_formset_changes(formset: forms.BaseFormSet) -> None:
    """What `ModelAdmin.construct_change_message` reads from a saved formset, for the history."""
    formset.new_objects = [form.instance for form in formset.extra_forms if form.has_changed()]
    formset.changed_objects = [
        (form.instance, form.changed_data)
        for form in formset.initial_forms
        if form.has_changed() and not _deleted(formset, form)
    ]
    formset.deleted_objects = [form.instance for form in formset.deleted_forms]
