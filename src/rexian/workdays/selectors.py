from __future__ import annotations

from rexian.workdays.calendar import WEEKLY, WorkdayCalendar


def current_calendar() -> WorkdayCalendar:
    """The calendar deadlines are computed with.

    Until the holiday table lands (the deadlines issue), this is the plain Monday–Friday week.
    """
    return WEEKLY
