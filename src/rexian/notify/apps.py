from django.apps import AppConfig
from django.core import checks

from rexian.notify.checks import check_channels


class NotifyConfig(AppConfig):
    name = "rexian.notify"
    verbose_name = "消息通知"

    def ready(self) -> None:
        checks.register(check_channels)
