from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "rexian.analytics"
    verbose_name = "统计分析"
