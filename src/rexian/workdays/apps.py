from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "rexian.workdays"
    verbose_name = "工作日历"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from rexian.workdays.models import CalendarDay, ScheduleYear
        from rexian.workdays.selectors import forget_calendar

        for model in (CalendarDay, ScheduleYear):
            post_save.connect(forget_calendar, sender=model, dispatch_uid=f"forget-calendar-save-{model.__name__}")
            post_delete.connect(forget_calendar, sender=model, dispatch_uid=f"forget-calendar-delete-{model.__name__}")
