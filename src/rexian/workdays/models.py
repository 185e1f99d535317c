from __future__ import annotations

from django.db import models


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", "法定节假日"
    MAKEUP = "makeup", "调休上班"
    CLOSURE = "closure", "本地停止办公"
    LOCAL_WORKDAY = "local_workday", "本地加班日"


WORKDAY_KINDS = (DayKind.MAKEUP, DayKind.LOCAL_WORKDAY)


class CalendarDay(models.Model):
    """A date on which the Monday–Friday rule does not hold: a holiday, a make-up workday (调休), a local
    closure or a local working day."""

    day = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=16, choices=DayKind.choices)
    name = models.CharField("名称", max_length=60, blank=True)
    source = models.CharField("来源", max_length=200, blank=True, help_text="如：国务院办公厅通知、本地通知文号")

    class Meta:
        verbose_name = "日历例外"
        verbose_name_plural = "日历例外"
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {self.get_kind_display()} {self.name}"

    @property
    def is_workday(self) -> bool:
        return self.kind in WORKDAY_KINDS


class ScheduleYear(models.Model):
    """A year whose official holiday schedule is loaded: deadlines in it are final, not provisional."""

    year = models.PositiveSmallIntegerField("年份", primary_key=True)
    source = models.CharField("来源", max_length=200, blank=True)
    loaded_at = models.DateTimeField("载入时间", auto_now_add=True)

    class Meta:
        verbose_name = "已载入年度"
        verbose_name_plural = "已载入年度"
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)
