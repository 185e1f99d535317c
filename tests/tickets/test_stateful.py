"""Random walks of many tickets through the real action functions, checked against the transition table.

Hypothesis picks a ticket, an action, an actor (any user of the test city) and a payload (valid or not),
sometimes with a stale version, and sometimes moves the clock so that return windows and deadlines run
out. After every step:

* a call that raised a DomainError changed nothing;
* a call that succeeded wrote exactly one event, raised the version by one, reached a target the table
  allows and was made by an actor the table allows, within its scope;
* every ticket's event log replays to its stored state and version;
* each unit user sees exactly the tickets its unit (or a subordinate unit) leads, handles or co-handles.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from hypothesis import HealthCheck, settings
from hypothesis import event as note_for_statistics
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from rexian.core.clock import SHANGHAI
from rexian.core.errors import DomainError, NotFound, PermissionDenied, StaleVersion, ValidationError
from rexian.directory.models import User
from rexian.directory.roles import CENTRE_ROLES, UNIT_ROLES
from rexian.notify.models import Notification
from rexian.tickets.access import visible_tickets
from rexian.tickets.actions import ACTIONS, create_ticket
from rexian.tickets.models import Ticket, TicketEvent
from rexian.tickets.replay import EventRecord, replay_problems
from rexian.tickets.workflow import (
    CREATE_ROLES,
    FINISHED_STATES,
    TRANSITIONS,
    UNIT_STATES,
    Action,
    Scope,
    State,
    Transition,
    actions_from,
)
from tests.conftest import APPEAL, City

# The city of the running test: Hypothesis builds the machine itself, so it cannot take a fixture.
CITY: City | None = None
START = datetime(2025, 3, 3, 9, 0, tzinfo=SHANGHAI)  # a Monday morning

MAX_TICKETS = 4  # few tickets, so that the walks go deep
USERNAMES = ["intake", "dispatcher", "shift_lead", "reviewer", "callback", "quality", "centre_admin", "leader",
             "h_hrss", "h_urban", "h_east", "h_east_1", "h_west", "nobody"]
CREATORS = ["intake", "dispatcher", "shift_lead", "centre_admin"]


def mostly(good: Any, *bad: Any) -> st.SearchStrategy[Any]:
    """`good` four times out of five or so, otherwise one of the bad values."""
    return st.sampled_from([good, good, good, good, *bad])


TEXT = mostly("请核实处理。", "", "   ", "长" * 2001)
NOTE = mostly("", "长" * 2001)


# ---- payloads ----------------------------------------------------------------------------------------------

def appeals() -> st.SearchStrategy[dict[str, Any]]:
    """Mostly valid appeals, in either district, of any type; now and then one that validation refuses."""
    place = st.sampled_from([
        {"district": "x_east", "street": "s_east_1"},
        {"district": "x_east", "street": "s_east_2"},
        {"district": "x_west", "street": "s_west_1"},
        {"district": None, "street": None},
        {"district": "x_west", "street": "s_east_1"},  # invalid: street outside the district
    ])
    return st.builds(
        lambda place, **fields: {**APPEAL, **place, **fields},
        place,
        category=st.sampled_from(["020101", "010101"]),
        appeal_type=st.sampled_from(["complaint", "consult", "help", "report", "bogus"]),
        urgency=mostly("normal", "urgent"),
        is_confidential=st.booleans(),
        subject=mostly(APPEAL["subject"], ""),
    )


def payloads(action: Action, ticket_ids: list[int]) -> st.SearchStrategy[dict[str, Any]]:
    """Keyword arguments for an action function, valid more often than not."""
    note = {"note": NOTE}
    reason = {"reason": TEXT}
    by_action: dict[Action, dict[str, st.SearchStrategy[Any]]] = {
        Action.AMEND: {"data": st.fixed_dictionaries({}, optional={
            "subject": mostly("更新后的标题", ""),
            "citizen_name": st.sampled_from(["李四", "王五"]),
            "urgency": mostly("urgent", "bogus"),
            "is_confidential": st.booleans(),
        })},
        Action.ANSWER_DIRECTLY: {"answer": TEXT},
        Action.REJECT_OUT_OF_SCOPE: {"reason": TEXT, "redirect_to": mostly("110", "")},
        Action.RETURN_TO_INTAKE: reason,
        Action.DISPATCH: {
            "lead_unit": st.sampled_from(["x_east", "d_hrss", "x_east", "d_urban", "x_west", "centre", "nowhere"]),
            "co_units": st.sampled_from([[], [], [], ["d_hrss"], ["x_west", "d_urban"]]),
            **note,
        },
        Action.SIGN: note,
        Action.SUB_DISPATCH: {"unit": st.sampled_from(["s_east_1", "s_east_2", "s_west_1", "x_east", "d_hrss"]),
                              **note},
        Action.REQUEST_RETURN: reason,
        Action.APPROVE_RETURN: note,
        Action.RECALL_DISPATCH: reason,
        Action.REJECT_RETURN: reason,
        Action.REQUEST_EXTENSION: {"days": st.integers(0, 20), "reason": TEXT},
        Action.APPROVE_EXTENSION: note,
        Action.REJECT_EXTENSION: reason,
        Action.REPLY: {"result": TEXT, "citizen_contacted": mostly(True, False, None)},
        Action.APPROVE_REPLY: note,
        Action.SEND_BACK_REPLY: reason,
        Action.CALLBACK: {
            "reached": mostly(True, False),
            "satisfaction": st.sampled_from(["satisfied", "basically_satisfied", "unsatisfied", None]),
            "resolved": mostly(True, False, None),
            "comment": st.sampled_from(["", "满意"]),
        },
        Action.MERGE_INTO: {"target_id": st.sampled_from([*ticket_ids, 10**9]), **note},
        Action.MARK_URGENT: reason,
        Action.ADD_NOTE: {"text": TEXT},
        Action.ARCHIVE: note,
    }
    return st.fixed_dictionaries(by_action[action])


# The main flow, from each state: what a busy centre mostly does next (the exits are in follow_the_table).
FORWARD: dict[State, list[Action]] = {
    State.REGISTERED: [Action.DISPATCH],
    State.DISPATCHED: [Action.SIGN, Action.SIGN, Action.REQUEST_RETURN],
    State.IN_PROGRESS: [Action.REPLY, Action.REPLY, Action.REQUEST_EXTENSION, Action.SUB_DISPATCH,
                        Action.SUB_DISPATCH, Action.REQUEST_RETURN],
    State.RETURN_REQUESTED: [Action.REJECT_RETURN, Action.APPROVE_RETURN],
    State.REPLIED: [Action.APPROVE_REPLY, Action.APPROVE_REPLY, Action.SEND_BACK_REPLY],
    State.CALLBACK_PENDING: [Action.CALLBACK],
    State.ANSWERED: [Action.ARCHIVE],
    State.REJECTED: [Action.ARCHIVE],
    State.CLOSED: [Action.ARCHIVE],
    State.MERGED: [Action.ARCHIVE],
}
SUBORDINATES = {"x_east": ["s_east_1", "s_east_2"], "x_west": ["s_west_1"]}


def good_payloads(action: Action, ticket: Ticket) -> st.SearchStrategy[dict[str, Any]]:
    """A payload the action's validation accepts (the state may still refuse it: deadlines, limits)."""
    handling = ticket.handling_unit.code if ticket.handling_unit else ""
    good: dict[Action, dict[str, st.SearchStrategy[Any]]] = {
        Action.DISPATCH: {"lead_unit": st.sampled_from(["x_east", "x_east", "x_west", "d_hrss", "d_urban"]),
                          "co_units": st.sampled_from([[], ["d_urban"]])},
        Action.SUB_DISPATCH: {"unit": st.sampled_from(SUBORDINATES.get(handling, ["s_east_1"]))},
        Action.REQUEST_EXTENSION: {"days": st.integers(1, 15), "reason": st.just("需要协调多个部门")},
        Action.REPLY: {"result": st.just("已现场处理完毕"), "citizen_contacted": st.booleans()},
        Action.ADD_NOTE: {"text": st.just("已电话联系诉求人")},
        Action.CALLBACK: st.sampled_from([
            {"reached": False},
            {"reached": True, "satisfaction": "satisfied", "resolved": True},
            {"reached": True, "satisfaction": "basically_satisfied", "resolved": True},
            {"reached": True, "satisfaction": "unsatisfied", "resolved": False},
        ]),
    }
    reasons = {Action.REQUEST_RETURN, Action.REJECT_RETURN, Action.REJECT_EXTENSION, Action.SEND_BACK_REPLY}
    if action in reasons:
        return st.just({"reason": "理由充分"})
    spec = good.get(action, {})
    return spec if isinstance(spec, st.SearchStrategy) else st.fixed_dictionaries(spec)


# ---- what the table says, computed without tickets/access.py ------------------------------------------------

def human_actions(state: str) -> list[Action]:
    """The actions people take from a state (the machine's own, like reschedule, have no caller here)."""
    return [a for a in actions_from(state) if a in ACTIONS]


def is_centre(user: User) -> bool:
    return bool(user.roles & CENTRE_ROLES)


def units_of(ticket: Ticket) -> list:
    return [u for u in (ticket.lead_unit, ticket.handling_unit, *ticket.co_units.all()) if u is not None]


def within(unit, ancestor) -> bool:
    return unit.path.startswith(ancestor.path)


def table_allows(user: User, ticket: Ticket, action: Action) -> bool:
    row = TRANSITIONS.get((State(ticket.state), action))
    if row is None or row.roles.isdisjoint(user.roles):
        return False
    if row.scope is Scope.ANY or is_centre(user):
        return True
    return ticket.handling_unit is not None and user.unit is not None and within(ticket.handling_unit, user.unit)


def snapshot() -> tuple[list[dict], list[tuple[int, int]], int]:
    """Everything an action could touch: ticket rows, co-unit links and the number of events."""
    tickets = list(Ticket.objects.order_by("pk").values())
    links = list(Ticket.co_units.through.objects.order_by("ticket_id", "unit_id").values_list("ticket_id", "unit_id"))
    return tickets, links, TicketEvent.objects.count()


# ---- the machine --------------------------------------------------------------------------------------------

class TicketMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        assert CITY is not None, "run the machine through test_random_walks_obey_the_table"
        self.users = dict(CITY.users)
        assert sorted(self.users) == sorted(USERNAMES)
        self.ticket_ids: list[int] = []
        self.traveller = time_machine.travel(START, tick=False)
        self.clock = self.traveller.start()

    @initialize()
    def start_from_no_tickets(self) -> None:
        # The database is not reset between Hypothesis examples; each example starts empty.
        Notification.objects.all().delete()
        Ticket.objects.update(merged_into=None)
        Ticket.objects.all().delete()

    def teardown(self) -> None:
        self.traveller.stop()

    # -- rules --

    @precondition(lambda self: len(self.ticket_ids) < MAX_TICKETS)
    @rule(username=st.sampled_from(CREATORS) | st.sampled_from(USERNAMES), appeal=appeals(),
          key=st.sampled_from([None, None, "k-1", "k-2"]))
    def create(self, username: str, appeal: dict[str, Any], key: str | None) -> None:
        actor = self.users[username]
        before = snapshot()
        try:
            ticket, created = create_ticket(actor=actor, data=appeal, idempotency_key=key)
        except DomainError as error:
            assert snapshot() == before, f"refused create changed the database: {error!r}"
            if actor.roles.isdisjoint(CREATE_ROLES):
                assert isinstance(error, PermissionDenied)
            return
        assert not actor.roles.isdisjoint(CREATE_ROLES), f"{username} may not create tickets"
        if not created:  # a replayed key: nothing new
            assert key is not None and ticket.pk in self.ticket_ids
            assert snapshot() == before
            return
        assert ticket.state == State.REGISTERED and ticket.version == 1
        assert list(ticket.events.values_list("seq", "action")) == [(1, "create")]
        self.ticket_ids.append(ticket.pk)

    @precondition(lambda self: self.ticket_ids)
    @rule(data=st.data(), steps=st.integers(1, 6))
    def advance(self, data: st.DataObject, steps: int) -> None:
        """A few steps of one ticket along the main flow, by users the table allows, with good payloads."""
        ticket_id = data.draw(st.sampled_from(self.ticket_ids), label="ticket")
        for _ in range(steps):
            ticket = self._load(ticket_id)
            if ticket.extension_request:
                options = [Action.APPROVE_EXTENSION, Action.REJECT_EXTENSION, Action.REPLY]
            else:
                options = FORWARD.get(State(ticket.state), [Action.ADD_NOTE])
            action = data.draw(st.sampled_from(options), label="action")
            allowed = sorted(name for name, user in self.users.items() if table_allows(user, ticket, action))
            username = data.draw(st.sampled_from(allowed or USERNAMES), label="actor")
            self._attempt(data, ticket, action, self.users[username], good_payloads(action, ticket), fresh=True)

    @precondition(lambda self: self.ticket_ids)
    @rule(data=st.data())
    def follow_the_table(self, data: st.DataObject) -> None:
        """An action the ticket's state allows, by a user the table allows (when there is one)."""
        ticket = self._draw_ticket(data)
        action = data.draw(st.sampled_from(human_actions(ticket.state) or sorted(ACTIONS)), label="action")
        allowed = sorted(name for name, user in self.users.items() if table_allows(user, ticket, action))
        username = data.draw(st.sampled_from(allowed or USERNAMES), label="actor")
        self._attempt(data, ticket, action, self.users[username])

    @precondition(lambda self: self.ticket_ids)
    @rule(data=st.data(), action=st.sampled_from(sorted(ACTIONS)), username=st.sampled_from(USERNAMES))
    def try_anything(self, data: st.DataObject, action: Action, username: str) -> None:
        self._attempt(data, self._draw_ticket(data), action, self.users[username])

    @rule(hours=st.sampled_from([1, 8, 24, 72, 24 * 7, 24 * 20]))
    def let_time_pass(self, hours: int) -> None:
        self.clock.shift(timedelta(hours=hours))

    # -- invariants --

    @invariant()
    def every_log_replays_to_its_ticket(self) -> None:
        events: dict[int, list[EventRecord]] = {}
        for e in TicketEvent.objects.order_by("ticket_id", "seq").values(
            "ticket_id", "seq", "action", "from_state", "to_state", "version"
        ):
            ticket_id = e.pop("ticket_id")
            events.setdefault(ticket_id, []).append(EventRecord(**e))
        for ticket_id, state, version in Ticket.objects.values_list("pk", "state", "version"):
            assert replay_problems(state, version, events.get(ticket_id, [])) == [], ticket_id

    @invariant()
    def unit_users_see_exactly_their_subtree(self) -> None:
        tickets = list(Ticket.objects.select_related("lead_unit", "handling_unit").prefetch_related("co_units"))
        for user in self.users.values():
            if is_centre(user) or not user.roles & UNIT_ROLES:
                continue
            expected = {t.pk for t in tickets if any(within(u, user.unit) for u in units_of(t))}
            assert set(visible_tickets(user).values_list("pk", flat=True)) == expected, user.username

    @invariant()
    def the_fields_agree_with_the_state(self) -> None:
        for t in Ticket.objects.all():
            state = State(t.state)
            if state in UNIT_STATES or state in (State.REPLIED, State.CALLBACK_PENDING):
                assert t.handling_unit_id is not None and t.lead_unit_id is not None, (t.pk, state)
            if state is State.REGISTERED:
                assert t.handling_unit_id is None and t.lead_unit_id is None, (t.pk, state)
            if state is State.MERGED:
                assert t.merged_into_id not in (None, t.pk), t.pk
            assert (t.closed_at is not None) == (state in FINISHED_STATES), (t.pk, state)

    # -- helpers --

    def _draw_ticket(self, data: st.DataObject) -> Ticket:
        return self._load(data.draw(st.sampled_from(self.ticket_ids), label="ticket"))

    def _load(self, ticket_id: int) -> Ticket:
        return Ticket.objects.select_related("lead_unit", "handling_unit").get(pk=ticket_id)

    def _attempt(self, data: st.DataObject, ticket: Ticket, action: Action, actor: User,
                 payload_strategy: st.SearchStrategy[dict[str, Any]] | None = None, fresh: bool = False) -> None:
        """Call the action function and check the outcome against the table."""
        state = State(ticket.state)
        strategy = payload_strategy if payload_strategy is not None else payloads(action, self.ticket_ids)
        payload = data.draw(strategy, label="payload")
        staleness = 0 if fresh else data.draw(st.sampled_from([0, 0, 0, 0, 0, -1, 1]), label="staleness")
        before = snapshot()
        try:
            ACTIONS[action](actor=actor, ticket_id=ticket.pk, version=ticket.version + staleness, **payload)
        except DomainError as error:
            assert snapshot() == before, f"{action} by {actor.username} failed with {error!r} but changed data"
            note_for_statistics(f"refused: {type(error).__name__} {error.code}")
            if staleness:
                assert isinstance(error, StaleVersion | NotFound | ValidationError), error
            return

        assert not staleness, f"{action} succeeded with a stale version"
        row = TRANSITIONS.get((state, action))
        assert row is not None, f"{state} --{action}--> is not in the table"
        assert table_allows(actor, ticket, action), f"{actor.username} may not {action} a {state} ticket"
        self._check_one_step(before, ticket, row, actor)

    def _check_one_step(self, before: tuple, old: Ticket, row: Transition, actor: User) -> None:
        old_rows, _, old_event_count = before
        new_rows, _, new_event_count = snapshot()
        assert new_event_count == old_event_count + 1
        new = Ticket.objects.get(pk=old.pk)
        assert new.version == old.version + 1
        assert State(new.state) in row.targets, f"{row.source} --{row.action}--> {new.state}"
        event = new.events.order_by("-seq").first()
        assert (event.seq, event.version, event.action, event.from_state, event.to_state, event.actor_id) == (
            new.version, new.version, row.action, old.state, new.state, actor.pk)
        others_before = [r for r in old_rows if r["id"] != old.pk]
        others_after = [r for r in new_rows if r["id"] != old.pk]
        assert others_before == others_after, "an action changed another ticket"
        note_for_statistics(f"done: {row.source} --{row.action}--> {new.state}")


@pytest.mark.django_db(transaction=True)  # real commits: notifications run after commit, as in production
def test_random_walks_obey_the_table(city):
    global CITY
    CITY = city
    try:
        run_state_machine_as_test(TicketMachine, settings=settings(
            max_examples=25, stateful_step_count=30, deadline=None,
            # CI replays the same walks every run (a red CI must mean a change, not a new draw);
            # developers' runs explore new ones.
            derandomize=os.environ.get("CI") == "true",
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ))
    finally:
        CITY = None
