from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "rexian.workdays"
    verbose_name = "工作日历"
