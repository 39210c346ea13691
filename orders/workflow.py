"""The approval chain of an after-sales order: the one table of steps and who acts at each, the
table of who may change which content at which step, and the guards on `done`.

    created ─(system)→ waiting ─done→ service_approving ─done→ service_approved
      ─done→ manager_reviewing ─done→ manager_reviewed ─done→ chief_reviewing
      ─done→ chief_reviewed ─done→ finance_reviewing ─done→ end (workflow: done)

`reject` moves one step back (not from `waiting`). `done`/`reject` need the workflow to be
`in_progress` or `overdue` (acting on an overdue order puts it back in progress); `halt`,
`resume` and `cancel` move the workflow status instead.

The model's transition methods, the services, the API's `operations` field, the admin's buttons
and inlines all read `STEPS`, `EDIT_TABLE` and the predicates below; changing who does what is an
edit to this file. It imports nothing from services or views.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from orders.models import Order


class Status(models.TextChoices):
    CREATED = "created", _("created")
    WAITING = "waiting", _("waiting for submission")
    SERVICE_APPROVING = "service_approving", _("awaiting specialist review")
    SERVICE_APPROVED = "service_approved", _("specialist reviewed")
    MANAGER_REVIEWING = "manager_reviewing", _("awaiting manager approval")
    MANAGER_REVIEWED = "manager_reviewed", _("manager approved")
    CHIEF_REVIEWING = "chief_reviewing", _("awaiting chief approval")
    CHIEF_REVIEWED = "chief_reviewed", _("chief approved")
    FINANCE_REVIEWING = "finance_reviewing", _("awaiting finance approval")
    END = "end", _("finance approved (end)")


class WorkflowStatus(models.TextChoices):
    HALT = "halt", _("halted")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")
    CANCEL = "cancel", _("cancelled")
    OVERDUE = "overdue", _("overdue")


# The workflow statuses in which the chain moves and content may change (overdue flags a late
# step, it does not block it).
ACTIONABLE = frozenset({WorkflowStatus.IN_PROGRESS, WorkflowStatus.OVERDUE})


class Operation(models.TextChoices):
    """What a user asks for in `PUT orders/<id>` (`operation`)."""

    DONE = "done", _("done (next step)")
    REJECT = "reject", _("reject (previous step)")
    HALT = "halt", _("halt")
    RESUME = "resume", _("resume")
    CANCEL = "cancel", _("cancel")


# What the journal records: every user operation, plus the events that are not operations.
JournalOperation = models.TextChoices(
    "JournalOperation",
    [
        ("CREATE", ("create", _("create"))),
        *((op.name, (op.value, op.label)) for op in Operation),
        ("EDIT", ("edit", _("edit"))),
        ("OVERDUE", ("overdue", _("overdue"))),
        ("DELETE", ("delete", _("delete"))),
    ],
)


# Role groups, created by a data migration (orders/migrations/0002_roles_and_options.py).
SERVICE, MANAGER, CHIEF, FINANCE = "service", "manager", "chief", "finance"
ROLES: tuple[str, ...] = (SERVICE, MANAGER, CHIEF, FINANCE)
ROLE_LABELS = {SERVICE: _("after-sales specialist"), MANAGER: _("manager"), CHIEF: _("chief"), FINANCE: _("finance")}
# Not a group: the user who created the order.
CREATOR = "creator"
ACTOR_LABELS = {**ROLE_LABELS, CREATOR: _("the order's creator")}


@dataclass(frozen=True)
class Step:
    status: str
    actors: frozenset[str]  # role names and/or CREATOR; empty: only the system acts
    done: str | None  # target of `done`
    reject: str | None  # target of `reject`


def _step(status: str, actors: set[str], done: str | None, reject: str | None) -> Step:
    return Step(status, frozenset(actors), done, reject)


S = Status
STEPS: tuple[Step, ...] = (
    _step(S.CREATED, set(), done=S.WAITING, reject=None),  # applied by order_create
    _step(S.WAITING, {CREATOR, SERVICE}, done=S.SERVICE_APPROVING, reject=None),
    _step(S.SERVICE_APPROVING, {SERVICE}, done=S.SERVICE_APPROVED, reject=S.WAITING),
    _step(S.SERVICE_APPROVED, {SERVICE}, done=S.MANAGER_REVIEWING, reject=S.SERVICE_APPROVING),
    _step(S.MANAGER_REVIEWING, {MANAGER}, done=S.MANAGER_REVIEWED, reject=S.SERVICE_APPROVED),
    _step(S.MANAGER_REVIEWED, {MANAGER}, done=S.CHIEF_REVIEWING, reject=S.MANAGER_REVIEWING),
    _step(S.CHIEF_REVIEWING, {CHIEF}, done=S.CHIEF_REVIEWED, reject=S.MANAGER_REVIEWED),
    _step(S.CHIEF_REVIEWED, {CHIEF}, done=S.FINANCE_REVIEWING, reject=S.CHIEF_REVIEWING),
    _step(S.FINANCE_REVIEWING, {FINANCE}, done=S.END, reject=S.CHIEF_REVIEWED),
    _step(S.END, set(), done=None, reject=None),
)
STEP_BY_STATUS: dict[str, Step] = {step.status: step for step in STEPS}

# The step whose `done` is the submission (sets `summitted_at`) and the one that ends the chain.
SUBMIT_FROM = S.WAITING
FINAL_STATUS = S.END

# Workflow-status operations: source statuses → target.
WORKFLOW_MOVES: dict[str, tuple[tuple[str, ...], str]] = {
    Operation.HALT: ((WorkflowStatus.IN_PROGRESS,), WorkflowStatus.HALT),
    Operation.RESUME: ((WorkflowStatus.HALT, WorkflowStatus.OVERDUE), WorkflowStatus.IN_PROGRESS),
    Operation.CANCEL: (
        (WorkflowStatus.IN_PROGRESS, WorkflowStatus.HALT, WorkflowStatus.OVERDUE),
        WorkflowStatus.CANCEL,
    ),
}

# Who may apply halt/resume/cancel, and who may delete (while `created`/`waiting` and in progress).
WORKFLOW_OPERATORS = frozenset({CREATOR, *ROLES})
DELETABLE_STATUSES = frozenset({S.CREATED, S.WAITING})
DELETERS = frozenset({CREATOR, SERVICE})


# --- Who may change which content, at which status (superusers always may) ----------------------
class Content(models.TextChoices):
    """The parts of an order that are written separately, each owned by its steps."""

    HEADER = "header", _("the order's header fields")
    ABNORMAL_PRODUCTS = "abnormal_products", _("the abnormal products")
    DUTY_REPORT = "duty_report", _("the duty report")
    DEDUCTIONS = "deductions", _("the deductions")
    ATTACHMENTS = "attachments", _("the attachments")
    TRACKS = "tracks", _("the follow-up notes")


def _table(*pairs: tuple[str, set[str]]) -> dict[str, frozenset[str]]:
    return {status: frozenset(actors) for status, actors in pairs}


_CLAIM = _table((S.WAITING, {CREATOR, SERVICE}), (S.SERVICE_APPROVING, {SERVICE}))
_OPEN = [step for step in STEPS if step.actors]  # waiting … finance_reviewing: before `end`
EDIT_TABLE: dict[str, dict[str, frozenset[str]]] = {
    Content.HEADER: _CLAIM,
    Content.ABNORMAL_PRODUCTS: _CLAIM,
    Content.DUTY_REPORT: _table(
        (S.SERVICE_APPROVING, {SERVICE}), (S.SERVICE_APPROVED, {SERVICE}), (S.MANAGER_REVIEWING, {MANAGER})
    ),
    Content.DEDUCTIONS: _table((S.SERVICE_APPROVED, {SERVICE}), (S.FINANCE_REVIEWING, {FINANCE})),
    # Evidence is added by whoever acts at the step (deleting it is the uploader's, at that step).
    Content.ATTACHMENTS: {step.status: step.actors for step in _OPEN},
    Content.TRACKS: {step.status: frozenset({CREATOR, *ROLES}) for step in _OPEN},
}


# --- Who the user is -------------------------------------------------------------------------------
def user_roles(user: Any) -> frozenset[str]:
    """The user's role groups, read once per user object (cached on it)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_afterservice_roles", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        user._afterservice_roles = cached
    return cached


def remember_roles(user: Any, roles: frozenset[str]) -> None:
    """Sets the roles `user_roles` returns for this user object, when the caller read them already
    (the token authentication reads them in the token's query)."""
    user._afterservice_roles = roles


def has_any_role(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False) or user_roles(user))


def is_one_of(order: Order, user: Any, actors: frozenset[str]) -> bool:
    """Is `user` one of `actors` for this order (superusers always are)?"""
    if getattr(user, "is_superuser", False):
        return True
    if CREATOR in actors and order.creator_id is not None and order.creator_id == getattr(user, "pk", None):
        return True
    return bool(actors & user_roles(user))


# --- Guards ----------------------------------------------------------------------------------------
def chain_target(status: str, operation: str) -> str | None:
    step = STEP_BY_STATUS[status]
    return step.done if operation == Operation.DONE else step.reject


def state_allows(order: Order, operation: str) -> bool:
    """Does the order's state (ignoring who asks) allow `operation`?"""
    if operation in (Operation.DONE, Operation.REJECT):
        step = STEP_BY_STATUS[order.status]
        return (
            order.workflow_status in ACTIONABLE
            and bool(step.actors)
            and chain_target(order.status, operation) is not None
        )
    sources, _target = WORKFLOW_MOVES[operation]
    return order.workflow_status in sources


def may_apply(order: Order, user: Any, operation: str) -> bool:
    """Is `user` among those who act for `operation` at the order's current state?"""
    if operation in (Operation.DONE, Operation.REJECT):
        return is_one_of(order, user, STEP_BY_STATUS[order.status].actors)
    return is_one_of(order, user, WORKFLOW_OPERATORS)


def operations_for(order: Order, user: Any) -> list[str]:
    """The operations `user` may apply to `order` now, in a stable order (no queries).

    They depend only on the order's two statuses and whether the user created it, so they are
    remembered on the user object (one request's) for each such combination: a list page asks
    for 20-100 orders that share a handful of them.
    """
    is_creator = order.creator_id is not None and order.creator_id == getattr(user, "pk", None)
    key = (order.status, order.workflow_status, is_creator)
    memo = getattr(user, "_afterservice_operations", None)
    if memo is None:
        memo = {}
        if user is not None:
            user._afterservice_operations = memo
    if key not in memo:
        memo[key] = tuple(op.value for op in Operation if state_allows(order, op) and may_apply(order, user, op))
    return list(memo[key])


def todo_statuses(user: Any) -> tuple[frozenset[str], frozenset[str]]:
    """Where `user` may apply `done` (in progress or overdue): the statuses where one of their roles
    acts (every acting status for a superuser), and the further ones where they act as the creator
    of the order. The to-do queue is these, as SQL (`orders.filters.todo_filter`)."""
    acting = [step for step in STEPS if step.actors and step.done is not None]
    if getattr(user, "is_superuser", False):
        return frozenset(step.status for step in acting), frozenset()
    roles = user_roles(user)
    by_role = frozenset(step.status for step in acting if step.actors & roles)
    as_creator = frozenset(step.status for step in acting if CREATOR in step.actors) - by_role
    return by_role, as_creator


def actors_label(actors: frozenset[str]) -> str:
    """Who `actors` are, in words ("售后专员、负责人"; "the order's creator" for CREATOR)."""
    ordered = [actor for actor in (CREATOR, *ROLES) if actor in actors]
    return "、".join(str(ACTOR_LABELS[actor]) for actor in ordered)


# --- Who may change content now -------------------------------------------------------------------
def editors(order: Order, content: str) -> frozenset[str] | None:
    """Who may change `content` of the order now; None when nobody may (not even a superuser)."""
    if order.workflow_status not in ACTIONABLE:
        return None
    return EDIT_TABLE[content].get(order.status)


def may_edit(order: Order, user: Any, content: str) -> bool:
    actors = editors(order, content)
    return actors is not None and is_one_of(order, user, actors)


def attachment_removable(order: Order, added_status: str) -> bool:
    """May anyone remove a file added while the order was at `added_status`? Only while the order
    is at that status again and in progress (or overdue): evidence an approved step relied on stays."""
    return order.workflow_status in ACTIONABLE and order.status == added_status


def may_remove_attachment(order: Order, user: Any, *, added_status: str, uploader_id: int | None) -> bool:
    """`attachment_removable`, and `user` uploaded it (superusers pass the who check)."""
    if not attachment_removable(order, added_status):
        return False
    return bool(getattr(user, "is_superuser", False)) or (uploader_id is not None and uploader_id == user.pk)


def deletable(order: Order) -> bool:
    return order.workflow_status == WorkflowStatus.IN_PROGRESS and order.status in DELETABLE_STATUSES


def sla_hours() -> int:
    """How long a step may take before it is overdue (`AFTERSERVICE_STEP_SLA_HOURS`, default 72)."""
    return settings.AFTERSERVICE_STEP_SLA_HOURS


def overdue_cutoff(*, now: datetime | None = None, hours: int | None = None) -> datetime:
    """A step that started before this moment is late."""
    return (now or timezone.now()) - timedelta(hours=sla_hours() if hours is None else hours)


# --- Guards on `done`: what a step needs before the order may leave it -----------------------------
def done_blocker(order: Order) -> str | None:
    """What is missing before `done` may move the order on from its status, in words; None if
    nothing is (reads the order's records: call it on the locked order)."""
    from orders.models import Reason  # models import this module

    if order.status == S.WAITING and order.reason in (Reason.FINISHED, Reason.MATERIAL):
        if not order.abnormal_products.exists():
            return gettext("Add at least one abnormal product before submitting a %(reason)s claim.") % {
                "reason": order.get_reason_display()
            }
    elif order.status == S.SERVICE_APPROVED:
        if not type(order).objects.filter(pk=order.pk, duty_report__isnull=False).exists():
            return gettext("Write the duty report before passing the order to the manager.")
    elif order.status == S.FINANCE_REVIEWING:
        report = order.duty_report if hasattr(order, "duty_report") else None
        compensation = report.compensation if report is not None else None
        if compensation:
            deducted = order.deductions.aggregate(total=Sum("compensation"))["total"] or Decimal("0")
            if deducted != compensation:
                return gettext(
                    "The deductions add up to %(deducted)s but the duty report's compensation is %(due)s; "
                    "they must be equal before finance approves."
                ) % {"deducted": f"{deducted:.2f}", "due": f"{compensation:.2f}"}
    return None
