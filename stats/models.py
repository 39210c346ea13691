"""What the statistics read, all derived from the orders and their journal: a narrow copy of each live
order's figures, each completed stay of an order in a status, those stays counted per month, status
and length, and pre-counted totals — orders and money per group and per day, stays per length by
the order's current state. Kept by `stats.services.order_figures_refresh` in the transaction of
every order write; rebuilt whole by `stats.services.figures_rebuild`.

Why: at 1M orders, counting claims per group with their money joins every order with its duty report
and deductions (~3 s on PostgreSQL; ~0.8 s even against one row of money per order), and the time per
step pairs each journal move with the order's next one (a window over ~7M journal rows) and ranks 7M
stays (2-3 s even from a table of stays). Even the narrow tables grow with the history (a scan of
the figures ~0.3 s at 1M orders); the pre-counted totals keep the common requests (no filter, a
status, a date range) within 2× of their 10k time at 1M. docs/statistics.md has the measurements.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from orders.models import MAX_NAME, Order, Reason
from orders.workflow import Status, WorkflowStatus

# What `GET stats/orders` may group by: the month the order was filed (local time) or a column.
GROUP_BY = ("month", "customer_name", "accuser_name", "type", "reason", "abnormal_type", "status")
# Open claims: still moving, late, or halted — so that orders = in_progress + finished + cancelled.
OPEN_WORKFLOW = (WorkflowStatus.IN_PROGRESS, WorkflowStatus.OVERDUE, WorkflowStatus.HALT)


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
        # Covering: the months of a date range in an index-only scan.
        indexes = [models.Index(fields=["month"], include=["status", "tenths", "stays"], name="stats_staymonth_idx")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.status} {self.tenths / 10}h ×{self.stays}"


class GroupCount(models.Model):
    """Live orders and their money per group of `GET stats/orders` (`kind`: one of GROUP_BY; `key`:
    the group's value, a month as "YYYY-MM") and the orders' current status and workflow status:
    the statistics of every live order, or of some statuses, from a few thousand rows at any number
    of orders."""

    kind = models.CharField(_("group by"), max_length=20)
    key = models.CharField(_("group"), max_length=MAX_NAME)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    workflow_status = models.CharField(_("workflow status"), max_length=20, choices=WorkflowStatus.choices)
    orders = models.IntegerField(_("orders"))
    compensation = models.DecimalField(_("compensation"), max_digits=16, decimal_places=2)
    deducted = models.DecimalField(_("deductions total"), max_digits=16, decimal_places=2)

    class Meta:
        verbose_name = _("orders per group")
        verbose_name_plural = _("orders per group")
        constraints = [
            models.UniqueConstraint(fields=["kind", "key", "status", "workflow_status"], name="stats_groupcount_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind}={self.key} {self.status}/{self.workflow_status} ×{self.orders}"


class GroupTotal(models.Model):
    """Live orders per group of `GET stats/orders` (as GroupCount) with their outcome and money, all
    states together: the statistics of every live order from one row per group."""

    kind = models.CharField(_("group by"), max_length=20)
    key = models.CharField(_("group"), max_length=MAX_NAME)
    orders = models.IntegerField(_("orders"))
    in_progress = models.IntegerField(_("in progress"))
    finished = models.IntegerField(_("finished"))
    cancelled = models.IntegerField(_("cancelled"))
    compensation = models.DecimalField(_("compensation"), max_digits=16, decimal_places=2)
    deducted = models.DecimalField(_("deductions total"), max_digits=16, decimal_places=2)

    class Meta:
        verbose_name = _("orders per group in total")
        verbose_name_plural = _("orders per group in total")
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="stats_grouptotal_unique")]

    def __str__(self) -> str:
        return f"{self.kind}={self.key} ×{self.orders}"


class DayCount(models.Model):
    """Live orders and their money per local day filed and current state: claims per month or per
    status over any date range from one row per day and state."""

    day = models.DateField(_("day"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    workflow_status = models.CharField(_("workflow status"), max_length=20, choices=WorkflowStatus.choices)
    orders = models.IntegerField(_("orders"))
    compensation = models.DecimalField(_("compensation"), max_digits=16, decimal_places=2)
    deducted = models.DecimalField(_("deductions total"), max_digits=16, decimal_places=2)

    class Meta:
        verbose_name = _("orders per day")
        verbose_name_plural = _("orders per day")
        constraints = [
            models.UniqueConstraint(fields=["day", "status", "workflow_status"], name="stats_daycount_unique")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.status}/{self.workflow_status} ×{self.orders}"


class StayTotal(models.Model):
    """How many completed stays of live orders in `status` lasted `tenths`: the cycle times of every
    order from one histogram (a few thousand rows, however long the history)."""

    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    tenths = models.IntegerField(_("length (0.1 h)"))
    stays = models.IntegerField(_("stays"))

    class Meta:
        verbose_name = _("stays in total")
        verbose_name_plural = _("stays in total")
        constraints = [models.UniqueConstraint(fields=["status", "tenths"], name="stats_staytotal_unique")]

    def __str__(self) -> str:
        return f"{self.status} {self.tenths / 10}h ×{self.stays}"


class StayCount(models.Model):
    """How many completed stays in `status` lasted `tenths` (a `length_bucket`), counted by the
    current state of their order (`order_status`, `order_workflow_status`): the cycle times of every
    live order, or of the orders in a status, without reading their stays."""

    order_status = models.CharField(_("order status"), max_length=20, choices=Status.choices)
    order_workflow_status = models.CharField(_("order workflow status"), max_length=20, choices=WorkflowStatus.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    tenths = models.IntegerField(_("length (0.1 h)"))
    stays = models.IntegerField(_("stays"))

    class Meta:
        verbose_name = _("stays per order state")
        verbose_name_plural = _("stays per order state")
        constraints = [
            models.UniqueConstraint(
                fields=["order_status", "order_workflow_status", "status", "tenths"], name="stats_staycount_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.order_status}/{self.order_workflow_status}: {self.status} {self.tenths / 10}h ×{self.stays}"
