from django.contrib import admin

from rexian.tickets.models import Attachment, Ticket, TicketEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """Tickets change only through tickets/actions.py: the admin shows them, it does not edit them."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class EventInline(admin.TabularInline):
    model = TicketEvent
    fields = ["seq", "created_at", "action", "from_state", "to_state", "actor_name", "actor_unit", "payload"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ["number", "subject", "state", "appeal_type", "urgency", "handling_unit", "created_at", "due_at"]
    list_filter = ["state", "appeal_type", "urgency", "channel"]
    search_fields = ["number", "subject", "citizen_phone"]
    list_select_related = ["handling_unit"]
    date_hierarchy = "created_at"
    inlines = [EventInline]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["name", "ticket", "content_type", "size", "uploaded_at"]
