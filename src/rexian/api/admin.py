from __future__ import annotations

from django.contrib import admin, messages
from django.forms import ModelForm
from django.http import HttpRequest

from rexian.api.models import Open311Client


@admin.register(Open311Client)
class Open311ClientAdmin(admin.ModelAdmin):
    """Adding a client issues its key and shows it once; only the hash is kept. Clear 启用 to revoke a key."""

    list_display = ["name", "is_active", "created_at", "last_used_at"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    fields = ["name", "is_active", "created_at", "last_used_at"]
    readonly_fields = ["created_at", "last_used_at"]

    def save_model(self, request: HttpRequest, obj: Open311Client, form: ModelForm, change: bool) -> None:
        raw = None if change else obj.new_key()
        super().save_model(request, obj, form, change)
        if raw:
            messages.warning(request, f"客户端“{obj.name}”的 api_key（只显示这一次，请立即交给对方）：{raw}")
