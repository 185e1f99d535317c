from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from rexian.notify.models import Delivery, MessageTemplate, Notification
from rexian.notify.outbox import requeue
from rexian.notify.templates import DEFAULTS


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["message", "recipient_unit", "for_centre", "created_at", "read_at"]
    list_filter = ["for_centre"]
    list_select_related = ["recipient_unit"]
    raw_id_fields = ["ticket", "event", "recipient_user"]


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ["code", "subject", "is_active", "updated_at"]
    fields = ["code", "is_active", "subject", "body", "default_text"]
    readonly_fields = ["default_text"]

    @admin.display(description="默认文本与可用占位符")
    def default_text(self, obj: MessageTemplate) -> str:
        default = DEFAULTS.get(obj.code)
        if default is None:
            return "保存后显示所选模板的默认文本。"
        names = "、".join(f"{{{name}}}" for name in sorted(default.fields))
        return format_html("<p>{}</p><p>{}</p><p>可用：{}</p>", default.subject, default.body, names)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """The delivery log; the rows with status 失败 are the dead letters."""

    list_display = ["created_at", "channel", "recipient", "template", "ticket", "status", "attempts", "last_error"]
    list_filter = ["status", "channel", "template"]
    search_fields = ["recipient", "ticket__number"]
    list_select_related = ["ticket"]
    readonly_fields = [field.name for field in Delivery._meta.fields]
    actions = ["resend"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # rows are written by the outbox only

    @admin.action(description="重新发送", permissions=["change"])
    def resend(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        count = requeue(queryset)
        self.message_user(request, f"已重新排队 {count} 条（只处理失败或重试中的记录）。", messages.SUCCESS)
