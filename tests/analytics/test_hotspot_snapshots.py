"""The worker's hotspot snapshots: the dashboard's and the reports' whole-centre periods are found ahead, read
while fresh (for ever once found after the period ended), and a sliced or stale request is found anew."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from rexian.analytics.actions import refresh_hotspots
from rexian.analytics.models import HotspotSnapshot
from rexian.analytics.queries import Scope
from rexian.analytics.selectors import find_top_hotspots, top_hotspots
from tests.analytics.test_metrics import at
from tests.analytics.test_metrics import history as history  # the fixture
from tests.conftest import City

pytestmark = pytest.mark.django_db
OCTOBER = Scope(date(2026, 10, 1), date(2026, 10, 31))
THIS_MONTH = Scope(date(2026, 11, 1), date(2026, 11, 2))


def refresh_all(month: int, day: int, hour: int, minute: int = 0) -> int:
    moment, found = at(month, day, hour, minute), 0
    with time_machine.travel(moment, tick=False):
        while refresh_hotspots(moment):
            found += 1
    return found


def tamper(scope: Scope) -> None:
    """Mark the stored snapshot, to tell it from hotspots found anew."""
    snapshot = HotspotSnapshot.objects.get(start=scope.start, end=scope.end)
    snapshot.rows = [{**row, "description": "快照"} for row in snapshot.rows]
    snapshot.save()


def test_the_worker_finds_the_periods_hotspots_one_a_minute(history: City) -> None:
    assert refresh_all(11, 2, 10) == 4  # today and this week (Monday 11-02), this month, last week, October
    periods = set(HotspotSnapshot.objects.values_list("start", "end"))
    assert (date(2026, 10, 1), date(2026, 10, 31)) in periods and (date(2026, 10, 26), date(2026, 11, 1)) in periods
    october = HotspotSnapshot.objects.get(start=date(2026, 10, 1))
    assert october.rows and october.rows[0]["size"] == len(find_top_hotspots(OCTOBER, 1)[0].ticket_ids)
    with time_machine.travel(at(11, 2, 10), tick=False):
        assert top_hotspots(OCTOBER, 3) == find_top_hotspots(OCTOBER, 3)


def test_a_snapshot_is_read_while_fresh_and_for_ever_once_final(history: City) -> None:
    refresh_all(11, 2, 10)
    tamper(OCTOBER)
    tamper(THIS_MONTH)
    with time_machine.travel(at(11, 2, 10, 5), tick=False):
        assert top_hotspots(OCTOBER)[0].description == "快照"
        assert top_hotspots(Scope(OCTOBER.start, OCTOBER.end, channel="phone"))[0].description != "快照"
    with time_machine.travel(at(11, 20, 10), tick=False):
        assert top_hotspots(OCTOBER)[0].description == "快照"  # found after October ended: final
        assert all(h.description != "快照" for h in top_hotspots(THIS_MONTH))  # stale: found anew
    assert refresh_all(11, 2, 10, 9) == 0
    assert refresh_all(11, 2, 10, 10) == 2  # today and this month are not over: found again; last week is
