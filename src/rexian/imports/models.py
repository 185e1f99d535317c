"""An import of an older hotline's work orders from a file: its mapping, its progress and its row errors
(docs/legacy-import.md). The tickets themselves are written by tickets.actions.import_legacy."""

from __future__ import annotations

from django.conf import settings
from django.db import models

# Row errors kept on the job for the page and the download; the count says how many there were in all.
ERRORS_KEPT = 1000


class JobState(models.TextChoices):
    UPLOADED = "uploaded", "待检查"
    CHECKING = "checking", "检查中"
    CHECKED = "checked", "已检查"
    IMPORTING = "importing", "导入中"
    DONE = "done", "已导入"
    FAILED = "failed", "失败"


RUNNING = frozenset({JobState.CHECKING, JobState.IMPORTING})


class ImportJob(models.Model):
    file = models.FileField("文件", upload_to="imports/%Y/%m/")
    filename = models.CharField("原文件名", max_length=200)
    source = models.CharField("原热线", max_length=60, blank=True, help_text="文件没有“原热线”列或该列为空时使用")
    headers = models.JSONField("表头", default=list, blank=True)
    preview = models.JSONField("前几行", default=list, blank=True)
    mapping = models.JSONField("列映射", default=dict, blank=True, help_text="{目标字段: 列名}")
    # The mapping the last finished check used: an import with it after errors is refused at once.
    checked_mapping = models.JSONField("检查时的列映射", null=True, blank=True)
    state = models.CharField("状态", max_length=12, choices=JobState.choices, default=JobState.UPLOADED)
    step = models.CharField("当前步骤", max_length=40, blank=True)
    total_rows = models.PositiveIntegerField("数据行数", default=0)
    processed_rows = models.PositiveIntegerField("已检查行数", default=0)
    error_count = models.PositiveIntegerField("错误数", default=0)
    errors = models.JSONField("错误", default=list, blank=True, help_text=f"前 {ERRORS_KEPT} 条：行号、字段、说明")
    imported_count = models.PositiveIntegerField("已导入工单数", default=0)
    message = models.CharField("说明", max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("上传时间")
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "历史工单导入"
        verbose_name_plural = "历史工单导入"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename}（{self.get_state_display()}）"

    @property
    def running(self) -> bool:
        return self.state in RUNNING

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.processed_rows / self.total_rows)) if self.total_rows else 0
