"""After-sales orders, their nested records, the journal, option lists and serial counters.

Models hold data, database constraints and the FSM transition methods (which only set fields);
every write goes through `orders.services`.
"""

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
from orders.workflow import Operation, Status, WorkflowStatus

MAX_TEXT = 5000
MAX_NAME = 100
MAX_NOTE = 1000  # an abnormal product's or a follow-up's remark

# How many records one order holds at most: bounds what one order (and one list page) can cost.
MAX_ABNORMAL_PRODUCTS = 100
MAX_DEDUCTIONS = 50
MAX_TRACKS = 200
MAX_ATTACHMENTS = 50


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
        # the person filters) have their foreign-key indexes; serial_number its unique one.
        indexes = [
            models.Index(fields=["-updated_at", "-id"], name="order_recent_idx"),
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


class AbnormalProduct(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="abnormal_products")
    product = models.ForeignKey("products.Product", verbose_name=_("product"), on_delete=models.PROTECT)
    sku_code = models.CharField(_("SKU code"), max_length=64)
    remark = models.TextField(_("abnormality description"), max_length=MAX_NOTE, blank=True)
    product_item_name = models.CharField(_("product item name"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("abnormal product")
        verbose_name_plural = _("abnormal products")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.sku_code


class DutyReport(models.Model):
    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="duty_report")
    abnormal_type = models.CharField(_("abnormality type"), max_length=MAX_NAME, blank=True)
    abnormal_reason = models.CharField(_("cause of responsibility"), max_length=MAX_NAME, blank=True)
    publishment = models.CharField(_("penalty"), max_length=MAX_NAME, blank=True)
    publish_to = models.CharField(_("responsible party"), max_length=MAX_NAME, blank=True)
    compensation = models.DecimalField(_("compensation"), max_digits=12, decimal_places=2, null=True, blank=True)
    duty_to = models.CharField(_("responsible unit"), max_length=MAX_NAME, blank=True)
    duty_to_supplier = models.ForeignKey(
        "suppliers.Supplier",
        verbose_name=_("responsible supplier"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    duty_date = models.DateField(_("duty decided on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("duty report")
        verbose_name_plural = _("duty reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(compensation__isnull=True) | Q(compensation__gte=0), name="duty_report_compensation_gte_0"
            )
        ]

    def __str__(self) -> str:
        return f"{self.order} {self.duty_to}"


class Track(models.Model):
    """A follow-up note (append only)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="tracks")
    remark = models.TextField(_("follow-up note"), max_length=MAX_NOTE)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("operator"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    operator_name = models.CharField(_("operator name"), max_length=MAX_NAME, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.remark[:40]


class Deduction(models.Model):
    """A charge-back line (扣款单明细)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="deductions")
    compensation = models.DecimalField(_("penalty amount"), max_digits=12, decimal_places=2)
    has_receipt = models.BooleanField(_("invoiced"), default=False)
    remark = models.TextField(_("remark"), max_length=MAX_TEXT, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("deduction")
        verbose_name_plural = _("deductions")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(compensation__gte=0), name="deduction_compensation_gte_0")]

    def __str__(self) -> str:
        return f"{self.compensation}"


class Attachment(models.Model):
    """A photo or document proving the claim (evidence), optionally tied to one abnormal product
    line. The file itself lives in `STORAGES["attachments"]` (orders/uploads.py); the row keeps
    what it is and where it went. A soft-deleted order keeps its attachments and their files."""

    # The unique (order, sha256) index leads with order_id: it serves the order's lookups.
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="attachments", db_index=False
    )
    # Removing the line keeps the evidence on the order.
    abnormal_product = models.ForeignKey(
        AbnormalProduct,
        verbose_name=_("abnormal product"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attachments",
    )
    file_name = models.CharField(_("stored file"), max_length=255, editable=False)
    thumbnail_name = models.CharField(_("stored thumbnail"), max_length=255, blank=True, editable=False)
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("file type"), max_length=50)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField("SHA-256", max_length=64)
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    remark = models.TextField(_("remark"), max_length=MAX_TEXT, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    # The uploader's display name when uploading: the output and the journal show it, no join.
    uploaded_by_name = models.CharField(_("uploader name"), max_length=MAX_NAME)
    # Deleting is the uploader's, while the order is still at this status.
    status = models.CharField(_("order status when added"), max_length=20, choices=Status.choices)
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["order", "sha256"], name="attachment_order_sha256_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def stored_names(self) -> tuple[str, ...]:
        """The storage names of the file and its thumbnail."""
        return (self.file_name, self.thumbnail_name) if self.thumbnail_name else (self.file_name,)


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


class OptionCategory(models.TextChoices):
    ORDER_TYPE = "ordertype", _("order type")
    TYPE = "typerank", _("abnormality type")
    REASON = "reasonrank", _("cause of responsibility")
    DUTY = "dutyrank", _("responsible party")
    COMPENSATION = "compensationrank", _("compensation")
    PUBLISHMENT = "publishmentrank", _("penalty")


# The duty-report field each option list feeds (`compensationrank` only suggests amounts;
# `ordertype` feeds the order's `type`).
DUTY_REPORT_OPTION_FIELDS: dict[str, str] = {
    "abnormal_type": OptionCategory.TYPE,
    "abnormal_reason": OptionCategory.REASON,
    "publish_to": OptionCategory.DUTY,
    "publishment": OptionCategory.PUBLISHMENT,
}


class OptionValue(models.Model):
    """A value of a duty-report dropdown, managed in the admin."""

    category = models.CharField(_("list"), max_length=20, choices=OptionCategory.choices)
    value = models.CharField(_("value"), max_length=MAX_NAME)
    position = models.PositiveIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("option value")
        verbose_name_plural = _("option values")
        ordering = ["category", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["category", "value"], name="option_value_unique")]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.value}"


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
