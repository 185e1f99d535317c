from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "rexian.routing"
    verbose_name = "智能分派"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from rexian.directory.models import Unit
        from rexian.routing.selectors import forget

        def places_changed(**_: object) -> None:
            forget("gazetteer")

        for signal in (post_save, post_delete):
            signal.connect(places_changed, sender=Unit, weak=False, dispatch_uid=f"routing-units-{signal}")
