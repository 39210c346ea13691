"""The journal: the order's audit trail, append-only in the model, the queryset and the database."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders import workflow
from orders.models.limits import MAX_NAME, MAX_TEXT
from orders.models.order import Order
from orders.workflow import Status, WorkflowStatus


class JournalQuerySet(models.QuerySet):
    """Journal rows are never edited or deleted, not even in bulk."""

    def update(self, **kwargs: Any) -> int:
        raise TypeError("Journal rows are immutable.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("Journal rows are immutable.")


class Journal(models.Model):
    """The order's audit trail: one row per request that changed anything (its operation, or
    `edit`), written in the same transaction, never edited or deleted."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="journals")
    operation = models.CharField(_("operation"), max_length=20, choices=workflow.JournalOperation.choices)
    source = models.CharField(_("from status"), max_length=20, choices=Status.choices)
    target = models.CharField(_("to status"), max_length=20, choices=Status.choices)
    workflow_source = models.CharField(_("from workflow status"), max_length=20, choices=WorkflowStatus.choices)
    workflow_target = models.CharField(_("to workflow status"), max_length=20, choices=WorkflowStatus.choices)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("operator"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    operator_name = models.CharField(_("operator name"), max_length=MAX_NAME, blank=True)
    # The name an old client sent as the operator, when it is not the signed-in user's.
    on_behalf_of = models.CharField(_("on behalf of"), max_length=MAX_NAME, blank=True)
    remark = models.TextField(_("remark"), max_length=MAX_TEXT, blank=True)
    # What the request changed: [{"record", "id", "action", "fields": {wire field: [before, after]}}].
    changes = models.JSONField(_("changes"), default=list, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, editable=False)

    objects = JournalQuerySet.as_manager()

    class Meta:
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal")
        ordering = ["id"]
        indexes = [models.Index(fields=["order", "id"], name="journal_order_idx")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.operation} {self.source}→{self.target}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("Journal rows are immutable.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("Journal rows are immutable.")
