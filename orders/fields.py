"""Generic serializer fields of the API: names, free text, money, yes/no, ids, enums, wire datetimes.

Each enforces one rule of the wire format (docs/api.md): names ≤ 100 characters, free text
≤ 5,000, money ≥ 0 with 2 places (`-0` is `0.00`), booleans also as 是/否, enum errors that
list the allowed values and accept the old app's aliases.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from orders.models import MAX_NAME, MAX_TEXT
from orders.wire import money


@extend_schema_field(
    {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$", "example": "2026-11-28 09:30:00"}
)
class WireDateTime(serializers.DateTimeField):
    """Output datetimes as documented: "YYYY-MM-DD HH:MM:SS" in TIME_ZONE (docs/api.md, "Values"), which is
    not OpenAPI's RFC 3339 `date-time` (no "T", no offset)."""


class EnumField(serializers.ChoiceField):
    """A choice whose error lists the allowed values; accepts the legacy aliases."""

    default_error_messages = {"invalid_choice": _("“{input}” is not allowed; allowed values: {allowed}.")}

    def __init__(self, choices: Any, aliases: Mapping[str, str] | None = None, **kwargs: Any) -> None:
        self.aliases = dict(aliases or {})
        super().__init__(choices, **kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and data in self.aliases:
            data = self.aliases[data]
        if data == "" and self.allow_blank:
            return ""
        if not isinstance(data, str) or data not in self.choice_strings_to_values:
            self.fail("invalid_choice", input=str(data)[:100], allowed=", ".join(self.choice_strings_to_values))
        return self.choice_strings_to_values[data]


class Name(serializers.CharField):
    """A person's or supplier's name: trimmed, at most 100 characters."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", MAX_NAME)
        super().__init__(**kwargs)


class Text(serializers.CharField):
    """Free text: at most 5,000 characters (never silently cut)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", MAX_TEXT)
        super().__init__(**kwargs)


class Money(serializers.DecimalField):
    """An amount ≥ 0 with 2 decimals, given as number or string, rendered as a string."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", 0)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool):  # True is an int to Python, not an amount
            self.fail("invalid")
        return money(super().to_internal_value(data))


class YesNo(serializers.BooleanField):
    """true/false, 1/0 and the Chinese 是/否."""

    TRUE_VALUES = serializers.BooleanField.TRUE_VALUES | {"是"}
    FALSE_VALUES = serializers.BooleanField.FALSE_VALUES | {"否"}


class Id(serializers.IntegerField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(**kwargs)


class BoundedList(serializers.ListField):
    """A list whose length is checked before any element is validated: a 2 MB body of a million
    elements costs one `len()`, not a million validations and their errors."""

    default_error_messages = {"too_long": _("At most {max_length} items, not {length}.")}

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, list) and self.max_length is not None and len(data) > self.max_length:
            self.fail("too_long", max_length=self.max_length, length=len(data))
        return super().to_internal_value(data)


class AliasedSerializer(serializers.Serializer):
    """Renames legacy keys to canonical ones before validation (the canonical key wins)."""

    aliases: dict[str, str] = {}

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping) and any(legacy in data for legacy in self.aliases):
            data = dict(data.items())
            for legacy, canonical in self.aliases.items():
                if legacy in data:
                    value = data.pop(legacy)
                    data.setdefault(canonical, value)
        return super().to_internal_value(data)
