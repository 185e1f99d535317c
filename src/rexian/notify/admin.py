from django.contrib import admin

from rexian.notify.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["message", "recipient_unit", "for_centre", "created_at", "read_at"]
    list_filter = ["for_centre"]
    list_select_related = ["recipient_unit"]
    raw_id_fields = ["ticket", "event", "recipient_user"]
