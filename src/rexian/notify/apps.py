from django.apps import AppConfig
from django.core import checks

from rexian.notify.checks import check_channels


class NotifyConfig(AppConfig):
    name = "rexian.notify"
    verbose_name = "消息通知"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from rexian.notify.models import MessageTemplate
        from rexian.notify.selectors import forget_templates

        checks.register(check_channels)
        post_save.connect(forget_templates, sender=MessageTemplate, dispatch_uid="forget-templates-save")
        post_delete.connect(forget_templates, sender=MessageTemplate, dispatch_uid="forget-templates-delete")
