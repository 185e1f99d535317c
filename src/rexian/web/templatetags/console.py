"""Small filters the console's templates need: dictionary look-ups, state tags, local times.

Labels come from the pure modules in Chinese and are translated here, as they are shown (rexian/web/labels.py
lists them for the catalogue)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from rexian.core.clock import SHANGHAI
from rexian.supervision.clocks import Light
from rexian.supervision.selectors import deadline_of
from rexian.taxonomy.choices import COLOURS, AppealType, Channel, Urgency
from rexian.taxonomy.policy import Limit, LimitUnit
from rexian.tickets.actions import allowed_actions
from rexian.tickets.workflow import STATE_COLOURS, Action, CallbackOutcome, State

register = template.Library()


@register.filter
def get(mapping: Any, key: str) -> Any:
    """`errors|get:field.name`: a value by a variable key; lists (QueryDict) give their last value."""
    if mapping is None:
        return None
    if hasattr(mapping, "getlist"):
        return mapping.get(key)
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def getlist(mapping: Any, key: str) -> list[str]:
    if hasattr(mapping, "getlist"):
        return mapping.getlist(key)
    return []


@register.filter
def state_tag(state: str) -> SafeString:
    value = State(state)
    return format_html('<span class="tag {}">{}</span>', STATE_COLOURS[value], gettext(value.label))


@register.filter
def type_tag(code: str) -> SafeString:
    label = gettext(AppealType(code).label) if code in AppealType.values else code
    return format_html('<span class="tag {}">{}</span>', COLOURS.get(code, "grey"), label)


@register.filter
def urgent_tag(code: str) -> SafeString:
    if code != Urgency.URGENT:
        return mark_safe("")
    return format_html('<span class="tag red">{}</span>', gettext(Urgency.URGENT.label))


@register.filter
def channel_label(code: str) -> str:
    return gettext(Channel(code).label) if code in Channel.values else code


@register.filter
def full_address(ticket: Any) -> str:
    """The ticket's district and street by their place names, then the address as typed, without naming a place
    the address already names (东区 东一街道 幸福小区3栋; 东区东一街道幸福小区3栋 as it stands)."""
    address = ticket.address or ""
    places = [unit.place_name for unit in (ticket.district, ticket.street) if unit is not None]
    return " ".join([*(p for p in places if p not in address), address]).strip() or "—"


@register.filter
def local(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A time as people here read it: Asia/Shanghai, to the minute."""
    if moment is None:
        return "—"
    return moment.astimezone(SHANGHAI).strftime(fmt)


@register.filter
def satisfaction_label(code: str) -> str:
    return gettext(CallbackOutcome(code).label) if code in CallbackOutcome.__members__.values() else code


LIGHT_CLASSES = {Light.GREEN: "green", Light.YELLOW: "yellow", Light.RED: "red"}


@register.filter
def light_class(light: int) -> str:
    return LIGHT_CLASSES[Light(light)]


@register.filter
def light_tag(light: int) -> SafeString:
    """A warning light: a coloured dot and its words (the colour alone would not reach everyone)."""
    value = Light(light)
    return format_html('<span class="light {}">{}</span>', LIGHT_CLASSES[value], gettext(value.label))


@register.filter
def limit_label(limit: Limit) -> str:
    if limit.unit is LimitUnit.HOURS:
        return ngettext("%(n)d 小时", "%(n)d 小时", limit.amount) % {"n": limit.amount}
    if limit.amount == 0:
        return gettext("当日")
    return ngettext("%(n)d 个工作日", "%(n)d 个工作日", limit.amount) % {"n": limit.amount}


@register.inclusion_tag("web/partials/deadline.html")
def deadline(ticket: Any) -> dict[str, Any]:
    """A list's deadline cell: the ticket's worst light and its governing deadline (clocks fetched per page)."""
    return {"deadline": deadline_of(ticket)}


QUICK_ACTIONS = (Action.SIGN, Action.APPROVE_REPLY, Action.APPROVE_RETURN, Action.APPROVE_EXTENSION)


@register.simple_tag
def quick_actions(user: Any, ticket: Any) -> list[Action]:
    """The one-click actions (no input needed) this user may take on this ticket, for queue rows."""
    allowed = set(allowed_actions(user, ticket))
    return [a for a in QUICK_ACTIONS if a.value in allowed]



@register.filter
def percent(share: float | None) -> str:
    """A share as a percentage with one decimal (0.1234 → 12.3%); — when there is none."""
    return "—" if share is None else f"{share * 100:.1f}%"
