from django.contrib import admin
from django.http import HttpRequest

from rexian.intake.models import EmergencyTransfer, ScreeningRule


@admin.register(ScreeningRule)
class ScreeningRuleAdmin(admin.ModelAdmin):
    list_display = ["concern", "pattern", "is_regex", "transfer_to", "reason", "redirect_to", "is_active"]
    list_filter = ["concern", "transfer_to", "is_active", "is_regex"]
    search_fields = ["pattern", "reason", "redirect_to", "note"]
    list_editable = ["is_active"]
    fields = ["concern", "pattern", "is_regex", "transfer_to", "reason", "redirect_to", "is_active", "note"]


@admin.register(EmergencyTransfer)
class EmergencyTransferAdmin(admin.ModelAdmin):
    """The log is written by the agents' workbench and the API; here it is read, and a partner's reference
    number that arrived later may be filled in."""

    list_display = ["created_at", "direction", "service", "reason", "caller_phone", "ticket", "created_by_name"]
    list_filter = ["service", "direction"]
    search_fields = ["reason", "summary", "caller_phone", "partner_reference", "ticket__number"]
    list_select_related = ["ticket"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "service",
        "direction",
        "reason",
        "summary",
        "caller_phone",
        "ticket",
        "created_by",
        "created_by_name",
        "created_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
