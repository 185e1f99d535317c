from django.contrib import admin

from rexian.analytics.models import AssessmentItem, Report, RiskAlert, SensitiveTheme


@admin.register(AssessmentItem)
class AssessmentItemAdmin(admin.ModelAdmin):
    list_display = ("code", "label", "points", "is_active")
    list_editable = ("points", "is_active")

    @admin.display(description="名称")
    def label(self, obj: AssessmentItem) -> str:
        return obj.item.label


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "start", "end", "created_at", "created_by_name")
    list_filter = ("kind",)
    readonly_fields = ("created_at", "created_by", "created_by_name")


@admin.register(SensitiveTheme)
class SensitiveThemeAdmin(admin.ModelAdmin):
    list_display = ("name", "threshold", "window_hours", "is_active")
    list_editable = ("threshold", "window_hours", "is_active")


@admin.register(RiskAlert)
class RiskAlertAdmin(admin.ModelAdmin):
    list_display = ("theme", "count", "created_at", "acknowledged_at", "acknowledged_by")
    list_filter = ("theme",)
    readonly_fields = ("theme", "count", "created_at", "acknowledged_at", "acknowledged_by")
