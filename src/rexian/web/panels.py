"""The intake workbench's side panels: each looks at the form as the agent types and says something
useful. Later capabilities add their own panel here (knowledge suggestions, the classifier's guess);
until then a panel says plainly that it has nothing to offer.

A panel is a function (actor, form values) -> Panel. They must be cheap: they run on every pause in typing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from rexian.core import clock
from rexian.directory.models import Unit, UnitKind
from rexian.directory.selectors import catalogue_entry_for
from rexian.taxonomy.models import Category
from rexian.tickets.access import Actor, visible_tickets
from rexian.tickets.models import Ticket
from rexian.tickets.workflow import FINISHED_STATES

DUPLICATE_WINDOW = timedelta(days=30)
# Words that mean a life, a fire, a crime or a crash is happening now: 12345 hands these over at once.
EMERGENCY_WORDS: dict[str, str] = {
    "着火": "119 火警",
    "火灾": "119 火警",
    "冒烟": "119 火警",
    "煤气泄漏": "119 火警",
    "燃气泄漏": "119 火警",
    "抢劫": "110 报警",
    "打人": "110 报警",
    "杀人": "110 报警",
    "持刀": "110 报警",
    "绑架": "110 报警",
    "跳楼": "110 报警",
    "昏迷": "120 急救",
    "晕倒": "120 急救",
    "大出血": "120 急救",
    "心脏病": "120 急救",
    "车祸": "122 交通事故",
    "撞车": "122 交通事故",
}
OUT_OF_SCOPE_WORDS: dict[str, str] = {
    "起诉": "已进入或应通过诉讼程序的事项，请引导至人民法院",
    "法院判决": "涉及法院判决的事项不属于热线受理范围",
    "仲裁": "已进入仲裁程序的事项，请引导至仲裁机构",
    "部队": "涉及军队的事项不属于热线受理范围",
    "国家秘密": "涉及国家秘密的事项不予受理",
}


@dataclass
class Panel:
    key: str
    title: str
    items: list[dict[str, Any]] = field(default_factory=list)
    empty: str = ""
    warn: bool = False


def _text(values: Mapping[str, Any]) -> str:
    return f"{values.get('subject', '')} {values.get('description', '')}"


def scope_panel(actor: Actor, values: Mapping[str, Any]) -> Panel:
    text = _text(values)
    items = [{"text": f"提到“{w}”：如正在发生，请立即转 {to}"} for w, to in EMERGENCY_WORDS.items() if w in text]
    items += [{"text": f"提到“{w}”：{why}"} for w, why in OUT_OF_SCOPE_WORDS.items() if w in text]
    return Panel("scope", "受理范围提示", items, "未发现紧急或不予受理的情形。", warn=bool(items))


def duplicate_panel(actor: Actor, values: Mapping[str, Any]) -> Panel:
    """Open appeals from the same phone, or of the same category in the same street or district lately."""
    since = clock.now() - DUPLICATE_WINDOW
    open_tickets = visible_tickets(actor).exclude(state__in=FINISHED_STATES).filter(created_at__gte=since)
    phone = str(values.get("citizen_phone") or "").strip()
    found: dict[int, tuple[Ticket, str]] = {}
    if phone:
        for ticket in open_tickets.filter(citizen_phone=phone)[:5]:
            found[ticket.pk] = (ticket, "同一来电人")
    category = Category.objects.filter(code=str(values.get("category") or "")).first()
    place = _place(values)
    if category and place is not None:
        where = {"street": place} if place.kind == UnitKind.STREET else {"district": place}
        for ticket in open_tickets.filter(category=category, **where).order_by("-created_at")[:5]:
            found.setdefault(ticket.pk, (ticket, f"同类诉求 · {place.name}"))
    items = [{"ticket": t, "text": why} for t, why in found.values()]
    return Panel("duplicates", "疑似重复诉求", items, "未发现近 30 天内的同类未办结诉求。", warn=bool(items))


def _place(values: Mapping[str, Any]) -> Unit | None:
    for key in ("street", "district"):
        code = str(values.get(key) or "")
        if code:
            unit = Unit.objects.filter(code=code).first()
            if unit:
                return unit
    return None


def routing_panel(actor: Actor, values: Mapping[str, Any]) -> Panel:
    category = Category.objects.filter(code=str(values.get("category") or "")).select_related("parent").first()
    if category is None:
        return Panel("routing", "派单建议", [], "选择分类后显示派单目录的建议承办单位。")
    district = _place(values)
    if district is not None and district.kind == UnitKind.STREET:
        district = district.parent
    entry = catalogue_entry_for(category, district)
    if entry is None:
        return Panel("routing", "派单建议", [], "派单目录中没有该分类，请派单员人工判断。")
    rule = "属地管理优先" if entry.district_id else "谁主管谁负责"
    return Panel("routing", "派单建议", [{"text": f"{entry.unit.name}（{rule}，依据派单目录：{category.path_name}）"}])


def knowledge_panel(actor: Actor, values: Mapping[str, Any]) -> Panel:
    return Panel("knowledge", "知识库参考", [], "知识库尚未建立条目。")


PANELS: tuple[Callable[[Actor, Mapping[str, Any]], Panel], ...] = (
    scope_panel,
    duplicate_panel,
    routing_panel,
    knowledge_panel,
)


def panels_for(actor: Actor, values: Mapping[str, Any]) -> list[Panel]:
    return [panel(actor, values) for panel in PANELS]
