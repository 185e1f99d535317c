"""The call-centre figures as JSON (for a big screen or a province's platform): the same reads and the same
access as the 话务 page. Definitions in telephony/rules.py and docs/telephony.md."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from rexian.analytics.queries import LONGEST_PERIOD_DAYS
from rexian.core import clock
from rexian.core.errors import PermissionDenied, ValidationError
from rexian.core.inputs import ApiDate
from rexian.telephony import selectors
from rexian.telephony.rules import ANSWER_WITHIN_SECONDS, CONNECTION_TARGET, WITHIN_TARGET, Figures

router = Router(tags=["telephony"])


class CallPeriodIn(Schema):
    start: ApiDate | None = Field(None, description="起始日期（含），默认今天")
    end: ApiDate | None = Field(None, description="截止日期（含），默认今天")
    agent: str = Field("", max_length=150, description="坐席用户名：只统计该坐席（受理员只能看本人）")


class CallCountsOut(Schema):  # not FiguresOut: analytics has one, and OpenAPI names must be unique
    offered: int = Field(description="呼入量：振铃时间在期间内的通话")
    answered: int = Field(description="接通量：有接通事件的通话（转接前已接通的计入）")
    answered_within: int = Field(description="振铃后 15 秒内接通的通话")
    abandoned: int = Field(description="放弃量：挂机而未接通的通话")
    callbacks_open: int = Field(description="放弃且尚未回拨的通话")
    connection_rate: float | None = Field(description="接通率 = 接通量 / 呼入量")
    within_rate: float | None = Field(description="15 秒接通率 = 15 秒内接通 / 呼入量")
    average_wait: float | None = Field(description="已接通通话的平均等待秒数（振铃→接通）")
    average_handling: float | None = Field(description="平均通话秒数（接通→挂机，已挂机的接通通话）")
    meets_standard: bool | None = Field(description="GB/T 33358：接通率与 15 秒接通率均不低于 95%")


class AgentOut(Schema):
    agent: str
    name: str
    figures: CallCountsOut


class CallFiguresOut(Schema):
    start: date
    end: date
    within_seconds: int
    connection_target: float
    within_target: float
    total: CallCountsOut
    agents: list[AgentOut]


def _out(f: Figures) -> dict[str, Any]:
    names = ("offered", "answered", "answered_within", "abandoned", "callbacks_open", "connection_rate",
             "within_rate", "average_wait", "average_handling", "meets_standard")  # fmt: skip
    return {name: getattr(f, name) for name in names}


def _agent_filter(user: Any, asked: str) -> str | None:
    if selectors.reads_everyone(user):
        return asked or None
    if selectors.CALLS_ROLES.isdisjoint(user.roles):
        raise PermissionDenied("您的角色不能查看话务统计。")
    if asked and asked != user.username:
        raise PermissionDenied("受理员只能查看本人的话务统计。")
    return user.username


@router.get("/calls/figures", response=CallFiguresOut, summary="话务统计")
def call_figures(request: HttpRequest, period: Query[CallPeriodIn]) -> dict[str, Any]:
    today = clock.local_now().date()
    start, end = period.start or today, period.end or today
    if end < start or (end - start).days > LONGEST_PERIOD_DAYS:
        raise ValidationError("统计期间有误：截止日期不能早于起始日期，期间最长三年。", fields={"end": ["期间有误。"]})
    agent = _agent_filter(request.auth, period.agent.strip())
    rows = selectors.figures_per_agent(start, end, agent)
    return {
        "start": start,
        "end": end,
        "within_seconds": ANSWER_WITHIN_SECONDS,
        "connection_target": CONNECTION_TARGET,
        "within_target": WITHIN_TARGET,
        "total": _out(selectors.figures(start, end, agent)),
        "agents": [{"agent": a.agent_code, "name": a.name, "figures": _out(a.figures)} for a in rows],
    }
