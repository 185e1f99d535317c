from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "rexian.directory"
    verbose_name = "组织与人员"
