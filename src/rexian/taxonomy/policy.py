"""Time-limit policies (pure Python, no Django import).

A policy rule sets the limit of one stage (dispatch, sign, return window, handling, review, callback)
for the appeals it matches: by appeal type, by category (a rule on a category covers its whole subtree)
and by urgency; a blank key matches anything. The most specific rule wins: a deeper category first,
then urgency, then type. The seed documents' limits are the defaults (`SEED_RULES`):

dispatch within one working day; a unit may return a misrouted ticket within two working days;
emergencies the same day; consultations and help requests within 5 working days; complaints, reports
and suggestions within 15 working days, counted from the day after receipt; callbacks within 3
working days (emergencies 1).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol


class Stage(StrEnum):
    DISPATCH = "dispatch"
    SIGN = "sign"
    RETURN_WINDOW = "return_window"
    HANDLING = "handling"
    REVIEW = "review"
    CALLBACK = "callback"

    @property
    def label(self) -> str:
        return STAGE_LABELS[self]


STAGE_LABELS: dict[Stage, str] = {
    Stage.DISPATCH: "派单",
    Stage.SIGN: "签收",
    Stage.RETURN_WINDOW: "退单期限",
    Stage.HANDLING: "办理",
    Stage.REVIEW: "审核",
    Stage.CALLBACK: "回访",
}


class LimitUnit(StrEnum):
    WORKDAYS = "workdays"
    HOURS = "hours"


@dataclass(frozen=True)
class Limit:
    amount: int
    unit: LimitUnit = LimitUnit.WORKDAYS

    def __str__(self) -> str:
        if self.unit is LimitUnit.HOURS:
            return f"{self.amount} 小时"
        return "当日" if self.amount == 0 else f"{self.amount} 个工作日"


@dataclass(frozen=True)
class PolicyRule:
    stage: Stage
    limit: Limit
    appeal_type: str = ""  # blank: any type
    category_id: int | None = None  # None: any category; else this category and everything below it
    urgency: str = ""  # blank: any urgency


class Calendar(Protocol):
    def deadline(self, received: datetime, n: int) -> datetime: ...
    def deadline_is_provisional(self, received: datetime, n: int) -> bool: ...


URGENT = "urgent"
_W = LimitUnit.WORKDAYS
SEED_RULES: tuple[PolicyRule, ...] = (
    PolicyRule(Stage.DISPATCH, Limit(1)),
    PolicyRule(Stage.DISPATCH, Limit(0), urgency=URGENT),
    PolicyRule(Stage.SIGN, Limit(1)),
    PolicyRule(Stage.SIGN, Limit(2, LimitUnit.HOURS), urgency=URGENT),
    PolicyRule(Stage.RETURN_WINDOW, Limit(2)),
    PolicyRule(Stage.HANDLING, Limit(15)),
    *(PolicyRule(Stage.HANDLING, Limit(5), appeal_type=t) for t in ("consult", "help", "praise", "other")),
    PolicyRule(Stage.HANDLING, Limit(0), urgency=URGENT),
    PolicyRule(Stage.REVIEW, Limit(1)),
    PolicyRule(Stage.CALLBACK, Limit(3)),
    PolicyRule(Stage.CALLBACK, Limit(1), urgency=URGENT),
)
# When no rule at all matches a stage (a centre deleted its rows): the seed's general limits.
FALLBACK: dict[Stage, Limit] = {r.stage: r.limit for r in SEED_RULES if not (r.appeal_type or r.urgency)}


def _specificity(rule: PolicyRule, category_chain: Sequence[int]) -> tuple[int, int, int]:
    depth = category_chain.index(rule.category_id) + 1 if rule.category_id is not None else 0
    return depth, int(bool(rule.urgency)), int(bool(rule.appeal_type))


def resolve(
    rules: Iterable[PolicyRule], stage: Stage, *, appeal_type: str, category_chain: Sequence[int], urgency: str
) -> Limit:
    """The limit of `stage` for an appeal. `category_chain` lists the appeal's category and its ancestors,
    root first (empty when it has no category)."""
    matching = [
        rule
        for rule in rules
        if rule.stage is stage
        and rule.appeal_type in ("", appeal_type)
        and rule.urgency in ("", urgency)
        and (rule.category_id is None or rule.category_id in category_chain)
    ]
    if not matching:
        return FALLBACK[stage]
    return max(matching, key=lambda rule: _specificity(rule, category_chain)).limit


def deadline(calendar: Calendar, start: datetime, limit: Limit) -> datetime:
    """Working days end at 23:59:59 of the last day (次日起算); hours run on the clock."""
    if limit.unit is LimitUnit.HOURS:
        return start + timedelta(hours=limit.amount)
    return calendar.deadline(start, limit.amount)


def is_provisional(calendar: Calendar, start: datetime, limit: Limit) -> bool:
    return limit.unit is LimitUnit.WORKDAYS and calendar.deadline_is_provisional(start, limit.amount)
