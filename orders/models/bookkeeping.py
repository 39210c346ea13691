"""The service's own bookkeeping: live-order totals, serial number counters, idempotency keys."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders.workflow import Status, WorkflowStatus


class OrderCount(models.Model):
    """How many live (not soft-deleted) orders are in each (status, workflow status) pair, kept in
    step by `orders.counters` in the transaction of every move."""

    status = models.CharField(max_length=20, choices=Status.choices)
    workflow_status = models.CharField(max_length=20, choices=WorkflowStatus.choices)
    live = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["status", "workflow_status"], name="order_count_unique")]

    def __str__(self) -> str:
        return f"{self.status}/{self.workflow_status}: {self.live}"


class SerialCounter(models.Model):
    """The last number handed out per prefix and local day; locked while a number is taken."""

    prefix = models.CharField(max_length=4)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "day"], name="serial_counter_unique")]

    def __str__(self) -> str:
        return f"{self.prefix}{self.day:%Y%m%d}:{self.last}"


class IdempotencyKey(models.Model):
    """A client's `Idempotency-Key` for a create or update, with the response it produced.

    A retry with the same key and body gets the stored response instead of a second write.
    """

    class State(models.TextChoices):
        RUNNING = "running", _("running")
        DONE = "done", _("done")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # sha256 of method, path and body
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.TextField(blank=True)
    # Instead of a body too large to keep: the order the response showed.
    resource_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique")]

    def __str__(self) -> str:
        return self.key
