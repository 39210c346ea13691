"""Query filters of `GET orders` (and of the statistics, which reuse them).

- `status`, `workflow_status`, `type`, `reason` take one value or several (repeated, or
  comma-separated); an unknown value is a 400 listing the allowed ones; the old app's `waitting`
  is `waiting`, `其他` is `其它`.
- `creator_name` / `saler` match the name shown or the username.
- `created_after` / `created_before` are local dates.
- `key_word` searches the serial number, both suppliers and the remark.
- `todo=1`: the orders the user may apply `done` to now (`workflow.todo_statuses`), in SQL.
- Any other query parameter is a 400 naming it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.utils import translate_validation
from drf_spectacular.utils import OpenApiParameter

from orders import selectors
from orders.models import MAX_NAME, Order, Reason
from orders.wire import REASON_ALIASES, STATUS_ALIASES
from orders.workflow import Status, WorkflowStatus

MAX_VALUES = 20  # values of one multi-value filter


class EnumFormField(forms.CharField):
    """One or several allowed values (repeated or comma-separated) → a list; an unknown value's
    error lists the allowed ones; legacy aliases are accepted."""

    widget = forms.SelectMultiple  # reads every repeated value of the query string

    def __init__(self, *, allowed: list[str], aliases: dict[str, str] | None = None, **kwargs: Any) -> None:
        self.allowed, self.aliases = allowed, aliases or {}
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> list[str]:
        raw = value if isinstance(value, (list, tuple)) else [value] if value not in (None, "") else []
        return [part.strip() for item in raw for part in str(item).split(",") if part.strip()]

    def validate(self, value: list[str]) -> None:
        if len(value) > MAX_VALUES:
            raise forms.ValidationError(_("At most %(count)d values."), params={"count": MAX_VALUES})

    def clean(self, value: Any) -> list[str] | None:
        values = super().clean(value)
        if not values:
            return None
        cleaned = []
        for item in values:
            item = self.aliases.get(item, item)
            if item not in self.allowed:
                raise forms.ValidationError(
                    _("“%(value)s” is not allowed; allowed values: %(allowed)s."),
                    code="invalid_choice",
                    params={"value": item[:100], "allowed": ", ".join(self.allowed)},
                )
            cleaned.append(item)
        return list(dict.fromkeys(cleaned))


class EnumFilter(django_filters.Filter):
    field_class = EnumFormField

    def filter(self, qs: QuerySet[Order], value: list[str] | None) -> QuerySet[Order]:
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__in": value})


class TextChoiceFormField(EnumFormField):
    """Like `EnumFormField` for free values (order types): only the length is bounded."""

    def clean(self, value: Any) -> list[str] | None:
        values = forms.CharField.clean(self, value)
        if values and any(len(item) > MAX_NAME for item in values):
            raise forms.ValidationError(
                _("Ensure each value has at most %(max)d characters."), params={"max": MAX_NAME}
            )
        return list(dict.fromkeys(values)) or None


class TextChoiceFilter(EnumFilter):
    field_class = TextChoiceFormField


class FlagFormField(forms.Field):
    """`1`/`true` or `0`/`false` (empty: not given); anything else is a 400, not silently ignored."""

    TRUE, FALSE = {"1", "true", "True", "yes"}, {"0", "false", "False", "no"}

    def to_python(self, value: Any) -> bool | None:
        if value in (None, ""):
            return None
        if value in self.TRUE:
            return True
        if value in self.FALSE:
            return False
        raise forms.ValidationError(_("Use 1 or 0."), code="invalid")


class FlagFilter(django_filters.Filter):
    field_class = FlagFormField


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


def created_between(qs: QuerySet[Order], after: date | None, before: date | None) -> QuerySet[Order]:
    """Orders created on local days `after`..`before` (inclusive), as an index-friendly range."""
    if after is not None and after > _FIRST_DAY:
        qs = qs.filter(created_at__gte=_local_midnight(after))
    if before is not None and before < _LAST_DAY:
        qs = qs.filter(created_at__lt=_local_midnight(before + timedelta(days=1)))
    return qs


class OrderFilter(django_filters.FilterSet):
    status = EnumFilter(allowed=Status.values, aliases=STATUS_ALIASES)
    workflow_status = EnumFilter(allowed=WorkflowStatus.values)
    reason = EnumFilter(allowed=Reason.values, aliases=REASON_ALIASES)
    type = TextChoiceFilter(allowed=[])
    creator_name = PersonFilter(name_field="creator_name", user_field="creator")
    saler = PersonFilter(name_field="saler_name", user_field="saler")
    customer_name = django_filters.CharFilter(max_length=MAX_NAME)
    accuser_name = django_filters.CharFilter(max_length=MAX_NAME)
    serial_number = django_filters.CharFilter(max_length=20)
    created_after = django_filters.DateFilter(method="filter_created_after")
    created_before = django_filters.DateFilter(method="filter_created_before")
    key_word = django_filters.CharFilter(method="filter_key_word", max_length=MAX_NAME)
    todo = FlagFilter(method="filter_todo")

    class Meta:
        model = Order
        fields: list[str] = []

    # Legacy query parameter names of the old mobile client.
    ALIASES = {"creater_name": "creator_name", "saler_name": "saler"}
    # The filters whose totals the live-order counters answer (`orders.counters`).
    COUNTED = frozenset({"status", "workflow_status", "todo"})

    @classmethod
    def requested(cls, params: Any) -> bool:
        """Does the query string name any filter (or a legacy alias of one)?"""
        return any(name in params for name in (*cls.base_filters, *cls.ALIASES))

    @classmethod
    def known_parameters(cls) -> frozenset[str]:
        return frozenset((*cls.base_filters, *cls.ALIASES))

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

    def counted(self) -> dict[str, Any] | None:
        """The filters as `selectors.order_total`'s arguments when only counted filters are given
        (its total comes from the counters); None when another filter narrows the orders."""
        given = {name for name, value in self.form.cleaned_data.items() if value not in (None, "", [])}
        if not given <= self.COUNTED:
            return None
        return {
            "statuses": self.form.cleaned_data.get("status"),
            "workflow_statuses": self.form.cleaned_data.get("workflow_status"),
            "todo": bool(self.form.cleaned_data.get("todo")),
        }

    # Dates are local (TIME_ZONE); compared as a datetime range so the created_at index is used.
    def filter_created_after(self, qs: QuerySet[Order], name: str, value: date) -> QuerySet[Order]:
        return created_between(qs, value, None)

    def filter_created_before(self, qs: QuerySet[Order], name: str, value: date) -> QuerySet[Order]:
        return created_between(qs, None, value)

    def filter_key_word(self, qs: QuerySet[Order], name: str, value: str) -> QuerySet[Order]:
        if not value:
            return qs
        return qs.filter(
            Q(serial_number__icontains=value)
            | Q(customer_name__icontains=value)
            | Q(accuser_name__icontains=value)
            | Q(remark__icontains=value)
        )

    def filter_todo(self, qs: QuerySet[Order], name: str, value: bool | None) -> QuerySet[Order]:
        if not value:
            return qs
        return qs.filter(selectors.todo_condition(self.request.user))


def filter_orders(request: Any, orders: QuerySet[Order]) -> tuple[QuerySet[Order], dict[str, Any] | None]:
    """`orders` narrowed by the request's filters, and `OrderFilter.counted()` (the arguments of
    `selectors.order_total`, or None). Bad values are a 400 naming the parameter. The plain list
    (the app's most frequent request) builds no FilterSet at all."""
    if not OrderFilter.requested(request.query_params):
        return orders, {}
    filterset = OrderFilter(request.query_params, queryset=orders, request=request)
    if not filterset.is_valid():
        raise translate_validation(filterset.errors)
    return filterset.qs, filterset.counted()


def openapi_parameters() -> list[OpenApiParameter]:
    """The filters as OpenAPI query parameters, with the allowed values of every enum filter."""
    parameters = []
    for name, filter_ in OrderFilter.base_filters.items():
        if isinstance(filter_, EnumFilter) and not isinstance(filter_, TextChoiceFilter):
            schema = {
                "type": "array",
                "items": {"type": "string", "enum": filter_.extra["allowed"]},
                "maxItems": len(filter_.extra["allowed"]),
            }
            description = _("One value or several (repeated or comma-separated).")
        elif isinstance(filter_, TextChoiceFilter):
            schema = {"type": "array", "items": {"type": "string", "maxLength": MAX_NAME}, "maxItems": MAX_VALUES}
            description = _("One value or several (repeated or comma-separated).")
        elif isinstance(filter_, django_filters.DateFilter):
            schema, description = {"type": "string", "format": "date"}, _("A local date, YYYY-MM-DD.")
        elif name == "todo":
            schema, description = {"type": "boolean"}, _("1: only the orders you may apply done to now.")
        else:
            schema, description = {"type": "string", "maxLength": filter_.extra.get("max_length", MAX_NAME)}, ""
        parameters.append(
            OpenApiParameter(name, schema, OpenApiParameter.QUERY, description=str(description), explode=True)
        )
    return parameters
