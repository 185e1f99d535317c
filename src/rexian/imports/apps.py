from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "rexian.imports"
    verbose_name = "历史工单导入"
