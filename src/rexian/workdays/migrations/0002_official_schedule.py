from django.db import migrations


def seed(apps, schema_editor):
    """The State Council's schedules 2004–(the package's last year), as chinesecalendar carries them."""
    from importlib.metadata import version

    from rexian.workdays.official import official_days, official_years

    CalendarDay = apps.get_model("workdays", "CalendarDay")
    ScheduleYear = apps.get_model("workdays", "ScheduleYear")
    source = f"国务院办公厅节假日安排（chinesecalendar {version('chinesecalendar')}）"
    known = set(CalendarDay.objects.values_list("day", flat=True))
    CalendarDay.objects.bulk_create(
        CalendarDay(day=d.day, kind="makeup" if d.is_workday else "holiday", name=d.name, source=source)
        for d in official_days()
        if d.day not in known
    )
    ScheduleYear.objects.bulk_create(
        [ScheduleYear(year=year, source=source) for year in official_years()], ignore_conflicts=True
    )


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_calendar")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
