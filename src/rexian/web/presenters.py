"""How tickets and events read on a page: Chinese labels for payload keys, dates in Asia/Shanghai.

The labels are translated when an event is shown, into the reader's language (rexian/web/labels.py lists them
for the catalogue)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

from rexian.core.clock import SHANGHAI
from rexian.taxonomy.choices import Channel
from rexian.tickets.access import visible_payload
from rexian.tickets.models import TicketEvent
from rexian.tickets.workflow import Action, CallbackOutcome, State

PAYLOAD_LABELS: dict[str, str] = {
    "note": "说明",
    "reason": "理由",
    "text": "备注",
    "answer": "答复",
    "result": "办理结果",
    "redirect_to": "建议渠道",
    "lead_unit": "主办单位",
    "co_units": "协办单位",
    "unit": "单位",
    "due_at": "办理时限",
    "days": "延期天数",
    "comment": "回访意见",
    "channel": "渠道",
    "knowledge_entry": "知识库条目",
    "citizen_contacted": "已联系诉求人",
    "reached": "联系上诉求人",
    "resolved": "问题已解决",
    "satisfaction": "满意度",
    "target": "并入工单",
    "rehandle": "重办",
}
FIELD_LABELS: dict[str, str] = {
    "subject": "标题",
    "description": "诉求内容",
    "address": "地址",
    "category": "分类",
    "citizen_name": "诉求人",
    "citizen_phone": "联系电话",
    "appeal_type": "诉求类型",
    "urgency": "紧急程度",
    "district": "区县",
    "street": "街道",
}
SKIP = {"final_state", "attachment", "attachments", "changed"}


@dataclass
class EventView:
    seq: int
    action: str
    from_state: str
    to_state: str
    actor: str
    unit: str
    at: datetime
    lines: list[tuple[str, str]]
    attachments: list[dict[str, Any]]


def _show(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    if isinstance(value, dict) and "name" in value:
        return str(value["name"])
    if isinstance(value, list):
        return gettext("、").join(_show(key, v) for v in value) or "—"
    if key == "satisfaction" and value:
        return gettext(CallbackOutcome(value).label)
    if key == "channel" and value in Channel.values:
        return gettext(Channel(value).label)
    if key == "due_at" and isinstance(value, str):
        moment = parse_datetime(value)
        return f"{moment.astimezone(SHANGHAI):%Y-%m-%d %H:%M}" if moment else value
    return str(value)


def event_view(event: TicketEvent, hide_identity: bool, mask: bool = False) -> EventView:
    payload = visible_payload(event.payload, hide_identity, mask)
    lines = [
        (gettext(PAYLOAD_LABELS[key]) if key in PAYLOAD_LABELS else key, _show(key, value))
        for key, value in payload.items()
        if key not in SKIP and value not in (None, "", []) and not (key == "rehandle" and value is False)
    ]
    for field, change in (payload.get("changed") or {}).items():
        before, after = change.get("from") or gettext("（空）"), change.get("to")
        label = gettext(FIELD_LABELS[field]) if field in FIELD_LABELS else field
        lines.append((gettext("修改%(field)s") % {"field": label}, f"{before} → {after}"))
    files = payload.get("attachments") or ([payload["attachment"]] if payload.get("attachment") else [])
    return EventView(
        seq=event.seq,
        action=gettext(Action(event.action).label),
        from_state=gettext(State(event.from_state).label) if event.from_state else "",
        to_state=gettext(State(event.to_state).label),
        # The system and the portal's citizen are named by their role label; people by their own name.
        actor=gettext(event.actor_name) if event.actor_id is None else event.actor_name,
        unit=event.actor_unit.name if event.actor_unit else "",
        at=event.created_at,
        lines=lines,
        attachments=files,
    )
