"""Our workflow states as Open311 statuses (pure: no Django).

An appeal is `closed` once it is finished with (workflow.FINISHED_STATES): answered on the spot, refused as
out of scope, closed after the callback, archived, or merged into another ticket. Everything else is `open`,
including 待回访 (callback_pending): the unit has replied, but an unsatisfied citizen sends it back (重办).
"""

from __future__ import annotations

from collections.abc import Iterable

from rexian.tickets.workflow import State

OPEN, CLOSED = "open", "closed"
STATUSES = (OPEN, CLOSED)

STATUS_OF: dict[State, str] = {
    State.REGISTERED: OPEN,
    State.DISPATCHED: OPEN,
    State.IN_PROGRESS: OPEN,
    State.RETURN_REQUESTED: OPEN,
    State.REPLIED: OPEN,
    State.CALLBACK_PENDING: OPEN,
    State.ANSWERED: CLOSED,
    State.REJECTED: CLOSED,
    State.CLOSED: CLOSED,
    State.ARCHIVED: CLOSED,
    State.MERGED: CLOSED,
}


def status_of(state: State | str) -> str:
    return STATUS_OF[State(state)]


def states_with(statuses: Iterable[str]) -> list[State]:
    """The workflow states behind the given Open311 statuses."""
    wanted = set(statuses)
    return [state for state, status in STATUS_OF.items() if status in wanted]


def status_notes(state: State | str, result_text: str = "") -> str:
    """The state's Chinese label; for a closed appeal, followed by the reply the citizen was given."""
    state = State(state)
    reply = result_text.strip()
    if STATUS_OF[state] == CLOSED and reply:
        return f"{state.label}：{reply}"
    return state.label
