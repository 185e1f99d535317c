"""Intake endpoints: screen a text against the scope rules as it is typed, look for possible duplicates of an appeal
as typed (the workbench's 疑似重复诉求 panel, for another system's intake form), both with the suggestion in one
request (assist: what the workbench's panels show), and the emergency-transfer log."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from rexian.core.errors import PermissionDenied
from rexian.core.inputs import ApiDateTime
from rexian.directory.roles import CENTRE_ROLES
from rexian.directory.selectors import unit_by_code
from rexian.intake.actions import record_transfer
from rexian.intake.models import EmergencyTransfer
from rexian.intake.screening import Hit
from rexian.intake.selectors import AppealAsTyped, Duplicate, find_duplicates, screen_text, transfers
from rexian.routing.api import AppealIn, SuggestionOut, suggestion_out
from rexian.taxonomy.selectors import category_by_code
from rexian.tickets.access import sees_everything
from rexian.tickets.workflow import CREATE_ROLES

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


class DuplicatesIn(Schema):
    citizen_phone: str = Field("", max_length=40)
    subject: str = Field("", max_length=100)
    description: str = Field("", max_length=5000)
    category: str | None = Field(None, description="分类编码（受理员已选，或分类建议的首选）")
    district: str | None = Field(None, description="区县编码")
    street: str | None = Field(None, description="街道编码")


class DuplicateOut(Schema):
    id: int
    number: str
    subject: str
    state: str
    created_at: datetime
    reasons: list[str]
    score: float


class DuplicatesOut(Schema):
    items: list[DuplicateOut]


class AssistIn(AppealIn):
    citizen_phone: str = Field("", max_length=40)


class AssistOut(Schema):
    hits: list[HitOut]
    suggestion: SuggestionOut | None = Field(description="分类与派单建议；尚无诉求文字时为空")
    duplicates: list[DuplicateOut]


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
    since: ApiDateTime | None = Field(None, description="只列出此时间以后的记录")
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


def _registrars_only(request: HttpRequest) -> None:
    """The intake desk's tools are for those who register appeals (a unit's handler has no caller on the line)."""
    if CREATE_ROLES.isdisjoint(request.auth.roles) or not request.auth.roles:
        raise PermissionDenied("只有登记诉求的岗位可以使用受理工具。")


@router.post("/intake/screen", response=ScreenOut, summary="受理范围筛查（紧急警情、不予受理情形）")
def screen(request: HttpRequest, payload: ScreenIn):
    """Every active rule the text matches, emergencies first; a negated mention ("没有着火") does not count."""
    return {"hits": [hit_out(hit) for hit in screen_text(payload.text)]}


def hit_out(hit: Hit) -> dict[str, Any]:
    return {
        "concern": hit.rule.concern.value,
        "concern_label": hit.rule.concern.label,
        "pattern": hit.rule.pattern,
        "matched": hit.matched,
        "transfer_to": hit.rule.transfer_to,
        "reason": hit.rule.reason,
        "redirect_to": hit.rule.redirect_to,
    }


@router.post("/intake/duplicates", response=DuplicatesOut, summary="疑似重复诉求")
def duplicates(request: HttpRequest, payload: DuplicatesIn):
    """Open appeals of the last 30 days the caller can see that may be this one: the same caller, the same kind of
    appeal in the same place, or a text that reads alike (intake/selectors.py), best first."""
    _registrars_only(request)
    code = payload.street or payload.district
    place = unit_by_code(code) if code else None
    category = category_by_code(payload.category) if payload.category else None
    text = f"{payload.subject} {payload.description}".strip()
    if not (payload.citizen_phone.strip() or text):
        return {"items": []}
    found = find_duplicates(
        request.auth, phone=payload.citizen_phone, text=text, category_id=category.pk if category else None, place=place
    )
    return {"items": [duplicate_out(d) for d in found]}


@router.post("/intake/assist", response=AssistOut, summary="受理助手：筛查、分类派单建议与疑似重复（一次请求）")
def assist(request: HttpRequest, payload: AssistIn):
    """What the workbench's panels show as the agent types, in one request: the scope rules the text matches, the
    classification and dispatch suggestion (as `/routing/suggest`), and the possible duplicates (as
    `/intake/duplicates`), looked for in the category chosen or else suggested and the place given or else found."""
    _registrars_only(request)
    if request.auth.roles.isdisjoint(CENTRE_ROLES):
        raise PermissionDenied("只有热线中心人员可以使用受理助手。")
    typed = AppealAsTyped(payload.dict())
    return {
        "hits": [hit_out(hit) for hit in screen_text(typed.text)] if typed.text else [],
        "suggestion": suggestion_out(typed.suggestion) if typed.suggestion else None,
        "duplicates": [duplicate_out(d) for d in typed.duplicates(request.auth)],
    }


def duplicate_out(found: Duplicate) -> dict[str, Any]:
    ticket = found.ticket
    return {
        "id": ticket.pk,
        "number": ticket.number,
        "subject": ticket.subject,
        "state": ticket.state,
        "created_at": ticket.created_at,
        "reasons": found.reasons,
        "score": found.score,
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
