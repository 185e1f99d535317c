"""Replay a ticket's event log against the transition table (pure Python, no Django import).

Used by `rexian check-invariants` and by the property tests: the state a ticket stores must be the
state its events lead to, with no event missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rexian.tickets.workflow import INITIAL_STATE, Action, State, transition_for


@dataclass(frozen=True)
class EventRecord:
    seq: int
    action: str
    from_state: str
    to_state: str
    version: int


def replay_problems(stored_state: str, stored_version: int, events: Sequence[EventRecord]) -> list[str]:
    """Every way in which the events fail to explain the stored ticket; empty when they do."""
    if not events:
        return ["no events"]
    problems: list[str] = []
    first = events[0]
    if first.action != Action.CREATE or first.to_state != INITIAL_STATE or first.from_state:
        problems.append(f"first event is {first.action} → {first.to_state}, not create → registered")
    state = first.to_state
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            problems.append(f"event #{expected_seq} missing (found #{event.seq})")
            break
        if event.version != event.seq:
            problems.append(f"event #{event.seq} has version {event.version}")
        if expected_seq == 1:
            continue
        if event.from_state != state:
            problems.append(f"event #{event.seq} starts from {event.from_state}, but the ticket was {state}")
        transition = transition_for(event.from_state, event.action)
        if transition is None or State(event.to_state) not in transition.targets:
            problems.append(
                f"event #{event.seq}: {event.from_state} --{event.action}--> {event.to_state} "
                "is not in the transition table"
            )
        state = event.to_state
    if state != stored_state:
        problems.append(f"events lead to {state}, ticket stores {stored_state}")
    if events[-1].version != stored_version:
        problems.append(f"last event has version {events[-1].version}, ticket stores {stored_version}")
    return problems
