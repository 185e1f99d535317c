"""Races: the same action sent twice at once, many creates at once, and retried creates with one key.

These tests commit for real (transaction=True) and run the contenders in threads, each with its own
database connection. On SQLite the test database is a file with IMMEDIATE transactions and a busy
timeout, so writers queue; on PostgreSQL the row lock (select_for_update) makes them queue.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
import time_machine
from django.db import connection

from rexian.core.clock import SHANGHAI
from rexian.core.errors import InvalidTransition, StaleVersion
from rexian.taxonomy.models import Category
from rexian.taxonomy.selectors import forget_policies
from rexian.tickets.actions import ACTIONS, create_ticket
from rexian.tickets.models import Ticket, TicketEvent
from rexian.tickets.replay import EventRecord, replay_problems
from rexian.tickets.workflow import Action
from tests.conftest import APPEAL, Api, City

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 10


def run_together(n: int, work: Callable[[int], Any]) -> list[Any]:
    """Run work(0) … work(n-1) in n threads released at the same moment; each returns a value or an error."""
    barrier = threading.Barrier(n)
    outcomes: list[Any] = [None] * n

    def contender(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            outcomes[i] = work(i)
        except Exception as error:  # the caller inspects what each thread got
            outcomes[i] = error
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=contender, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a contender hung"
    return outcomes


def new_ticket(city: City) -> Ticket:
    return create_ticket(actor=city.users["intake"], data=APPEAL)[0]


def perform(city: City, ticket: Ticket, username: str, action: str, **payload: Any) -> Ticket:
    return ACTIONS[Action(action)](actor=city.users[username], ticket_id=ticket.pk, version=ticket.version, **payload)


def warm_up(city: City) -> None:
    """Load each user's roles and unit in this thread, so that the contenders only race on the ticket."""
    for user in city.users.values():
        _ = user.roles, user.unit


Contender = tuple[str, str, dict[str, Any]]  # (username, action, payload)


def race(city: City, ticket: Ticket, *contenders: Contender) -> list[Any]:
    """Send every contender's action at once, all with the version of `ticket` as read now."""
    version = ticket.version

    def send(i: int) -> Ticket:
        username, action, payload = contenders[i]
        return ACTIONS[Action(action)](actor=city.users[username], ticket_id=ticket.pk, version=version, **payload)

    return run_together(len(contenders), send)


def assert_one_winner(outcomes: list[Any], ticket: Ticket, *, version_before: int) -> Ticket:
    """Exactly one contender won; the others got a 409; one event was written. Returns the ticket now."""
    winners = [o for o in outcomes if isinstance(o, Ticket)]
    losers = [o for o in outcomes if not isinstance(o, Ticket)]
    assert len(winners) == 1, outcomes
    for loser in losers:
        assert isinstance(loser, StaleVersion | InvalidTransition), repr(loser)
        assert loser.status == 409
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.version == version_before + 1 == winners[0].version
    assert list(ticket.events.order_by("seq").values_list("seq", flat=True)) == list(range(1, version_before + 2))
    return ticket


# ---- the same action twice ---------------------------------------------------------------------------------------

def test_the_same_unit_signing_twice_at_once_signs_once(city):
    warm_up(city)
    for _ in range(ROUNDS):
        ticket = perform(city, new_ticket(city), "dispatcher", "dispatch", lead_unit="x_east")
        outcomes = race(city, ticket, ("h_east", "sign", {"note": "甲"}), ("h_east", "sign", {"note": "乙"}))
        ticket = assert_one_winner(outcomes, ticket, version_before=2)
        assert ticket.state == "in_progress"


def test_two_dispatchers_dispatching_at_once_dispatch_once(city):
    warm_up(city)
    for _ in range(ROUNDS):
        ticket = new_ticket(city)
        outcomes = race(city, ticket, ("dispatcher", "dispatch", {"lead_unit": "x_east"}),
                        ("shift_lead", "dispatch", {"lead_unit": "d_urban"}))
        ticket = assert_one_winner(outcomes, ticket, version_before=1)
        winner = next(o for o in outcomes if isinstance(o, Ticket))
        assert ticket.state == "dispatched"
        assert ticket.lead_unit_id == winner.lead_unit_id  # the loser did not overwrite the unit


def test_a_reply_and_a_return_request_at_once_only_one_applies(city):
    warm_up(city)
    for _ in range(ROUNDS):
        ticket = perform(city, new_ticket(city), "dispatcher", "dispatch", lead_unit="x_east")
        ticket = perform(city, ticket, "h_east", "sign")
        outcomes = race(city, ticket, ("h_east", "reply", {"result": "已处理", "citizen_contacted": True}),
                        ("h_east", "request_return", {"reason": "非本单位职责"}))
        ticket = assert_one_winner(outcomes, ticket, version_before=3)
        assert ticket.state in ("replied", "return_requested")


def test_four_notes_racing_on_one_version_write_one_event(city):
    warm_up(city)
    ticket = perform(city, new_ticket(city), "dispatcher", "dispatch", lead_unit="x_east")
    outcomes = race(city, ticket, *[("h_east", "add_note", {"text": f"备注 {i}"}) for i in range(4)])
    ticket = assert_one_winner(outcomes, ticket, version_before=2)
    events = [EventRecord(e.seq, e.action, e.from_state, e.to_state, e.version) for e in ticket.events.order_by("seq")]
    assert replay_problems(ticket.state, ticket.version, events) == []


# ---- many creates at once ------------------------------------------------------------------------------------

def test_concurrent_creates_get_unique_sequential_numbers(city):
    warm_up(city)
    creators = ["intake", "dispatcher", "shift_lead", "centre_admin"] * 2
    with time_machine.travel(datetime(2025, 3, 3, 10, 0, tzinfo=SHANGHAI), tick=False):
        outcomes = run_together(8, lambda i: create_ticket(
            actor=city.users[creators[i]], data={**APPEAL, "subject": f"并发登记 {i}"}))
    assert [o for o in outcomes if not isinstance(o, tuple)] == []
    numbers = sorted(ticket.number for ticket, created in outcomes)
    assert numbers == [f"20250303{n:05d}" for n in range(1, 9)]
    assert Ticket.objects.count() == 8
    assert TicketEvent.objects.filter(action="create").count() == 8


# ---- idempotent create ----------------------------------------------------------------------------------------

def test_a_retried_create_with_the_same_key_returns_the_first_ticket(city):
    intake = Api("intake")
    first = intake.post("/tickets", APPEAL, **{"Idempotency-Key": "call-0001"})
    again = intake.post("/tickets", APPEAL, **{"Idempotency-Key": "call-0001"})
    assert (first.status_code, again.status_code) == (201, 201), (first.content, again.content)
    assert again.json()["id"] == first.json()["id"]
    assert "Idempotency-Replayed" not in first.headers
    assert again.headers["Idempotency-Replayed"] == "true"
    assert Ticket.objects.count() == 1 and TicketEvent.objects.count() == 1

    other_key = intake.post("/tickets", APPEAL, **{"Idempotency-Key": "call-0002"})
    assert other_key.status_code == 201 and other_key.json()["id"] != first.json()["id"]


def test_a_retry_is_answered_whatever_changed_since_and_takes_no_number(city):
    intake = Api("intake")
    first = intake.post("/tickets", APPEAL, **{"Idempotency-Key": "call-0001"}).json()
    Category.objects.filter(code=APPEAL["category"]).update(is_active=False)  # retired before the retry came
    forget_policies()
    again = intake.post("/tickets", APPEAL, **{"Idempotency-Key": "call-0001"})
    assert again.status_code == 201 and again.json()["id"] == first["id"], again.content
    assert intake.post("/tickets", APPEAL, **{"Idempotency-Key": "call-0002"}).status_code == 422  # a new one is not
    fresh = intake.post("/tickets", {**APPEAL, "category": None}, **{"Idempotency-Key": "call-0003"}).json()
    assert int(fresh["number"]) == int(first["number"]) + 1  # the retry's rolled-back insert took no number


def test_the_same_key_with_another_body_is_a_conflict(city):
    intake = Api("intake")
    assert intake.post("/tickets", APPEAL, **{"Idempotency-Key": "call-0001"}).status_code == 201
    changed = intake.post("/tickets", {**APPEAL, "subject": "另一件事"}, **{"Idempotency-Key": "call-0001"})
    assert changed.status_code == 409, changed.content
    assert changed.json()["code"] == "idempotency_key_reused"
    assert set(changed.json()) == {"code", "message", "fields"}
    assert Ticket.objects.count() == 1


def test_a_key_belongs_to_the_user_who_sent_it(city):
    first = Api("intake").post("/tickets", APPEAL, **{"Idempotency-Key": "call-0001"})
    other = Api("dispatcher").post("/tickets", APPEAL, **{"Idempotency-Key": "call-0001"})
    assert (first.status_code, other.status_code) == (201, 201)
    assert other.json()["id"] != first.json()["id"]
    assert "Idempotency-Replayed" not in other.headers


def test_four_retries_racing_with_one_key_make_one_ticket(city):
    token = Api("intake").headers["Authorization"]

    def post(i: int):
        client = Api()  # a client per thread: the test client is not shared between threads
        client.headers["Authorization"] = token
        return client.post("/tickets", APPEAL, **{"Idempotency-Key": "call-race"})

    responses = run_together(4, post)
    assert [r for r in responses if isinstance(r, Exception)] == []
    assert [r.status_code for r in responses] == [201] * 4, [r.content for r in responses]
    assert len({r.json()["id"] for r in responses}) == 1
    assert sorted(r.headers.get("Idempotency-Replayed", "") for r in responses) == ["", "true", "true", "true"]
    assert Ticket.objects.count() == 1
    assert TicketEvent.objects.count() == 1
