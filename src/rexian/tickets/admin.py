from django.contrib import admin

from rexian.tickets.access import record_identity_shown
from rexian.tickets.models import Attachment, IdentityAccess, Ticket, TicketEvent


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

    def change_view(self, request, object_id, form_url="", extra_context=None):
        ticket = Ticket.objects.filter(pk=object_id).first() if str(object_id).isdigit() else None
        if ticket is not None:  # the admin shows the citizen too: it is a reading like any other
            record_identity_shown(request.user, [ticket], IdentityAccess.Via.PAGE)
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["name", "ticket", "content_type", "size", "uploaded_at"]


@admin.register(IdentityAccess)
class IdentityAccessAdmin(ReadOnlyAdmin):
    """查阅记录: who was shown which citizen's identity. Nobody edits or deletes it, not even a superuser."""

    list_display = ["at", "user", "ticket", "via"]
    list_filter = ["via"]
    search_fields = ["user__username", "ticket__number"]
    list_select_related = ["user", "ticket"]
    date_hierarchy = "at"
