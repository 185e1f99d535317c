"""Many clients acting on the same few tickets at once, over HTTP, through two `rexian serve` processes on one
database (as behind a load balancer).

Each round every client reads a ticket, waits for the others at a barrier, then sends an action its role may
take with the version it read: the contenders on one ticket race on one version. Every answer must be 200
(applied) or 409 (refused), or 404 for a unit's stale request once the ticket has left the unit; each version
of a ticket is moved on by exactly one applied action, whose event is the next in the ticket's log; and
`rexian check-invariants` is clean afterwards.
"""

from __future__ import annotations

import random
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection

from rexian.tickets.models import Ticket
from tests.conftest import APPEAL
from tests.reliability.conftest import LiveCity, NoResponse, Reply

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

TICKETS = 3
ROUNDS = 40
# What each role sends when the ticket allows it. The callback is always unsatisfied and nobody archives,
# so that the tickets keep cycling (re-handling) and stay contended for the whole test.
PAYLOADS: dict[str, dict[str, Any]] = {
    "dispatch": {"lead_unit": "x_east", "note": "请东区处理"},
    "sign": {"note": "签收"},
    "request_return": {"reason": "非本单位职责"},
    "approve_return": {"note": "同意退单"},
    "reject_return": {"reason": "属本单位职责，请办理"},
    "reply": {"result": "已到现场处理完毕。", "citizen_contacted": True},
    "send_back_reply": {"reason": "请补充处理措施"},
    "approve_reply": {"note": "审核通过"},
    "callback": {"reached": True, "satisfaction": "unsatisfied", "resolved": False, "comment": "问题仍在"},
    "add_note": {"text": "跟进记录"},
}
# (actor, actions it may choose from); two or three clients per role so that equals race too.
CLIENTS: list[tuple[str, frozenset[str]]] = [
    ("dispatcher", frozenset({"dispatch", "add_note"})),
    ("dispatcher", frozenset({"dispatch"})),
    ("shift_lead", frozenset({"dispatch", "reject_return", "approve_reply"})),
    ("reviewer", frozenset({"approve_return", "reject_return", "approve_reply", "send_back_reply"})),
    ("reviewer", frozenset({"approve_reply", "approve_return"})),
    ("callback", frozenset({"callback"})),
    ("callback", frozenset({"callback"})),
    ("h_east", frozenset({"sign", "reply", "request_return"})),
    ("h_east", frozenset({"sign", "reply"})),
    ("h_east", frozenset({"sign", "reply", "add_note"})),
]
REFUSALS = {"stale_version", "invalid_transition", "return_window_closed"}
# A unit's people see a ticket only while their unit holds it: a unit's stale request for a ticket that left the
# unit meanwhile (a return approved, a re-dispatch) is a 404, as for any ticket it cannot see (the access
# chokepoint never confirms that a ticket exists), not a 409.
UNIT_ACTORS = frozenset({"h_east"})


@dataclass(frozen=True)
class Attempt:
    actor: str
    ticket_id: int
    version: int  # the version the client read and sent
    action: str
    reply: Reply | None  # None: no response at all


def client(live: LiveCity, n: int, tickets: list[int], barrier: threading.Barrier, log: list[Attempt],
           errors: list[str]) -> None:
    actor, repertoire = CLIENTS[n]
    rng = random.Random(n)  # reproducible choices; the interleaving is the server's
    server = n % len(live.servers)
    for _ in range(ROUNDS):
        ticket_id = rng.choice(tickets)
        try:
            seen = live.call(actor, "GET", f"/tickets/{ticket_id}", server=server)
        except NoResponse as error:
            errors.append(f"GET without response: {error}")
            seen = None
        choices = sorted(repertoire & set(seen.body["allowed_actions"])) if seen and seen.status == 200 else []
        barrier.wait(timeout=60)  # everyone has read: now all send at once
        if not choices:
            continue
        action, version = rng.choice(choices), seen.body["version"]
        try:
            reply = live.call(actor, "POST", f"/tickets/{ticket_id}/actions/{action}",
                              {"version": version, **PAYLOADS[action]}, server=server)
        except NoResponse:
            reply = None
        log.append(Attempt(actor, ticket_id, version, action, reply))


def run_clients(live: LiveCity, tickets: list[int]) -> tuple[list[Attempt], list[str]]:
    barrier = threading.Barrier(len(CLIENTS))
    log: list[Attempt] = []
    errors: list[str] = []
    threads = [threading.Thread(target=client, args=(live, n, tickets, barrier, log, errors))
               for n in range(len(CLIENTS))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads), "a client hung"
    return log, errors


def assert_each_version_moved_once(ticket: Ticket, applied: list[Attempt]) -> None:
    """The applied actions on a ticket step through its versions one by one, each matching its event."""
    by_version = {a.version: a for a in applied}
    assert len(by_version) == len(applied), f"a version applied twice on {ticket.number}"
    assert sorted(by_version) == list(range(1, ticket.version)), (ticket.number, sorted(by_version))
    events = list(ticket.events.order_by("seq").values_list("seq", "version", "action", "to_state"))
    assert [e[0] for e in events] == list(range(1, ticket.version + 1))
    assert all(seq == version for seq, version, _, _ in events)
    for seq, _, action, to_state in events[1:]:
        attempt = by_version[seq - 1]
        assert (attempt.action, attempt.reply.body["version"]) == (action, seq)
        assert attempt.reply.body["state"] == to_state
    assert ticket.state == events[-1][3]


def test_racing_clients_apply_each_transition_once_or_get_409(live: LiveCity) -> None:
    live.add_server()
    tickets = []
    for i in range(TICKETS):
        created = live.call("intake", "POST", "/tickets", {**APPEAL, "subject": f"并发处理 {i}"})
        assert created.status == 201, created
        tickets.append(created.body["id"])

    log, errors = run_clients(live, tickets)

    assert errors == []
    statuses = Counter(a.reply.status if a.reply else "no response" for a in log)
    codes = Counter(a.reply.body["code"] for a in log if a.reply and a.reply.status == 409)
    print(f"\n{connection.vendor}: {len(log)} actions by {len(CLIENTS)} clients on {TICKETS} tickets over "
          f"{len(live.servers)} servers: {dict(statuses)}, refusals {dict(codes)}")
    final = dict(Ticket.objects.filter(pk__in=tickets).values_list("pk", "version"))
    out_of_reach = [a for a in log if a.reply and a.reply.status == 404]
    assert all(a.actor in UNIT_ACTORS and final[a.ticket_id] > a.version for a in out_of_reach), out_of_reach[:5]
    assert set(statuses) <= {200, 404, 409}, [a for a in log if not a.reply or a.reply.status not in (200, 409)][:5]
    for attempt in log:
        if attempt.reply.status in (404, 409):
            assert set(attempt.reply.body) == {"code", "message", "fields"}
    assert set(codes) <= REFUSALS, codes
    races = Counter((a.ticket_id, a.version) for a in log)
    assert codes["stale_version"] > 0 and max(races.values()) >= 3  # the clients did contend

    applied: dict[int, list[Attempt]] = defaultdict(list)
    for attempt in log:
        if attempt.reply.status == 200:
            assert attempt.reply.body["version"] == attempt.version + 1
            applied[attempt.ticket_id].append(attempt)
    for ticket in Ticket.objects.filter(pk__in=tickets):
        assert ticket.version > 3, ticket  # each ticket went some way round the cycle
        assert_each_version_moved_once(ticket, applied[ticket.pk])

    checked = live.rexian("check-invariants")
    assert checked.returncode == 0, checked.stderr
    assert f"OK: {TICKETS} tickets" in checked.stdout
