"""The State Council's holiday schedules as the `chinesecalendar` package carries them (pure Python).

It covers 2004 to its last published year; later years are imported by admins (`rexian calendar import`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chinese_calendar import constants


@dataclass(frozen=True)
class OfficialDay:
    day: date
    is_workday: bool  # True: a make-up working day (调休上班); False: a public holiday
    name: str  # the festival's Chinese name


def _chinese(english: str) -> str:
    for holiday in constants.Holiday:
        if holiday.value == english:
            return holiday.chinese
    return english


def official_years() -> range:
    """The years the package's schedules cover."""
    last = max(day.year for day in constants.holidays)
    return range(2004, last + 1)


def official_days() -> list[OfficialDay]:
    days = [OfficialDay(d, False, _chinese(name)) for d, name in constants.holidays.items()]
    days += [OfficialDay(d, True, _chinese(name)) for d, name in constants.workdays.items()]
    return sorted(days, key=lambda d: d.day)

