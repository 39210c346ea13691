"""The after-sales order (售后单) and its state machine: transitions only set fields; services save."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from orders import workflow
from orders.models.limits import MAX_NAME, MAX_TEXT
from orders.workflow import Operation, Status, WorkflowStatus


class Reason(models.TextChoices):
    """The order's abnormality reason; also served as `dutyreports/abnormalrank`."""

    FINISHED = "成品", _("finished goods")
    MATERIAL = "材料", _("materials")
    OTHER = "其它", _("other")


def _actionable(order: Order) -> bool:
    return order.workflow_status in workflow.ACTIONABLE


def _chain_transition(field: FSMField, operation: str, body: Callable[..., None]) -> Callable[..., None]:
    """One transition method with a `source → target` pair for every step of `workflow.STEPS`."""

    def permission(order: Order, user: Any) -> bool:
        return workflow.may_apply(order, user, operation)

    method = body
    for step in workflow.STEPS:
        target = step.done if operation == Operation.DONE else step.reject
        if step.actors and target is not None:
            method = transition(
                field=field, source=step.status, target=target, conditions=[_actionable], permission=permission
            )(method)
    return method


def _workflow_permission(order: Order, user: Any) -> bool:
    return workflow.is_one_of(order, user, workflow.WORKFLOW_OPERATORS)


class OrderQuerySet(models.QuerySet):
    def alive(self) -> OrderQuerySet:
        return self.filter(is_deleted=False)


class Order(ConcurrentTransitionMixin, models.Model):
    """A supplier quality claim (售后单)."""

    serial_number = models.CharField(_("serial number"), max_length=20, unique=True, editable=False)
    charge_number = models.CharField(
        _("charge number"), max_length=20, unique=True, null=True, blank=True, editable=False
    )
    type = models.CharField(_("order type"), max_length=MAX_NAME)
    customer = models.ForeignKey(
        "suppliers.Supplier",
        verbose_name=_("defendant supplier"),
        on_delete=models.PROTECT,
        related_name="claims_against",
    )
    customer_name = models.CharField(_("defendant supplier name"), max_length=MAX_NAME)
    accuser = models.ForeignKey(
        "suppliers.Supplier",
        verbose_name=_("plaintiff supplier"),
        on_delete=models.PROTECT,
        related_name="claims_filed",
    )
    accuser_name = models.CharField(_("plaintiff supplier name"), max_length=MAX_NAME)
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("creator"), on_delete=models.PROTECT, related_name="created_orders"
    )
    creator_name = models.CharField(_("creator name"), max_length=MAX_NAME)
    saler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("after-sales specialist"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_orders",
    )
    saler_name = models.CharField(_("specialist name"), max_length=MAX_NAME, blank=True)
    status = FSMField(_("status"), max_length=20, choices=Status.choices, default=Status.CREATED, protected=True)
    workflow_status = FSMField(
        _("workflow status"),
        max_length=20,
        choices=WorkflowStatus.choices,
        default=WorkflowStatus.IN_PROGRESS,
        protected=True,
    )
    # When the current step started: the clock of the overdue sweep (reset by every move).
    step_started_at = models.DateTimeField(_("step started at"), default=timezone.now, editable=False)
    summitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    remark = models.TextField(_("abnormality description"), max_length=MAX_TEXT)
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    # The remark of the latest reject (kept with the order so lists need no journal query).
    last_reject_reason = models.TextField(_("last reject reason"), max_length=MAX_TEXT, blank=True, editable=False)
    # sha256 of the create request's body: a retried identical create is answered with this order.
    create_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    is_deleted = models.BooleanField(_("deleted"), default=False, editable=False)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Kept by the attachment services under the row lock: the admin's changelist shows it and a
    # list page reads attachments only for orders that have some, without a query per order.
    # The database default lets the previous release insert orders while the migration is live.
    attachment_count = models.PositiveSmallIntegerField(_("attachments"), default=0, db_default=0, editable=False)

    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("after-sales order")
        verbose_name_plural = _("after-sales orders")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(reason__in=Reason.values), name="order_reason_valid"),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="order_status_valid"),
            models.CheckConstraint(
                condition=Q(workflow_status__in=WorkflowStatus.values), name="order_workflow_status_valid"
            ),
        ]
        # The API's filters, each followed by its order (`-updated_at`, `-id`): a filtered first page
        # reads 20 index entries, no sort. Partial on live orders (every API read filters
        # `NOT is_deleted`), so its count is an index-only scan; the admin (which lists deleted
        # orders too) uses order_recent_idx. creator_id / saler_id (visibility, the username side of
        # the person filters) have their foreign-key indexes; serial_number its unique one;
        # created_at its own (the admin's date hierarchy: MIN/MAX and the date ranges).
        indexes = [
            models.Index(fields=["-updated_at", "-id"], name="order_recent_idx"),
            # The few soft-deleted orders: the admin's "deleted" filter lists and counts them.
            models.Index(fields=["-updated_at", "-id"], name="order_deleted_idx", condition=Q(is_deleted=True)),
            models.Index(
                fields=["status", "workflow_status", "-updated_at", "-id"],
                name="order_status_idx",
                condition=Q(is_deleted=False),
            ),
            models.Index(fields=["workflow_status", "step_started_at"], name="order_sla_idx"),
            *(
                models.Index(
                    fields=[field, "-updated_at", "-id"], name=f"order_{field}_idx", condition=Q(is_deleted=False)
                )
                for field in ("creator_name", "saler_name", "customer_name", "accuser_name")
            ),
            models.Index(
                fields=["creator", "create_fingerprint", "-created_at"],
                name="order_create_retry_idx",
                condition=~Q(create_fingerprint=""),
            ),
        ]

    def __str__(self) -> str:
        return self.serial_number or f"#{self.pk}"

    def _update_initial_state(self) -> None:
        # Django's deletion collector (PROTECT checks) loads orders with only their keys; reading a
        # deferred state field here would load the row again, whose __init__ reads it again
        # (RecursionError). Such partial instances are only read, never saved.
        if not {"status", "workflow_status"} & self.get_deferred_fields():
            super()._update_initial_state()

    # --- Transitions on `status` (they only set fields; services save and journal) ---------------
    @transition(field=status, source=Status.CREATED, target=Status.WAITING)
    def open(self) -> None:
        """created → waiting: applied by `order_create` right after the insert."""
        self.step_started_at = timezone.now()

    def _done(self) -> None:
        """One step forward. waiting → service_approving sets `summitted_at`;
        finance_reviewing → end also moves the workflow status to done. An overdue order is back
        in progress."""
        now = timezone.now()
        if self.workflow_status == WorkflowStatus.OVERDUE:
            self.catch_up()
        if self.status == workflow.SUBMIT_FROM:
            self.summitted_at = now
        if workflow.chain_target(self.status, Operation.DONE) == workflow.FINAL_STATUS:
            self.complete()
        self.step_started_at = now

    def _reject(self) -> None:
        """One step back; the reason goes to the journal and `last_reject_reason` (set by the
        service). An overdue order is back in progress."""
        if self.workflow_status == WorkflowStatus.OVERDUE:
            self.catch_up()
        self.step_started_at = timezone.now()

    done = _chain_transition(status, Operation.DONE, _done)
    reject = _chain_transition(status, Operation.REJECT, _reject)

    # --- Transitions on `workflow_status` ------------------------------------------------------------
    @transition(field=workflow_status, source=WorkflowStatus.IN_PROGRESS, target=WorkflowStatus.DONE)
    def complete(self) -> None:
        """in_progress → done: only as part of the last `done` of the chain."""

    @transition(
        field=workflow_status,
        source=WorkflowStatus.IN_PROGRESS,
        target=WorkflowStatus.HALT,
        permission=_workflow_permission,
    )
    def halt(self) -> None:
        """in_progress → halt."""

    @transition(
        field=workflow_status,
        source=[WorkflowStatus.HALT, WorkflowStatus.OVERDUE],
        target=WorkflowStatus.IN_PROGRESS,
        permission=_workflow_permission,
    )
    def resume(self) -> None:
        """halt/overdue → in_progress; the current step's SLA clock starts again."""
        self.step_started_at = timezone.now()

    @transition(
        field=workflow_status,
        source=[WorkflowStatus.IN_PROGRESS, WorkflowStatus.HALT, WorkflowStatus.OVERDUE],
        target=WorkflowStatus.CANCEL,
        permission=_workflow_permission,
    )
    def cancel(self) -> None:
        """in_progress/halt/overdue → cancel."""

    @transition(field=workflow_status, source=WorkflowStatus.IN_PROGRESS, target=WorkflowStatus.OVERDUE)
    def expire(self) -> None:
        """in_progress → overdue: applied by `manage.py mark_overdue` (the system)."""

    @transition(field=workflow_status, source=WorkflowStatus.OVERDUE, target=WorkflowStatus.IN_PROGRESS)
    def catch_up(self) -> None:
        """overdue → in_progress: only as part of a `done`/`reject` on the late step."""
