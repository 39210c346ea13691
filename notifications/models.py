"""Notifications to users, outbound webhooks with their delivery log, and the worker's periodic jobs.

Every write goes through `notifications/services/`; models hold data and constraints only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders.workflow import Status


class Kind(models.TextChoices):
    """What a notification (and a webhook message) is about."""

    TODO = "todo", _("to do")
    REJECTED = "rejected", _("rejected")
    FINISHED = "finished", _("finished")
    CANCELLED = "cancelled", _("cancelled")
    OVERDUE = "overdue", _("overdue")


class Notification(models.Model):
    """One message to one user about one event of an order; `read_at` null means unread."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    order = models.ForeignKey(
        "orders.Order", verbose_name=_("after-sales order"), on_delete=models.CASCADE, related_name="+"
    )
    # The order's status when the notification was written (the order moves on).
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    message = models.TextField(_("message"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            # "My notifications, newest first" and "my unread, newest first" (also their counts).
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_inbox_idx"),
            models.Index(
                fields=["recipient", "-created_at", "-id"],
                name="notification_unread_idx",
                condition=Q(read_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.kind} {self.order_id}"


class WebhookFormat(models.TextChoices):
    GENERIC = "generic", _("generic JSON (signed)")
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk group robot")
    FEISHU = "feishu", _("Feishu group robot")


class Webhook(models.Model):
    """An outbound webhook: where to post which kinds of events, in which format."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=1000)
    secret = models.CharField(_("secret"), max_length=200, blank=True)
    kinds = models.JSONField(_("kinds"), default=list)
    format = models.CharField(_("format"), max_length=20, choices=WebhookFormat.choices, default=WebhookFormat.GENERIC)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def wants(self, kind: str) -> bool:
        return kind in self.kinds


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("pending")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("failed")


# A delivery's kind: a notification kind, or the admin's test message.
DELIVERY_TEST = "test"
DELIVERY_KINDS = [*Kind.choices, (DELIVERY_TEST, _("test message"))]


class Delivery(models.Model):
    """One event for one webhook (the outbox row), written in the transaction of the event.

    `event` is the snapshot the messages are built from, so every retry sends the same content.
    A worker claims a due delivery by setting `claim_token` and `claimed_until` (a lease): a
    crashed worker's claim simply expires and the delivery is due again.
    """

    webhook = models.ForeignKey(Webhook, verbose_name=_("webhook"), on_delete=models.CASCADE, related_name="deliveries")
    kind = models.CharField(_("kind"), max_length=20, choices=DELIVERY_KINDS)
    order = models.ForeignKey(
        "orders.Order",
        verbose_name=_("after-sales order"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    event = models.JSONField(_("event"))
    state = models.CharField(_("state"), max_length=20, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True, default=timezone.now)
    first_attempt_at = models.DateTimeField(_("first attempt at"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    claim_token = models.CharField(max_length=32, blank=True, editable=False)
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                name="delivery_due_idx",
                condition=Q(state="pending"),
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=DeliveryState.values), name="delivery_state_valid"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} → {self.webhook_id}"


class DeliveryAttempt(models.Model):
    """One HTTP request of a delivery and what came of it."""

    delivery = models.ForeignKey(
        Delivery, verbose_name=_("webhook delivery"), on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("time"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))
    http_status = models.PositiveIntegerField(_("HTTP status"), null=True, blank=True)
    ok = models.BooleanField(_("succeeded"))
    error = models.TextField(_("error"), blank=True)
    response = models.TextField(_("response (excerpt)"), blank=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["delivery", "number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="delivery_attempt_unique")]

    def __str__(self) -> str:
        return f"{self.delivery_id}/{self.number}"


class PeriodicJob(models.Model):
    """A job the worker runs every `interval_seconds` (the overdue sweep, the delivery sweep).

    One chain of tasks per job: each run enqueues the next one (`run_after`) and carries the
    chain's `token`; a task of an older chain finds another token and stops. `running_until` is
    the lease that keeps two runs of a job from overlapping.
    """

    name = models.CharField(_("name"), max_length=50, unique=True)
    interval_seconds = models.PositiveIntegerField(_("interval (seconds)"))
    token = models.CharField(max_length=32, editable=False)
    next_run_at = models.DateTimeField(_("next run at"), null=True, blank=True)
    running_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_started_at = models.DateTimeField(_("last started at"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("last finished at"), null=True, blank=True)
    last_result = models.TextField(_("last result"), blank=True)

    class Meta:
        verbose_name = _("periodic job")
        verbose_name_plural = _("periodic jobs")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
