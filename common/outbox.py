"""Transactional outbox: enqueue Celery tasks so that a broker outage never loses the follow-up work.

    from common.outbox import enqueue
    enqueue("procurement.refresh_commitments", kwargs={"hospital_id": 5}, dedupe_key="commitments:5")

Call it inside the service's transaction. The message row commits with the data; after commit the platform
tries to publish it to the broker; if that fails (Redis down) the row stays pending and the beat job
`common.drain_outbox` publishes it later. Tasks must be idempotent (they may, rarely, run twice: a crash
between publishing and marking the row sent).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from config.celery import app

from .models import OutboxMessage

logger = logging.getLogger(__name__)

BATCH = 200


def enqueue(task: str, *, args: list | None = None, kwargs: dict | None = None, dedupe_key: str = "") -> None:
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(
                task=task, args=list(args or []), kwargs=dict(kwargs or {}), dedupe_key=dedupe_key
            )
    except IntegrityError:
        if not dedupe_key:
            raise
        return  # an identical message is already waiting: the burst is coalesced into it
    transaction.on_commit(lambda: publish(message.pk))


def _send(message: OutboxMessage) -> None:
    # ignore_result: nobody waits on an outbox task's result, and subscribing to it would tie publishing to the
    # result backend's pub/sub connection, which Celery gives up on for good after a Redis outage ("the Celery
    # application must be restarted") — every later publish from this process would then fail.
    app.send_task(message.task, args=message.args, kwargs=message.kwargs, ignore_result=True)


def publish(message_id: int) -> bool:
    """Publish one pending message; True when it was sent. Safe to call twice, and at least once.

    With a broker, the row stays locked while the message is handed over and is marked sent in the same
    transaction: a crash before the hand-over leaves it pending (the drain sends it), a crash after the hand-over
    but before the commit leaves it pending too (sent twice — tasks are idempotent); it is never marked sent
    without having been handed over.
    """
    eager = settings.CELERY_TASK_ALWAYS_EAGER
    try:
        with transaction.atomic():
            message = (
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(pk=message_id, status=OutboxMessage.Status.PENDING)
                .first()
            )
            if message is None:
                return False
            # Marked sent first (inside the transaction), so that the task enqueueing the same key again — at
            # once when eager, or on a worker racing this commit — waits for this row and then creates a new one
            # instead of being coalesced into a message that is already on its way.
            message.status = OutboxMessage.Status.SENT
            message.sent_at = timezone.now()
            message.attempts += 1
            message.save(update_fields=["status", "sent_at", "attempts"])
            if not eager:
                _send(message)
    except Exception as exc:  # noqa: BLE001 - any failure to hand over must leave the message pending
        # Broker down, with whichever errors its transport raises: the mark is rolled back, the row stays pending for
        # the drain job.
        _record_failure(message_id, exc)
        return False
    if eager:
        # In-process (no broker): run after the commit, as a worker would; a failure puts it back for the drain.
        try:
            app.tasks[message.task].apply(args=message.args, kwargs=message.kwargs).get()
        except Exception as exc:  # noqa: BLE001 - any task's failure puts its message back for the drain
            logger.warning("outbox message %s (%s) failed in-process: %s", message.pk, message.task, exc)
            OutboxMessage.objects.filter(pk=message.pk).update(
                status=OutboxMessage.Status.PENDING, sent_at=None, last_error=f"{type(exc).__name__}: {exc}"[:2000]
            )
            return False
    return True


def _record_failure(message_id: int, exc: Exception) -> None:
    """The hand-over failed and its mark was rolled back: count the attempt and keep the reason."""
    logger.warning("outbox message %s not sent: %s", message_id, exc)
    OutboxMessage.objects.filter(pk=message_id).update(
        attempts=F("attempts") + 1, last_error=f"{type(exc).__name__}: {exc}"[:2000]
    )


def drain(limit: int = 1000) -> int:
    """Publish pending messages in order; stops at the first failure (the broker is probably still down)."""
    sent = 0
    ids = list(
        OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    for message_id in ids:
        if publish(message_id):
            sent += 1
        elif OutboxMessage.objects.filter(pk=message_id, status=OutboxMessage.Status.PENDING).exists():
            break
    return sent
