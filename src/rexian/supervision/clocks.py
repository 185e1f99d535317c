"""Stage clocks, warning lights and the escalation ladder, as rules (pure Python, no Django import).

Which stages run in which state, which actions restart which clocks, when a clock turns yellow and red,
and which ladder level an overdue clock has reached. tickets/actions.py and the sweep apply them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import IntEnum

from rexian.taxonomy.policy import Calendar, Limit, LimitUnit, Stage
from rexian.tickets.workflow import Action, State
from rexian.workdays.calendar import SHANGHAI

# The clocks that run while a ticket is in a state. A dispatched ticket must be signed, and its handling
# limit already runs (it counts from dispatch).
RUNNING: dict[State, frozenset[Stage]] = {
    State.REGISTERED: frozenset({Stage.DISPATCH}),
    State.DISPATCHED: frozenset({Stage.SIGN, Stage.HANDLING}),
    State.IN_PROGRESS: frozenset({Stage.HANDLING}),
    State.RETURN_REQUESTED: frozenset({Stage.HANDLING}),
    State.REPLIED: frozenset({Stage.REVIEW}),
    State.CALLBACK_PENDING: frozenset({Stage.CALLBACK}),
}
# Clocks an action starts afresh. A clock that runs again without being restarted resumes with its old
# deadline: a reply sent back by the reviewer does not give the unit more time.
RESTARTS: dict[Action, frozenset[Stage]] = {
    Action.CREATE: frozenset({Stage.DISPATCH}),
    Action.APPROVE_RETURN: frozenset({Stage.DISPATCH}),  # misrouted: the centre dispatches again
    Action.RECALL_DISPATCH: frozenset({Stage.DISPATCH}),
    Action.DISPATCH: frozenset({Stage.SIGN, Stage.HANDLING}),
    Action.SUB_DISPATCH: frozenset({Stage.SIGN}),  # the appeal's limit does not restart when passed down
    Action.REPLY: frozenset({Stage.REVIEW}),
    Action.APPROVE_REPLY: frozenset({Stage.CALLBACK}),
    Action.CALLBACK: frozenset({Stage.HANDLING}),  # 重办: a fresh handling limit
}
# The stage an action completes: its event records whether that stage's clock was past its deadline.
COMPLETES: dict[Action, Stage] = {
    Action.DISPATCH: Stage.DISPATCH,
    Action.SIGN: Stage.SIGN,
    Action.REPLY: Stage.HANDLING,
    Action.APPROVE_REPLY: Stage.REVIEW,
    Action.CALLBACK: Stage.CALLBACK,
}
# Stages a unit answers for; the others are the centre's own work.
UNIT_STAGES: frozenset[Stage] = frozenset({Stage.SIGN, Stage.HANDLING})


def running_stages(state: str) -> frozenset[Stage]:
    return RUNNING.get(State(state), frozenset())


class Light(IntEnum):
    GREEN = 0
    YELLOW = 1  # the warning share of the limit has passed
    RED = 2  # overdue

    @property
    def label(self) -> str:
        return ("正常", "即将超期", "已超期")[self]


def due_moment(calendar: Calendar, start: datetime, limit: Limit, extra_workdays: int = 0) -> datetime:
    """The deadline of a clock: the limit from `start`, plus granted extensions in working days."""
    if limit.unit is LimitUnit.WORKDAYS:
        return calendar.deadline(start, limit.amount + extra_workdays)
    due = (start + timedelta(hours=limit.amount)).astimezone(SHANGHAI)  # local, to count days in Shanghai
    if extra_workdays:
        extended = calendar.deadline(due, extra_workdays)
        due = due + timedelta(days=(extended.date() - due.date()).days)
    return due


def warn_moment(calendar: Calendar, start: datetime, due: datetime, limit: Limit, share: float) -> datetime:
    """When the clock turns yellow. For limits of two working days or more, at the end of the working day
    after which `share` of them has passed (day k of n with k/n >= share starts yellow); otherwise, and for
    hours, at `share` of the clock time."""
    if limit.unit is LimitUnit.WORKDAYS and limit.amount >= 2:
        days_green = math.ceil(limit.amount * share) - 1
        if days_green >= 1:
            return min(calendar.deadline(start, days_green), due)
    return start + (due - start) * share


def light_at(now: datetime, warn_at: datetime, due_at: datetime) -> Light:
    if now > due_at:
        return Light.RED
    return Light.YELLOW if now >= warn_at else Light.GREEN


def elapsed_share(now: datetime, start: datetime, due: datetime) -> float:
    """How much of the limit has passed, in clock time (1.0 = due now; over 1 when late)."""
    total = (due - start).total_seconds()
    return 1.0 if total <= 0 else max(0.0, (now - start).total_seconds() / total)


@dataclass(frozen=True)
class Rung:
    """A level of the ladder (e.g. Tai'an's 工作提醒函 → 热线督办单 → 提级督办 → 约谈预警 → 推送纪检监察)."""

    level: int
    name: str
    auto_after_workdays: int | None  # None: only issued by hand


# Tai'an's five levels: (level, name, automatic after N overdue working days or None for by hand only,
# working days for the written explanation, roles that may issue it). The migration seeds them.
TAIAN_LADDER: tuple[tuple[int, str, int | None, int, list[str]], ...] = (
    (1, "工作提醒函", 1, 3, ["shift_lead", "centre_admin"]),
    (2, "热线督办单", 3, 3, ["shift_lead", "centre_admin"]),
    (3, "提级督办", 5, 2, ["centre_admin"]),
    (4, "约谈预警", 10, 2, ["centre_admin"]),
    (5, "推送纪检监察", None, 5, ["centre_admin"]),
)


def auto_level(rungs: Sequence[Rung], overdue_workdays: int) -> int:
    """The highest automatic level an overdue clock has reached (0: only the 催办 reminder)."""
    reached = [
        r.level for r in rungs if r.auto_after_workdays is not None and overdue_workdays >= r.auto_after_workdays
    ]
    return max(reached, default=0)


def latest_due_day(between: Callable[[date, date], int], today: date, workdays: int) -> date:
    """The latest due day of a clock that is at least `workdays` working days overdue today: overdue days
    are the working days after the due day up to today (today counts)."""
    if workdays <= 0:
        return today
    low = 1  # days before today; between(today - k, today) grows with k
    high = 2 * workdays + 14
    while between(today - timedelta(days=high), today) < workdays:
        high *= 2
    while low < high:
        middle = (low + high) // 2
        if between(today - timedelta(days=middle), today) >= workdays:
            high = middle
        else:
            low = middle + 1
    return today - timedelta(days=low)


class Card(IntEnum):
    NONE = 0
    YELLOW = 1
    ORANGE = 2
    RED = 3

    @property
    def label(self) -> str:
        return ("", "黄牌", "橙牌", "红牌")[self]


def card_for(overdue_tickets: int, thresholds: Sequence[int]) -> Card:
    """The card a unit earns in a period: thresholds are the overdue-ticket counts for yellow, orange, red."""
    earned = Card.NONE
    for card, threshold in zip((Card.YELLOW, Card.ORANGE, Card.RED), thresholds, strict=False):
        if overdue_tickets >= threshold:
            earned = card
    return earned
