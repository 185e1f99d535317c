"""The calendar deadlines are computed with, built from the database and kept for a minute per process."""

from __future__ import annotations

import threading
import time
from datetime import date

from rexian.workdays.calendar import WorkdayCalendar
from rexian.workdays.models import WORKDAY_KINDS, CalendarDay, ScheduleYear

CACHE_SECONDS = 60
# From this day of the year on, next year's schedule is expected (the State Council publishes it in autumn).
NEXT_YEAR_EXPECTED = (11, 1)
_lock = threading.Lock()
_cached: tuple[float, WorkdayCalendar] | None = None


def current_calendar() -> WorkdayCalendar:
    """Holidays, make-up days and local closures from the calendar table. Another process's change is
    seen within a minute; this process's own changes at once (models' signals call `forget_calendar`)."""
    global _cached
    with _lock:
        if _cached is not None and time.monotonic() - _cached[0] < CACHE_SECONDS:
            return _cached[1]
    calendar = load_calendar()
    with _lock:
        _cached = (time.monotonic(), calendar)
    return calendar


def load_calendar() -> WorkdayCalendar:
    workday = {day: kind in WORKDAY_KINDS for day, kind in CalendarDay.objects.values_list("day", "kind")}
    years = frozenset(ScheduleYear.objects.values_list("year", flat=True))
    return WorkdayCalendar(workday, years)


def forget_calendar(**_: object) -> None:
    global _cached
    with _lock:
        _cached = None


def missing_years(today: date) -> list[int]:
    """The years whose schedule should be loaded by `today` (a local Asia/Shanghai date) and is not: this
    year, and from 1 November next year. Reads the cached calendar, so it costs no query most of the time."""
    due = [today.year]
    if (today.month, today.day) >= NEXT_YEAR_EXPECTED:
        due.append(today.year + 1)
    loaded = current_calendar().years
    return [year for year in due if year not in loaded]
