from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "rexian.notify"
    verbose_name = "消息通知"
