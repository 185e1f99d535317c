"""The work-order lifecycle as data: one table of (state, action) → (next states, roles, scope).

Pure Python, no Django import. The table drives the guards in tickets/actions.py, the buttons a user
sees, the state diagram in docs/workflow.md and the property tests.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from rexian.directory.roles import ROLE_LABELS, Role


class State(StrEnum):
    REGISTERED = "registered"
    ANSWERED = "answered"
    REJECTED = "rejected"
    DISPATCHED = "dispatched"
    IN_PROGRESS = "in_progress"
    RETURN_REQUESTED = "return_requested"
    REPLIED = "replied"
    CALLBACK_PENDING = "callback_pending"
    CLOSED = "closed"
    ARCHIVED = "archived"
    MERGED = "merged"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]


STATE_LABELS: dict[State, str] = {
    State.REGISTERED: "待派单",
    State.ANSWERED: "即办办结",
    State.REJECTED: "不予受理",
    State.DISPATCHED: "待签收",
    State.IN_PROGRESS: "办理中",
    State.RETURN_REQUESTED: "退单审核中",
    State.REPLIED: "已答复待审核",
    State.CALLBACK_PENDING: "待回访",
    State.CLOSED: "已办结",
    State.ARCHIVED: "已归档",
    State.MERGED: "已并单",
}
STATE_COLOURS: dict[State, str] = {
    State.REGISTERED: "blue",
    State.ANSWERED: "green",
    State.REJECTED: "grey",
    State.DISPATCHED: "cyan",
    State.IN_PROGRESS: "orange",
    State.RETURN_REQUESTED: "red",
    State.REPLIED: "purple",
    State.CALLBACK_PENDING: "indigo",
    State.CLOSED: "green",
    State.ARCHIVED: "dark",
    State.MERGED: "grey",
}
# States in which the appeal is finished with (no clock runs).
FINISHED_STATES: frozenset[State] = frozenset(
    {State.ANSWERED, State.REJECTED, State.CLOSED, State.ARCHIVED, State.MERGED}
)
# States in which a unit holds the ticket.
UNIT_STATES: frozenset[State] = frozenset({State.DISPATCHED, State.IN_PROGRESS, State.RETURN_REQUESTED})


class Action(StrEnum):
    CREATE = "create"
    AMEND = "amend"
    ANSWER_DIRECTLY = "answer_directly"
    REJECT_OUT_OF_SCOPE = "reject_out_of_scope"
    RETURN_TO_INTAKE = "return_to_intake"
    DISPATCH = "dispatch"
    RECALL_DISPATCH = "recall_dispatch"
    SIGN = "sign"
    SUB_DISPATCH = "sub_dispatch"
    REQUEST_RETURN = "request_return"
    APPROVE_RETURN = "approve_return"
    REJECT_RETURN = "reject_return"
    REQUEST_EXTENSION = "request_extension"
    APPROVE_EXTENSION = "approve_extension"
    REJECT_EXTENSION = "reject_extension"
    REPLY = "reply"
    APPROVE_REPLY = "approve_reply"
    SEND_BACK_REPLY = "send_back_reply"
    CALLBACK = "callback"
    MERGE_INTO = "merge_into"
    MARK_URGENT = "mark_urgent"
    ADD_NOTE = "add_note"
    ARCHIVE = "archive"
    RESCHEDULE = "reschedule"
    CLOSE_IMPORTED = "close_imported"
    ANONYMISE = "anonymise"

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


ACTION_LABELS: dict[Action, str] = {
    Action.CREATE: "登记",
    Action.AMEND: "补充修改",
    Action.ANSWER_DIRECTLY: "即办答复",
    Action.REJECT_OUT_OF_SCOPE: "不予受理",
    Action.RETURN_TO_INTAKE: "退回受理",
    Action.DISPATCH: "派单",
    Action.RECALL_DISPATCH: "撤回派单",
    Action.SIGN: "签收",
    Action.SUB_DISPATCH: "二次派单",
    Action.REQUEST_RETURN: "申请退单",
    Action.APPROVE_RETURN: "同意退单",
    Action.REJECT_RETURN: "驳回退单",
    Action.REQUEST_EXTENSION: "申请延期",
    Action.APPROVE_EXTENSION: "同意延期",
    Action.REJECT_EXTENSION: "驳回延期",
    Action.REPLY: "办理答复",
    Action.APPROVE_REPLY: "审核通过",
    Action.SEND_BACK_REPLY: "审核退回",
    Action.CALLBACK: "回访",
    Action.MERGE_INTO: "并单",
    Action.MARK_URGENT: "标记紧急",
    Action.ADD_NOTE: "添加备注",
    Action.ARCHIVE: "归档",
    Action.RESCHEDULE: "时限重算",
    Action.CLOSE_IMPORTED: "已办结",  # in the old hotline (docs/legacy-import.md)
    Action.ANONYMISE: "个人信息匿名化",  # past the retention period (docs/operations.md)
}


class Scope(StrEnum):
    """Which tickets an actor may act on, beyond seeing them."""

    ANY = "any"  # any ticket the actor can see
    HANDLING = "handling"  # only tickets its own unit (or a subordinate) is handling now


_INTAKE = frozenset({Role.INTAKE, Role.SHIFT_LEAD, Role.CENTRE_ADMIN})
_DISPATCH = frozenset({Role.DISPATCHER, Role.SHIFT_LEAD, Role.CENTRE_ADMIN})
_REVIEW = frozenset({Role.REVIEWER, Role.SHIFT_LEAD, Role.CENTRE_ADMIN})
_CALLBACK = frozenset({Role.CALLBACK, Role.SHIFT_LEAD, Role.CENTRE_ADMIN})
# The citizen rates their own ticket on the portal: the same callback action, always "reached".
_CITIZEN = frozenset({Role.CITIZEN})
_UNIT = frozenset({Role.UNIT_HANDLER, Role.UNIT_ADMIN})
_ARCHIVE = frozenset({Role.SHIFT_LEAD, Role.CENTRE_ADMIN, Role.SYSTEM})
_NOTE = frozenset(
    {
        Role.INTAKE,
        Role.DISPATCHER,
        Role.SHIFT_LEAD,
        Role.REVIEWER,
        Role.CALLBACK,
        Role.QUALITY,
        Role.CENTRE_ADMIN,
        Role.UNIT_HANDLER,
        Role.UNIT_ADMIN,
    }
)


@dataclass(frozen=True)
class Transition:
    source: State
    action: Action
    targets: tuple[State, ...]  # the first is the usual outcome; others depend on the payload
    roles: frozenset[Role]
    scope: Scope = Scope.ANY

    @property
    def target(self) -> State:
        return self.targets[0]


def _rows() -> Iterable[Transition]:
    S, A = State, Action
    yield Transition(S.REGISTERED, A.AMEND, (S.REGISTERED,), _INTAKE | _DISPATCH)
    yield Transition(S.REGISTERED, A.ANSWER_DIRECTLY, (S.ANSWERED,), _INTAKE)
    yield Transition(S.REGISTERED, A.REJECT_OUT_OF_SCOPE, (S.REJECTED,), _INTAKE | _DISPATCH)
    yield Transition(S.REGISTERED, A.RETURN_TO_INTAKE, (S.REGISTERED,), _DISPATCH)
    # The machine dispatches above the centre's confidence threshold (人机双审); a dispatcher can take a
    # dispatch back until the unit signs.
    yield Transition(S.REGISTERED, A.DISPATCH, (S.DISPATCHED,), _DISPATCH | frozenset({Role.SYSTEM}))
    yield Transition(S.DISPATCHED, A.RECALL_DISPATCH, (S.REGISTERED,), _DISPATCH)
    yield Transition(S.REGISTERED, A.MERGE_INTO, (S.MERGED,), _INTAKE | _DISPATCH)
    yield Transition(S.DISPATCHED, A.MERGE_INTO, (S.MERGED,), _DISPATCH)
    yield Transition(S.DISPATCHED, A.SIGN, (S.IN_PROGRESS,), _UNIT, Scope.HANDLING)
    for source in (S.DISPATCHED, S.IN_PROGRESS):
        yield Transition(source, A.REQUEST_RETURN, (S.RETURN_REQUESTED,), _UNIT, Scope.HANDLING)
    yield Transition(S.RETURN_REQUESTED, A.APPROVE_RETURN, (S.REGISTERED,), _DISPATCH | _REVIEW)
    yield Transition(S.RETURN_REQUESTED, A.REJECT_RETURN, (S.IN_PROGRESS,), _DISPATCH | _REVIEW)
    yield Transition(S.IN_PROGRESS, A.SUB_DISPATCH, (S.DISPATCHED,), _UNIT, Scope.HANDLING)
    yield Transition(S.IN_PROGRESS, A.REQUEST_EXTENSION, (S.IN_PROGRESS,), _UNIT, Scope.HANDLING)
    yield Transition(S.IN_PROGRESS, A.APPROVE_EXTENSION, (S.IN_PROGRESS,), _REVIEW)
    yield Transition(S.IN_PROGRESS, A.REJECT_EXTENSION, (S.IN_PROGRESS,), _REVIEW)
    yield Transition(S.IN_PROGRESS, A.REPLY, (S.REPLIED,), _UNIT, Scope.HANDLING)
    yield Transition(S.REPLIED, A.APPROVE_REPLY, (S.CALLBACK_PENDING,), _REVIEW)
    yield Transition(S.REPLIED, A.SEND_BACK_REPLY, (S.IN_PROGRESS,), _REVIEW)
    callback_outcomes = (S.CLOSED, S.IN_PROGRESS, S.CALLBACK_PENDING)
    yield Transition(S.CALLBACK_PENDING, A.CALLBACK, callback_outcomes, _CALLBACK | _CITIZEN)
    for source in (S.ANSWERED, S.REJECTED, S.CLOSED, S.MERGED):
        yield Transition(source, A.ARCHIVE, (S.ARCHIVED,), _ARCHIVE)
    for source in (S.REGISTERED, S.DISPATCHED, S.IN_PROGRESS, S.RETURN_REQUESTED, S.REPLIED, S.CALLBACK_PENDING):
        yield Transition(source, A.MARK_URGENT, (source,), _INTAKE | _DISPATCH)
    for source in State:
        if source is not S.ARCHIVED:
            yield Transition(source, A.ADD_NOTE, (source,), _NOTE)
    # Deadlines recomputed when a year's holiday schedule arrives (they were provisional until then).
    for source in (S.REGISTERED, S.DISPATCHED, S.IN_PROGRESS, S.RETURN_REQUESTED, S.REPLIED, S.CALLBACK_PENDING):
        yield Transition(source, A.RESCHEDULE, (source,), frozenset({Role.SYSTEM}))
    # An old hotline's finished order, imported as history (tickets.actions.import_legacy, which admits centre
    # admins itself): written with the old closing time, never offered as a step to anyone, hence the machine's.
    yield Transition(S.REGISTERED, A.CLOSE_IMPORTED, (S.ARCHIVED,), frozenset({Role.SYSTEM}))
    # Past the retention period the machine replaces a finished appeal's personal data (tickets.retention).
    for source in (S.ANSWERED, S.REJECTED, S.CLOSED, S.ARCHIVED, S.MERGED):
        yield Transition(source, A.ANONYMISE, (source,), frozenset({Role.SYSTEM}))


TRANSITIONS: dict[tuple[State, Action], Transition] = {(t.source, t.action): t for t in _rows()}
# Creation is not a transition of an existing ticket: who may register appeals.
CREATE_ROLES: frozenset[Role] = _INTAKE | _CITIZEN | frozenset({Role.DISPATCHER, Role.SYSTEM})
INITIAL_STATE = State.REGISTERED


def transition_for(state: State | str, action: Action | str) -> Transition | None:
    try:
        return TRANSITIONS.get((State(state), Action(action)))
    except ValueError:
        return None


def actions_from(state: State | str) -> list[Action]:
    return [t.action for t in TRANSITIONS.values() if t.source == State(state)]


def permitted(state: State | str, action: Action | str, roles: Iterable[Role | str]) -> bool:
    transition = transition_for(state, action)
    return transition is not None and not transition.roles.isdisjoint(Role(r) for r in roles)


class CallbackOutcome(StrEnum):
    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    UNSATISFIED = "unsatisfied"

    @property
    def label(self) -> str:
        return {"satisfied": "满意", "basically_satisfied": "基本满意", "unsatisfied": "不满意"}[self.value]


def callback_target(reached: bool, satisfaction: CallbackOutcome | str | None) -> State:
    """Not reached: try again later. Unsatisfied: back to the unit (重办). Otherwise: closed."""
    if not reached:
        return State.CALLBACK_PENDING
    if satisfaction is None:
        raise ValueError("a reached callback needs a satisfaction rating")
    if CallbackOutcome(satisfaction) is CallbackOutcome.UNSATISFIED:
        return State.IN_PROGRESS
    return State.CLOSED


def mermaid_diagram() -> str:
    """The state diagram of the table, in Mermaid syntax (docs/workflow.md)."""
    lines = ["stateDiagram-v2", f"    [*] --> {INITIAL_STATE.value}: {Action.CREATE.value}"]
    for state in State:
        lines.append(f"    {state.value}: {state.value} {state.label}")
    seen: set[tuple[str, str, str]] = set()
    for t in TRANSITIONS.values():
        if t.action in (Action.ADD_NOTE, Action.MARK_URGENT, Action.RESCHEDULE, Action.ANONYMISE):
            continue  # allowed almost everywhere or the data's, not the appeal's; they would hide the flow
        for target in t.targets:
            key = (t.source.value, target.value, t.action.value)
            if key not in seen:
                seen.add(key)
                lines.append(f"    {t.source.value} --> {target.value}: {t.action.value}")
    lines.append(f"    {State.ARCHIVED.value} --> [*]")
    return "\n".join(lines)


def markdown_table() -> str:
    """The transition table as Markdown: state, action, next states, roles (docs/workflow.md)."""
    rows = ["| from | action | to | roles | scope |", "|---|---|---|---|---|"]
    for t in TRANSITIONS.values():
        targets = " / ".join(f"`{s.value}` {s.label}" for s in t.targets)
        roles = "、".join(ROLE_LABELS[r] for r in sorted(t.roles))
        rows.append(
            f"| `{t.source.value}` {t.source.label} | `{t.action.value}` {t.action.label} | {targets} "
            f"| {roles} | {t.scope.value} |"
        )
    return "\n".join(rows)
