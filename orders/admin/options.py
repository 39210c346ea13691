"""The option lists behind the dropdowns, managed by supervisors."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from orders import selectors
from orders.models import OptionValue


@admin.register(OptionValue)
class OptionValueAdmin(admin.ModelAdmin):
    """The duty-report dropdowns: order by editing `position` in the list (no dragging), retire a
    value by clearing `active` (reports that used it keep their text)."""

    list_display = ["value", "category", "position", "active"]
    list_display_links = ["value"]
    list_editable = ["position", "active"]
    list_filter = ["category", "active"]
    search_fields = ["value"]
    ordering = ["category", "position", "id"]
    list_per_page = 100
    fields = ["category", "value", "position", "active"]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"position": selectors.option_next_position(), **super().get_changeform_initial_data(request)}
