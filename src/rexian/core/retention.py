"""Retention run by the worker and by `rexian anonymise`: tickets past the period through their action
(tickets.actions.anonymise_expired), then the records of calls, emergency transfers and channel messages that
never became a ticket, by their own dates (rules: tickets/retention.py)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime

from django.conf import settings
from django.db.models import QuerySet

from rexian.core import clock
from rexian.intake.models import EmergencyTransfer, InboundMessage
from rexian.telephony.models import Call
from rexian.tickets.actions import anonymise_expired, due_for_anonymising
from rexian.tickets.retention import MARKER, cutoff, scrub, scrub_text

BATCH = 500  # tickets per minute's run: a first run over years of history must not hold up the sweep
_finished_on: date | None = None  # the local day this process last found nothing left to do


@dataclass(frozen=True)
class RetentionResult:
    tickets: int = 0
    calls: int = 0
    transfers: int = 0
    messages: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    def __add__(self, other: RetentionResult) -> RetentionResult:
        return RetentionResult(*(a + b for a, b in zip(self.as_dict().values(), other.as_dict().values(), strict=True)))

    def __bool__(self) -> bool:
        return any(self.as_dict().values())


def pending(now: datetime, years: int) -> RetentionResult:
    """What a run would anonymise (`rexian anonymise --dry-run`)."""
    before = cutoff(now, years)
    if before is None:
        return RetentionResult()
    return RetentionResult(
        tickets=due_for_anonymising(now, years).count(),
        calls=_old_calls(before).count(),
        transfers=_old_transfers(before).count(),
        messages=_old_messages(before).count(),
    )


def run(now: datetime | None = None, *, years: int | None = None, limit: int = BATCH) -> RetentionResult:
    now = now or clock.now()
    years = settings.REXIAN["RETENTION_YEARS"] if years is None else years
    before = cutoff(now, years)
    if before is None:
        return RetentionResult()
    tickets = anonymise_expired(now, years=years, limit=limit)
    return RetentionResult(tickets, *_forget_unlinked(before, limit))


def run_daily(now: datetime) -> int:
    """The minute's share: batches until nothing is left, then nothing until the next local day."""
    global _finished_on
    today = now.astimezone(clock.SHANGHAI).date()
    if _finished_on == today:
        return 0
    result = run(now)
    if max(result.as_dict().values()) < BATCH:
        _finished_on = today
    return sum(result.as_dict().values())


def _old_calls(before: datetime) -> QuerySet[Call]:
    return Call.objects.filter(ticket__isnull=True, rang_at__lt=before).exclude(caller="")


def _old_transfers(before: datetime) -> QuerySet[EmergencyTransfer]:
    return EmergencyTransfer.objects.filter(ticket__isnull=True, created_at__lt=before).exclude(caller_phone="")


def _old_messages(before: datetime) -> QuerySet[InboundMessage]:
    return InboundMessage.objects.filter(ticket__isnull=True, received_at__lt=before).exclude(sender=MARKER)


def _forget_unlinked(before: datetime, limit: int) -> tuple[int, int, int]:
    """Calls, transfers and messages without a ticket, older than the cutoff: numbers and senders replaced."""
    calls = list(_old_calls(before).prefetch_related("events")[:limit])
    for call in calls:
        for event in call.events.all():
            event.payload = scrub(event.payload, [call.caller])
            event.save(update_fields=["payload"])
        call.caller = ""
    Call.objects.bulk_update(calls, ["caller"])
    transfers = list(_old_transfers(before)[:limit])
    for transfer in transfers:
        transfer.summary, transfer.caller_phone = scrub_text(transfer.summary, [transfer.caller_phone]), ""
    EmergencyTransfer.objects.bulk_update(transfers, ["summary", "caller_phone"])
    messages = list(_old_messages(before)[:limit])
    for message in messages:
        known = [message.sender, message.sender_name]
        message.text, message.sender, message.sender_name = scrub_text(message.text, known), MARKER, ""
    InboundMessage.objects.bulk_update(messages, ["text", "sender", "sender_name"])
    return len(calls), len(transfers), len(messages)
