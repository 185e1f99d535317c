from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "rexian.core"
    verbose_name = "基础"
