from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "rexian.api"
    verbose_name = "接口"
