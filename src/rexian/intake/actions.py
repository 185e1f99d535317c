"""Writes of the intake app. Tickets themselves change only in tickets/actions.py; a transfer record names its
ticket but does not change it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from rexian.core import clock
from rexian.core.errors import PermissionDenied
from rexian.directory.roles import Role
from rexian.intake.models import (
    SUMMARY_LIMIT,
    ChannelAccount,
    ChannelKind,
    EmergencyService,
    EmergencyTransfer,
    InboundMessage,
    TransferDirection,
)
from rexian.taxonomy.choices import AppealType, Channel
from rexian.tickets.access import Actor, CitizenActor, actor_name, get_ticket_for
from rexian.tickets.actions import create_ticket
from rexian.tickets.validation import PHONE_RE, FieldErrors, clean_text

# The roles on the phones and their supervisors: they hand calls over and take them in.
TRANSFER_ROLES = frozenset({Role.INTAKE, Role.DISPATCHER, Role.SHIFT_LEAD, Role.CENTRE_ADMIN})
REASON_LIMIT = 500


def record_transfer(
    *,
    actor: Actor,
    service: str,
    reason: str,
    summary: str = "",
    caller_phone: str = "",
    partner_reference: str = "",
    direction: str = TransferDirection.OUT,
    ticket_id: int | None = None,
) -> EmergencyTransfer:
    """Record a call handed to 110/119/120/122 (or received from them), optionally about a ticket."""
    if actor.roles.isdisjoint(TRANSFER_ROLES):
        raise PermissionDenied("只有受理员、派单员、值班长或中心管理员可以记录急警联动。")
    errors = FieldErrors()
    if service not in EmergencyService.values:
        errors.add("service", "请选择联动号码：110、119、120 或 122。")
    if direction not in TransferDirection.values:
        errors.add("direction", "方向应为转出或转入。")
    reason_text = clean_text(errors, "reason", reason, label="转接原因", limit=REASON_LIMIT, required=True)
    summary_text = clean_text(errors, "summary", summary, label="来电内容", limit=SUMMARY_LIMIT)
    phone = clean_text(errors, "caller_phone", caller_phone, label="来电号码", limit=32)
    if phone and not PHONE_RE.match(phone):
        errors.add("caller_phone", "电话号码格式不正确。")
    reference = clean_text(errors, "partner_reference", partner_reference, label="对方接警编号", limit=64)
    if ticket_id is not None and (isinstance(ticket_id, bool) or not isinstance(ticket_id, int)):
        errors.add("ticket_id", "工单应以编号（整数）指明。")
    errors.raise_if_any()
    with transaction.atomic():
        ticket = get_ticket_for(actor, ticket_id) if ticket_id is not None else None
        return EmergencyTransfer.objects.create(
            service=service,
            direction=direction,
            reason=reason_text,
            summary=summary_text,
            caller_phone=phone,
            partner_reference=reference,
            ticket=ticket,
            created_by_id=actor.pk,
            created_by_name=actor_name(actor),
            created_at=clock.now(),
        )


# ---- messages from channels ---------------------------------------------------------------------------

KIND_CHANNEL = {
    ChannelKind.WECHAT: Channel.WECHAT,
    ChannelKind.MINIPROGRAM: Channel.APP,
    ChannelKind.SMS: Channel.SMS,
    ChannelKind.EMAIL: Channel.EMAIL,
    ChannelKind.CTI: Channel.PHONE,
}
SUBJECT_LENGTH = 30


@dataclass(frozen=True)
class Incoming:
    """A citizen's message as a channel delivers it, before it is a ticket."""

    message_id: str
    sender: str
    text: str
    sender_name: str = ""
    phone: str = ""
    address: str = ""
    subject: str = ""


def receive_message(account: ChannelAccount, incoming: Incoming) -> tuple[InboundMessage, bool]:
    """Register a channel's message as an appeal through the one write path. Returns (message, created): a message
    id seen before returns the first message and its ticket. Call inside a transaction: all or nothing."""
    existing = _seen(account, incoming.message_id)
    if existing is not None:
        return existing, False
    actor = CitizenActor(via=account.name)
    ticket, _ = create_ticket(actor=actor, data=_appeal(account, incoming))
    message = InboundMessage.objects.create(
        account=account,
        message_id=incoming.message_id,
        sender=incoming.sender,
        sender_name=incoming.sender_name,
        text=incoming.text,
        received_at=clock.now(),
        ticket=ticket,
    )
    return message, True


def receive_once(
    account: ChannelAccount, incoming: Incoming, before: Callable[[], None] = lambda: None
) -> tuple[InboundMessage, bool]:
    """`receive_message` in its own transaction (after `before`, e.g. spending a webhook's nonce); a concurrent
    delivery of the same message id that wins the race is returned instead of a second ticket."""
    try:
        with transaction.atomic():
            before()
            return receive_message(account, incoming)
    except IntegrityError:
        existing = _seen(account, incoming.message_id)
        if existing is None:
            raise
        return existing, False


def _seen(account: ChannelAccount, message_id: str) -> InboundMessage | None:
    return InboundMessage.objects.select_related("ticket").filter(account=account, message_id=message_id).first()


def _appeal(account: ChannelAccount, incoming: Incoming) -> dict[str, Any]:
    phone = incoming.phone or (incoming.sender if account.kind == ChannelKind.SMS else "")
    first_line = (incoming.subject or incoming.text).strip().splitlines()[0] if incoming.text.strip() else ""
    return {
        "subject": first_line[:SUBJECT_LENGTH] or f"{account.get_kind_display()}来件",
        "description": incoming.text,
        # Not classified yet: the agent who registers it sets the type (the intake queue shows it as 其他).
        "appeal_type": AppealType.OTHER,
        "channel": KIND_CHANNEL[ChannelKind(account.kind)],
        "source_ref": f"{account.code}:{incoming.message_id}"[:100],
        "citizen_name": incoming.sender_name,
        "citizen_phone": phone,
        # Without a phone we still reach the citizen: back through the channel (notify's reply channel).
        "is_anonymous": not phone,
        "address": incoming.address,
        "hotline": account.hotline.number if account.hotline_id else None,
    }
