from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "rexian.knowledge"
    verbose_name = "知识库"
