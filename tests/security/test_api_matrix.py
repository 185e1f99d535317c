"""Who may call which API endpoint (besides the ticket actions, whose matrix is tests/api/test_access_matrix.py):
every operation of the OpenAPI document × one person per role, a person with no role, and no login.

The table below is the contract; the test fails when an endpoint is added without a row, or answers anyone
differently from its row. A ticket the user may not see is a 404 (its existence is not confirmed), a function
their role may not use a 403, no login a 401, and nobody ever a 5xx.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from rexian.api.api import api as ninja_api
from rexian.directory.roles import Role
from rexian.knowledge.actions import create_entry
from rexian.tickets.actions import create_ticket
from tests.conftest import APPEAL, Api, City, make_user

R = Role
EVERY_ROLE = frozenset(R) - {R.SYSTEM, R.CITIZEN}
CENTRE = frozenset({R.INTAKE, R.DISPATCHER, R.SHIFT_LEAD, R.REVIEWER, R.CALLBACK, R.QUALITY, R.CENTRE_ADMIN,
                    R.CITY_LEADER})  # fmt: skip
REGISTRARS = frozenset({R.INTAKE, R.DISPATCHER, R.SHIFT_LEAD, R.CENTRE_ADMIN})
STATS = frozenset({R.DISPATCHER, R.SHIFT_LEAD, R.REVIEWER, R.QUALITY, R.CENTRE_ADMIN, R.CITY_LEADER, R.UNIT_ADMIN})
CALLS = frozenset({R.INTAKE, R.SHIFT_LEAD, R.CENTRE_ADMIN, R.CITY_LEADER})
KNOWLEDGE_EDITORS = frozenset({R.SHIFT_LEAD, R.QUALITY, R.CENTRE_ADMIN})
# A person whose account has no role yet: reference data only.
NO_ROLE = "no role"

SCREEN = {"subject": "路灯不亮", "description": "东区路灯不亮，晚上很黑。"}
DUPLICATES = {"citizen_phone": "13800001111", "subject": "路灯不亮", "description": "东区路灯不亮，晚上很黑。"}
TRANSFER = {"service": "110", "caller_phone": "13800001111", "summary": "小区门口有人打架"}
# A published entry of 城管局 (no test user's own unit but the centre's): the row's {entry_id}. The edit sends
# it unchanged (each editor in turn gets 200); the step asked for (submit) is not open to a published entry, so
# an editor is let in and refused by the entry's state (409), everyone else by their role (403).
ENTRY = {"title": "占道经营如何举报", "answer": "可拨打 12345 反映。", "unit": "d_urban", "variants": [], "tags": []}

# (method, path, body) → (roles answered 2xx, status for the other roles, does a role-less account get 2xx)
TABLE: dict[tuple[str, str], tuple[frozenset[Role], int, bool, Any]] = {
    ("GET", "/tickets"): (EVERY_ROLE, 200, True, None),  # each sees what access lets them: maybe nothing
    ("POST", "/tickets"): (REGISTRARS, 403, False, APPEAL),
    ("GET", "/tickets/{ticket_id}"): (CENTRE, 404, False, None),
    ("GET", "/tickets/{ticket_id}/events"): (CENTRE, 404, False, None),
    ("GET", "/tickets/{ticket_id}/attachments"): (CENTRE, 404, False, None),
    ("GET", "/tickets/{ticket_id}/dispatch-suggestion"): (CENTRE, 404, False, None),
    ("GET", "/units"): (EVERY_ROLE, 403, True, None),
    ("GET", "/me"): (EVERY_ROLE, 403, True, None),
    ("GET", "/categories"): (EVERY_ROLE, 403, True, None),
    ("GET", "/choices"): (EVERY_ROLE, 403, True, None),
    ("POST", "/routing/suggest"): (CENTRE, 403, False, SCREEN),
    ("POST", "/intake/screen"): (EVERY_ROLE, 403, True, SCREEN),  # the scope rules are no secret
    ("POST", "/intake/duplicates"): (REGISTRARS, 403, False, DUPLICATES),
    ("POST", "/intake/assist"): (REGISTRARS, 403, False, DUPLICATES),
    ("GET", "/intake/emergency-transfers"): (CENTRE, 403, False, None),
    ("POST", "/intake/emergency-transfers"): (REGISTRARS, 403, False, TRANSFER),
    ("GET", "/stats/figures"): (STATS, 403, False, None),
    ("GET", "/stats/metrics"): (STATS, 403, False, None),
    ("GET", "/stats/assessment"): (STATS, 403, False, None),
    ("GET", "/stats/hotspots"): (STATS, 403, False, None),
    ("GET", "/calls/figures"): (CALLS, 403, False, None),
    ("GET", "/knowledge/search"): (EVERY_ROLE, 403, False, None),
    ("GET", "/knowledge/entries"): (EVERY_ROLE, 403, False, None),
    ("POST", "/knowledge/entries"): (KNOWLEDGE_EDITORS, 403, False, ENTRY),
    ("GET", "/knowledge/entries/{entry_id}"): (EVERY_ROLE, 403, False, None),
    ("PUT", "/knowledge/entries/{entry_id}"): (KNOWLEDGE_EDITORS, 403, False, {**ENTRY, "version": 2}),
    ("GET", "/knowledge/entries/{entry_id}/versions"): (EVERY_ROLE, 403, False, None),
    ("POST", "/knowledge/entries/{entry_id}/steps/{step}"): (KNOWLEDGE_EDITORS, 403, False, {"version": 2}),
    ("POST", "/knowledge/entries/{entry_id}/citations"): (EVERY_ROLE, 403, False, {}),
}
# Endpoints outside the table on purpose: the token endpoint (no login by design), uploads and downloads (their
# access is the ticket's, tested in tests/api/test_attachments.py), and the actions (their own matrix).
OUTSIDE = {("POST", "/auth/token"), ("POST", "/tickets/{ticket_id}/attachments"),
           ("GET", "/tickets/{ticket_id}/attachments/{attachment_id}")}  # fmt: skip


def _operations() -> set[tuple[str, str]]:
    schema = ninja_api.get_openapi_schema()
    return {(method.upper(), path.removeprefix("/api/v1")) for path, ops in schema["paths"].items() for method in ops
            if "/actions/" not in path}  # fmt: skip


def test_every_endpoint_has_a_row():
    assert _operations() - OUTSIDE == set(TABLE)


@pytest.fixture
def callers(city: City) -> dict[str, Api]:
    people = {R.INTAKE: "intake", R.DISPATCHER: "dispatcher", R.SHIFT_LEAD: "shift_lead", R.REVIEWER: "reviewer",
              R.CALLBACK: "callback", R.QUALITY: "quality", R.CENTRE_ADMIN: "centre_admin", R.CITY_LEADER: "leader",
              R.UNIT_HANDLER: "h_hrss"}  # fmt: skip
    make_user("a_east", city.units["x_east"], Role.UNIT_ADMIN)
    people[R.UNIT_ADMIN] = "a_east"
    callers = {role.value: Api(username) for role, username in people.items()}
    callers[NO_ROLE] = Api("nobody")
    return callers


@pytest.mark.parametrize("operation", list(TABLE), ids=lambda o: f"{o[0]} {o[1]}")
def test_each_role_gets_what_its_row_says(city: City, callers, operation):
    allowed, refused, role_less, body = TABLE[operation]
    method, path = operation
    ticket, _ = create_ticket(actor=city.users["intake"], data=APPEAL)  # registered: no unit sees it yet
    entry = create_entry(actor=city.users["centre_admin"], data={**ENTRY, "publish": True})
    url = path.replace("{ticket_id}", str(ticket.pk)).replace("{entry_id}", str(entry.pk)).replace("{step}", "submit")

    def call(api: Api) -> int:
        if method == "PUT":
            response = api.client.put(f"/api/v1{url}", data=json.dumps(body), content_type="application/json",
                                      headers=api.headers)  # fmt: skip
        else:
            response = api.get(url) if method == "GET" else api.post(url, body)
        assert response.status_code < 500, (url, response.content)
        if response.status_code >= 400:
            assert set(response.json()) == {"code", "message", "fields"}, response.content
        return response.status_code

    assert call(Api()) == 401
    answers = {who: call(api) for who, api in callers.items()}
    expected = {role.value: (200 if role in allowed else refused) for role in EVERY_ROLE}
    expected[NO_ROLE] = 200 if role_less else refused
    # 201 for a creation, 422 when the body is refused and 409 when the state refuses after the role was let in:
    # all mean "allowed".
    got = {who: 200 if status in (201, 409, 422) else status for who, status in answers.items()}
    assert got == expected
