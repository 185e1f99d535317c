from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "rexian.tickets"
    verbose_name = "工单"
