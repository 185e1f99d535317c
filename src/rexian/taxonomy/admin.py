from django.contrib import admin

from rexian.taxonomy.models import Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "path_name", "level", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["code", "name", "path_name"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["level", "path_name"]
