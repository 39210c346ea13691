"""Query filters of `GET orders` (DESIGN.md §7)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend

from orders.models import MAX_NAME, Order, Reason
from orders.wire import STATUS_ALIASES
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
        # The username as a scalar subquery (usernames are unique), not a join nor `IN (SELECT ...)`:
        # with either of those, `name = x OR ...` can use no index (a sequential scan of the orders);
        # `user_id = (SELECT ...)` is evaluated once, and both sides of the OR use their index.
        user_id = Subquery(get_user_model().objects.filter(username=value).values("pk")[:1])
        return qs.filter(Q(**{self.name_field: value}) | Q(**{f"{self.user_field}_id": user_id}))


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# Days at the ends of the calendar bound nothing; their midnight in UTC (or the day after
# 9999-12-31) is outside datetime's range, an OverflowError (a 500) instead of a filter.
_FIRST_DAY, _LAST_DAY = date.min + timedelta(days=1), date.max - timedelta(days=1)


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

    @classmethod
    def requested(cls, params: Any) -> bool:
        """Does the query string name any filter (or a legacy alias of one)?"""
        return any(name in params for name in (*cls.base_filters, *cls.ALIASES))

    def get_form_class(self) -> type[forms.Form]:
        # The form class is the same for every request, but django-filter builds it anew each time,
        # a form field per filter with labels from the model's translated verbose names: that cost
        # more than the list's query. Built once per class; each request still gets its own form.
        cls = type(self)
        form_class = cls.__dict__.get("_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            cls._form_class = form_class
        return form_class

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        if data is not None and any(legacy in data for legacy in self.ALIASES):
            data = data.copy()
            for legacy, canonical in self.ALIASES.items():
                if legacy in data and canonical not in data:
                    data[canonical] = data[legacy]
        super().__init__(data, *args, **kwargs)

    # Dates are local (TIME_ZONE); compared as a datetime range so the created_at index is used.
    def filter_created_after(self, qs: QuerySet[Order], name: str, value: date) -> QuerySet[Order]:
        if value <= _FIRST_DAY:
            return qs
        return qs.filter(created_at__gte=_local_midnight(value))

    def filter_created_before(self, qs: QuerySet[Order], name: str, value: date) -> QuerySet[Order]:
        if value >= _LAST_DAY:
            return qs
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


class OrderFilterBackend(DjangoFilterBackend):
    """django-filter's backend, minus the FilterSet when the query string names none of its filters:
    the plain list (the app's most frequent request) gets the same queryset without building one."""

    def filter_queryset(self, request: Any, queryset: QuerySet[Order], view: Any) -> QuerySet[Order]:
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not filterset_class.requested(request.query_params):
            return queryset
        return super().filter_queryset(request, queryset, view)
