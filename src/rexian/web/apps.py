from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "rexian.web"
    verbose_name = "页面"
