"""Sending what the delivery log holds: after commit (a task) and when a retry falls due (the sweep).

Never inside a database transaction: a slow gateway must not hold locks, and a message must not go
out for a change that is then rolled back. Each row is claimed with a conditional UPDATE before it is
sent, so two workers (or two sweeps) never send the same row; a worker that dies mid-send leaves the
row to be claimed again once its lease has passed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import F
from django_tasks import task

from rexian.core import clock
from rexian.notify.channels import CHANNELS, Message, SendError
from rexian.notify.models import Delivery, DeliveryStatus
from rexian.notify.rules import backoff, gives_up

logger = logging.getLogger("rexian.notify")
# Longer than any one send (the SMS timeout is seconds): until then a claimed row is left alone.
CLAIM_LEASE = timedelta(minutes=5)
SWEEP_BATCH = 200


@task()
def send_deliveries(delivery_ids: list[int]) -> int:
    """Send freshly queued deliveries (enqueued on commit by notify.outbox)."""
    return _send(delivery_ids, clock.now())


def claim_ahead(delivery: Delivery, now: datetime) -> None:
    """Mark a delivery about to be inserted as claimed by this process, as `_attempt`'s UPDATE would: inserted so,
    no sweep takes it while `send_claimed` sends it, which needs no write to claim it nor a read to load it."""
    delivery.attempts = 1
    delivery.next_attempt_at = now + CLAIM_LEASE


def send_claimed(deliveries: Iterable[Delivery]) -> None:
    """Send committed deliveries this process claimed ahead (`claim_ahead`). Call it outside any transaction."""
    _refuse_in_transaction()
    for delivery in deliveries:
        _deliver(delivery)


def retry_due_deliveries(now: datetime) -> int:
    """Send the deliveries whose next attempt is due; returns how many were tried.

    One indexed query when nothing is due. Call it outside any transaction.
    """
    due = Delivery.objects.filter(next_attempt_at__lte=now).order_by("next_attempt_at")
    return _send(due.values_list("pk", flat=True)[:SWEEP_BATCH], now)


def _send(delivery_ids: Iterable[int], now: datetime) -> int:
    _refuse_in_transaction()
    return sum(_attempt(pk, now) for pk in list(delivery_ids))


def _refuse_in_transaction() -> None:
    if connection.in_atomic_block:
        raise RuntimeError("notify: messages are sent after commit, never inside a transaction")


def _attempt(pk: int, now: datetime) -> bool:
    claimed = Delivery.objects.filter(pk=pk, next_attempt_at__lte=now).update(
        next_attempt_at=now + CLAIM_LEASE, attempts=F("attempts") + 1
    )
    if not claimed:
        return False  # sent, dead, or another worker has it
    _deliver(Delivery.objects.get(pk=pk))
    return True


def _deliver(delivery: Delivery) -> None:
    """Send a claimed delivery and record what became of it."""
    try:
        CHANNELS[delivery.channel].send(_message(delivery))
    except SendError as error:
        _failed(delivery, str(error))
    except Exception as error:  # a bug in a channel must not leave the row claimed, or reach the caller
        logger.exception("notify: delivery %s failed unexpectedly", delivery.pk)
        _failed(delivery, repr(error))
    else:
        _settle(delivery, status=DeliveryStatus.SENT, sent_at=clock.now(), last_error="")


def _message(delivery: Delivery) -> Message:
    return Message(to=delivery.recipient, subject=delivery.subject, body=delivery.body, ref=f"rexian-{delivery.pk}")


def _failed(delivery: Delivery, reason: str) -> None:
    logger.warning(
        "notify: delivery %s (%s) attempt %s failed: %s", delivery.pk, delivery.channel, delivery.attempts, reason
    )
    if gives_up(delivery.attempts, settings.REXIAN["NOTIFY_MAX_ATTEMPTS"]):
        _settle(delivery, status=DeliveryStatus.DEAD, last_error=reason[:500])
    else:
        _settle(
            delivery,
            status=DeliveryStatus.RETRYING,
            last_error=reason[:500],
            next_attempt_at=clock.now() + backoff(delivery.attempts),
        )


def _settle(delivery: Delivery, **fields: object) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(**{"next_attempt_at": None, **fields})
