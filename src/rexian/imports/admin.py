from django.contrib import admin
from django.http import HttpRequest

from rexian.imports.models import ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Read-only: imports run from the console (历史工单导入) or `rexian import-legacy`."""

    list_display = ("filename", "source", "state", "total_rows", "error_count", "imported_count", "created_by",
                    "created_at")  # fmt: skip
    list_filter = ("state",)
    exclude = ("preview",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ImportJob | None = None) -> bool:
        return False
