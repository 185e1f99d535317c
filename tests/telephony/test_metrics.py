"""The figures on a fixed stream of calls: known rings, answers and ends, two abandoned, one answered after 20 s."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rexian.telephony import selectors
from rexian.telephony.rules import EventKind
from tests.telephony.conftest import START, call, record

DAY = START.date()
# (agent, wait, talk) of the answered calls: seven within 15 s (15 s itself counts), one after 20 s.
ANSWERED = [("intake", 5, 60), ("intake", 10, 120), ("intake", 15, 180), ("intake2", 3, 240), ("intake2", 8, 300),
            ("intake2", 12, 90), ("intake2", 6, 30), ("intake", 20, 200)]  # fmt: skip


@pytest.fixture
def stream(city, agent2, cti, now):
    for n, (agent, wait, talk) in enumerate(ANSWERED):
        call(cti, f"a{n}", START + timedelta(minutes=n), agent=agent, wait=wait, talk=talk)
    call(cti, "gave-up-1", START + timedelta(minutes=20), agent="intake", gave_up_after=30)
    # Ended without an answer (no 放弃 event): abandoned too.
    record(cti, "gave-up-2", EventKind.RINGING, START + timedelta(minutes=21), caller="13900002222")
    record(cti, "gave-up-2", EventKind.ENDED, START + timedelta(minutes=21, seconds=40))
    # A transfer after the answer: still one answered call (call a6, answered by intake2).
    record(cti, "a6", EventKind.TRANSFERRED, START + timedelta(minutes=6, seconds=20), transferred_to="0917-12333")
    # The day before: outside today's figures.
    call(cti, "yesterday", START - timedelta(days=1), agent="intake", wait=50, talk=10)
    return cti


def test_the_period_figures(stream):
    f = selectors.figures(DAY, DAY)
    assert (f.offered, f.answered, f.answered_within, f.abandoned, f.callbacks_open) == (10, 8, 7, 2, 2)
    assert f.connection_rate == pytest.approx(0.8)
    assert f.within_rate == pytest.approx(0.7)
    assert f.average_handling == pytest.approx(1220 / 8)  # 152.5 s
    assert f.average_wait == pytest.approx(79 / 8)
    assert f.meets_standard is False


def test_the_period_includes_whole_days_in_shanghai(stream):
    assert selectors.figures(DAY - timedelta(days=1), DAY).offered == 11
    assert selectors.figures(DAY - timedelta(days=1), DAY - timedelta(days=1)).answered_within == 0
    assert selectors.figures(date(2026, 3, 3), date(2026, 3, 3)).offered == 0


def test_figures_per_agent(stream):
    rows = {r.agent_code: r for r in selectors.figures_per_agent(DAY, DAY)}
    assert set(rows) == {"", "intake", "intake2"}
    mine = rows["intake"].figures
    assert (mine.offered, mine.answered, mine.answered_within, mine.abandoned) == (5, 4, 3, 1)
    assert mine.average_handling == pytest.approx((60 + 120 + 180 + 200) / 4)
    theirs = rows["intake2"].figures
    assert (theirs.offered, theirs.answered, theirs.answered_within) == (4, 4, 4) and theirs.connection_rate == 1.0
    assert rows[""].figures.abandoned == 1 and rows["intake"].name == "intake"
    assert selectors.figures(DAY, DAY, "intake2") == theirs


def test_one_query_per_figure_set_whatever_the_number_of_calls(stream):
    with CaptureQueriesContext(connection) as total:
        selectors.figures(DAY, DAY)
    with CaptureQueriesContext(connection) as per_agent:
        selectors.figures_per_agent(DAY, DAY)
    assert len(total.captured_queries) == 1
    assert len(per_agent.captured_queries) == 2  # the grouped figures, and the agents' names


def test_marking_a_call_back_leaves_it_off_the_open_figures(stream, city):
    from rexian.telephony.actions import mark_called_back

    gave_up = selectors.open_callbacks().first()
    assert gave_up.call_id == "gave-up-2"  # newest first
    mark_called_back(actor=city.users["intake"], call_pk=gave_up.pk, note="已回拨，来电人已另行反映。")
    assert selectors.figures(DAY, DAY).callbacks_open == 1
    assert [c.call_id for c in selectors.open_callbacks()] == ["gave-up-1"]
