"""What the statistics read, all derived from the orders and their journal: a narrow copy of each live
order's figures, each completed stay of an order in a status, and those stays counted per month,
status and length. Kept by `stats.services.order_figures_refresh` in the transaction of every order
write; rebuilt whole by `stats.services.figures_rebuild`.

Why: at 1M orders, counting claims per group with their money joins every order with its duty report
and deductions (~3 s on PostgreSQL; ~0.8 s even against one row of money per order), and the time per
step pairs each journal move with the order's next one (a window over ~7M journal rows) and ranks 7M
stays (2-3 s even from a table of stays). docs/statistics.md has the measurements.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from orders.models import MAX_NAME, Order, Reason
from orders.workflow import Status, WorkflowStatus


class OrderFigures(models.Model):
    """One live order as the statistics group and sum it (soft-deleted orders have none)."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, primary_key=True, related_name="+")
    # The order's own `created_at` (the name lets the order filters' date range apply here too).
    created_at = models.DateTimeField(_("created at"))
    month = models.DateField(_("month"))  # the first day of created_at's month, in TIME_ZONE
    customer_name = models.CharField(_("defendant supplier name"), max_length=MAX_NAME)
    accuser_name = models.CharField(_("plaintiff supplier name"), max_length=MAX_NAME)
    type = models.CharField(_("order type"), max_length=MAX_NAME)
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    workflow_status = models.CharField(_("workflow status"), max_length=20, choices=WorkflowStatus.choices)
    abnormal_type = models.CharField(_("abnormality type"), max_length=MAX_NAME, blank=True)  # "": no duty report
    compensation = models.DecimalField(_("compensation"), max_digits=12, decimal_places=2)
    deducted = models.DecimalField(_("deductions total"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("order figures")
        verbose_name_plural = _("order figures")

    def __str__(self) -> str:
        return str(self.order_id)


class Stay(models.Model):
    """A completed stay of a live order in a status: entered by a journal row that moved the order
    there, left by the order's next such row."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="+", db_index=False)
    # The order's `created_at` (as in OrderFigures), not the stay's start.
    created_at = models.DateTimeField(_("created at"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    seconds = models.BigIntegerField(_("seconds"))

    class Meta:
        verbose_name = _("stay in a status")
        verbose_name_plural = _("stays in a status")
        # Covering (index-only scans on PostgreSQL): the stays of some orders, and of the orders filed
        # in the partial months at the ends of a date range.
        indexes = [
            models.Index(fields=["order"], include=["status", "seconds"], name="stats_stay_order_idx"),
            models.Index(fields=["created_at"], include=["status", "seconds"], name="stats_stay_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.status} {self.seconds}s"


def length_bucket(seconds: int) -> int:
    """A stay's length in tenths of an hour, rounded to 0.1 h below 100 h and to the hour above (the
    SQL of `stats.selectors` and `stats.services` computes the same with integer division)."""
    if seconds < 360_000:
        return (seconds + 180) // 360
    return 10 * ((seconds + 1800) // 3600)


class StayMonth(models.Model):
    """How many stays of the orders filed in `month` lasted `tenths` (a `length_bucket`) in `status`:
    the cycle times of whole months without reading every stay (about 10,000 rows a month at 1M
    orders, against 200,000 stays). A row is touched only when a stay of that exact length completes,
    so concurrent writes rarely meet on one."""

    month = models.DateField(_("month"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    tenths = models.IntegerField(_("length (0.1 h)"))
    stays = models.IntegerField(_("stays"))

    class Meta:
        verbose_name = _("stays per month")
        verbose_name_plural = _("stays per month")
        constraints = [models.UniqueConstraint(fields=["month", "status", "tenths"], name="stats_staymonth_unique")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.status} {self.tenths / 10}h ×{self.stays}"
