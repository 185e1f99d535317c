from django.apps import AppConfig


class TaxonomyConfig(AppConfig):
    name = "rexian.taxonomy"
    verbose_name = "分类与类型"
