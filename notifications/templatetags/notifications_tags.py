"""`{% unread_notifications_link %}`: the admin header's link to the user's unread notifications."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from notifications import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications_link(context: dict[str, Any]) -> str:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    url = reverse("admin:notifications_notification_changelist") + "?mine=1&read=no"
    count = selectors.unread_count(user)
    return format_html(
        '<a href="{}" id="unread-notifications">{}</a> /', url, _("Notifications (%(count)d)") % {"count": count}
    )
