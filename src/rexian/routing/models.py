from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from rexian.routing.autodispatch import MIN_THRESHOLD


class Task(models.TextChoices):
    CATEGORY = "category", "诉求分类"
    APPEAL_TYPE = "appeal_type", "诉求类型"
    UNIT = "unit", "承办单位"
    SCOPE = "scope", "受理范围"


class ModelStatus(models.TextChoices):
    TRAINING = "training", "训练中"
    READY = "ready", "可用"
    FAILED = "failed", "失败"


class ClassifierModel(models.Model):
    """One trained model in the registry: who trained it, on what, when, and how good it is on the
    history held back from its training. One model per task is active; activating is an admin's act."""

    task = models.CharField("任务", max_length=16, choices=Task.choices)
    version = models.PositiveIntegerField("版本")
    status = models.CharField("状态", max_length=10, choices=ModelStatus.choices, default=ModelStatus.TRAINING)
    progress = models.FloatField("进度", default=0.0)
    step = models.CharField("当前步骤", max_length=100, blank=True)
    source = models.CharField("训练数据", max_length=200, help_text="本中心历史工单，或导入的 CSV 文件")
    parameters = models.JSONField("训练参数", default=dict, blank=True)
    labels = models.JSONField("类别", default=list, blank=True)
    n_train = models.PositiveIntegerField("训练样本数", default=0)
    n_test = models.PositiveIntegerField("评估样本数", default=0)
    evaluation = models.JSONField("评估结果", default=dict, blank=True)
    blob = models.BinaryField("模型数据", null=True, blank=True, editable=False)
    error = models.TextField("错误信息", blank=True)
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="训练人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    is_active = models.BooleanField("启用", default=False)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="启用人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    activated_at = models.DateTimeField("启用时间", null=True, blank=True)

    class Meta:
        verbose_name = "分类模型"
        verbose_name_plural = "分类模型"
        ordering = ["task", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["task", "version"], name="unique_model_version"),
            models.UniqueConstraint(
                fields=["task"], condition=models.Q(is_active=True), name="one_active_model_per_task"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_task_display()} v{self.version}"

    @property
    def accuracy(self) -> float | None:
        return self.evaluation.get("accuracy")

    @property
    def macro_f1(self) -> float | None:
        return self.evaluation.get("macro_f1")


class AutoDispatchRule(models.Model):
    """人机双审: above this confidence the machine dispatches by itself. A row with a category covers its
    subtree (the pilot list); the row without a category covers every other category."""

    category = models.OneToOneField(
        "taxonomy.Category",
        verbose_name="分类",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="auto_dispatch_rule",
        help_text="留空表示全部分类",
    )
    threshold = models.FloatField(
        "置信度阈值",
        default=0.95,
        validators=[MinValueValidator(MIN_THRESHOLD), MaxValueValidator(1.0)],
        help_text="承办单位模型的置信度不低于此值时由机器派单",
    )
    is_active = models.BooleanField("开启机器派单", default=True, help_text="关闭即该分类（含下级）一律人工派单")
    note = models.CharField("说明", max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="修改人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "机器派单规则"
        verbose_name_plural = "机器派单规则"
        ordering = ["category__code"]  # one global row (no category): routing/actions.set_threshold keeps it single

    def __str__(self) -> str:
        where = self.category.path_name if self.category_id else "全部分类"
        return f"{where} ≥ {self.threshold:.2f}"

    def clean(self) -> None:
        others = AutoDispatchRule.objects.exclude(pk=self.pk)
        if self.category_id is None and others.filter(category__isnull=True).exists():
            raise ValidationError({"category": "已有适用于全部分类的规则，请直接修改它。"})
