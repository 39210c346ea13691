"""Webhook deliveries: queue, claim, send, record, retry.

The path of a delivery:

1. `notify_*` writes the `Delivery` row in the transaction of the order's change and queues the
   `send_deliveries` task (`deliveries_enqueue`): with the database task backend the task row is
   part of the same transaction, so nothing is lost and nothing is sent for a rolled-back change.
2. The worker runs the task: `deliveries_dispatch` claims the due deliveries (a lease: a crashed
   worker's claim expires and the delivery is due again) and hands each to a sender thread,
   so a slow or dead endpoint holds one thread for at most the timeout and never the worker
   or another endpoint's delivery.
3. Each attempt is recorded (`DeliveryAttempt`); a failure schedules the next attempt by
   `RetrySchedule` and queues a task for then; after the schedule the delivery is `failed`.
4. The periodic delivery sweep (`periodic.py`) sends whatever is due and unclaimed, so a
   delivery whose task was lost (a crash, a lost Redis queue) is still delivered.

Nothing here sleeps: the clock (`now`), the schedule and the timeout are parameters, so tests
drive a delivery through its whole schedule in milliseconds.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import Q
from django.utils import timezone

from notifications import formats
from notifications.http import Reply, post
from notifications.models import DELIVERY_TEST, Delivery, DeliveryAttempt, DeliveryState

logger = logging.getLogger("afterservice.webhooks")

Clock = Callable[[], datetime]
# Due deliveries one claim takes at most; the rest wait for the next task or sweep.
CLAIM_BATCH = 100


@dataclass(frozen=True)
class RetrySchedule:
    """When to try again after a failed attempt: `delays` after the 1st, 2nd... failure, then
    every `then_every`, never later than `give_up_after` from the first attempt (a last attempt
    falls exactly there); after that the delivery has failed."""

    delays: tuple[timedelta, ...] = (
        timedelta(minutes=1),
        timedelta(minutes=5),
        timedelta(minutes=30),
        timedelta(hours=2),
    )
    then_every: timedelta = timedelta(hours=6)
    give_up_after: timedelta = timedelta(hours=24)

    def next_attempt(self, *, first_attempt_at: datetime, failures: int, now: datetime) -> datetime | None:
        """After `failures` failed attempts (the last one at `now`): the next attempt's time, or None."""
        delay = self.delays[failures - 1] if failures <= len(self.delays) else self.then_every
        deadline = first_attempt_at + self.give_up_after
        if now >= deadline:
            return None
        return min(now + delay, deadline)


DEFAULT_SCHEDULE = RetrySchedule()


@dataclass(frozen=True)
class Claim:
    """A delivery claimed for one attempt, with everything the attempt needs (no database access)."""

    delivery_id: int
    token: str
    format: str
    url: str
    secret: str
    event: dict[str, Any] = field(hash=False)


@dataclass(frozen=True)
class Outcome:
    delivery_id: int
    ok: bool
    status: int | None
    error: str


# --- Queueing -------------------------------------------------------------------------------------
def deliveries_enqueue(*, ids: Sequence[int], run_after: datetime | None = None) -> None:
    """Queues the task that sends these deliveries (at `run_after`, else now).

    With the database task backend the task row is written in the caller's transaction; with
    another backend (RQ) it is queued when that transaction commits, and a crash in between is
    covered by the delivery sweep.
    """
    # The task module imports this one (tasks call services), hence the import here.
    from notifications.tasks import enqueue_in_transaction, send_deliveries

    enqueue_in_transaction(send_deliveries, list(ids), run_after=run_after)


# --- Claiming -------------------------------------------------------------------------------------
def deliveries_claim(*, now: datetime, ids: Sequence[int] | None = None, lease: timedelta | None = None) -> list[Claim]:
    """Claims the due deliveries (of `ids`, or any) for one attempt each, until `now + lease`.

    Due: pending, its next attempt time reached, not claimed by a live lease. A delivery whose
    webhook was deactivated in the meantime is marked failed instead (test messages excepted:
    a webhook may be tried before it is switched on).
    """
    lease = lease or _lease()
    due = Delivery.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
        state=DeliveryState.PENDING,
        next_attempt_at__lte=now,
    )
    if ids is not None:
        due = due.filter(pk__in=list(ids))
    claims: list[Claim] = []
    with _writing(), transaction.atomic():
        due = due.order_by("next_attempt_at", "id").select_related("webhook")
        rows = list(due.select_for_update(skip_locked=True, of=("self",))[:CLAIM_BATCH])
        for delivery in rows:
            if not delivery.webhook.active and delivery.kind != DELIVERY_TEST:
                delivery.state, delivery.next_attempt_at = DeliveryState.FAILED, None
                delivery.last_error = "the webhook is inactive"
                delivery.save(update_fields=["state", "next_attempt_at", "last_error"])
                continue
            delivery.claim_token, delivery.claimed_until = uuid.uuid4().hex, now + lease
            delivery.save(update_fields=["claim_token", "claimed_until"])
            webhook = delivery.webhook
            claims.append(
                Claim(delivery.pk, delivery.claim_token, webhook.format, webhook.url, webhook.secret, delivery.event)
            )
    return claims


# --- Sending --------------------------------------------------------------------------------------
def attempt(claim: Claim, *, now: datetime, timeout: float) -> Reply:
    """One HTTP request for a claimed delivery (no database access)."""
    request = formats.build(
        format=claim.format,
        url=claim.url,
        secret=claim.secret,
        delivery_id=claim.delivery_id,
        event=claim.event,
        now=now,
    )
    return post(request, timeout=timeout)


def delivery_record(
    *, claim: Claim, reply: Reply, started_at: datetime, now: datetime, schedule: RetrySchedule = DEFAULT_SCHEDULE
) -> Outcome:
    """Records one attempt and moves the delivery on: delivered, due again later, or failed."""
    error = reply.error or formats.reply_error(claim.format, reply.status, reply.body)
    ok = not error
    with _writing(), transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=claim.delivery_id)
        delivery.attempts += 1
        DeliveryAttempt.objects.create(
            delivery=delivery,
            number=delivery.attempts,
            started_at=started_at,
            duration_ms=reply.duration_ms,
            http_status=reply.status,
            ok=ok,
            error=error,
            response=reply.body[:500].decode("utf-8", errors="replace"),
        )
        delivery.first_attempt_at = delivery.first_attempt_at or started_at
        delivery.last_attempt_at = started_at
        ours = delivery.claim_token == claim.token
        if ok:
            delivery.state, delivery.delivered_at, delivery.next_attempt_at = DeliveryState.DELIVERED, now, None
            delivery.last_error = ""
        elif ours and delivery.state == DeliveryState.PENDING:
            # Failures of an attempt whose claim was taken over (it outlived its lease) leave the
            # schedule to the newer attempt.
            delivery.last_error = error
            failures = DeliveryAttempt.objects.filter(delivery=delivery, ok=False).count()
            retry_at = schedule.next_attempt(first_attempt_at=delivery.first_attempt_at, failures=failures, now=now)
            if retry_at is None:
                delivery.state, delivery.next_attempt_at = DeliveryState.FAILED, None
            else:
                delivery.next_attempt_at = retry_at
                deliveries_enqueue(ids=[delivery.pk], run_after=retry_at)
        if ours:
            delivery.claim_token, delivery.claimed_until = "", None
        delivery.save()
    if not ok:
        logger.info("webhook delivery %s attempt %s failed: %s", delivery.pk, delivery.attempts, error)
    return Outcome(delivery.pk, ok, reply.status, error)


def deliveries_send(
    *,
    ids: Sequence[int] | None = None,
    now: Clock = timezone.now,
    schedule: RetrySchedule = DEFAULT_SCHEDULE,
    timeout: float | None = None,
) -> list[Outcome]:
    """Claims the due deliveries (of `ids`, or any), sends them in parallel threads (one slow
    endpoint delays no other), records each attempt and returns when all are done."""
    timeout = settings.AFTERSERVICE_WEBHOOK_TIMEOUT_S if timeout is None else timeout
    claims = deliveries_claim(now=now(), ids=ids)
    if not claims:
        return []
    started = {claim.delivery_id: now() for claim in claims}
    with ThreadPoolExecutor(max_workers=min(len(claims), settings.AFTERSERVICE_WEBHOOK_THREADS)) as pool:
        replies = list(pool.map(lambda claim: attempt(claim, now=started[claim.delivery_id], timeout=timeout), claims))
    return [
        delivery_record(claim=claim, reply=reply, started_at=started[claim.delivery_id], now=now(), schedule=schedule)
        for claim, reply in zip(claims, replies, strict=True)
    ]


def deliveries_dispatch(
    *,
    executor: Executor,
    ids: Sequence[int] | None = None,
    now: Clock = timezone.now,
    schedule: RetrySchedule = DEFAULT_SCHEDULE,
    timeout: float | None = None,
) -> list[Future[Outcome | None]]:
    """Claims the due deliveries (of `ids`, or any) and hands each to `executor` (the worker's
    long-lived sender threads), returning at once: the task that called it is done in
    milliseconds, so neither the worker nor another endpoint's delivery waits on a slow one.
    Each thread renews its claim, sends, records and closes its database connection."""
    timeout = settings.AFTERSERVICE_WEBHOOK_TIMEOUT_S if timeout is None else timeout
    return [
        executor.submit(_send_detached, claim, now, schedule, timeout) for claim in deliveries_claim(now=now(), ids=ids)
    ]


def _send_detached(claim: Claim, now: Clock, schedule: RetrySchedule, timeout: float) -> Outcome | None:
    """A sender thread's job: the claim may have waited in the queue, so it is renewed first."""
    try:
        started_at = now()
        with _writing():
            renewed = Delivery.objects.filter(
                pk=claim.delivery_id, claim_token=claim.token, state=DeliveryState.PENDING
            ).update(claimed_until=started_at + _lease())
        if not renewed:
            return None  # taken over by another claim, or settled meanwhile
        reply = attempt(claim, now=started_at, timeout=timeout)
        return delivery_record(claim=claim, reply=reply, started_at=started_at, now=now(), schedule=schedule)
    except Exception:
        # Logged, not raised: nobody waits on this future. The claim expires and the sweep retries.
        logger.exception("webhook delivery %s could not be sent", claim.delivery_id)
        return None
    finally:
        connections.close_all()


# --- Admin operations -----------------------------------------------------------------------------
@transaction.atomic
def deliveries_retry_now(*, ids: Sequence[int], now: datetime | None = None) -> int:
    """Makes the given deliveries due now (also failed ones: one more attempt each, then the
    schedule as before) and queues their sending. Delivered ones are left alone."""
    now = now or timezone.now()
    retried = list(
        Delivery.objects.filter(pk__in=list(ids)).exclude(state=DeliveryState.DELIVERED).values_list("pk", flat=True)
    )
    Delivery.objects.filter(pk__in=retried).update(
        state=DeliveryState.PENDING, next_attempt_at=now, claim_token="", claimed_until=None
    )
    if retried:
        deliveries_enqueue(ids=retried)
    return len(retried)


# --- Helpers --------------------------------------------------------------------------------------
def _lease() -> timedelta:
    # One attempt takes at most the timeout; the margin covers recording it.
    return timedelta(seconds=settings.AFTERSERVICE_WEBHOOK_TIMEOUT_S + 60)


# SQLite: sender threads of one process write through separate connections; SQLite's in-memory
# shared-cache database (the test database) answers "table is locked" at once instead of waiting
# for the busy timeout, so this process's writers take turns. PostgreSQL needs no such thing.
_sqlite_writer = threading.RLock()


def _writing() -> AbstractContextManager[Any]:
    return _sqlite_writer if connection.vendor == "sqlite" else nullcontext()
