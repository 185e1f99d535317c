"""The figures a centre runs on, each with one definition (docs/metrics.md is generated from METRICS).

Pure Python: `Counts` are what the queries count in the event log for a period and a slice (a unit subtree,
a channel, a type, a category, a district); `figures()` turns them into the published figures. Every rate
is None when its denominator is zero: "no callbacks" is not "0 % satisfied".
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any


@dataclass
class Counts:
    """Events counted in one period for one slice; `handling_days` holds one value per reply."""

    received: int = 0  # tickets registered (create)
    answered_directly: int = 0  # answer_directly: 即办, closed at intake from the knowledge or by the agent
    rejected: int = 0  # reject_out_of_scope
    merged: int = 0  # merge_into
    dispatched: int = 0  # dispatch, re-dispatches included
    signed: int = 0  # sign
    signed_on_time: int = 0  # sign within the sign deadline
    signed_late: int = 0  # sign after it (signs recorded before deadlines were kept on events count as neither)
    returned: int = 0  # approve_return: a unit's 退单 the centre accepted
    extended: int = 0  # approve_extension
    replied: int = 0  # reply: the unit's answer (again after a re-handling)
    replied_on_time: int = 0  # reply within the handling deadline (extensions included)
    replied_late: int = 0
    approved: int = 0  # approve_reply: replies passed on to the callback
    callbacks: int = 0  # callback, reached or not
    reached: int = 0  # callbacks that reached the citizen
    satisfied: int = 0
    basically_satisfied: int = 0
    unsatisfied: int = 0
    resolved_yes: int = 0  # reached callbacks: the citizen says the problem is solved
    resolved_asked: int = 0  # reached callbacks with an answer to "solved?"
    rehandled: int = 0  # callbacks that sent the ticket back to the unit (重办)
    closed: int = 0  # callbacks that closed the ticket, and imported orders an older hotline closed
    notices: dict[int, int] = field(default_factory=dict)  # supervision notices issued, by level
    cards: dict[int, int] = field(default_factory=dict)  # units' monthly cards, by colour (1 yellow … 3 red)
    handling_days: list[int] = field(default_factory=list)  # working days from dispatch to each reply

    def add(self, other: Counts) -> Counts:
        """Add `other` into this one (a roll-up of slices) and return self."""
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if isinstance(mine, dict):
                for key, value in theirs.items():
                    mine[key] = mine.get(key, 0) + value
            elif isinstance(mine, list):
                mine.extend(theirs)
            else:
                setattr(self, f.name, mine + theirs)
        return self

    @property
    def rated(self) -> int:
        return self.satisfied + self.basically_satisfied + self.unsatisfied


def total(parts: Iterable[Counts]) -> Counts:
    result = Counts()
    for part in parts:
        result.add(part)
    return result


class Kind(StrEnum):
    COUNT = "count"
    RATE = "rate"
    DAYS = "days"


@dataclass(frozen=True)
class Metric:
    code: str
    label: str
    kind: Kind
    definition: str  # in Chinese, as printed in docs/metrics.md and on the pages
    better: str = ""  # "high", "low" or "" (a volume)


METRICS: tuple[Metric, ...] = (
    Metric("received", "受理量", Kind.COUNT, "期间内登记的诉求数（各渠道新建工单）"),
    Metric("answered_directly", "直办量", Kind.COUNT, "期间内受理员直接答复办结的诉求数（即办件）"),
    Metric("direct_rate", "直办率", Kind.RATE, "直办量 ÷ 受理量", "high"),
    Metric("rejected", "不予受理", Kind.COUNT, "期间内因不属受理范围而不予受理的诉求数"),
    Metric("merged", "并单", Kind.COUNT, "期间内并入其他工单的诉求数"),
    Metric("dispatched", "派单量", Kind.COUNT, "期间内的派单次数（含退单后重新派单）"),
    Metric("signed", "签收量", Kind.COUNT, "期间内承办单位签收的次数"),
    Metric("sign_on_time_rate", "按时签收率", Kind.RATE, "未过签收时限的签收数 ÷ 已知是否超时的签收数", "high"),
    Metric("returned", "退单量", Kind.COUNT, "期间内中心同意的退单数"),
    Metric("return_rate", "退单率", Kind.RATE, "退单量 ÷ 派单量", "low"),
    Metric("extended", "延期量", Kind.COUNT, "期间内批准的延期申请数"),
    Metric("extension_rate", "延期率", Kind.RATE, "延期量 ÷ 派单量", "low"),
    Metric("replied", "答复量", Kind.COUNT, "期间内承办单位的答复数（重办后再次答复另计）"),
    Metric("overdue", "超期答复", Kind.COUNT, "期间内超过办理时限（含批准的延期）的答复数", "low"),
    Metric("reply_on_time_rate", "按时办结率", Kind.RATE, "在办理时限内的答复数 ÷ 已知是否超时的答复数", "high"),
    Metric("callbacks", "回访量", Kind.COUNT, "期间内的回访次数（含未联系上）"),
    Metric("callback_rate", "回访率", Kind.RATE, "回访量 ÷ 审核通过待回访的答复数", "high"),
    Metric("rated", "评价数", Kind.COUNT, "联系上并作出满意度评价的回访数"),
    Metric("satisfaction_rate", "满意率", Kind.RATE, "（满意 + 基本满意）÷ 评价数", "high"),
    Metric("resolution_rate", "解决率", Kind.RATE, "市民表示问题已解决的回访数 ÷ 回答了是否解决的回访数", "high"),
    Metric("rehandled", "重办量", Kind.COUNT, "期间内因市民不满意退回承办单位重新办理的次数", "low"),
    Metric("rehandle_rate", "重办率", Kind.RATE, "重办量 ÷ 评价数", "low"),
    Metric("closed", "办结量", Kind.COUNT, "期间内经回访办结的工单数（导入的历史工单按原办结时间计入）"),
    Metric("notices", "督办文书", Kind.COUNT, "期间内签发的催办、督办文书数（各级合计）", "low"),
    Metric("cards", "亮牌", Kind.COUNT, "期间所含月份的黄、橙、红牌数", "low"),
    Metric("handling_days_avg", "平均办理时长", Kind.DAYS, "派单至答复经过的工作日数的平均值", "low"),
    Metric("handling_days_p90", "办理时长 P90", Kind.DAYS, "派单至答复经过的工作日数的第 90 百分位（最近秩法）", "low"),
)
METRIC_BY_CODE: dict[str, Metric] = {metric.code: metric for metric in METRICS}


def ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def percentile(values: Sequence[float], share: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least `share` of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return float(ordered[max(0, math.ceil(share * len(ordered)) - 1)])


def figures(c: Counts) -> dict[str, Any]:
    """Every metric of METRICS for one set of counts, plus the notices by level and the cards by colour."""
    days = c.handling_days
    return {
        "received": c.received,
        "answered_directly": c.answered_directly,
        "direct_rate": ratio(c.answered_directly, c.received),
        "rejected": c.rejected,
        "merged": c.merged,
        "dispatched": c.dispatched,
        "signed": c.signed,
        "sign_on_time_rate": ratio(c.signed_on_time, c.signed_on_time + c.signed_late),
        "returned": c.returned,
        "return_rate": ratio(c.returned, c.dispatched),
        "extended": c.extended,
        "extension_rate": ratio(c.extended, c.dispatched),
        "replied": c.replied,
        "overdue": c.replied_late,
        "reply_on_time_rate": ratio(c.replied_on_time, c.replied_on_time + c.replied_late),
        "callbacks": c.callbacks,
        "callback_rate": ratio(c.callbacks, c.approved),
        "rated": c.rated,
        "satisfaction_rate": ratio(c.satisfied + c.basically_satisfied, c.rated),
        "resolution_rate": ratio(c.resolved_yes, c.resolved_asked),
        "rehandled": c.rehandled,
        "rehandle_rate": ratio(c.rehandled, c.rated),
        "closed": c.closed,
        "notices": sum(c.notices.values()),
        "cards": sum(c.cards.values()),
        "handling_days_avg": sum(days) / len(days) if days else None,
        "handling_days_p90": percentile(days, 0.9),
        "notices_by_level": dict(sorted(c.notices.items())),
        "cards_by_colour": dict(sorted(c.cards.items())),
    }


def change(current: float | None, previous: float | None) -> float | None:
    """current − previous, or None when either is missing (rates change in points, counts in units)."""
    if current is None or previous is None:
        return None
    return current - previous


def formatted(code: str, value: Any) -> str:
    """A figure as the pages and reports print it: 91.6%, 1,234, 3.2 个工作日, or — when there is none."""
    if value is None:
        return "—"
    kind = METRIC_BY_CODE[code].kind
    if kind is Kind.RATE:
        return f"{value * 100:.1f}%"
    if kind is Kind.DAYS:
        return f"{value:.1f}"
    return f"{value:,}"

