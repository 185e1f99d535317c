"""The calendar deadlines are computed with, built from the database and kept for a minute per process."""

from __future__ import annotations

import threading
import time

from rexian.workdays.calendar import WorkdayCalendar
from rexian.workdays.models import WORKDAY_KINDS, CalendarDay, ScheduleYear

CACHE_SECONDS = 60
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
