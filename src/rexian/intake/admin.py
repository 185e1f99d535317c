from django.contrib import admin
from django.http import HttpRequest

from rexian.intake.models import ChannelAccount, EmergencyTransfer, InboundMessage, ScreeningRule


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


@admin.register(ChannelAccount)
class ChannelAccountAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "hotline", "is_active", "last_polled_at", "last_error"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]
    readonly_fields = ["last_polled_at", "last_error"]
    fieldsets = (
        (None, {"fields": ("code", "name", "kind", "is_active", "hotline")}),
        ("回调与回复（微信、短信、呼叫中心）", {"fields": ("secret", "reply_url")}),
        (
            "邮箱（电子邮件渠道）",
            {"fields": ("imap_host", "imap_port", "imap_ssl", "imap_user", "imap_password", "imap_folder", "maildir")},
        ),
        ("状态", {"fields": ("last_polled_at", "last_error")}),
    )


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    """Written by the channels; read here to trace a message to its ticket."""

    list_display = ["received_at", "account", "sender", "message_id", "ticket"]
    list_filter = ["account"]
    search_fields = ["message_id", "sender", "text", "ticket__number"]
    list_select_related = ["account", "ticket"]
    date_hierarchy = "received_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
