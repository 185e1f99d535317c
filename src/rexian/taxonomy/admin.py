from django.contrib import admin

from rexian.taxonomy.models import Category, TimeLimitPolicy


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "path_name", "level", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["code", "name", "path_name"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["level", "path_name"]


@admin.register(TimeLimitPolicy)
class TimeLimitPolicyAdmin(admin.ModelAdmin):
    list_display = ["stage", "appeal_type", "category", "urgency", "amount", "unit", "note"]
    list_filter = ["stage", "appeal_type", "urgency", "unit"]
    list_editable = ["amount", "unit"]
    list_select_related = ["category"]
    autocomplete_fields = ["category"]
