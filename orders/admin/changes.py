"""A journal row's `changes` in words for the back office: record and field labels in the
user's language, values as people read them — not a JSON dump."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from orders.models import AbnormalProduct, Attachment, Deduction, DutyReport, Order, Track

# Record word of the journal → the model it names.
RECORD_MODELS: dict[str, type[Model]] = {
    "order": Order,
    "abnormal_product": AbnormalProduct,
    "duty_report": DutyReport,
    "deduction": Deduction,
    "track": Track,
    "attachment": Attachment,
}
# Wire field names that are not the model field's own name.
FIELD_SOURCES = {
    "skuCode": "sku_code",
    "saler": "saler",
    "duty_to_id": "duty_to_supplier",
    "abnormal_product_id": "abnormal_product",
    "uploaded_by": "uploaded_by",
}
ACTIONS = {"create": _("added"), "update": _("changed"), "delete": _("removed")}
MAX_VALUE = 200  # characters of a value shown; the journal itself keeps it whole


def _record_label(record: str) -> str:
    model = RECORD_MODELS.get(record)
    return capfirst(model._meta.verbose_name) if model is not None else record


def field_label(record: str, field: str) -> str:
    """The label of a wire field of a journal record ("skuCode" of an abnormal product → 物料编号)."""
    model = RECORD_MODELS.get(record)
    name = FIELD_SOURCES.get(field, field)
    if model is not None:
        try:
            return str(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:  # a wire-only field: shown as named
            return field
    return field


def _value(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    text = str(value)
    return f"“{text[:MAX_VALUE]}…”" if len(text) > MAX_VALUE else f"“{text}”"


def _fields(record: str, action: str, fields: Mapping[str, Sequence[Any]]) -> SafeString:
    parts = []
    for name, (before, after) in fields.items():
        label = field_label(record, name)
        if action == "update":
            parts.append(format_html("{}：{} → {}", label, _value(before), _value(after)))
        else:
            parts.append(format_html("{}：{}", label, _value(after if action == "create" else before)))
    return format_html_join("；", "{}", ((part,) for part in parts))


def describe_changes(changes: Sequence[Mapping[str, Any]] | None) -> SafeString:
    """The changes as an HTML list, one line per record touched."""
    if not changes:
        return format_html("{}", "—")
    return format_html(
        '<ul class="journal-changes">{}</ul>',
        format_html_join(
            "",
            "<li><strong>{} {} {}</strong>：{}</li>",
            (
                (
                    _record_label(entry.get("record", "")),
                    f"#{entry['id']}" if entry.get("id") is not None else "",
                    ACTIONS.get(entry.get("action", ""), entry.get("action", "")),
                    _fields(entry.get("record", ""), entry.get("action", ""), entry.get("fields") or {}),
                )
                for entry in changes
            ),
        ),
    )
