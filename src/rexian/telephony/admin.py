from django.contrib import admin
from django.http import HttpRequest

from rexian.telephony.models import Call, CallEvent


class CallEventInline(admin.TabularInline):
    model = CallEvent
    extra = 0
    can_delete = False
    fields = ["occurred_at", "kind", "event_id", "received_at", "payload"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    """Calls are written by the CTI's events; here they are read. The call-back note may be corrected."""

    list_display = ["rang_at", "caller", "dialled", "agent_code", "state", "wait_seconds", "handling_seconds",
                    "ticket", "called_back_at"]  # fmt: skip
    list_filter = ["state", "abandoned", "dialled"]
    search_fields = ["call_id", "caller", "agent_code", "ticket__number"]
    list_select_related = ["ticket"]
    date_hierarchy = "rang_at"
    inlines = [CallEventInline]
    readonly_fields = [
        "account", "call_id", "caller", "dialled", "agent", "agent_code", "state", "rang_at", "answered_at",
        "ended_at", "wait_seconds", "handling_seconds", "abandoned", "transferred_to", "recording_url", "ticket",
        "called_back_at", "called_back_by", "called_back_by_name", "updated_at",
    ]  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(CallEvent)
class CallEventAdmin(admin.ModelAdmin):
    list_display = ["occurred_at", "kind", "event_id", "call", "account", "received_at"]
    list_filter = ["kind", "account"]
    search_fields = ["event_id", "call__call_id"]
    list_select_related = ["call", "account"]
    date_hierarchy = "occurred_at"
    readonly_fields = ["account", "call", "event_id", "kind", "occurred_at", "received_at", "payload"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
