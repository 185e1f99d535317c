"""Intake endpoints: screen a text against the scope rules as it is typed, and the emergency-transfer log."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from rexian.core.errors import PermissionDenied
from rexian.intake.actions import record_transfer
from rexian.intake.models import EmergencyTransfer
from rexian.intake.selectors import screen_text, transfers
from rexian.tickets.access import sees_everything

router = Router(tags=["intake"])
SCREEN_TEXT_LIMIT = 10000


class ScreenIn(Schema):
    text: str = Field("", max_length=SCREEN_TEXT_LIMIT)


class HitOut(Schema):
    concern: str = Field(description="emergency（紧急警情）/ out_of_scope（不予受理情形）")
    concern_label: str
    pattern: str
    matched: str = Field(description="诉求文字中命中的原文")
    transfer_to: str = Field(description="紧急警情应转接的号码：110/119/120/122")
    reason: str
    redirect_to: str = Field(description="不予受理时建议来电人反映的渠道")


class ScreenOut(Schema):
    hits: list[HitOut]


class TicketRef(Schema):
    id: int
    number: str


class TransferIn(Schema):
    service: str = Field("", description="110/119/120/122")
    reason: str = ""
    summary: str = ""
    caller_phone: str = ""
    partner_reference: str = Field("", description="对方接警编号")
    direction: str = Field("out", description="out 转出 / in 转入")
    ticket_id: int | None = None


class TransferOut(Schema):
    id: int
    service: str
    service_label: str
    direction: str
    direction_label: str
    reason: str
    summary: str
    caller_phone: str
    partner_reference: str
    ticket: TicketRef | None
    created_by_name: str
    created_at: datetime


class TransferFilters(Schema):
    since: datetime | None = Field(None, description="只列出此时间以后的记录")
    service: Literal["", "110", "119", "120", "122"] = Field("", description="只列出转至/来自该号码的记录")
    direction: Literal["", "out", "in"] = Field("", description="out 转出 / in 转入")
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(50, ge=1, le=200)


class TransferPage(Schema):
    items: list[TransferOut]
    count: int
    page: int
    page_size: int
    pages: int


def transfer_out(row: EmergencyTransfer) -> dict[str, Any]:
    return {
        "id": row.pk,
        "service": row.service,
        "service_label": row.get_service_display(),
        "direction": row.direction,
        "direction_label": row.get_direction_display(),
        "reason": row.reason,
        "summary": row.summary,
        "caller_phone": row.caller_phone,
        "partner_reference": row.partner_reference,
        "ticket": {"id": row.ticket.pk, "number": row.ticket.number} if row.ticket else None,
        "created_by_name": row.created_by_name,
        "created_at": row.created_at,
    }


@router.post("/intake/screen", response=ScreenOut, summary="受理范围筛查（紧急警情、不予受理情形）")
def screen(request: HttpRequest, payload: ScreenIn):
    """Every active rule the text matches, emergencies first; a negated mention ("没有着火") does not count."""
    return {
        "hits": [
            {
                "concern": hit.rule.concern.value,
                "concern_label": hit.rule.concern.label,
                "pattern": hit.rule.pattern,
                "matched": hit.matched,
                "transfer_to": hit.rule.transfer_to,
                "reason": hit.rule.reason,
                "redirect_to": hit.rule.redirect_to,
            }
            for hit in screen_text(payload.text)
        ]
    }


@router.post("/intake/emergency-transfers", response={201: TransferOut}, summary="记录急警联动")
def create_transfer(request: HttpRequest, payload: TransferIn):
    row = record_transfer(actor=request.auth, **payload.dict())
    return Status(201, transfer_out(row))


@router.get("/intake/emergency-transfers", response=TransferPage, summary="急警联动记录")
def list_transfers(request: HttpRequest, filters: Query[TransferFilters]):
    if not sees_everything(request.auth):
        raise PermissionDenied("急警联动记录只对热线中心人员开放。")
    rows = transfers(request.auth, since=filters.since, service=filters.service, direction=filters.direction)
    count = rows.count()
    start = (filters.page - 1) * filters.page_size
    return {
        "items": [transfer_out(row) for row in rows[start : start + filters.page_size]],
        "count": count,
        "page": filters.page,
        "page_size": filters.page_size,
        "pages": max(1, -(-count // filters.page_size)),
    }
