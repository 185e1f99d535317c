"""Reads of the telephony app: the figures of a period (one aggregate query per figure set; definitions in
rules.Figures), the screen pop, the call-back list, a ticket's calls, the old hotline a call came in on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from rexian.core import clock
from rexian.directory.models import HotlineMode, MergedHotline, User
from rexian.directory.roles import Role
from rexian.telephony.models import Call
from rexian.telephony.rules import ANSWER_WITHIN_SECONDS, LIVE_STATES, Figures, figures_from
from rexian.tickets.models import Ticket

# Who reads everyone's figures; an agent on the phones (受理员) reads their own.
ALL_FIGURES_ROLES = frozenset({Role.SHIFT_LEAD, Role.CENTRE_ADMIN, Role.CITY_LEADER})
CALLS_ROLES = ALL_FIGURES_ROLES | {Role.INTAKE}
# A call still "ringing" after this long lost its later events: the screen pop forgets it.
LIVE_FOR = timedelta(hours=2)

AGGREGATES: dict[str, Any] = {
    "offered": Count("pk"),
    "answered": Count("pk", filter=Q(answered_at__isnull=False)),
    "answered_within": Count("pk", filter=Q(wait_seconds__lte=ANSWER_WITHIN_SECONDS)),
    "abandoned_calls": Count("pk", filter=Q(abandoned=True)),  # not "abandoned": that is a field's name
    "callbacks_open": Count("pk", filter=Q(abandoned=True, called_back_at__isnull=True)),
    "handled": Count("pk", filter=Q(handling_seconds__isnull=False)),
    "handling_total": Sum("handling_seconds"),
    "wait_total": Sum("wait_seconds"),
}


@dataclass(frozen=True)
class AgentFigures:
    agent_code: str
    name: str
    figures: Figures


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00) in Asia/Shanghai."""
    return (
        datetime.combine(start, time.min, tzinfo=clock.SHANGHAI),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=clock.SHANGHAI),
    )


def calls_in(start: date, end: date, agent_code: str | None = None) -> QuerySet[Call]:
    """The calls offered in the period (rang_at within it), of one agent when agent_code is given."""
    low, high = period_bounds(start, end)
    calls = Call.objects.filter(rang_at__gte=low, rang_at__lt=high)
    return calls if agent_code is None else calls.filter(agent_code=agent_code)


def figures(start: date, end: date, agent_code: str | None = None) -> Figures:
    """The period's figures in one aggregate query."""
    return figures_from(calls_in(start, end, agent_code).aggregate(**AGGREGATES))


def figures_per_agent(start: date, end: date, agent_code: str | None = None) -> list[AgentFigures]:
    """The period's figures per agent (agent_code as the CTI sent it; "" for calls no agent took), in one
    grouped query."""
    rows = (
        calls_in(start, end, agent_code).order_by().values("agent_code").annotate(**AGGREGATES).order_by("agent_code")
    )
    names = _names([row["agent_code"] for row in rows])
    return [AgentFigures(row["agent_code"], names.get(row["agent_code"], ""), figures_from(row)) for row in rows]


def _names(codes: list[str]) -> dict[str, str]:
    """The agents' names (姓名), one query for the page."""
    users = User.objects.filter(username__in=[c for c in codes if c])
    return {u.username: f"{u.last_name}{u.first_name}".strip() or u.username for u in users}


def reads_everyone(user: Any) -> bool:
    return not ALL_FIGURES_ROLES.isdisjoint(user.roles)


def live_call(user: Any) -> Call | None:
    """The screen pop: the newest call ringing or answered at this agent and not yet linked to a ticket."""
    since = clock.now() - LIVE_FOR
    return (
        Call.objects.filter(agent_code=user.username, rang_at__gte=since, state__in=LIVE_STATES, ticket__isnull=True)
        .order_by("-rang_at")
        .first()
    )


def open_callbacks() -> QuerySet[Call]:
    """Everyone's abandoned calls not yet called back, newest first (a partial index holds exactly these)."""
    return Call.objects.filter(abandoned=True, called_back_at__isnull=True).order_by("-rang_at", "-pk")


def calls_of(ticket: Ticket) -> list[Call]:
    return list(ticket.calls.select_related("agent").order_by("rang_at", "pk"))


def dual_track_hotline(call_id: str) -> str:
    """The number of the dual-track old hotline a call came in on ("" when none): the number it dialled, else
    the old hotline its CTI account is registered for."""
    call = Call.objects.filter(call_id=call_id).select_related("account__hotline").first() if call_id else None
    if call is None:
        return ""
    if call.dialled and MergedHotline.objects.filter(number=call.dialled, mode=HotlineMode.DUAL_TRACK).exists():
        return call.dialled
    hotline = call.account.hotline
    return hotline.number if hotline is not None and hotline.mode == HotlineMode.DUAL_TRACK else ""
