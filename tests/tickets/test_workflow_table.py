"""The transition table (tickets/workflow.py) and the event-log replay (tickets/replay.py), without a database.

The expected table is written out literally below: a change to the workflow must change this file too.
"""

from __future__ import annotations

from collections import deque

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from rexian.directory.roles import Role
from rexian.tickets.replay import EventRecord, replay_problems
from rexian.tickets.workflow import (
    CREATE_ROLES,
    FINISHED_STATES,
    INITIAL_STATE,
    TRANSITIONS,
    Action,
    CallbackOutcome,
    Scope,
    State,
    actions_from,
    callback_target,
    mermaid_diagram,
    permitted,
    transition_for,
)

# ---- the table, written out ----------------------------------------------------------------------------

INTAKE = {"intake", "shift_lead", "centre_admin"}
DISPATCH = {"dispatcher", "shift_lead", "centre_admin"}
REVIEW = {"reviewer", "shift_lead", "centre_admin"}
CALLBACK = {"callback", "shift_lead", "centre_admin"}
UNIT = {"unit_handler", "unit_admin"}
ARCHIVE = {"shift_lead", "centre_admin", "system"}
NOTE = {"intake", "dispatcher", "shift_lead", "reviewer", "callback", "quality", "centre_admin",
        "unit_handler", "unit_admin"}
ANY, HANDLING = "any", "handling"

# (state, action): (targets, roles, scope)
EXPECTED: dict[tuple[str, str], tuple[tuple[str, ...], set[str], str]] = {
    ("registered", "amend"): (("registered",), INTAKE | DISPATCH, ANY),
    ("registered", "answer_directly"): (("answered",), INTAKE, ANY),
    ("registered", "reject_out_of_scope"): (("rejected",), INTAKE | DISPATCH, ANY),
    ("registered", "return_to_intake"): (("registered",), DISPATCH, ANY),
    ("registered", "dispatch"): (("dispatched",), DISPATCH | {"system"}, ANY),  # 人机双审: the machine too
    ("registered", "merge_into"): (("merged",), INTAKE | DISPATCH, ANY),
    ("registered", "mark_urgent"): (("registered",), INTAKE | DISPATCH, ANY),
    ("registered", "add_note"): (("registered",), NOTE, ANY),
    ("dispatched", "merge_into"): (("merged",), DISPATCH, ANY),
    ("dispatched", "recall_dispatch"): (("registered",), DISPATCH, ANY),
    ("dispatched", "sign"): (("in_progress",), UNIT, HANDLING),
    ("dispatched", "request_return"): (("return_requested",), UNIT, HANDLING),
    ("dispatched", "mark_urgent"): (("dispatched",), INTAKE | DISPATCH, ANY),
    ("dispatched", "add_note"): (("dispatched",), NOTE, ANY),
    ("in_progress", "request_return"): (("return_requested",), UNIT, HANDLING),
    ("in_progress", "sub_dispatch"): (("dispatched",), UNIT, HANDLING),
    ("in_progress", "request_extension"): (("in_progress",), UNIT, HANDLING),
    ("in_progress", "approve_extension"): (("in_progress",), REVIEW, ANY),
    ("in_progress", "reject_extension"): (("in_progress",), REVIEW, ANY),
    ("in_progress", "reply"): (("replied",), UNIT, HANDLING),
    ("in_progress", "mark_urgent"): (("in_progress",), INTAKE | DISPATCH, ANY),
    ("in_progress", "add_note"): (("in_progress",), NOTE, ANY),
    ("return_requested", "approve_return"): (("registered",), DISPATCH | REVIEW, ANY),
    ("return_requested", "reject_return"): (("in_progress",), DISPATCH | REVIEW, ANY),
    ("return_requested", "mark_urgent"): (("return_requested",), INTAKE | DISPATCH, ANY),
    ("return_requested", "add_note"): (("return_requested",), NOTE, ANY),
    ("replied", "approve_reply"): (("callback_pending",), REVIEW, ANY),
    ("replied", "send_back_reply"): (("in_progress",), REVIEW, ANY),
    ("replied", "mark_urgent"): (("replied",), INTAKE | DISPATCH, ANY),
    ("replied", "add_note"): (("replied",), NOTE, ANY),
    ("callback_pending", "callback"): (("closed", "in_progress", "callback_pending"), CALLBACK | {"citizen"}, ANY),
    ("callback_pending", "mark_urgent"): (("callback_pending",), INTAKE | DISPATCH, ANY),
    ("callback_pending", "add_note"): (("callback_pending",), NOTE, ANY),
    ("answered", "archive"): (("archived",), ARCHIVE, ANY),
    ("answered", "add_note"): (("answered",), NOTE, ANY),
    ("rejected", "archive"): (("archived",), ARCHIVE, ANY),
    ("rejected", "add_note"): (("rejected",), NOTE, ANY),
    ("closed", "archive"): (("archived",), ARCHIVE, ANY),
    ("closed", "add_note"): (("closed",), NOTE, ANY),
    ("merged", "archive"): (("archived",), ARCHIVE, ANY),
    ("merged", "add_note"): (("merged",), NOTE, ANY),
    # The machine recomputes provisional deadlines once a year's holiday schedule is imported.
    **{(state, "reschedule"): ((state,), {"system"}, ANY) for state in
       ("registered", "dispatched", "in_progress", "return_requested", "replied", "callback_pending")},
    # An old hotline's finished order comes in as history (the legacy import writes it, nobody takes it as a step).
    ("registered", "close_imported"): (("archived",), {"system"}, ANY),
    # Past the retention period the machine anonymises a finished appeal's personal data.
    **{(state, "anonymise"): ((state,), {"system"}, ANY) for state in
       ("answered", "rejected", "closed", "archived", "merged")},
}

ALL_PAIRS = [(state, action) for state in State for action in Action]


# ---- the table ------------------------------------------------------------------------------------------

def test_the_states_and_actions_are_the_expected_ones():
    assert {s.value for s in State} == {
        "registered", "answered", "rejected", "dispatched", "in_progress", "return_requested", "replied",
        "callback_pending", "closed", "archived", "merged",
    }
    assert {a.value for a in Action} == {a for _, a in EXPECTED} | {"create"}


def test_transition_for_returns_a_row_exactly_for_the_expected_pairs():
    found = {(s.value, a.value) for s, a in ALL_PAIRS if transition_for(s, a) is not None}
    assert found == set(EXPECTED)
    assert set(TRANSITIONS) == {(State(s), Action(a)) for s, a in EXPECTED}


@pytest.mark.parametrize(("state", "action"), sorted(EXPECTED))
def test_each_row_has_the_expected_targets_roles_and_scope(state, action):
    row = transition_for(state, action)
    targets, roles, scope = EXPECTED[(state, action)]
    assert row is not None
    assert (row.source, row.action) == (state, action)
    assert tuple(t.value for t in row.targets) == targets
    assert row.target == targets[0]  # the usual outcome comes first
    assert {r.value for r in row.roles} == roles
    assert row.scope == Scope(scope)


def test_transition_for_accepts_strings_and_refuses_unknown_names():
    assert transition_for("registered", "dispatch") is TRANSITIONS[(State.REGISTERED, Action.DISPATCH)]
    assert transition_for("registered", "fly_to_the_moon") is None
    assert transition_for("limbo", "dispatch") is None
    assert transition_for("registered", "create") is None  # creation is not a transition


@pytest.mark.parametrize("state", list(State), ids=str)
def test_actions_from_lists_the_rows_of_a_state(state):
    assert sorted(actions_from(state)) == sorted(a for s, a in EXPECTED if s == state)
    assert sorted(actions_from(state.value)) == sorted(actions_from(state))


def test_permitted_agrees_with_the_roles_of_every_pair():
    disagreements = []
    for state, action in ALL_PAIRS:
        expected_roles = EXPECTED.get((state.value, action.value), (None, set(), None))[1]
        for role in Role:
            if permitted(state, action, [role]) != (role.value in expected_roles):
                disagreements.append((state.value, action.value, role.value))
    assert disagreements == []


def test_permitted_takes_any_of_several_roles_and_no_roles_permit_nothing():
    assert permitted("registered", "dispatch", ["quality", "dispatcher"])
    assert permitted(State.REPLIED, Action.APPROVE_REPLY, {Role.UNIT_HANDLER, Role.REVIEWER})
    assert not permitted("registered", "dispatch", ["quality", "city_leader"])
    assert not permitted("registered", "dispatch", [])
    assert not permitted("archived", "add_note", list(Role))
    assert not permitted("registered", "no_such_action", list(Role))


def test_the_city_leader_is_read_only_and_the_system_only_dispatches_archives_reschedules_imports_anonymises():
    leader_rows = [key for key, row in TRANSITIONS.items() if Role.CITY_LEADER in row.roles]
    assert leader_rows == []
    system_actions = {a for (_, a), row in TRANSITIONS.items() if Role.SYSTEM in row.roles}
    assert system_actions == {Action.DISPATCH, Action.ARCHIVE, Action.RESCHEDULE, Action.CLOSE_IMPORTED,
                              Action.ANONYMISE}
    creators = {"intake", "dispatcher", "shift_lead", "centre_admin", "system", "citizen"}
    assert {r.value for r in CREATE_ROLES} == creators


def test_only_unit_actions_are_limited_to_the_handling_unit():
    handling = {a for a, row in TRANSITIONS.items() if row.scope is Scope.HANDLING}
    assert handling == {(State(s), Action(a)) for (s, a), (_, _, scope) in EXPECTED.items() if scope == HANDLING}
    for key in handling:
        assert TRANSITIONS[key].roles == {Role.UNIT_HANDLER, Role.UNIT_ADMIN}


def test_finished_states_have_no_way_back_except_archive_notes_and_anonymising():
    assert {s.value for s in FINISHED_STATES} == {"answered", "rejected", "closed", "archived", "merged"}
    for state in FINISHED_STATES:
        for action in actions_from(state):
            row = TRANSITIONS[(state, action)]
            assert action in (Action.ARCHIVE, Action.ADD_NOTE, Action.ANONYMISE), (state, action)
            expected = (State.ARCHIVED,) if action is Action.ARCHIVE else (state,)
            assert row.targets == expected, (state, action)
    assert actions_from(State.ARCHIVED) == [Action.ANONYMISE]


def _reachable(start: State, edges: dict[State, set[State]]) -> set[State]:
    seen, queue = {start}, deque([start])
    while queue:
        for nxt in edges.get(queue.popleft(), set()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def _edges(*, reverse: bool = False) -> dict[State, set[State]]:
    edges: dict[State, set[State]] = {}
    for row in TRANSITIONS.values():
        for target in row.targets:
            a, b = (target, row.source) if reverse else (row.source, target)
            edges.setdefault(a, set()).add(b)
    return edges


def test_every_state_is_reachable_from_registered():
    assert INITIAL_STATE is State.REGISTERED
    assert _reachable(State.REGISTERED, _edges()) == set(State)


def test_archived_is_reachable_from_every_state():
    assert _reachable(State.ARCHIVED, _edges(reverse=True)) == set(State)


def test_archived_is_the_only_dead_end():
    dead_ends = {s for s in State if all(t == s for a in actions_from(s) for t in TRANSITIONS[(s, a)].targets)}
    # Finished states other than archived only loop (add_note) or archive; archived has no row at all.
    assert dead_ends == {State.ARCHIVED}


# ---- callback outcome ------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("reached", "satisfaction", "expected"),
    [
        (False, None, "callback_pending"),
        (False, "unsatisfied", "callback_pending"),  # a rating without a call does not count
        (False, "satisfied", "callback_pending"),
        (True, "satisfied", "closed"),
        (True, "basically_satisfied", "closed"),
        (True, CallbackOutcome.SATISFIED, "closed"),
        (True, "unsatisfied", "in_progress"),
        (True, CallbackOutcome.UNSATISFIED, "in_progress"),
    ],
)
def test_callback_target(reached, satisfaction, expected):
    target = callback_target(reached, satisfaction)
    assert target == State(expected)
    assert target in TRANSITIONS[(State.CALLBACK_PENDING, Action.CALLBACK)].targets


@pytest.mark.parametrize("satisfaction", [None, "bogus", ""])
def test_a_reached_callback_needs_a_valid_rating(satisfaction):
    with pytest.raises(ValueError):
        callback_target(True, satisfaction)


def test_callback_outcomes_have_chinese_labels():
    assert [o.label for o in CallbackOutcome] == ["满意", "基本满意", "不满意"]


# ---- the diagram -----------------------------------------------------------------------------------------

def test_mermaid_diagram_mentions_every_state_and_every_flow_action():
    diagram = mermaid_diagram()
    lines = diagram.splitlines()
    assert lines[0] == "stateDiagram-v2"
    assert "    [*] --> registered: create" in lines
    assert "    archived --> [*]" in lines
    for state in State:
        assert f"    {state.value}: {state.value} {state.label}" in lines
    edge_actions = {line.rsplit(": ", 1)[1] for line in lines if " --> " in line and ": " in line}
    # add_note, mark_urgent, reschedule and anonymise are allowed almost everywhere and are left out on purpose.
    assert edge_actions == {a.value for a in Action} - {"add_note", "mark_urgent", "reschedule", "anonymise"}


def test_mermaid_diagram_draws_every_target_of_every_flow_row_once():
    lines = mermaid_diagram().splitlines()
    for (state, action), (targets, _, _) in EXPECTED.items():
        if action in ("add_note", "mark_urgent", "reschedule", "anonymise"):
            continue
        for target in targets:
            assert lines.count(f"    {state} --> {target}: {action}") == 1, (state, action, target)


# ---- replay ----------------------------------------------------------------------------------------------

def history(*steps: tuple[str, str, str]) -> list[EventRecord]:
    """Events numbered 1, 2, ... from (action, from_state, to_state) steps; the first is create."""
    return [EventRecord(seq=i, action=a, from_state=f, to_state=t, version=i) for i, (a, f, t) in enumerate(steps, 1)]


CREATE = ("create", "", "registered")
HANDLED = history(
    CREATE,
    ("dispatch", "registered", "dispatched"),
    ("sign", "dispatched", "in_progress"),
    ("reply", "in_progress", "replied"),
    ("approve_reply", "replied", "callback_pending"),
    ("callback", "callback_pending", "callback_pending"),  # not reached
    ("callback", "callback_pending", "in_progress"),  # unsatisfied: 重办
    ("reply", "in_progress", "replied"),
    ("approve_reply", "replied", "callback_pending"),
    ("callback", "callback_pending", "closed"),
    ("archive", "closed", "archived"),
)


def test_a_correct_history_has_no_problems():
    assert replay_problems("archived", 11, HANDLED) == []
    assert replay_problems("registered", 1, history(CREATE)) == []


def test_no_events_is_a_problem():
    assert replay_problems("registered", 1, []) == ["no events"]


def test_a_first_event_that_is_not_create_is_a_problem():
    events = [EventRecord(1, "dispatch", "registered", "dispatched", 1)]
    problems = replay_problems("dispatched", 1, events)
    assert problems == ["first event is dispatch → dispatched, not create → registered"]


def test_a_missing_event_is_found():
    events = [*HANDLED[:2], *HANDLED[3:4]]  # #3 (sign) lost: #1, #2, #4
    assert replay_problems("replied", 4, events) == [
        "event #3 missing (found #4)",
        "events lead to dispatched, ticket stores replied",
    ]


def test_an_event_starting_from_the_wrong_state_is_found():
    events = history(CREATE, ("dispatch", "registered", "dispatched"), ("reply", "in_progress", "replied"))
    assert replay_problems("replied", 3, events) == ["event #3 starts from in_progress, but the ticket was dispatched"]


def test_a_transition_not_in_the_table_is_found():
    events = history(CREATE, ("sign", "registered", "in_progress"))
    assert replay_problems("in_progress", 2, events) == [
        "event #2: registered --sign--> in_progress is not in the transition table"
    ]


def test_a_target_the_row_does_not_allow_is_found():
    events = history(CREATE, ("dispatch", "registered", "closed"))
    assert replay_problems("closed", 2, events) == [
        "event #2: registered --dispatch--> closed is not in the transition table"
    ]


def test_a_stored_state_the_events_do_not_lead_to_is_found():
    assert replay_problems("closed", 11, HANDLED) == ["events lead to archived, ticket stores closed"]


def test_a_stored_version_that_differs_from_the_last_event_is_found():
    assert replay_problems("archived", 12, HANDLED) == ["last event has version 11, ticket stores 12"]


def test_an_event_whose_version_differs_from_its_seq_is_found():
    events = history(CREATE, ("dispatch", "registered", "dispatched"))
    events[1] = EventRecord(2, "dispatch", "registered", "dispatched", 5)
    assert replay_problems("dispatched", 5, events) == ["event #2 has version 5"]


@st.composite
def walks(draw) -> list[EventRecord]:
    """A random path through the table from registered, as the event log of one ticket."""
    steps = [CREATE]
    state = State.REGISTERED
    for _ in range(draw(st.integers(0, 25))):
        options = actions_from(state)
        if not options:
            break
        action = draw(st.sampled_from(sorted(options)))
        target = draw(st.sampled_from(TRANSITIONS[(state, action)].targets))
        steps.append((action.value, state.value, target.value))
        state = target
    return history(*steps)


@given(walks())
def test_every_walk_through_the_table_replays_cleanly(events):
    assert replay_problems(events[-1].to_state, events[-1].version, events) == []


@given(walks(), st.data())
def test_dropping_any_event_after_create_is_noticed(events, data):
    assume(len(events) >= 2)
    dropped = data.draw(st.integers(1, len(events) - 1))
    damaged = events[:dropped] + events[dropped + 1:]
    assert replay_problems(events[-1].to_state, events[-1].version, damaged) != []
