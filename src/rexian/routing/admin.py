from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from rexian.core.errors import DomainError
from rexian.routing import actions, selectors
from rexian.routing.models import AutoDispatchRule, ClassifierModel


@admin.register(ClassifierModel)
class ClassifierModelAdmin(admin.ModelAdmin):
    """The registry, read-only: models are trained by `rexian train` or the console's 智能分派 page."""

    list_display = (
        "__str__",
        "status",
        "is_active",
        "source",
        "n_train",
        "accuracy",
        "macro_f1",
        "trained_by",
        "created_at",
    )
    list_filter = ("task", "status", "is_active")
    exclude = ("blob",)
    actions = ("activate_model",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ClassifierModel | None = None) -> bool:
        return False

    @admin.action(description="启用所选模型（每个任务一个）")
    def activate_model(self, request: HttpRequest, queryset: QuerySet[ClassifierModel]) -> None:
        for model in queryset:
            try:
                actions.activate(actor=request.user, model_id=model.pk)
            except DomainError as error:
                self.message_user(request, f"{model}：{error.message}", messages.ERROR)
            else:
                self.message_user(request, f"已启用 {model}")


@admin.register(AutoDispatchRule)
class AutoDispatchRuleAdmin(admin.ModelAdmin):
    list_display = ("__str__", "threshold", "is_active", "note", "updated_by", "updated_at")
    list_filter = ("is_active",)
    autocomplete_fields = ("category",)
    readonly_fields = ("updated_by",)

    def save_model(self, request: HttpRequest, obj: AutoDispatchRule, form: object, change: bool) -> None:
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
        selectors.forget("thresholds")
