"""Working-day arithmetic (pure Python, no Django import).

A `WorkdayCalendar` knows which dates are exceptions to the Monday–Friday week: public holidays that
fall on weekdays, make-up workdays (调休) on weekends, local closures. Without exceptions it is the
plain Monday–Friday week. Deadlines end at 23:59:59 Asia/Shanghai on their last working day.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
END_OF_DAY = time(23, 59, 59)


@dataclass(frozen=True)
class WorkdayCalendar:
    # date → True when that date is a working day against the weekly rule, False when it is a day off.
    exceptions: Mapping[date, bool] = field(default_factory=dict)

    def is_workday(self, day: date) -> bool:
        if day in self.exceptions:
            return self.exceptions[day]
        return day.weekday() < 5

    def add_workdays(self, start: date, n: int) -> date:
        """The n-th working day after `start` (次日起算: the day of receipt does not count).

        n == 0 gives `start` itself when it is a working day, else the next working day: the limit of
        an appeal that must be handled "the same day".
        """
        if n < 0:
            raise ValueError("n must not be negative")
        day = start
        if n == 0:
            while not self.is_workday(day):
                day += timedelta(days=1)
            return day
        counted = 0
        while counted < n:
            day += timedelta(days=1)
            if self.is_workday(day):
                counted += 1
        return day

    def workdays_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: how many working days have passed from start to end."""
        if end <= start:
            return -self.workdays_between(end, start) if end < start else 0
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_workday(day)
        return count

    def deadline(self, received: datetime, n: int) -> datetime:
        """End of the n-th working day after the local date of `received`."""
        local_day = received.astimezone(SHANGHAI).date()
        return datetime.combine(self.add_workdays(local_day, n), END_OF_DAY, tzinfo=SHANGHAI)


WEEKLY = WorkdayCalendar()
