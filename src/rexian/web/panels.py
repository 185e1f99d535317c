"""The intake workbench's side panels: each looks at the form as the agent types and says something
useful. Later capabilities add their own panel here (knowledge suggestions, the classifier's guess);
until then a panel says plainly that it has nothing to offer.

Titles and empty messages are marked for the catalogue here and translated by the template; the items are
translated as they are made, in the language of the request.

A panel is a function (actor, form values) -> Panel. They must be cheap: they run on every pause in typing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.utils.translation import gettext, gettext_noop

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
    "着火": gettext_noop("119 火警"),
    "火灾": gettext_noop("119 火警"),
    "冒烟": gettext_noop("119 火警"),
    "煤气泄漏": gettext_noop("119 火警"),
    "燃气泄漏": gettext_noop("119 火警"),
    "抢劫": gettext_noop("110 报警"),
    "打人": gettext_noop("110 报警"),
    "杀人": gettext_noop("110 报警"),
    "持刀": gettext_noop("110 报警"),
    "绑架": gettext_noop("110 报警"),
    "跳楼": gettext_noop("110 报警"),
    "昏迷": gettext_noop("120 急救"),
    "晕倒": gettext_noop("120 急救"),
    "大出血": gettext_noop("120 急救"),
    "心脏病": gettext_noop("120 急救"),
    "车祸": gettext_noop("122 交通事故"),
    "撞车": gettext_noop("122 交通事故"),
}
OUT_OF_SCOPE_WORDS: dict[str, str] = {
    "起诉": gettext_noop("已进入或应通过诉讼程序的事项，请引导至人民法院"),
    "法院判决": gettext_noop("涉及法院判决的事项不属于热线受理范围"),
    "仲裁": gettext_noop("已进入仲裁程序的事项，请引导至仲裁机构"),
    "部队": gettext_noop("涉及军队的事项不属于热线受理范围"),
    "国家秘密": gettext_noop("涉及国家秘密的事项不予受理"),
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
    urgent = gettext("提到“%(word)s”：如正在发生，请立即转 %(to)s")
    items = [{"text": urgent % {"word": w, "to": gettext(to)}} for w, to in EMERGENCY_WORDS.items() if w in text]
    mention = gettext("提到“%(word)s”：%(why)s")
    items += [{"text": mention % {"word": w, "why": gettext(y)}} for w, y in OUT_OF_SCOPE_WORDS.items() if w in text]
    title, empty = gettext_noop("受理范围提示"), gettext_noop("未发现紧急或不予受理的情形。")
    return Panel("scope", title, items, empty, warn=bool(items))


def duplicate_panel(actor: Actor, values: Mapping[str, Any]) -> Panel:
    """Open appeals from the same phone, or of the same category in the same street or district lately."""
    since = clock.now() - DUPLICATE_WINDOW
    open_tickets = visible_tickets(actor).exclude(state__in=FINISHED_STATES).filter(created_at__gte=since)
    phone = str(values.get("citizen_phone") or "").strip()
    found: dict[int, tuple[Ticket, str]] = {}
    if phone:
        for ticket in open_tickets.filter(citizen_phone=phone)[:5]:
            found[ticket.pk] = (ticket, gettext("同一来电人"))
    category = Category.objects.filter(code=str(values.get("category") or "")).first()
    place = _place(values)
    if category and place is not None:
        where = {"street": place} if place.kind == UnitKind.STREET else {"district": place}
        for ticket in open_tickets.filter(category=category, **where).order_by("-created_at")[:5]:
            found.setdefault(ticket.pk, (ticket, gettext("同类诉求 · %(place)s") % {"place": place.name}))
    items = [{"ticket": t, "text": why} for t, why in found.values()]
    title, empty = gettext_noop("疑似重复诉求"), gettext_noop("未发现近 30 天内的同类未办结诉求。")
    return Panel("duplicates", title, items, empty, warn=bool(items))


def _place(values: Mapping[str, Any]) -> Unit | None:
    for key in ("street", "district"):
        code = str(values.get(key) or "")
        if code:
            unit = Unit.objects.filter(code=code).first()
            if unit:
                return unit
    return None


TITLE_ROUTING = gettext_noop("派单建议")


def routing_panel(actor: Actor, values: Mapping[str, Any]) -> Panel:
    category = Category.objects.filter(code=str(values.get("category") or "")).select_related("parent").first()
    if category is None:
        return Panel("routing", TITLE_ROUTING, [], gettext_noop("选择分类后显示派单目录的建议承办单位。"))
    district = _place(values)
    if district is not None and district.kind == UnitKind.STREET:
        district = district.parent
    entry = catalogue_entry_for(category, district)
    if entry is None:
        return Panel("routing", TITLE_ROUTING, [], gettext_noop("派单目录中没有该分类，请派单员人工判断。"))
    rule = gettext("属地管理优先") if entry.district_id else gettext("谁主管谁负责")
    text = gettext("%(unit)s（%(rule)s，依据派单目录：%(category)s）") % {
        "unit": entry.unit.name,
        "rule": rule,
        "category": category.path_name,
    }
    return Panel("routing", TITLE_ROUTING, [{"text": text}])


def knowledge_panel(actor: Actor, values: Mapping[str, Any]) -> Panel:
    return Panel("knowledge", gettext_noop("知识库参考"), [], gettext_noop("知识库尚未建立条目。"))


PANELS: tuple[Callable[[Actor, Mapping[str, Any]], Panel], ...] = (
    scope_panel,
    duplicate_panel,
    routing_panel,
    knowledge_panel,
)


def panels_for(actor: Actor, values: Mapping[str, Any]) -> list[Panel]:
    return [panel(actor, values) for panel in PANELS]
