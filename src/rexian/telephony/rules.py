"""Call rules (pure Python, no Django import): what a call event says, what a call's state and times are given
the events that arrived, in whatever order, and the arithmetic of the call-centre figures.

A call's facts are derived from the whole set of its events each time one arrives, never from the last one
alone, so that events arriving out of order (挂机 before 接通) give the same call as events in order:

- rang_at: the earliest 振铃 event; without one (lost, or a CTI that sends none), the earliest event of any kind;
- answered_at: the earliest 接通 event; the call was answered when there is one, even if it was later transferred;
- ended_at: the latest 挂机 or 放弃 event;
- abandoned: the call ended (挂机 or 放弃) and no 接通 event arrived: the caller gave up before an agent answered;
- transferred_to: the target named by the latest 转接 event;
- the agent: the one named by the 接通 event, else by the latest 振铃 event, else by the latest event naming one;
- state: 放弃 or 已结束 once ended; else 已转接, 通话中 or 振铃中.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

# GB/T 33358-2016 (政府热线服务规范): calls answered within 15 seconds, 24-hour connection rate at least 95 %.
ANSWER_WITHIN_SECONDS = 15
CONNECTION_TARGET = 0.95
# The standard asks every call to be answered within 15 s; a period meets it here when the 15-second rate
# reaches the same 95 % (the share a centre is held to in practice). Change it here if the centre's rule differs.
WITHIN_TARGET = 0.95


class EventKind(StrEnum):
    RINGING = "ringing"
    ANSWERED = "answered"
    ENDED = "ended"
    ABANDONED = "abandoned"
    TRANSFERRED = "transferred"

    @property
    def label(self) -> str:
        return EVENT_LABELS[self]


EVENT_LABELS: dict[EventKind, str] = {
    EventKind.RINGING: "振铃",
    EventKind.ANSWERED: "接通",
    EventKind.ENDED: "挂机",
    EventKind.ABANDONED: "放弃",
    EventKind.TRANSFERRED: "转接",
}


class CallState(StrEnum):
    RINGING = "ringing"
    ANSWERED = "answered"
    TRANSFERRED = "transferred"
    ENDED = "ended"
    ABANDONED = "abandoned"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]


STATE_LABELS: dict[CallState, str] = {
    CallState.RINGING: "振铃中",
    CallState.ANSWERED: "通话中",
    CallState.TRANSFERRED: "已转接",
    CallState.ENDED: "已结束",
    CallState.ABANDONED: "放弃",
}
# A call still on the line: the screen pop shows it to its agent.
LIVE_STATES = (CallState.RINGING, CallState.ANSWERED)


# ---- reading an event ------------------------------------------------------------------------------------


def parse_kind(raw: object) -> tuple[EventKind | None, str]:
    """The event kind, or None and why not."""
    if raw is None or raw == "":
        return None, "必填。"
    try:
        return EventKind(str(raw)), ""
    except ValueError:
        return None, f"未知的事件：{raw}。可选：{'、'.join(EventKind)}。"


def parse_time(raw: object) -> tuple[datetime | None, str]:
    """An ISO 8601 time with its offset ("2026-03-02T09:00:05+08:00", "…Z") or Unix seconds, as an aware
    datetime; or None and why not. A time without an offset is refused: it is ambiguous."""
    if raw is None or raw == "":
        return None, "必填。"
    if isinstance(raw, bool):
        return None, "应为带时区的 ISO 8601 时间或 Unix 秒数。"
    if isinstance(raw, int | float):
        try:
            return datetime.fromtimestamp(raw, tz=UTC), ""
        except (OverflowError, OSError, ValueError):
            return None, "Unix 秒数超出范围。"
    if not isinstance(raw, str):
        return None, "应为带时区的 ISO 8601 时间或 Unix 秒数。"
    text = raw.strip()
    if text.isdigit():
        return parse_time(int(text))
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None, "时间格式应为 ISO 8601（如 2026-03-02T09:00:05+08:00）或 Unix 秒数。"
    if moment.tzinfo is None or moment.utcoffset() is None:
        return None, "时间须带时区（如 +08:00）。"
    return moment, ""


def url_problem(url: str) -> str:
    """Why a recording address cannot be shown as a link ("" when it can): only http(s) addresses."""
    if url and not url.lower().startswith(("http://", "https://")):
        return "录音地址应以 http:// 或 https:// 开头。"
    return ""


# ---- a call from its events ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventFact:
    """What one event says about its call (the fields the CTI sent; empty strings when absent)."""

    kind: EventKind
    at: datetime
    agent: str = ""
    caller: str = ""
    dialled: str = ""
    transferred_to: str = ""
    recording_url: str = ""


@dataclass(frozen=True)
class EventIn:
    """A checked event body: its identifiers, what it says (`fact`) and the body as received."""

    event_id: str
    call_id: str
    fact: EventFact
    payload: Mapping[str, object]


@dataclass(frozen=True)
class CallFacts:
    state: CallState
    rang_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    abandoned: bool
    agent: str
    caller: str
    dialled: str
    transferred_to: str
    recording_url: str
    wait_seconds: float | None
    handling_seconds: float | None


def derive(events: Iterable[EventFact]) -> CallFacts:
    """The call the events describe (see the module's docstring); at least one event."""
    ordered = sorted(events, key=lambda e: e.at)
    if not ordered:
        raise ValueError("a call needs at least one event")
    of = {kind: [e for e in ordered if e.kind is kind] for kind in EventKind}
    rang_at = (of[EventKind.RINGING] or ordered)[0].at
    answered_at = of[EventKind.ANSWERED][0].at if of[EventKind.ANSWERED] else None
    endings = of[EventKind.ENDED] + of[EventKind.ABANDONED]
    ended_at = max(e.at for e in endings) if endings else None
    abandoned = ended_at is not None and answered_at is None
    transferred_to = _last(of[EventKind.TRANSFERRED], "transferred_to")
    return CallFacts(
        state=_state(answered_at, ended_at, abandoned, bool(of[EventKind.TRANSFERRED])),
        rang_at=rang_at,
        answered_at=answered_at,
        ended_at=ended_at,
        abandoned=abandoned,
        agent=_agent(of, ordered),
        caller=_first(ordered, "caller"),
        dialled=_first(ordered, "dialled"),
        transferred_to=transferred_to,
        recording_url=_last(ordered, "recording_url"),
        wait_seconds=seconds_between(rang_at, answered_at),
        handling_seconds=seconds_between(answered_at, ended_at),
    )


def _state(answered_at: datetime | None, ended_at: datetime | None, abandoned: bool, transferred: bool) -> CallState:
    if ended_at is not None:
        return CallState.ABANDONED if abandoned else CallState.ENDED
    if transferred:
        return CallState.TRANSFERRED
    return CallState.ANSWERED if answered_at is not None else CallState.RINGING


def _agent(of: Mapping[EventKind, list[EventFact]], ordered: Sequence[EventFact]) -> str:
    answered = [e.agent for e in of[EventKind.ANSWERED] if e.agent]
    if answered:
        return answered[0]
    return _last(of[EventKind.RINGING], "agent") or _last(ordered, "agent")


def _first(events: Sequence[EventFact], name: str) -> str:
    return next((getattr(e, name) for e in events if getattr(e, name)), "")


def _last(events: Sequence[EventFact], name: str) -> str:
    return _first(list(reversed(events)), name)


def seconds_between(start: datetime | None, end: datetime | None) -> float | None:
    """Seconds from start to end, never negative (a CTI's clocks may disagree by a little); None if either is."""
    if start is None or end is None:
        return None
    return max(0.0, (end - start).total_seconds())


# ---- the figures -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """The call-centre figures of a period (and of one agent, in the per-agent table). The counts come from
    one SQL aggregate over the calls whose rang_at falls in the period:

    - offered (呼入量): every such call;
    - answered (接通量): those with a 接通 event (a transferred call counts when it was answered first);
    - answered_within (15 秒内接通): answered with wait_seconds ≤ 15 (rang_at → answered_at);
    - abandoned (放弃量): ended without a 接通 event;
    - callbacks_open (未回拨): abandoned and not yet marked 已回拨;
    - handled, handling_total: answered calls that have ended, and the sum of their answered_at → ended_at
      seconds (including any time after a transfer, until the call ended);
    - wait_total: the sum of the answered calls' waits.
    """

    offered: int = 0
    answered: int = 0
    answered_within: int = 0
    abandoned: int = 0
    callbacks_open: int = 0
    handled: int = 0
    handling_total: float = 0.0
    wait_total: float = 0.0

    @property
    def connection_rate(self) -> float | None:
        """接通率 = answered / offered; None without calls."""
        return ratio(self.answered, self.offered)

    @property
    def within_rate(self) -> float | None:
        """15 秒接通率 = answered within 15 s of ringing / offered; None without calls."""
        return ratio(self.answered_within, self.offered)

    @property
    def average_handling(self) -> float | None:
        """平均通话时长 (seconds) = handling_total / handled: answered → ended, over answered calls that ended."""
        return self.handling_total / self.handled if self.handled else None

    @property
    def average_wait(self) -> float | None:
        """平均等待时长 (seconds) of answered calls = wait_total / answered: rang → answered."""
        return self.wait_total / self.answered if self.answered else None

    @property
    def meets_standard(self) -> bool | None:
        """GB/T 33358: 接通率 ≥ 95 % and 15 秒接通率 ≥ 95 %; None without calls."""
        if self.connection_rate is None or self.within_rate is None:
            return None
        return self.connection_rate >= CONNECTION_TARGET and self.within_rate >= WITHIN_TARGET


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# The columns of the figures, in the order the pages and the API show them.
COLUMNS: dict[str, str] = {
    "offered": "呼入量",
    "answered": "接通量",
    "connection_rate": "接通率",
    "within_rate": "15秒接通率",
    "average_wait": "平均等待时长",
    "average_handling": "平均通话时长",
    "abandoned": "放弃量",
    "callbacks_open": "未回拨",
}
RATES = ("connection_rate", "within_rate")
DURATIONS = ("average_wait", "average_handling")


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def duration(seconds: float | None) -> str:
    """45秒, 3分05秒, 1时02分03秒; — when there is none."""
    if seconds is None:
        return "—"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}时{minutes:02d}分{secs:02d}秒"
    return f"{minutes}分{secs:02d}秒" if minutes else f"{secs}秒"


def shown(figures: Figures) -> dict[str, str]:
    """Each column of COLUMNS as the pages print it."""
    values: dict[str, str] = {}
    for code in COLUMNS:
        value = getattr(figures, code)
        values[code] = percent(value) if code in RATES else duration(value) if code in DURATIONS else f"{value:,}"
    return values


def figures_from(row: Mapping[str, int | float | None]) -> Figures:
    """Figures from a row of the aggregate query (sums of no rows are None)."""
    return Figures(
        offered=int(row.get("offered") or 0),
        answered=int(row.get("answered") or 0),
        answered_within=int(row.get("answered_within") or 0),
        abandoned=int(row.get("abandoned_calls") or 0),
        callbacks_open=int(row.get("callbacks_open") or 0),
        handled=int(row.get("handled") or 0),
        handling_total=float(row.get("handling_total") or 0.0),
        wait_total=float(row.get("wait_total") or 0.0),
    )
