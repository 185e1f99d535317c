from __future__ import annotations

from django.db import models

from rexian.taxonomy.choices import AppealType, Urgency
from rexian.taxonomy.policy import Limit, LimitUnit, PolicyRule, Stage


class Category(models.Model):
    """A node of the 3-level appeal category tree (一级/二级/三级分类)."""

    code = models.CharField("编码", max_length=16, unique=True)
    name = models.CharField("名称", max_length=64)
    parent = models.ForeignKey(
        "self", verbose_name="上级分类", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    level = models.PositiveSmallIntegerField("层级", editable=False, default=1)
    path_name = models.CharField("完整名称", max_length=200, editable=False, default="")
    is_active = models.BooleanField("启用", default=True)
    sort_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "诉求分类"
        verbose_name_plural = "诉求分类"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.path_name or self.name}"

    def save(self, *args, **kwargs) -> None:
        self.level = self.parent.level + 1 if self.parent_id else 1
        self.path_name = f"{self.parent.path_name}/{self.name}" if self.parent_id else self.name
        super().save(*args, **kwargs)

    @property
    def is_leaf(self) -> bool:
        return self.level == 3

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.parent_id and self.parent.level >= 3:
            raise ValidationError({"parent": "分类最多三级。"})
        if self.parent_id and self.pk and self.parent_id == self.pk:
            raise ValidationError({"parent": "上级分类不能是自己。"})


class TimeLimitPolicy(models.Model):
    """One row of the time-limit table (taxonomy/policy.py resolves them: the most specific row wins)."""

    stage = models.CharField("环节", max_length=16, choices=[(s.value, s.label) for s in Stage])
    appeal_type = models.CharField(
        "诉求类型", max_length=16, choices=AppealType.choices, blank=True, help_text="空：任意类型"
    )
    category = models.ForeignKey(
        Category,
        verbose_name="分类",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="time_limits",
        help_text="空：任意分类；选中某一级分类时，其下所有分类适用",
    )
    urgency = models.CharField("紧急程度", max_length=8, choices=Urgency.choices, blank=True, help_text="空：任意")
    amount = models.PositiveIntegerField("时限", help_text="工作日为 0 表示当日办结")
    unit = models.CharField(
        "单位", max_length=8, choices=[(LimitUnit.WORKDAYS.value, "工作日"), (LimitUnit.HOURS.value, "小时")]
    )
    note = models.CharField("依据/说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "办理时限"
        verbose_name_plural = "办理时限"
        ordering = ["stage", "category__code", "appeal_type", "urgency"]
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "appeal_type", "category", "urgency"], name="one_time_limit_per_key"
            ),
            models.UniqueConstraint(
                fields=["stage", "appeal_type", "urgency"],
                condition=models.Q(category__isnull=True),
                name="one_general_time_limit_per_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{Stage(self.stage).label} {self.as_rule().limit}"

    def as_rule(self) -> PolicyRule:
        return PolicyRule(
            stage=Stage(self.stage),
            limit=Limit(self.amount, LimitUnit(self.unit)),
            appeal_type=self.appeal_type,
            category_id=self.category_id,
            urgency=self.urgency,
        )
