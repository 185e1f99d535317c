"""Who may do what, through HTTP: every action of the table × every user of the test city.

The expected status is worked out from the transition table and the unit tree alone (not from
tickets/access.py): 404 when the user may not see the ticket, 200 when the table grants one of the
user's roles within the row's scope, otherwise 403. A refused call must leave the ticket untouched.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from rexian.directory.models import Unit, User
from rexian.directory.roles import CENTRE_ROLES, UNIT_ROLES, Role
from rexian.tickets.actions import ACTIONS, create_ticket
from rexian.tickets.models import Ticket
from rexian.tickets.workflow import TRANSITIONS, Action, Scope, State
from tests.conftest import APPEAL, Api, City

# ---- driving a fresh ticket to a state, with the privileged users ------------------------------------------

Step = tuple[str, str, dict[str, Any] | Callable[[City], dict[str, Any]]]  # (username, action, payload)

REASON = {"reason": "理由充分"}
DISPATCH_EAST = ("dispatcher", "dispatch", {"lead_unit": "x_east", "co_units": ["d_hrss"]})
IN_PROGRESS = [DISPATCH_EAST, ("h_east", "sign", {})]
REPLIED = [*IN_PROGRESS, ("h_east", "reply", {"result": "已现场处理", "citizen_contacted": True})]
CALLBACK_PENDING = [*REPLIED, ("reviewer", "approve_reply", {})]
AT_STREET = [*IN_PROGRESS, ("h_east", "sub_dispatch", {"unit": "s_east_1"})]

# The ways to each starting point. Dispatched tickets go to the east district with the HRSS bureau as
# co-handler, so that h_hrss sees them without handling them (the 403-by-scope case).
PATHS: dict[str, list[Step]] = {
    "registered": [],
    "answered": [("intake", "answer_directly", {"answer": "已电话解答"})],
    "rejected": [("intake", "reject_out_of_scope", {"reason": "属诉讼程序", "redirect_to": "人民法院"})],
    "merged": [("intake", "merge_into", lambda city: {"target_id": new_ticket(city).pk})],
    "dispatched": [DISPATCH_EAST],
    "in_progress": IN_PROGRESS,
    "extension_requested": [*IN_PROGRESS, ("h_east", "request_extension", {"days": 3, **REASON})],
    "return_requested": [DISPATCH_EAST, ("h_east", "request_return", REASON)],
    "replied": REPLIED,
    "callback_pending": CALLBACK_PENDING,
    "closed": [*CALLBACK_PENDING,
               ("callback", "callback", {"reached": True, "satisfaction": "satisfied", "resolved": True})],
    "dispatched_to_street": AT_STREET,
    "in_progress_at_street": [*AT_STREET, ("h_east_1", "sign", {})],
}
# The state each starting point is in.
PATHS_STATE = {
    "registered": State.REGISTERED, "answered": State.ANSWERED, "rejected": State.REJECTED,
    "merged": State.MERGED, "dispatched": State.DISPATCHED, "in_progress": State.IN_PROGRESS,
    "extension_requested": State.IN_PROGRESS, "return_requested": State.RETURN_REQUESTED,
    "replied": State.REPLIED, "callback_pending": State.CALLBACK_PENDING, "closed": State.CLOSED,
    "dispatched_to_street": State.DISPATCHED, "in_progress_at_street": State.IN_PROGRESS,
}


def new_ticket(city: City, **fields: Any) -> Ticket:
    ticket, created = create_ticket(actor=city.users["intake"], data={**APPEAL, **fields})
    assert created
    return ticket


def perform(city: City, ticket: Ticket, username: str, action: str, **payload: Any) -> Ticket:
    """One action through the domain function, as the given user."""
    return ACTIONS[Action(action)](actor=city.users[username], ticket_id=ticket.pk, version=ticket.version, **payload)


def ticket_at(city: City, start: str, **fields: Any) -> Ticket:
    """A fresh ticket driven to the starting point `start` (a key of PATHS)."""
    ticket = new_ticket(city, **fields)
    for username, action, payload in PATHS[start]:
        ticket = perform(city, ticket, username, action, **(payload(city) if callable(payload) else payload))
    return Ticket.objects.get(pk=ticket.pk)


def valid_payload(action: Action, city: City) -> dict[str, Any]:
    payloads: dict[Action, dict[str, Any]] = {
        Action.AMEND: {"subject": "补充后的标题"},
        Action.ANSWER_DIRECTLY: {"answer": "已电话解答"},
        Action.REJECT_OUT_OF_SCOPE: {"reason": "属诉讼程序", "redirect_to": "人民法院"},
        Action.RETURN_TO_INTAKE: {"reason": "地址不详"},
        Action.DISPATCH: {"lead_unit": "x_east"},
        Action.SUB_DISPATCH: {"unit": "s_east_1"},
        Action.REQUEST_EXTENSION: {"days": 3, **REASON},
        Action.REPLY: {"result": "已现场处理", "citizen_contacted": True},
        Action.CALLBACK: {"reached": True, "satisfaction": "satisfied", "resolved": True},
        Action.MARK_URGENT: {"reason": "涉及安全"},
        Action.ADD_NOTE: {"text": "已电话联系"},
    }
    if action is Action.MERGE_INTO:
        return {"target_id": new_ticket(city).pk}
    if action in (Action.REQUEST_RETURN, Action.REJECT_RETURN, Action.REJECT_EXTENSION, Action.SEND_BACK_REPLY,
                  Action.RECALL_DISPATCH):
        return REASON
    return payloads.get(action, {})


# ---- what the table and the unit tree say --------------------------------------------------------------------

def within(unit: Unit | None, ancestor: Unit | None) -> bool:
    return unit is not None and ancestor is not None and unit.path.startswith(ancestor.path)


def can_see(user: User, ticket: Ticket) -> bool:
    if user.roles & CENTRE_ROLES:
        return True
    if not user.roles & UNIT_ROLES:
        return False
    units = [ticket.lead_unit, ticket.handling_unit, *ticket.co_units.all()]
    return any(within(u, user.unit) for u in units)


def expected_status(user: User, ticket: Ticket, action: Action) -> int:
    if not can_see(user, ticket):
        return 404
    row = TRANSITIONS[(State(ticket.state), action)]
    in_scope = row.scope is Scope.ANY or within(ticket.handling_unit, user.unit)
    return 200 if not row.roles.isdisjoint(user.roles) and in_scope else 403


# Rows only the machine takes (deadline recomputation): no HTTP route, tested in tests/supervision.
SYSTEM_ONLY = {key for key, row in TRANSITIONS.items() if row.roles == {Role.SYSTEM}}


def matrix_rows() -> list[tuple[str, Action]]:
    rows = []
    for state, action in TRANSITIONS:
        if (state, action) in SYSTEM_ONLY:
            continue
        start = "extension_requested" if action in (Action.APPROVE_EXTENSION, Action.REJECT_EXTENSION) else state.value
        rows.append((start, action))
    # The same unit actions once the district has passed the ticket down to its street.
    rows += [("dispatched_to_street", a) for a in (Action.SIGN, Action.REQUEST_RETURN, Action.ADD_NOTE)]
    rows += [("in_progress_at_street", a) for a in (Action.REPLY, Action.REQUEST_EXTENSION, Action.REQUEST_RETURN)]
    return rows


def fingerprint(ticket_id: int) -> tuple[int, str, int]:
    ticket = Ticket.objects.get(pk=ticket_id)
    return ticket.version, ticket.state, ticket.events.count()


# ---- the matrix --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("start", "action"), matrix_rows(), ids=str)
def test_every_user_gets_what_the_table_and_the_unit_tree_allow(city, start, action):
    clients = {name: Api(name) for name in city.users}
    ticket = ticket_at(city, start)
    assert TRANSITIONS.get((State(ticket.state), action)), f"{start} does not allow {action}"
    wrong = []
    for name, user in city.users.items():
        expected = expected_status(user, ticket, action)
        before = fingerprint(ticket.pk)
        body = {"version": ticket.version, **valid_payload(action, city)}
        response = clients[name].post(f"/tickets/{ticket.pk}/actions/{action.value}", body)
        if response.status_code != expected:
            wrong.append((name, expected, response.status_code, response.json()))
        if response.status_code == 200:
            after = response.json()
            assert after["version"] == ticket.version + 1
            assert State(after["state"]) in TRANSITIONS[(State(ticket.state), action)].targets
            ticket = ticket_at(city, start)  # used up: the next user gets a fresh one
        else:
            assert set(response.json()) == {"code", "message", "fields"}
            assert fingerprint(ticket.pk) == before, f"refused {action} by {name} changed the ticket"
    assert wrong == []


def test_the_matrix_covers_every_row_of_the_table_and_every_action():
    rows = matrix_rows()
    assert {a for _, a in rows} == set(ACTIONS)
    covered = {(PATHS_STATE[start], action) for start, action in rows}
    assert covered == set(TRANSITIONS) - SYSTEM_ONLY


def test_each_path_reaches_the_state_it_is_named_for(city):
    for start, state in PATHS_STATE.items():
        assert ticket_at(city, start).state == state, start


# ---- reading: who sees which tickets -------------------------------------------------------------------------

def ids_listed(client: Api, **params: Any) -> set[int]:
    response = client.get("/tickets", **params)
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def test_a_department_sees_none_of_the_district_tickets(city):
    east = [ticket_at(city, "registered") for _ in range(2)]
    for ticket in east:
        perform(city, ticket, "dispatcher", "dispatch", lead_unit="x_east")
    hrss = perform(city, new_ticket(city, category="010101"), "dispatcher", "dispatch", lead_unit="d_hrss")
    h_hrss = Api("h_hrss")
    assert ids_listed(h_hrss) == {hrss.pk}
    assert ids_listed(h_hrss, unit="x_east") == set()  # a filter narrows, it never widens
    for ticket in east:
        assert h_hrss.get(f"/tickets/{ticket.pk}").status_code == 404
        assert h_hrss.get(f"/tickets/{ticket.pk}/events").status_code == 404


def test_a_district_sees_what_it_passed_to_its_streets_and_a_street_only_its_own(city):
    kept = ticket_at(city, "dispatched")
    to_street_1 = ticket_at(city, "dispatched_to_street")
    to_street_2 = ticket_at(city, "in_progress")
    perform(city, to_street_2, "h_east", "sub_dispatch", unit="s_east_2")
    registered = ticket_at(city, "registered")

    h_east, h_east_1 = Api("h_east"), Api("h_east_1")
    assert ids_listed(h_east) == {kept.pk, to_street_1.pk, to_street_2.pk}
    assert h_east.get(f"/tickets/{to_street_1.pk}").json()["handling_unit"]["code"] == "s_east_1"
    assert ids_listed(h_east_1) == {to_street_1.pk}
    assert h_east_1.get(f"/tickets/{to_street_1.pk}").status_code == 200
    for hidden in (kept, to_street_2, registered):
        assert h_east_1.get(f"/tickets/{hidden.pk}").status_code == 404
        assert h_east_1.get(f"/tickets/{hidden.pk}/events").status_code == 404
    assert ids_listed(Api("h_west")) == set()
    assert ids_listed(Api("nobody")) == set()


def test_the_city_leader_reads_everything_and_may_do_nothing(city):
    tickets = [ticket_at(city, start) for start in PATHS]
    leader = Api("leader")
    assert ids_listed(leader, page_size=200) == {t.pk for t in Ticket.objects.all()}
    for ticket in tickets:
        detail = leader.get(f"/tickets/{ticket.pk}")
        assert detail.status_code == 200
        assert detail.json()["allowed_actions"] == []
        assert detail.json()["citizen_name"] == APPEAL["citizen_name"]  # the leader is centre-side
        assert leader.get(f"/tickets/{ticket.pk}/events").status_code == 200
        for action in {a for (s, a) in set(TRANSITIONS) - SYSTEM_ONLY if s == ticket.state}:
            before = fingerprint(ticket.pk)
            response = leader.post(f"/tickets/{ticket.pk}/actions/{action.value}",
                                   {"version": ticket.version, **valid_payload(action, city)})
            assert response.status_code == 403, (ticket.state, action, response.content)
            assert response.json()["code"] == "permission_denied"
            assert fingerprint(ticket.pk) == before


# ---- confidential appeals ---------------------------------------------------------------------------------------

SECRETS = ("张三", "李四", "13800001111", "13900002222")


def confidential_ticket_in_the_east(city: City) -> dict:
    intake, dispatcher = Api("intake"), Api("dispatcher")
    created = intake.post("/tickets", {**APPEAL, "is_confidential": True})
    assert created.status_code == 201, created.content
    amended = intake.act(created.json(), "amend", citizen_name="李四", citizen_phone="13900002222")
    assert amended.status_code == 200, amended.content
    dispatched = dispatcher.act(amended.json(), "dispatch", lead_unit="x_east")
    assert dispatched.status_code == 200, dispatched.content
    return dispatched.json()


def assert_no_secret_in(response) -> None:
    assert response.status_code == 200, response.content
    text = json.dumps(response.json(), ensure_ascii=False)
    assert [s for s in SECRETS if s in text] == []


def test_a_unit_never_sees_who_filed_a_confidential_appeal(city):
    ticket = confidential_ticket_in_the_east(city)
    h_east = Api("h_east")

    detail = h_east.get(f"/tickets/{ticket['id']}")
    assert (detail.json()["citizen_name"], detail.json()["citizen_phone"]) == ("（保密）", "")
    assert_no_secret_in(detail)

    listed = h_east.get("/tickets")
    assert [(i["citizen_name"], i["citizen_phone"]) for i in listed.json()["items"]] == [("（保密）", "")]
    assert_no_secret_in(listed)

    events = h_east.get(f"/tickets/{ticket['id']}/events")
    assert [e["action"] for e in events.json()] == ["create", "amend", "dispatch"]
    assert_no_secret_in(events)

    signed = h_east.act(detail.json(), "sign")
    assert signed.json()["citizen_name"] == "（保密）"
    assert_no_secret_in(signed)


def test_the_centre_still_sees_the_confidential_identity_and_its_changes(city):
    ticket = confidential_ticket_in_the_east(city)
    dispatcher = Api("dispatcher")
    detail = dispatcher.get(f"/tickets/{ticket['id']}").json()
    assert (detail["citizen_name"], detail["citizen_phone"]) == ("李四", "13900002222")
    amend = dispatcher.get(f"/tickets/{ticket['id']}/events").json()[1]
    assert amend["payload"]["changed"]["citizen_name"] == {"from": "张三", "to": "李四"}


def test_a_unit_cannot_find_a_confidential_appeal_by_the_citizens_phone(city):
    ticket = confidential_ticket_in_the_east(city)
    h_east = Api("h_east")
    assert ids_listed(h_east) == {ticket["id"]}
    assert ids_listed(h_east, phone="13900002222") == ids_listed(h_east, phone="13000000000")


# ---- no login ---------------------------------------------------------------------------------------------------

def test_every_endpoint_wants_a_login(city):
    ticket = ticket_at(city, "registered")
    anonymous, forged = Api(), Api()
    forged.headers["Authorization"] = "Bearer not-a-real-token"
    for client in (anonymous, forged):
        for response in (
            client.get("/tickets"),
            client.get(f"/tickets/{ticket.pk}"),
            client.get(f"/tickets/{ticket.pk}/events"),
            client.post("/tickets", APPEAL),
            client.post(f"/tickets/{ticket.pk}/actions/add_note", {"version": 1, "text": "x"}),
            client.post(f"/tickets/{ticket.pk}/actions/no_such_action", {"version": 1}),
        ):
            assert response.status_code == 401, response.content
            assert response.json() == {"code": "unauthenticated", "message": response.json()["message"], "fields": {}}
            assert response.json()["message"]
    assert fingerprint(ticket.pk) == (1, "registered", 1)
    assert Ticket.objects.count() == 1


# ---- bad input ---------------------------------------------------------------------------------------------------

BAD_APPEALS = {
    "subject": {"subject": None},  # left out
    "description": {"description": "长" * 5000},
    "appeal_type": {"appeal_type": "gossip"},
    "citizen_phone": {"citizen_phone": "call me maybe"},
    "category": {"category": "999999"},
    "street": {"district": "x_west", "street": "s_east_1"},
}


def appeal_with(changes: dict[str, Any]) -> dict[str, Any]:
    body = {**APPEAL, **changes}
    return {k: v for k, v in body.items() if v is not None}


@pytest.mark.parametrize("field", list(BAD_APPEALS))
def test_a_bad_appeal_is_refused_with_the_field_named(city, field):
    response = Api("intake").post("/tickets", appeal_with(BAD_APPEALS[field]))
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "validation_error"
    assert field in response.json()["fields"]
    assert Ticket.objects.count() == 0


def test_every_bad_field_is_named_at_once(city):
    changes = {k: v for c in BAD_APPEALS.values() for k, v in c.items()}
    response = Api("intake").post("/tickets", appeal_with(changes))
    assert response.status_code == 422
    assert set(BAD_APPEALS) <= set(response.json()["fields"])
    assert Ticket.objects.count() == 0


@pytest.mark.parametrize("version", ["abc", 1.5, None, 0, -1, [1]])
def test_an_action_needs_an_integer_version(city, version):
    ticket = ticket_at(city, "registered")
    body = {"text": "备注"} if version is None else {"version": version, "text": "备注"}
    response = Api("intake").post(f"/tickets/{ticket.pk}/actions/add_note", body)
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "validation_error"
    assert "version" in response.json()["fields"]
    assert fingerprint(ticket.pk) == (1, "registered", 1)


def test_an_unknown_action_is_not_found(city):
    ticket = ticket_at(city, "registered")
    response = Api("centre_admin").post(f"/tickets/{ticket.pk}/actions/teleport", {"version": 1})
    assert response.status_code == 404, response.content
    assert response.json()["code"] == "not_found"
    assert "teleport" in response.json()["message"]
    assert fingerprint(ticket.pk) == (1, "registered", 1)


def test_an_unknown_ticket_is_not_found(city):
    admin = Api("centre_admin")
    assert admin.get("/tickets/987654").status_code == 404
    response = admin.post("/tickets/987654/actions/add_note", {"version": 1, "text": "备注"})
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
