from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "rexian.api"
    verbose_name = "接口"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from rexian.api.auth import forget_holders
        from rexian.api.models import ApiToken
        from rexian.directory.models import RoleGrant, User

        for model in (ApiToken, User, RoleGrant):  # a token's holder, kept a while per process (api/auth.py)
            post_save.connect(forget_holders, sender=model, dispatch_uid=f"forget-holders-save-{model.__name__}")
            post_delete.connect(forget_holders, sender=model, dispatch_uid=f"forget-holders-delete-{model.__name__}")
