from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from rexian.directory.models import CatalogueEntry, MergedHotline, RoleGrant, Unit, User


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code", "short_names"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path"]


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 1


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "last_name", "first_name", "unit", "role_list", "is_active"]
    list_filter = ["is_active", "role_grants__role", "unit__kind"]
    search_fields = ["username", "first_name", "last_name", "unit__name"]
    autocomplete_fields = ["unit"]
    inlines = [RoleGrantInline]
    fieldsets = (*BaseUserAdmin.fieldsets, ("单位", {"fields": ("unit", "phone")}))

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("unit").prefetch_related("role_grants")

    @admin.display(description="角色")
    def role_list(self, obj: User) -> str:
        return "、".join(str(g) for g in obj.role_grants.all())


@admin.register(CatalogueEntry)
class CatalogueEntryAdmin(admin.ModelAdmin):
    list_display = ["category", "district", "unit", "note"]
    list_filter = ["district"]
    search_fields = ["category__name", "category__code", "unit__name"]
    autocomplete_fields = ["category", "district", "unit", "co_units"]
    list_select_related = ["category", "district", "unit"]


@admin.register(MergedHotline)
class MergedHotlineAdmin(admin.ModelAdmin):
    """The register of merged hotlines; a whole spreadsheet is imported on the console's 接入 page."""

    list_display = ["number", "name", "unit", "mode", "merged_on", "dual_track_until", "note"]
    list_filter = ["mode"]
    search_fields = ["number", "name", "unit__name", "note"]
    autocomplete_fields = ["unit"]
