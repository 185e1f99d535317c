"""Clock rules without a database: which stages run, when lights change, which ladder level is reached."""

from datetime import UTC, date, datetime, timedelta

from rexian.supervision.clocks import (
    RESTARTS,
    RUNNING,
    Card,
    Light,
    Rung,
    auto_level,
    card_for,
    due_moment,
    elapsed_share,
    latest_due_day,
    light_at,
    warn_moment,
)
from rexian.taxonomy.policy import Limit, LimitUnit, Stage
from rexian.tickets.workflow import FINISHED_STATES, Action, State
from rexian.workdays.calendar import SHANGHAI, WEEKLY

MONDAY = datetime(2026, 11, 16, 9, 0, tzinfo=SHANGHAI)
TAIAN = [Rung(1, "工作提醒函", 1), Rung(2, "热线督办单", 3), Rung(3, "提级督办", 5), Rung(4, "约谈预警", 10),
         Rung(5, "推送纪检监察", None)]


def test_every_open_state_runs_a_clock_and_finished_states_none():
    for state in State:
        assert bool(RUNNING.get(state)) == (state not in FINISHED_STATES), state
    assert RUNNING[State.DISPATCHED] == {Stage.SIGN, Stage.HANDLING}


def test_restarts_only_name_stages_that_run_after_the_action():
    assert RESTARTS[Action.DISPATCH] == {Stage.SIGN, Stage.HANDLING}
    assert Stage.HANDLING not in RESTARTS[Action.SUB_DISPATCH]  # passing it down keeps the appeal's limit
    assert Action.SEND_BACK_REPLY not in RESTARTS  # a reply sent back gives no more time


def test_fifteen_working_days_turn_yellow_after_the_tenth():
    limit = Limit(15)
    due = due_moment(WEEKLY, MONDAY, limit)
    assert due == datetime(2026, 12, 7, 23, 59, 59, tzinfo=SHANGHAI)
    warn = warn_moment(WEEKLY, MONDAY, due, limit, 0.7)
    # ceil(15 × 0.7) = 11: the eleventh working day (Tuesday 1 December) is the first yellow one.
    assert warn == datetime(2026, 11, 30, 23, 59, 59, tzinfo=SHANGHAI)
    assert light_at(warn - timedelta(seconds=1), warn, due) is Light.GREEN
    assert light_at(warn, warn, due) is Light.YELLOW
    assert light_at(due, warn, due) is Light.YELLOW
    assert light_at(due + timedelta(seconds=1), warn, due) is Light.RED


def test_short_limits_warn_at_their_share_of_clock_time():
    two_hours = Limit(2, LimitUnit.HOURS)
    due = due_moment(WEEKLY, MONDAY, two_hours)
    assert warn_moment(WEEKLY, MONDAY, due, two_hours, 0.5) == MONDAY + timedelta(hours=1)
    same_day = Limit(0)
    due = due_moment(WEEKLY, MONDAY, same_day)
    assert due == datetime(2026, 11, 16, 23, 59, 59, tzinfo=SHANGHAI)
    assert MONDAY < warn_moment(WEEKLY, MONDAY, due, same_day, 0.7) < due


def test_extensions_add_working_days_to_either_kind_of_limit():
    assert due_moment(WEEKLY, MONDAY, Limit(5), extra_workdays=3) == due_moment(WEEKLY, MONDAY, Limit(8))
    friday_evening = datetime(2026, 11, 20, 22, 0, tzinfo=SHANGHAI)
    # 4 hours from Friday 22:00 is Saturday 02:00; one working day more moves it to Monday 02:00.
    assert due_moment(WEEKLY, friday_evening, Limit(4, LimitUnit.HOURS), 1) == datetime(
        2026, 11, 23, 2, 0, tzinfo=SHANGHAI
    )


def test_elapsed_share():
    due = MONDAY + timedelta(days=10)
    assert elapsed_share(MONDAY, MONDAY, due) == 0
    assert elapsed_share(MONDAY + timedelta(days=5), MONDAY, due) == 0.5
    assert elapsed_share(due + timedelta(days=5), MONDAY, due) == 1.5


def test_the_ladder_climbs_by_overdue_working_days_and_the_last_rung_is_manual():
    assert [auto_level(TAIAN, n) for n in (0, 1, 2, 3, 5, 9, 10, 100)] == [0, 1, 1, 2, 3, 3, 4, 4]


def test_latest_due_day_counts_working_days_overdue_including_today():
    monday = date(2026, 11, 23)
    # Due Friday the 20th: on Monday it is one working day overdue, so Friday is the latest due day for 1.
    assert latest_due_day(WEEKLY.workdays_between, monday, 1) == date(2026, 11, 22)
    assert WEEKLY.workdays_between(date(2026, 11, 22), monday) == 1
    assert WEEKLY.workdays_between(date(2026, 11, 23), monday) == 0
    for n in range(1, 30):
        day = latest_due_day(WEEKLY.workdays_between, monday, n)
        assert WEEKLY.workdays_between(day, monday) >= n
        assert WEEKLY.workdays_between(day + timedelta(days=1), monday) < n
    assert latest_due_day(WEEKLY.workdays_between, monday, 0) == monday


def test_cards_by_thresholds():
    thresholds = [3, 6, 10]
    assert [card_for(n, thresholds) for n in (0, 2, 3, 5, 6, 9, 10, 50)] == [
        Card.NONE, Card.NONE, Card.YELLOW, Card.YELLOW, Card.ORANGE, Card.ORANGE, Card.RED, Card.RED
    ]
    assert card_for(5, [3]) is Card.YELLOW  # a centre with yellow cards only (Dongguan has red and yellow)


def test_an_hours_limit_extended_near_midnight_counts_shanghai_days():
    # Thursday 23:00 in Shanghai (15:00 UTC) + 2 hours is Friday 01:00 in Shanghai but still Thursday in UTC:
    # one more working day must lead to Monday 01:00, not Tuesday.
    start = datetime(2026, 11, 19, 15, 0, tzinfo=UTC)
    due = due_moment(WEEKLY, start, Limit(2, LimitUnit.HOURS), 1)
    assert due == datetime(2026, 11, 23, 1, 0, tzinfo=SHANGHAI)
