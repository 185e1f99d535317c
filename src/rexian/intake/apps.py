from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "rexian.intake"
    verbose_name = "受理"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from rexian.intake.models import ScreeningRule
        from rexian.intake.selectors import forget_rules

        # Edits in the admin take effect at once in this process; other processes see them within a minute.
        post_save.connect(forget_rules, sender=ScreeningRule, dispatch_uid="forget-screening-rules-save")
        post_delete.connect(forget_rules, sender=ScreeningRule, dispatch_uid="forget-screening-rules-delete")
