"""The daily roll-up: a period's figures added up from it equal the figures counted in the event log, for every
grouping, and stay equal when later actions move a rolled-up day's tickets or an event commits late."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from rexian.analytics.actions import roll_up
from rexian.analytics.metrics import figures
from rexian.analytics.models import DailyCounts, RollupState
from rexian.analytics.queries import Group, Scope, counts
from rexian.tickets.models import Ticket
from tests.analytics.test_metrics import Story, at
from tests.analytics.test_metrics import history as history  # the fixture
from tests.conftest import City

pytestmark = pytest.mark.django_db
AUTUMN = Scope(date(2026, 9, 1), date(2026, 11, 30))


def roll(month: int, day: int, hour: int = 12, minute: int = 0) -> int:
    moment = at(month, day, hour, minute)
    with time_machine.travel(moment, tick=False):
        return roll_up(moment)


def roll_all(month: int, day: int) -> None:
    roll(month, day, 11, 0)
    roll(month, day, 11, 1)


def assert_same_as_the_event_log(scope: Scope) -> None:
    for group in Group:
        if group is Group.FINE:
            continue
        rolled = {key: figures(c) for key, c in counts(scope, group).items()}
        live = {key: figures(c) for key, c in counts(scope, group, rolled_up=False).items()}
        assert rolled == live, group


def test_the_roll_up_gives_the_event_logs_figures(history: City) -> None:
    assert roll(11, 2) == 31  # from 2026-09-30, the first appeal's day: a month of days per run
    assert RollupState.objects.get().through == date(2026, 10, 30)
    assert_same_as_the_event_log(AUTUMN)  # rolled-up days and counted days add up
    assert roll(11, 2, 12, 1) == 2
    assert RollupState.objects.get().through == date(2026, 11, 1)
    assert DailyCounts.objects.filter(day=date(2026, 10, 16)).exists()
    assert_same_as_the_event_log(AUTUMN)
    assert_same_as_the_event_log(Scope(date(2026, 10, 1), date(2026, 10, 31), unit=history.units["x_east"]))
    assert_same_as_the_event_log(Scope(date(2026, 10, 1), date(2026, 10, 31), category=history.categories["02"]))
    assert roll(11, 2, 12, 2) == 0  # nothing new


def test_a_day_is_rolled_up_after_its_grace(history: City) -> None:
    roll(11, 2, 0, 4)
    roll(11, 2, 0, 5)
    assert RollupState.objects.get().through == date(2026, 10, 31)  # 11-01 closed five minutes ago: not yet
    roll(11, 2, 0, 11)
    assert RollupState.objects.get().through == date(2026, 11, 1)


def test_later_actions_on_rolled_up_days_are_followed(history: City) -> None:
    roll_all(11, 2)
    story = Story(history)
    october_31 = Ticket.objects.get(created_at=at(10, 31, 23, 30))
    november_1 = Ticket.objects.get(created_at=at(11, 1, 0, 10))
    story.do(at(11, 3, 9), "intake", "amend", october_31, data={"category": "010101"})
    story.dispatch(at(11, 3, 10), november_1, "d_hrss")
    assert roll(11, 4) == 4  # 10-31 and 11-01 again (their tickets moved), 11-02 and 11-03 new
    assert_same_as_the_event_log(AUTUMN)
    labour = counts(Scope(date(2026, 10, 1), date(2026, 10, 31)), Group.CATEGORY)
    assert labour[history.categories["01"].pk].received == 1


def test_an_event_committed_after_its_day_was_rolled_up_is_counted(history: City) -> None:
    story = Story(history)
    november_1 = story.dispatch(at(11, 1, 20), Ticket.objects.get(created_at=at(11, 1, 0, 10)), "d_hrss")
    roll_all(11, 2)
    story.do(at(11, 1, 23, 59), "h_hrss", "sign", november_1)  # dated 11-01, committed after the roll-up
    assert roll(11, 2, 12, 2) == 1
    assert counts(Scope(date(2026, 11, 1), date(2026, 11, 1)))[None].signed == 1
    assert_same_as_the_event_log(AUTUMN)


def test_the_rollup_command_rebuilds(history: City) -> None:
    roll_all(11, 2)
    DailyCounts.objects.filter(day=date(2026, 10, 16)).delete()  # a damaged roll-up
    with time_machine.travel(at(11, 2, 12), tick=False):
        call_command("rollup", "--rebuild", stdout=StringIO())
    assert_same_as_the_event_log(AUTUMN)
