"""Writes of the intake app. Tickets themselves change only in tickets/actions.py; a transfer record names its
ticket but does not change it."""

from __future__ import annotations

from django.db import transaction

from rexian.core import clock
from rexian.core.errors import PermissionDenied
from rexian.directory.roles import Role
from rexian.intake.models import SUMMARY_LIMIT, EmergencyService, EmergencyTransfer, TransferDirection
from rexian.tickets.access import Actor, actor_name, get_ticket_for
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
