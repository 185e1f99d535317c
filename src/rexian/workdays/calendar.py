"""Working-day arithmetic (pure Python, no Django import).

A `WorkdayCalendar` knows which dates are exceptions to the Monday–Friday week: public holidays that
fall on weekdays, make-up workdays (调休) on weekends, local closures; and which years its schedule
covers. Without exceptions it is the plain Monday–Friday week. Deadlines end at 23:59:59
Asia/Shanghai on their last working day.

Answers come from a precomputed index in O(log n) of the number of exceptions: the Monday–Friday count
of a range is a formula, and a sorted list of the exceptions with running sums corrects it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
END_OF_DAY = time(23, 59, 59)


def _weekly_count(a: int, b: int) -> int:
    """Monday–Friday days in (a, b], as proleptic ordinals (ordinal 1, 0001-01-01, was a Monday)."""

    def upto(n: int) -> int:  # Monday–Friday days in [1, n]
        weeks, rest = divmod(n, 7)
        return weeks * 5 + min(rest, 5)

    return upto(b) - upto(a)


@dataclass(frozen=True)
class WorkdayCalendar:
    # date → True when that date is a working day against the weekly rule, False when it is a day off.
    exceptions: Mapping[date, bool] = field(default_factory=dict)
    # The years whose official schedule is loaded. Outside them the weekly rule is a guess (provisional).
    years: frozenset[int] = frozenset()
    _ordinals: list[int] = field(init=False, repr=False, compare=False)
    _running: list[int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Only exceptions that change the weekly answer matter: a holiday on a Sunday changes nothing.
        deltas = sorted(
            (day.toordinal(), 1 if workday else -1)
            for day, workday in self.exceptions.items()
            if workday != (day.weekday() < 5)
        )
        object.__setattr__(self, "_ordinals", [o for o, _ in deltas])
        object.__setattr__(self, "_running", [0, *accumulate(d for _, d in deltas)])

    def is_workday(self, day: date) -> bool:
        if day in self.exceptions:
            return self.exceptions[day]
        return day.weekday() < 5

    def workdays_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: how many working days have passed from start to end."""
        if end < start:
            return -self.workdays_between(end, start)
        a, b = start.toordinal(), end.toordinal()
        corrections = self._running[bisect_right(self._ordinals, b)] - self._running[bisect_right(self._ordinals, a)]
        return _weekly_count(a, b) + corrections

    def add_workdays(self, start: date, n: int) -> date:
        """The n-th working day after `start` (次日起算: the day of receipt does not count).

        n == 0 gives `start` itself when it is a working day, else the next working day: the limit of
        an appeal that must be handled "the same day".
        """
        if n < 0:
            raise ValueError("n must not be negative")
        if n == 0:
            return start if self.is_workday(start) else self.add_workdays(start, 1)
        # The smallest day d with n working days in (start, d]: the count only grows, so bisect on it.
        low, high = 1, 2 * n + 14
        while self.workdays_between(start, start + timedelta(days=high)) < n:
            high *= 2
        while low < high:
            middle = (low + high) // 2
            if self.workdays_between(start, start + timedelta(days=middle)) >= n:
                high = middle
            else:
                low = middle + 1
        return start + timedelta(days=low)

    def covers(self, *days: date) -> bool:
        """Whether the official schedule is loaded for every year from the first to the last of `days`."""
        first, last = min(days).year, max(days).year
        return all(year in self.years for year in range(first, last + 1))

    def deadline(self, received: datetime, n: int) -> datetime:
        """End of the n-th working day after the local date of `received`."""
        local_day = received.astimezone(SHANGHAI).date()
        return datetime.combine(self.add_workdays(local_day, n), END_OF_DAY, tzinfo=SHANGHAI)

    def deadline_is_provisional(self, received: datetime, n: int) -> bool:
        """Whether `deadline(received, n)` went through a year whose schedule is not loaded."""
        local_day = received.astimezone(SHANGHAI).date()
        return not self.covers(local_day, self.add_workdays(local_day, n))


WEEKLY = WorkdayCalendar()
