"""The figures as JSON at /api/v1/calls/figures (rexian.telephony.api.router), through the real API and its tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.conftest import Api
from tests.telephony.conftest import START, call

DAY = START.date().isoformat()


@pytest.fixture
def calls(city, agent2, cti, now):
    call(cti, "a1", START - timedelta(hours=1), agent="intake", wait=5, talk=60)
    call(cti, "a2", START - timedelta(minutes=50), agent="intake2", wait=20, talk=100)
    call(cti, "gone", START - timedelta(minutes=40), agent="intake2", gave_up_after=30)
    return city


def figures(user: Any, **params: str):
    return Api(user.username).get("/calls/figures", **params)


def test_a_shift_lead_reads_everyones_figures(calls):
    response = figures(calls.users["shift_lead"], start=DAY, end=DAY)
    assert response.status_code == 200, response.content
    body = response.json()
    total = body["total"]
    assert (total["offered"], total["answered"], total["answered_within"], total["abandoned"]) == (3, 2, 1, 1)
    assert total["connection_rate"] == pytest.approx(2 / 3) and total["average_handling"] == 80
    assert total["meets_standard"] is False and body["within_seconds"] == 15 and body["connection_target"] == 0.95
    assert [a["agent"] for a in body["agents"]] == ["intake", "intake2"]
    assert figures(calls.users["shift_lead"], agent="intake2").json()["total"]["offered"] == 2  # today by default


def test_an_agent_reads_only_their_own(calls):
    mine = figures(calls.users["intake"]).json()
    assert mine["total"]["offered"] == 1 and [a["agent"] for a in mine["agents"]] == ["intake"]
    assert figures(calls.users["intake"], agent="intake2").status_code == 403


def test_others_may_not_read_and_periods_are_checked(calls):
    assert figures(calls.users["h_hrss"]).status_code == 403
    assert figures(calls.users["dispatcher"]).status_code == 403
    assert figures(calls.users["shift_lead"], start=DAY, end="2026-03-01").status_code == 422
