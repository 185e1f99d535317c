from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from rexian.analytics.assessment import Item, check_item


class AssessmentItem(models.Model):
    """One line of the unit assessment scheme (考核方案): a rate earning up to its points, or a card or a
    notice deducting its points each time (analytics/assessment.py)."""

    code = models.CharField(
        "指标", max_length=32, unique=True, help_text="比率指标的代码（如 satisfaction_rate），或 card:1～3、notice:N"
    )
    points = models.FloatField("分值", help_text="得分项：满分；扣分项：每次扣分")
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "考核指标"
        verbose_name_plural = "考核方案"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.item.label} {self.points:g}"

    @property
    def item(self) -> Item:
        return Item(self.code, self.points)

    def clean(self) -> None:
        problem = check_item(self.code)
        if problem:
            raise ValidationError({"code": problem})
        if self.points is not None and self.points < 0:
            raise ValidationError({"points": "分值不能为负数。"})


class ReportKind(models.TextChoices):
    WEEKLY = "weekly", "周报"
    MONTHLY = "monthly", "月报"
    QUARTERLY = "quarterly", "季报"
    ANNUAL = "annual", "年报"


class Report(models.Model):
    """A generated periodic report (Excel workbook and editable Word document), kept in the archive."""

    kind = models.CharField("类型", max_length=12, choices=ReportKind.choices)
    start = models.DateField("起始日期")
    end = models.DateField("截止日期")
    title = models.CharField("标题", max_length=100)
    workbook = models.FileField("Excel 报表", upload_to="reports/%Y/")
    document = models.FileField("Word 文稿", upload_to="reports/%Y/")
    created_at = models.DateTimeField("生成时间")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="生成人", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    created_by_name = models.CharField("生成人姓名", max_length=150, default="系统")

    class Meta:
        verbose_name = "统计报告"
        verbose_name_plural = "统计报告"
        ordering = ["-end", "-created_at"]
        indexes = [models.Index(fields=["kind", "end"])]

    def __str__(self) -> str:
        return self.title
