"""Working-day arithmetic, without a database."""

from datetime import date, datetime

from rexian.taxonomy.policy import limits_for
from rexian.workdays.calendar import SHANGHAI, WEEKLY, WorkdayCalendar


def test_add_workdays_skips_weekends_and_counts_from_the_next_day():
    assert WEEKLY.add_workdays(date(2026, 11, 20), 1) == date(2026, 11, 23)  # Friday → Monday
    assert WEEKLY.add_workdays(date(2026, 11, 21), 1) == date(2026, 11, 23)  # Saturday → Monday
    assert WEEKLY.add_workdays(date(2026, 11, 16), 5) == date(2026, 11, 23)
    assert WEEKLY.add_workdays(date(2026, 11, 16), 15) == date(2026, 12, 7)


def test_same_day_limit_moves_off_a_weekend():
    assert WEEKLY.add_workdays(date(2026, 11, 18), 0) == date(2026, 11, 18)
    assert WEEKLY.add_workdays(date(2026, 11, 21), 0) == date(2026, 11, 23)


def test_exceptions_holidays_and_make_up_days():
    # A made-up week: Wednesday is a holiday, Saturday a make-up working day (调休).
    calendar = WorkdayCalendar({date(2026, 11, 18): False, date(2026, 11, 21): True})
    assert calendar.add_workdays(date(2026, 11, 17), 1) == date(2026, 11, 19)
    assert calendar.add_workdays(date(2026, 11, 19), 2) == date(2026, 11, 21)
    assert calendar.workdays_between(date(2026, 11, 16), date(2026, 11, 23)) == 5


def test_workdays_between_is_antisymmetric():
    a, b = date(2026, 11, 2), date(2026, 11, 30)
    assert WEEKLY.workdays_between(a, b) == 20
    assert WEEKLY.workdays_between(b, a) == -20
    assert WEEKLY.workdays_between(a, a) == 0


def test_deadline_is_end_of_day_in_shanghai():
    received = datetime(2026, 11, 20, 17, 30, tzinfo=SHANGHAI)  # Friday afternoon
    deadline = WEEKLY.deadline(received, 2)
    assert deadline == datetime(2026, 11, 24, 23, 59, 59, tzinfo=SHANGHAI)


def test_seed_time_limits():
    assert limits_for("consult", urgent=False).handling_days == 5
    assert limits_for("help", urgent=False).handling_days == 5
    assert limits_for("complaint", urgent=False).handling_days == 15
    assert limits_for("suggestion", urgent=False).handling_days == 15
    assert limits_for("complaint", urgent=True).handling_days == 0
    assert limits_for("report", urgent=True).callback_days == 1
    assert limits_for("report", urgent=False).return_window_days == 2
