"""Back office for notifications and webhooks (Chinese UI, like the rest of the admin).

- Webhooks: created and edited by superusers or users with the webhook permissions; "send a
  test message" queues a delivery like any other (the request never does HTTP itself).
- Deliveries and their attempts: read-only, filtered by state; "retry now" makes the selected
  ones due and queues them (same permission as editing webhooks).
- Notifications: read-only; every staff user sees their own (superusers everyone's) and may
  mark them read. The header shows the unread count (templates/admin/base_site.html).
- Periodic jobs: read-only, to see when the worker last ran the sweeps.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult

from notifications import selectors, services
from notifications.models import (
    Delivery,
    DeliveryAttempt,
    Kind,
    Notification,
    PeriodicJob,
    Webhook,
    WebhookFormat,
)

# The task queue's own rows are plumbing (English-only labels); the delivery log and the
# periodic jobs below are what people read.
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _may_manage_webhooks(request: HttpRequest) -> bool:
    return request.user.has_perm("notifications.change_webhook")


# --- Webhooks -------------------------------------------------------------------------------------
class WebhookForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=1000, assume_scheme="https")
    kinds = forms.MultipleChoiceField(
        label=_("kinds"),
        choices=Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The events this webhook is sent."),
    )
    secret = forms.CharField(
        label=_("secret"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False),
        help_text=_(
            "Generic: required, signs each request. DingTalk: the 加签 secret (SEC…), Feishu: the 签名校验 "
            "secret, if the robot has one. WeCom: not used. Leave blank to keep the stored secret."
        ),
    )

    class Meta:
        model = Webhook
        fields = ["name", "format", "url", "secret", "kinds", "active"]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        if urlsplit(url).scheme not in ("http", "https"):
            raise forms.ValidationError(_("Enter an http:// or https:// address."))
        return url

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        secret = cleaned.get("secret") or (self.instance.secret if self.instance.pk else "")
        if cleaned.get("format") == WebhookFormat.GENERIC and not secret:
            self.add_error("secret", _("A generic webhook needs a secret: receivers verify the signature with it."))
        cleaned["secret"] = secret
        return cleaned


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    form = WebhookForm
    list_display = ["name", "format", "host", "kinds_display", "has_secret", "active", "updated_at"]
    list_filter = ["format", "active"]
    search_fields = ["name", "url"]
    actions = ["send_test"]

    @admin.display(description=_("host"))
    def host(self, webhook: Webhook) -> str:
        # The whole URL carries the robot's key (WeCom, DingTalk, Feishu): the list shows its host.
        return urlsplit(webhook.url).hostname or ""

    @admin.display(description=_("kinds"))
    def kinds_display(self, webhook: Webhook) -> str:
        labels = dict(Kind.choices)
        return "、".join(str(labels.get(kind, kind)) for kind in webhook.kinds)

    @admin.display(description=_("secret set"), boolean=True)
    def has_secret(self, webhook: Webhook) -> bool:
        return bool(webhook.secret)

    @admin.action(description=_("Send a test message"), permissions=["change"])
    def send_test(self, request: HttpRequest, queryset: QuerySet[Webhook]) -> None:
        for webhook in queryset:
            services.webhook_send_test(webhook_id=webhook.pk, user=request.user)
        self.message_user(
            request,
            gettext("Test messages queued: %(count)d. Their results appear in the webhook deliveries.")
            % {"count": len(queryset)},
            messages.SUCCESS,
        )


# --- Deliveries -----------------------------------------------------------------------------------
class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    fields = ["number", "started_at", "duration_ms", "http_status", "ok", "error", "response"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "created_at",
        "webhook",
        "kind",
        "order_serial_number",
        "state",
        "attempts",
        "next_attempt_at",
        "last_error",
    ]
    list_filter = ["state", "kind", "webhook"]
    search_fields = ["order__serial_number", "webhook__name"]
    date_hierarchy = "created_at"
    list_per_page = 50
    fields = [
        "webhook",
        "kind",
        "order",
        "state",
        "attempts",
        "created_at",
        "first_attempt_at",
        "last_attempt_at",
        "next_attempt_at",
        "delivered_at",
        "last_error",
        "event_json",
    ]
    readonly_fields = fields
    inlines = [AttemptInline]
    actions = ["retry_now"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Delivery]:
        return selectors.deliveries_in_back_office()

    @admin.display(description=_("after-sales order"), ordering="order__serial_number")
    def order_serial_number(self, delivery: Delivery) -> str:
        return delivery.order.serial_number if delivery.order else "—"

    @admin.display(description=_("event"))
    def event_json(self, delivery: Delivery) -> str:
        return format_html("<pre>{}</pre>", json.dumps(delivery.event, ensure_ascii=False, indent=2))

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return _may_manage_webhooks(request)

    @admin.action(description=_("Retry now"), permissions=["retry"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        count = services.deliveries_retry_now(ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            gettext("Deliveries queued again: %(count)d (delivered ones are left alone).") % {"count": count},
            messages.SUCCESS,
        )


# --- Notifications --------------------------------------------------------------------------------
class MineFilter(admin.SimpleListFilter):
    title = _("recipient")
    parameter_name = "mine"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("1", _("mine"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Notification]) -> QuerySet[Notification]:
        return queryset.filter(recipient_id=request.user.pk) if self.value() == "1" else queryset


class ReadFilter(admin.SimpleListFilter):
    title = _("read state")
    parameter_name = "read"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("no", _("unread")), ("yes", _("read"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Notification]) -> QuerySet[Notification]:
        if self.value() in ("no", "yes"):
            return queryset.filter(read_at__isnull=self.value() == "no")
        return queryset


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "kind", "order_serial_number", "status", "message", "read_at"]
    list_filter = [MineFilter, ReadFilter, "kind"]
    search_fields = ["order__serial_number", "message"]
    list_select_related = ["recipient", "order"]
    list_per_page = 50
    actions = ["mark_read"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Notification]:
        notifications = super().get_queryset(request)
        if request.user.is_superuser:
            return notifications
        return notifications.filter(recipient_id=request.user.pk)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Every staff user reads their own (get_queryset); superusers everyone's.
        return self.has_module_permission(request)

    @admin.display(description=_("after-sales order"), ordering="order__serial_number")
    def order_serial_number(self, notification: Notification) -> str:
        url = reverse("admin:orders_order_change", args=[notification.order_id])
        return format_html('<a href="{}">{}</a>', url, notification.order.serial_number)

    @admin.action(description=_("Mark my selected notifications read"))
    def mark_read(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        count = services.notifications_mark_read(user=request.user, ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, gettext("Marked read: %(count)d.") % {"count": count}, messages.SUCCESS)


# --- Periodic jobs --------------------------------------------------------------------------------
@admin.register(PeriodicJob)
class PeriodicJobAdmin(ReadOnlyAdmin):
    list_display = ["name", "interval_seconds", "next_run_at", "last_started_at", "last_finished_at", "last_result"]
    fields = list_display
    readonly_fields = fields
