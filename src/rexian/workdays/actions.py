"""Writes to the calendar."""

from __future__ import annotations

from django.db import transaction

from rexian.workdays.models import CalendarDay, DayKind, ScheduleYear
from rexian.workdays.schedule import ScheduleDay
from rexian.workdays.selectors import forget_calendar

OFFICIAL_KINDS = (DayKind.HOLIDAY, DayKind.MAKEUP)


@transaction.atomic
def import_schedule(days: list[ScheduleDay], source: str) -> list[int]:
    """Load the official schedule of the years the days fall in: those years' holidays and make-up days
    are replaced (local closures and local working days stay), and the years count as loaded."""
    years = sorted({d.day.year for d in days})
    CalendarDay.objects.filter(day__year__in=years, kind__in=OFFICIAL_KINDS).delete()
    local = set(CalendarDay.objects.filter(day__year__in=years).values_list("day", flat=True))
    CalendarDay.objects.bulk_create(
        CalendarDay(day=d.day, kind=d.kind, name=d.name, source=source[:200]) for d in days if d.day not in local
    )
    for year in years:
        ScheduleYear.objects.update_or_create(year=year, defaults={"source": source[:200]})
    transaction.on_commit(forget_calendar)
    return years
