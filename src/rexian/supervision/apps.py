from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "rexian.supervision"
    verbose_name = "督查督办"
