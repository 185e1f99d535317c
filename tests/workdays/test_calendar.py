"""Working-day arithmetic, without a database."""

from datetime import date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from rexian.workdays.calendar import SHANGHAI, WEEKLY, WorkdayCalendar
from rexian.workdays.official import official_days, official_years


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


# ---- the official schedule and the index -----------------------------------------------------------------

OFFICIAL = WorkdayCalendar({d.day: d.is_workday for d in official_days()}, frozenset(official_years()))


def test_the_2026_schedule_spring_festival_and_national_day():
    for day in range(15, 24):
        assert not OFFICIAL.is_workday(date(2026, 2, day))
    assert OFFICIAL.is_workday(date(2026, 2, 14)) and OFFICIAL.is_workday(date(2026, 2, 28))  # Saturdays
    assert all(not OFFICIAL.is_workday(date(2026, 10, day)) for day in range(1, 8))
    assert OFFICIAL.is_workday(date(2026, 9, 20)) and OFFICIAL.is_workday(date(2026, 10, 10))
    assert OFFICIAL.add_workdays(date(2026, 9, 30), 5) == date(2026, 10, 13)


def test_received_on_the_eve_of_a_holiday_counts_from_after_it():
    eve = datetime(2026, 2, 13, 16, 0, tzinfo=SHANGHAI)  # Friday before the Spring Festival
    # 2-14 (Saturday, make-up day) is the 1st working day, then 2-24, 2-25 …
    assert OFFICIAL.deadline(eve, 1) == datetime(2026, 2, 14, 23, 59, 59, tzinfo=SHANGHAI)
    assert OFFICIAL.deadline(eve, 3) == datetime(2026, 2, 25, 23, 59, 59, tzinfo=SHANGHAI)


def test_an_emergency_on_a_sunday_is_due_on_monday():
    sunday = datetime(2026, 11, 22, 10, 0, tzinfo=SHANGHAI)
    assert OFFICIAL.deadline(sunday, 0) == datetime(2026, 11, 23, 23, 59, 59, tzinfo=SHANGHAI)


def test_a_year_without_a_schedule_is_provisional():
    late_2026 = datetime(2026, 12, 20, 9, 0, tzinfo=SHANGHAI)
    assert not OFFICIAL.deadline_is_provisional(late_2026, 3)
    assert OFFICIAL.deadline_is_provisional(late_2026, 15)  # runs into 2027, not published yet
    assert OFFICIAL.covers(date(2004, 1, 1), date(2026, 12, 31)) and not OFFICIAL.covers(date(2027, 1, 4))


def _naive_between(calendar: WorkdayCalendar, start: date, end: date) -> int:
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += calendar.is_workday(day)
    return count


days = st.dates(min_value=date(2003, 6, 1), max_value=date(2027, 6, 30))


@settings(max_examples=300, deadline=None)
@given(start=days, n=st.integers(min_value=0, max_value=400))
def test_workdays_between_undoes_add_workdays(start, n):
    end = OFFICIAL.add_workdays(start, n)
    assert OFFICIAL.is_workday(end)
    if n == 0:  # the same day, or the next working day
        assert OFFICIAL.workdays_between(start, end) == (0 if end == start else 1)
    else:  # the n-th working day after start, and the first day to reach n
        assert OFFICIAL.workdays_between(start, end) == n
        assert OFFICIAL.workdays_between(start, end - timedelta(days=1)) == n - 1


@settings(max_examples=200, deadline=None)
@given(
    exceptions=st.dictionaries(st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 3, 31)), st.booleans()),
    start=st.dates(min_value=date(2025, 12, 1), max_value=date(2026, 4, 30)),
    span=st.integers(min_value=0, max_value=120),
)
def test_the_index_agrees_with_counting_day_by_day(exceptions, start, span):
    calendar = WorkdayCalendar(exceptions)
    end = start + timedelta(days=span)
    assert calendar.workdays_between(start, end) == _naive_between(calendar, start, end)
