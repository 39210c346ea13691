"""Admin actions for master data (products, suppliers): deactivate and activate, never delete.

Orders point at products and suppliers with PROTECT, so retiring one means `active = False`;
the API stops offering it while old orders still show it.
"""

from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


@transaction.atomic
def _set_active(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet, active: bool) -> None:
    """Flip `active` on the selected rows that differ, with one admin history entry per row."""
    changed = list(queryset.exclude(active=active))
    queryset.filter(pk__in=[obj.pk for obj in changed]).update(active=active, updated_at=timezone.now())
    # The object history page is where staff look for who retired a supplier and when.
    LogEntry.objects.log_actions(
        request.user.pk, changed, CHANGE, change_message=[{"changed": {"fields": ["active"]}}], single_object=False
    )
    opts = modeladmin.model._meta
    noun = opts.verbose_name if len(changed) == 1 else opts.verbose_name_plural
    message = gettext("Activated %(count)d %(noun)s.") if active else gettext("Deactivated %(count)d %(noun)s.")
    modeladmin.message_user(request, message % {"count": len(changed), "noun": noun}, messages.SUCCESS)


@admin.action(permissions=["change"], description=_("Deactivate selected %(verbose_name_plural)s"))
def deactivate_selected(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    _set_active(modeladmin, request, queryset, active=False)


@admin.action(permissions=["change"], description=_("Activate selected %(verbose_name_plural)s"))
def activate_selected(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    _set_active(modeladmin, request, queryset, active=True)


class MasterDataAdmin(admin.ModelAdmin):
    """Activate/deactivate actions instead of deletion (PROTECT foreign keys point here)."""

    actions = [deactivate_selected, activate_selected]
    readonly_fields = ["created_at", "updated_at"]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # Also removes the "delete selected" action and the delete button.
        return False
