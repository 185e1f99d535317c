from __future__ import annotations

from django.db import models


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
