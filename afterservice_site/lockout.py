"""The page django-axes answers a locked-out admin login with: the admin's own look, in Chinese."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_response(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """`AXES_LOCKOUT_CALLABLE`: 429 with Retry-After and the admin-styled lockout page.

    The page names neither the account nor the address that is locked, and says how long.
    """
    cool_off = settings.AXES_COOLOFF_TIME
    context = {
        **admin.site.each_context(request),
        "title": _("Login locked"),
        "cooloff_minutes": int(cool_off.total_seconds() // 60),
    }
    response = render(request, "admin/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
    response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
