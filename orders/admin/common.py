"""Small helpers shared by the admin modules: domain errors as text, local times, field labels, a
paginator that is told its count and a changelist that does not trust it further than a page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.admin.views.main import ChangeList
from django.core.paginator import Paginator
from django.utils import timezone
from django.utils.text import capfirst

from orders.exceptions import DomainError, InvalidInput
from orders.models import Order


def _sentences(errors: Any) -> list[str]:
    if isinstance(errors, dict):
        return [text for value in errors.values() for text in _sentences(value)]
    if isinstance(errors, (list, tuple)):
        return [text for value in errors for text in _sentences(value)]
    return [str(errors)]


def error_text(exc: DomainError) -> str:
    """What a refused service call says, as one line for a message (every field error of an
    invalid input)."""
    if isinstance(exc, InvalidInput) and exc.errors:
        return " ".join(_sentences(exc.errors))
    return exc.message


def local_time(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def short_time(value: datetime | None) -> str | None:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else None


def field_label(name: str) -> str:
    return capfirst(Order._meta.get_field(name).verbose_name)


class CountedPaginator(Paginator):
    """A paginator given its count (from the live-order counters): no `COUNT(*)` of the list."""

    def __init__(self, object_list: Any, per_page: int, *, count: int, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.known_count = count

    @property
    def count(self) -> int:  # instead of Paginator's cached COUNT(*)
        return self.known_count


class CountedChangeList(ChangeList):
    """Django lists the whole queryset, unsliced, when the count says it fits on one page (or on
    "show all"). A count from the counters that had drifted low — say 0 after a bulk load that
    skipped them — would load every order: cut that list at a page (at "show all"'s limit)."""

    def get_results(self, request: Any) -> None:
        super().get_results(request)
        if isinstance(self.paginator, CountedPaginator) and (
            (self.show_all and self.can_show_all) or not self.multi_page
        ):
            limit = self.list_max_show_all if self.show_all else self.list_per_page
            self.result_list = self.result_list[:limit]
