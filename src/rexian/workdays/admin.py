from django.contrib import admin

from rexian.workdays.models import CalendarDay, ScheduleYear


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["day", "kind", "name", "source"]
    list_filter = ["kind"]
    search_fields = ["name", "source"]
    date_hierarchy = "day"


@admin.register(ScheduleYear)
class ScheduleYearAdmin(admin.ModelAdmin):
    list_display = ["year", "source", "loaded_at"]
