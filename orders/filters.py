"""Query filters of `GET orders` (DESIGN.md §7)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders.models import MAX_NAME, Order, Reason
from orders.serializers import STATUS_ALIASES
from orders.workflow import Status, WorkflowStatus


class EnumFormField(forms.CharField):
    """A choice whose error lists the allowed values; legacy aliases (`waitting`) are accepted."""

    def __init__(self, *, allowed: list[str], aliases: dict[str, str] | None = None, **kwargs: Any) -> None:
        self.allowed, self.aliases = allowed, aliases or {}
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        if value in (None, ""):
            return value
        value = self.aliases.get(value, value)
        if value not in self.allowed:
            raise forms.ValidationError(
                _("“%(value)s” is not allowed; allowed values: %(allowed)s."),
                code="invalid_choice",
                params={"value": value[:100], "allowed": ", ".join(self.allowed)},
            )
        return value


class EnumFilter(django_filters.CharFilter):
    field_class = EnumFormField


class PersonFilter(django_filters.CharFilter):
    """A person's name as shown (`*_name` column) or their username."""

    def __init__(self, *, name_field: str, user_field: str, **kwargs: Any) -> None:
        self.name_field, self.user_field = name_field, user_field
        kwargs.setdefault("max_length", MAX_NAME)
        super().__init__(**kwargs)

    def filter(self, qs: QuerySet[Order], value: str) -> QuerySet[Order]:
        if not value:
            return qs
        return qs.filter(Q(**{self.name_field: value}) | Q(**{f"{self.user_field}__username": value}))


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class OrderFilter(django_filters.FilterSet):
    status = EnumFilter(allowed=Status.values, aliases=STATUS_ALIASES)
    workflow_status = EnumFilter(allowed=WorkflowStatus.values)
    reason = EnumFilter(allowed=Reason.values)
    creator_name = PersonFilter(name_field="creator_name", user_field="creator")
    saler = PersonFilter(name_field="saler_name", user_field="saler")
    customer_name = django_filters.CharFilter(max_length=MAX_NAME)
    accuser_name = django_filters.CharFilter(max_length=MAX_NAME)
    type = django_filters.CharFilter(max_length=MAX_NAME)
    serial_number = django_filters.CharFilter(max_length=20)
    created_after = django_filters.DateFilter(method="filter_created_after")
    created_before = django_filters.DateFilter(method="filter_created_before")
    key_word = django_filters.CharFilter(method="filter_key_word", max_length=MAX_NAME)

    class Meta:
        model = Order
        fields: list[str] = []

    # Legacy query parameter names of the old mobile client.
    ALIASES = {"creater_name": "creator_name", "saler_name": "saler"}

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        if data is not None and any(legacy in data for legacy in self.ALIASES):
            data = data.copy()
            for legacy, canonical in self.ALIASES.items():
                if legacy in data and canonical not in data:
                    data[canonical] = data[legacy]
        super().__init__(data, *args, **kwargs)

    # Dates are local (TIME_ZONE); compared as a datetime range so the created_at index is used.
    def filter_created_after(self, qs: QuerySet[Order], name: str, value: date) -> QuerySet[Order]:
        return qs.filter(created_at__gte=_local_midnight(value))

    def filter_created_before(self, qs: QuerySet[Order], name: str, value: date) -> QuerySet[Order]:
        return qs.filter(created_at__lt=_local_midnight(value + timedelta(days=1)))

    def filter_key_word(self, qs: QuerySet[Order], name: str, value: str) -> QuerySet[Order]:
        if not value:
            return qs
        return qs.filter(
            Q(serial_number__icontains=value)
            | Q(customer_name__icontains=value)
            | Q(accuser_name__icontains=value)
            | Q(remark__icontains=value)
        )
