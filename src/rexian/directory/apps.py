from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "rexian.directory"
    verbose_name = "组织与人员"

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from rexian.directory.models import CatalogueEntry, Unit
        from rexian.directory.selectors import reference_changed
        from rexian.taxonomy.models import Category

        for model in (Unit, CatalogueEntry, Category):  # the catalogue's rows hold their units and categories
            for signal in (post_save, post_delete):
                uid = f"forget-reference-{signal}-{model.__name__}"
                signal.connect(reference_changed, sender=model, dispatch_uid=uid)
        co_units = CatalogueEntry.co_units.through
        m2m_changed.connect(reference_changed, sender=co_units, dispatch_uid="forget-reference-co-units")
