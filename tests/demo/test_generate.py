"""`rexian generate`: generated history must be what the actions would have written."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from itertools import groupby
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from rexian.core import clock
from rexian.core.clock import SHANGHAI
from rexian.demo import cityspec, load
from rexian.demo.generate import generate, months_before
from rexian.directory.models import Unit, User
from rexian.directory.roles import Role
from rexian.supervision.clocks import COMPLETES, due_moment, running_stages
from rexian.supervision.models import StageClock
from rexian.taxonomy.selectors import limit_for
from rexian.tickets import actions
from rexian.tickets.models import DailySequence, Ticket, TicketEvent
from rexian.tickets.workflow import FINISHED_STATES, Action, State
from rexian.workdays.selectors import current_calendar
from tests.conftest import make_user

END = datetime(2026, 6, 30, 17, 30, tzinfo=SHANGHAI)
MONTHS = 2
TICKETS = 400
SEED = 7
# The ticket fields an action may change, compared between a generated ticket and its replay.
CHANGED_FIELDS = (
    "state", "version", "lead_unit_id", "handling_unit_id", "merged_into_id", "dispatched_at", "signed_at",
    "return_deadline", "due_at", "replied_at", "callback_due_at", "closed_at", "extension_request",
    "extensions_granted", "needs_information", "rehandle_count", "result_text", "citizen_contacted", "satisfaction",
    "resolved", "updated_at",
)  # fmt: skip
CLOCK_FIELDS = ("stage", "unit_id", "started_at", "limit_amount", "limit_unit", "extra_workdays", "due_at", "warn_at",
                "provisional", "running", "cycle", "stopped_at")  # fmt: skip
UNIT_ACTIONS = {Action.SIGN, Action.SUB_DISPATCH, Action.REQUEST_RETURN, Action.REQUEST_EXTENSION, Action.REPLY}


@pytest.fixture(scope="module")
def generated(django_db_setup, django_db_blocker):
    """Two runs with the same seed into an empty database (the first loads the demo directory)."""
    with django_db_blocker.unblock():
        first = generate(TICKETS, seed=SEED, end=END, months=MONTHS)
        boundary = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first()
        second = generate(TICKETS, seed=SEED, end=END, months=MONTHS)
        yield first, second, boundary
        load.reset()


def _histories(tickets: Any) -> dict[int, list[TicketEvent]]:
    events = TicketEvent.objects.filter(ticket__in=tickets).order_by("ticket_id", "seq")
    return {ticket_id: list(group) for ticket_id, group in groupby(events, key=lambda e: e.ticket_id)}


@pytest.mark.django_db
def test_every_state_appears_and_the_counts_are_returned(generated):
    first, _, boundary = generated
    assert Unit.objects.count() == len(cityspec.UNITS)  # the demo directory, loaded into the empty database
    assert first["tickets"] == TICKETS and sum(first["states"].values()) == TICKETS
    assert all(first["states"][s.value] > 0 for s in State), first["states"]
    stored = Counter(Ticket.objects.filter(pk__lte=boundary).values_list("state", flat=True))
    assert stored == Counter({state: n for state, n in first["states"].items() if n})
    assert first["events"] == TicketEvent.objects.filter(ticket_id__lte=boundary).count()
    assert first["clocks"] == StageClock.objects.filter(ticket_id__lte=boundary).count() > 0


@pytest.mark.django_db
def test_the_event_log_replays_to_every_ticket(generated, capsys):
    call_command("check_invariants")
    assert f"OK: {2 * TICKETS} tickets" in capsys.readouterr().out


@pytest.mark.django_db
def test_events_agree_with_the_ticket(generated):
    tickets = {t.pk: t for t in Ticket.objects.all()}
    for ticket_id, events in _histories(tickets).items():
        ticket = tickets[ticket_id]
        assert [e.seq for e in events] == [e.version for e in events] == list(range(1, len(events) + 1))
        assert ticket.version == len(events)
        moments = [e.created_at for e in events]
        assert moments == sorted(set(moments)), ticket.number
        assert moments[0] == ticket.created_at and moments[-1] == ticket.updated_at
        dispatches = [e for e in events if e.action == Action.DISPATCH]
        if ticket.lead_unit_id is not None:
            assert dispatches[-1].unit_id == dispatches[-1].payload["lead_unit"]["id"] == ticket.lead_unit_id
        first_dispatch = dispatches[0].seq if dispatches else len(events) + 1
        assert all(e.unit_id is None for e in events[: first_dispatch - 1])  # the centre's own steps
        if ticket.state == State.CLOSED or events[-1].payload.get("final_state") == State.CLOSED:
            callback = [e for e in events if e.action == Action.CALLBACK][-1]
            assert callback.to_state == State.CLOSED and callback.payload["reached"] is True
            assert callback.payload["satisfaction"] == ticket.satisfaction != "unsatisfied"


@pytest.mark.django_db
def test_late_is_written_only_by_the_actions_that_complete_a_stage(generated):
    events = TicketEvent.objects.all()
    assert not events.exclude(action__in=list(COMPLETES)).exclude(late=None).exists()
    unreached = events.filter(action=Action.CALLBACK, payload__reached=False)
    assert unreached.exists() and not unreached.exclude(late=None).exists()  # the callback clock still runs
    completing = events.filter(action__in=list(COMPLETES)).exclude(pk__in=unreached)
    assert not completing.filter(late=None).exists()
    assert completing.filter(late=True).exists() and completing.filter(late=False).exists()


@pytest.mark.django_db
def test_late_agrees_with_the_deadline_of_every_dispatch_and_sign(generated):
    """Recomputed from the policy table and the calendar: the dispatch clock starts at registration (again after
    a recall or an approved return), the sign clock at each dispatch or sub-dispatch."""
    starters = {
        Action.DISPATCH: {Action.CREATE, Action.APPROVE_RETURN, Action.RECALL_DISPATCH},
        Action.SIGN: {Action.DISPATCH, Action.SUB_DISPATCH},
    }
    calendar = current_calendar()
    tickets = {t.pk: t for t in Ticket.objects.all()}
    checked: Counter[bool] = Counter()
    for ticket_id, events in _histories(tickets).items():
        ticket, started = tickets[ticket_id], {}
        for event in events:
            if event.action in starters:
                stage = COMPLETES[Action(event.action)]
                limit = limit_for(stage, appeal_type=ticket.appeal_type, category_id=ticket.category_id,
                                  urgency=ticket.urgency)  # fmt: skip
                assert event.late == (event.created_at > due_moment(calendar, started[event.action], limit))
                checked[event.late] += 1
            for completed, starting in starters.items():
                if event.action in starting:
                    started[completed] = event.created_at
    assert checked[True] and checked[False]


@pytest.mark.django_db
def test_a_sample_replays_through_the_actions_to_the_same_rows(generated):
    """The strongest check: the actions themselves, given each event's moment and payload, write the same events,
    ticket fields and stage clocks."""
    boundary = generated[2]
    sample = _sample(Ticket.objects.filter(pk__lte=boundary))
    centre = make_user("replay_centre", Unit.objects.get(code="centre"), Role.CENTRE_ADMIN)
    handlers: dict[int, User] = {}
    for original, events in sample:
        replayed = _replay(original, events, centre, handlers)
        again = _histories([replayed])[replayed.pk]
        for mine, theirs in zip(events, again, strict=True):
            assert _event(mine) == _event(theirs), (original.number, mine.seq)
        for name in CHANGED_FIELDS:
            assert getattr(replayed, name) == getattr(original, name), (original.number, name)
        if original.state not in FINISHED_STATES:
            assert _clocks(replayed) == _clocks(original), original.number


def _sample(tickets: Any) -> list[tuple[Ticket, list[TicketEvent]]]:
    """A few tickets for every action, every final state, every kind of late step, urgency and a pending extension
    request; the others left out."""
    histories = _histories(tickets)
    by_pk = {t.pk: t for t in tickets}
    seen: Counter[str] = Counter()
    sample = []
    for ticket_id, events in histories.items():
        ticket = by_pk[ticket_id]
        kinds = {e.action for e in events} | {f"late {e.action}" for e in events if e.late} | {ticket.state}
        kinds |= {"urgent"} if ticket.urgency == "urgent" else set()
        kinds |= {"extension requested"} if ticket.extension_request else set()
        if any(seen[kind] < 3 for kind in kinds):
            seen.update(kinds)
            sample.append((ticket, events))
    assert all(seen[kind] for kind in ("sub_dispatch", "approve_return", "approve_extension", "send_back_reply",
                                       "late sign", "late reply", "urgent", "extension requested"))  # fmt: skip
    return sample


def _replay(original: Ticket, events: list[TicketEvent], centre: User, handlers: dict[int, User]) -> Ticket:
    data = {
        **{f: getattr(original, f) for f in ("citizen_name", "citizen_phone", "is_anonymous", "is_confidential",
                                             "address", "subject", "description", "appeal_type", "urgency", "channel")},
        "district": original.district.code if original.district else None,
        "street": original.street.code if original.street else None,
        "category": original.category.code,
    }  # fmt: skip
    with clock.frozen_at(events[0].created_at):
        ticket, _ = actions.create_ticket(actor=centre, data=data)
    for event in events[1:]:
        action = Action(event.action)
        if action is Action.MERGE_INTO:  # the target as it was then (it may be archived by now)
            target = event.payload["target_id"]
            then = TicketEvent.objects.filter(ticket_id=target, created_at__lte=event.created_at).order_by("-seq")
            Ticket.objects.filter(pk=target).update(state=then.values_list("to_state", flat=True)[0])
        actor = centre
        if action in UNIT_ACTIONS:
            unit = ticket.handling_unit
            actor = handlers.get(unit.pk) or handlers.setdefault(
                unit.pk, make_user(f"replay_{unit.code}", unit, Role.UNIT_HANDLER)
            )
        with clock.frozen_at(event.created_at):
            ticket = actions.ACTIONS[action](actor=actor, ticket_id=ticket.pk, version=ticket.version,
                                             **_params(action, event.payload))  # fmt: skip
    return Ticket.objects.get(pk=ticket.pk)


def _params(action: Action, payload: dict[str, Any]) -> dict[str, Any]:
    """The action's arguments, read back from what its event recorded."""
    if action is Action.DISPATCH:
        return {"lead_unit": payload["lead_unit"]["id"], "co_units": [], "note": payload["note"]}
    if action is Action.SUB_DISPATCH:
        return {"unit": payload["unit"]["id"], "note": payload["note"]}
    if action is Action.MERGE_INTO:
        return {"target_id": payload["target_id"], "note": payload["note"]}
    if action is Action.APPROVE_EXTENSION:
        return {"note": payload["note"]}
    if action is Action.CALLBACK:
        return {k: payload[k] for k in ("reached", "satisfaction", "resolved", "comment")}
    recorded = {"unit", "from_state", "due_at", "returned_by", "final_state", "days"}
    params = {k: v for k, v in payload.items() if k not in recorded}
    if action is Action.REQUEST_EXTENSION:
        params["days"] = payload["days"]
    return params


def _event(event: TicketEvent) -> tuple[Any, ...]:
    return (event.action, event.from_state, event.to_state, event.created_at, event.unit_id, event.late,
            event.payload)  # fmt: skip


def _clocks(ticket: Ticket) -> list[tuple[Any, ...]]:
    return sorted(StageClock.objects.filter(ticket=ticket).values_list(*CLOCK_FIELDS))


@pytest.mark.django_db
def test_open_tickets_have_their_running_clocks(generated):
    running: dict[int, dict[str, StageClock]] = {}
    for kept in StageClock.objects.filter(running=True):
        running.setdefault(kept.ticket_id, {})[kept.stage] = kept
    for ticket in Ticket.objects.all():
        clocks = running.get(ticket.pk, {})
        assert set(clocks) == set(running_stages(ticket.state)), ticket.number
        if "handling" in clocks:
            assert ticket.due_at == clocks["handling"].due_at
        if "callback" in clocks:
            assert ticket.callback_due_at == clocks["callback"].due_at


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_history_under_new_numbers(generated):
    first, second, boundary = generated
    assert first["states"] == second["states"] and first["events"] == second["events"]
    fields = ("subject", "description", "created_at", "category_id", "state", "citizen_phone", "due_at")
    one = Ticket.objects.filter(pk__lte=boundary).order_by("pk").values(*fields, "number").first()
    two = Ticket.objects.filter(pk__gt=boundary).order_by("pk").values(*fields, "number").first()
    assert {f: one[f] for f in fields} == {f: two[f] for f in fields}
    assert one["number"] != two["number"]
    numbers = list(Ticket.objects.values_list("number", flat=True))
    assert len(set(numbers)) == len(numbers) == 2 * TICKETS
    # The daily sequences moved past the generated numbers: a real create that day takes the next one.
    day = one["created_at"].astimezone(SHANGHAI).date()
    sequence = DailySequence.objects.get(day=day)
    assert sequence.last == sum(n.startswith(f"{day:%Y%m%d}") for n in numbers)
    assert actions.next_number(one["created_at"]) == f"{day:%Y%m%d}{sequence.last + 1:05d}"


@pytest.mark.django_db
def test_history_stays_within_the_period(generated):
    start = datetime.combine(months_before(END.date(), MONTHS), datetime.min.time(), SHANGHAI) + timedelta(days=1)
    created = Ticket.objects.values_list("created_at", flat=True)
    assert start <= min(created) and max(created) < END
    assert max(TicketEvent.objects.values_list("created_at", flat=True)) < END
    archived = Ticket.objects.filter(state=State.ARCHIVED)
    assert archived.exists() and max(archived.values_list("created_at", flat=True)) < END - timedelta(days=20)


@pytest.mark.django_db
def test_command_refuses_bad_input():
    for argv, message in [
        (["--tickets", "0"], "--tickets"),
        (["--tickets", "5", "--months", "0"], "--months"),
        (["--tickets", "5", "--end", "2026-02-30"], "YYYY-MM-DD"),
        (["--tickets", "5", "--end", "2999-01-01"], "不能晚于今天"),
    ]:
        with pytest.raises(CommandError, match=message):
            call_command("generate", *argv)


@pytest.mark.django_db
def test_command_prints_progress_and_a_summary(capsys):
    before = Ticket.objects.count()
    call_command("generate", "--tickets", "40", "--months", "2", "--seed", "3")
    out = capsys.readouterr().out
    assert "已生成 40 / 40 张工单" in out
    assert "已生成 40 张工单" in out and "待派单" in out and "已归档" in out
    assert Ticket.objects.count() == before + 40
