"""The sentences of notifications and webhook messages, written in the default language.

A notification is stored as text (it is read later, in any language the reader's client asks
for, but it was written once): every sentence is rendered under `settings.LANGUAGE_CODE`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notifications.models import Kind
from orders.workflow import Operation, Status, WorkflowStatus

# A reject reason can be 5,000 characters; a notification quotes its start.
MAX_REASON = 200


@dataclass(frozen=True)
class Event:
    """What happened to an order, as far as the sentences need it."""

    serial_number: str
    status: str  # the order's status after the event
    operation: str  # done / reject / cancel / overdue
    actor_name: str  # "" for the system
    remark: str = ""
    step_started_at: datetime | None = None


def wire_time(value: datetime) -> str:
    """A datetime as the API writes them: "YYYY-MM-DD HH:MM:SS" in TIME_ZONE."""
    return value.astimezone(timezone.get_default_timezone()).strftime("%Y-%m-%d %H:%M:%S")


def status_label(status: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(Status(status).label)


def workflow_status_label(workflow_status: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(WorkflowStatus(workflow_status).label)


def sentence(kind: str, event: Event, *, for_recipient: bool) -> str:
    """The sentence for `kind`; `for_recipient` addresses the reader ("awaits you") rather than a group."""
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "serial": event.serial_number,
            "status": str(Status(event.status).label),
            "actor": event.actor_name,
        }
        if kind == Kind.TODO:
            if event.operation == Operation.REJECT:
                values["by"] = _("rejected by %(actor)s") % values
            else:
                values["by"] = _("submitted by %(actor)s") % values
            if for_recipient:
                return _("Order %(serial)s awaits you: %(status)s (%(by)s)") % values
            return _("Order %(serial)s awaits action: %(status)s (%(by)s)") % values
        if kind == Kind.REJECTED:
            reason = event.remark.strip()
            values["reason"] = reason if len(reason) <= MAX_REASON else reason[: MAX_REASON - 1] + "…"
            return _("Order %(serial)s was rejected by %(actor)s back to %(status)s: %(reason)s") % values
        if kind == Kind.FINISHED:
            return _("Order %(serial)s is finished: %(status)s (%(actor)s)") % values
        if kind == Kind.CANCELLED:
            return _("Order %(serial)s was cancelled by %(actor)s") % values
        if kind == Kind.OVERDUE:
            started = event.step_started_at
            values["since"] = timezone.localtime(started).strftime("%Y-%m-%d %H:%M") if started else "?"
            return _("Order %(serial)s is overdue: %(status)s since %(since)s") % values
        raise ValueError(f"unknown notification kind {kind!r}")


def ping_sentence(webhook_name: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("Test message from the after-sales service to webhook “%(name)s”.") % {"name": webhook_name}
