from django.apps import AppConfig


class TaxonomyConfig(AppConfig):
    name = "rexian.taxonomy"
    verbose_name = "分类与类型"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from rexian.taxonomy.models import Category, TimeLimitPolicy
        from rexian.taxonomy.selectors import forget_policies

        for model in (Category, TimeLimitPolicy):
            post_save.connect(forget_policies, sender=model, dispatch_uid=f"forget-policies-save-{model.__name__}")
            post_delete.connect(forget_policies, sender=model, dispatch_uid=f"forget-policies-delete-{model.__name__}")
