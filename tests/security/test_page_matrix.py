"""Who may open which console page: every URL of the console × every role, plus no login at all.

A page declares its roles through its decorator (`workbench(key)`: the navigation item's roles, `staff_only`:
every role; both leave them on the view as `allowed_roles`). This test walks the URL patterns themselves, so a
page added without a decorator fails here, and checks each role against the declared set: a role outside it
gets 403, a role inside it never does, and nobody gets a server error.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, reverse

from rexian.directory.roles import HUMAN_ROLES, Role
from rexian.telephony.actions import CALLBACK_ROLES
from rexian.telephony.selectors import CALLS_ROLES
from rexian.web.nav import NAV
from rexian.web.urls import console_patterns
from tests.conftest import PASSWORD, City, make_user

# Pages any signed-in person may open (the dashboard shows what they can see, which may be nothing).
ANY_LOGIN = {"console"}
# Pages that narrow their workbench's roles further inside the view, and why.
NARROWER: dict[str, frozenset[Role]] = {
    # Reports cover the whole centre: a unit's people read their own figures, not the archive.
    "stats_reports": frozenset({Role.UNIT_HANDLER, Role.UNIT_ADMIN}),
    # 已回拨 is the agents' and their leads' work; the others read the call-back list.
    "call_called_back": CALLS_ROLES - CALLBACK_ROLES,
}
# Values for the URLs' parameters: ids that exist nowhere (an allowed role then gets 404, not 403).
ARGUMENTS = {"ticket_id": 999999, "attachment_id": 999999, "watch_id": 999999, "alert_id": 999999,
             "notice_id": 999999, "model_id": 999999, "rule_id": 999999, "job_id": 999999, "report_id": 999999,
             "call_pk": 999999, "entry_id": 999999, "action": "sign", "part": "xlsx"}  # fmt: skip


def _patterns() -> list[URLPattern]:
    return [p for p in console_patterns if isinstance(p, URLPattern)]


def _url(pattern: URLPattern) -> str:
    names = pattern.pattern.converters.keys()
    return reverse(pattern.name, kwargs={name: ARGUMENTS[name] for name in names})


@pytest.fixture
def people(city: City) -> dict[Role, Any]:
    """One person per role, holding that role only."""
    people = {
        Role.INTAKE: city.users["intake"], Role.DISPATCHER: city.users["dispatcher"],
        Role.SHIFT_LEAD: city.users["shift_lead"], Role.REVIEWER: city.users["reviewer"],
        Role.CALLBACK: city.users["callback"], Role.QUALITY: city.users["quality"],
        Role.CENTRE_ADMIN: city.users["centre_admin"], Role.CITY_LEADER: city.users["leader"],
        Role.UNIT_HANDLER: city.users["h_hrss"],
        Role.UNIT_ADMIN: make_user("a_east", city.units["x_east"], Role.UNIT_ADMIN),
    }  # fmt: skip
    assert set(people) == set(HUMAN_ROLES)
    return people


def test_every_console_page_declares_who_may_open_it():
    undeclared = [p.name for p in _patterns() if p.name not in ANY_LOGIN and not hasattr(p.callback, "allowed_roles")]
    assert undeclared == []


def test_every_navigation_item_has_a_page_with_its_roles():
    by_name = {p.name: p for p in _patterns()}
    assert {item.url_name: by_name[item.url_name].callback.allowed_roles for item in NAV} == {
        item.url_name: item.roles for item in NAV
    }


def _answer(client: Client, pattern: URLPattern) -> int:
    url = _url(pattern)
    response = client.get(url)
    if response.status_code == 405:  # a form's target: it is reached by POST
        response = client.post(url, {})
    return response.status_code


@pytest.mark.parametrize("pattern", _patterns(), ids=lambda p: p.name)
def test_each_role_gets_exactly_the_pages_declared_for_it(people, city, pattern):
    allowed = getattr(pattern.callback, "allowed_roles", None)
    anonymous = Client().get(_url(pattern))
    assert anonymous.status_code in (302, 405), anonymous.status_code
    if anonymous.status_code == 302:
        assert anonymous["Location"].startswith("/login/")
    answers: dict[str, int] = {}
    for role, person in people.items():
        client = Client()
        client.force_login(person)
        answers[role.value] = _answer(client, pattern)
    nobody = Client()
    assert nobody.login(username=city.users["nobody"].username, password=PASSWORD)
    answers["no role"] = _answer(nobody, pattern)
    assert [who for who, status in answers.items() if status >= 500] == []
    if allowed is None:  # ANY_LOGIN
        assert [who for who, status in answers.items() if status == 403] == []
        return
    expected_403 = [*(role.value for role in people if role not in allowed), "no role"]
    expected_403 += [role.value for role in NARROWER.get(pattern.name, ())]
    assert sorted(who for who, status in answers.items() if status == 403) == sorted(set(expected_403))
