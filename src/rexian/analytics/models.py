from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from rexian.analytics.assessment import Item, check_item
from rexian.directory.models import Unit
from rexian.intake.screening import regex_error
from rexian.workdays.calendar import SHANGHAI


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


class SensitiveTheme(models.Model):
    """A sensitive theme the centre watches (拖欠工资, 征地拆迁, 群体性事件…): new appeals that mention it are
    matched within a minute, and the shift lead is alerted when `threshold` of them arrive within the window.
    Seeded from analytics.hotspots.WATCH_THEMES; a negated mention ("没有拖欠工资") does not count."""

    name = models.CharField("主题", max_length=40, unique=True)
    patterns = models.TextField(
        "关键词", help_text="每行一个表达式：可直接写词语，多个词用 | 分隔（如 欠薪|讨薪），也可写正则表达式"
    )
    threshold = models.PositiveIntegerField("预警件数", default=1, help_text="时间窗内新增多少件时提醒值班长")
    window_hours = models.PositiveIntegerField("时间窗（小时）", default=24)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "敏感主题"
        verbose_name_plural = "敏感主题"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def pattern_list(self) -> list[str]:
        return [line.strip() for line in self.patterns.splitlines() if line.strip()]

    def clean(self) -> None:
        if not self.pattern_list:
            raise ValidationError({"patterns": "请至少填写一个关键词。"})
        for pattern in self.pattern_list:
            problem = regex_error(pattern)
            if problem:
                raise ValidationError({"patterns": f"表达式“{pattern}”有误：{problem}"})
        if self.threshold is not None and self.threshold < 1:
            raise ValidationError({"threshold": "预警件数至少为 1。"})
        if self.window_hours is not None and self.window_hours < 1:
            raise ValidationError({"window_hours": "时间窗至少 1 小时。"})


class RiskAlert(models.Model):
    """An alert to the shift lead: `count` new appeals on a sensitive theme within its window."""

    theme = models.ForeignKey(SensitiveTheme, verbose_name="主题", on_delete=models.CASCADE, related_name="alerts")
    count = models.PositiveIntegerField("件数")
    created_at = models.DateTimeField("预警时间")
    acknowledged_at = models.DateTimeField("知悉时间", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="知悉人", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = "风险预警"
        verbose_name_plural = "风险预警"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["acknowledged_at", "created_at"])]

    def __str__(self) -> str:
        return f"{self.theme.name} {self.count}件"


class ThemeMatch(models.Model):
    """An appeal that mentions a sensitive theme; `alert` once it has been reported in one."""

    theme = models.ForeignKey(SensitiveTheme, verbose_name="主题", on_delete=models.CASCADE, related_name="matches")
    ticket = models.ForeignKey("tickets.Ticket", verbose_name="工单", on_delete=models.CASCADE, related_name="+")
    ticket_created_at = models.DateTimeField("登记时间")
    alert = models.ForeignKey(
        RiskAlert, verbose_name="预警", null=True, blank=True, on_delete=models.SET_NULL, related_name="matches"
    )

    class Meta:
        verbose_name = "敏感主题命中"
        verbose_name_plural = "敏感主题命中"
        constraints = [models.UniqueConstraint(fields=["theme", "ticket"], name="one_match_per_theme_and_ticket")]
        indexes = [models.Index(fields=["theme", "ticket_created_at"])]

    def __str__(self) -> str:
        return f"{self.theme.name}：{self.ticket_id}"


class ThemeScan(models.Model):
    """How far the worker has read new appeals for sensitive themes (one row)."""

    scanned_to = models.DateTimeField("已扫描至")

    class Meta:
        verbose_name = "敏感主题扫描进度"
        verbose_name_plural = "敏感主题扫描进度"

    def __str__(self) -> str:
        return f"{self.scanned_to:%Y-%m-%d %H:%M}"


class DailySlice(models.Model):
    """One closed day for one combination of accountable unit, category, district, channel and type: the key of
    the statistics' roll-up (actions.roll_up)."""

    day = models.DateField("日期")
    unit = models.ForeignKey(Unit, null=True, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey("taxonomy.Category", null=True, on_delete=models.CASCADE, related_name="+")
    district = models.ForeignKey(Unit, null=True, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=16, blank=True)
    appeal_type = models.CharField(max_length=16, blank=True)

    class Meta:
        abstract = True


class DailyCounts(DailySlice):
    """The statistics' roll-up: a day's counts (analytics.metrics.Counts) for one slice. The worker writes each day
    once it is over and writes it again when a later action moves one of its tickets to another unit or category
    (actions.roll_up); a period's figures add these rows up and count only the days not rolled up yet in the
    event log."""

    received = models.PositiveIntegerField(default=0)
    answered_directly = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    merged = models.PositiveIntegerField(default=0)
    dispatched = models.PositiveIntegerField(default=0)
    signed = models.PositiveIntegerField(default=0)
    signed_on_time = models.PositiveIntegerField(default=0)
    signed_late = models.PositiveIntegerField(default=0)
    returned = models.PositiveIntegerField(default=0)
    extended = models.PositiveIntegerField(default=0)
    replied = models.PositiveIntegerField(default=0)
    replied_on_time = models.PositiveIntegerField(default=0)
    replied_late = models.PositiveIntegerField(default=0)
    approved = models.PositiveIntegerField(default=0)
    callbacks = models.PositiveIntegerField(default=0)
    reached = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    basically_satisfied = models.PositiveIntegerField(default=0)
    unsatisfied = models.PositiveIntegerField(default=0)
    resolved_yes = models.PositiveIntegerField(default=0)
    resolved_asked = models.PositiveIntegerField(default=0)
    rehandled = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    notices_issued = models.PositiveIntegerField(default=0)
    notices = models.JSONField(default=dict)  # {level: count}

    class Meta:
        verbose_name = "每日统计"
        verbose_name_plural = "每日统计"
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.unit_id} {self.category_id}"


class DailyHandlingDays(DailySlice):
    """The roll-up of handling times: a day's replies for one slice that took `days` working days. Rows, not a
    JSON field, so that a period's distribution is summed in SQL."""

    days = models.PositiveIntegerField("办理工作日")
    replies = models.PositiveIntegerField("答复件数")

    class Meta:
        verbose_name = "每日办理时长"
        verbose_name_plural = "每日办理时长"
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.days}天 {self.replies}件"


class RollupState(models.Model):
    """How far the daily roll-up has come (one row): every day up to `through` is rolled up, and the events up
    to `event_mark` have been looked at for changes to days already rolled up."""

    through = models.DateField("已汇总至")
    event_mark = models.BigIntegerField("已检查的流转记录", default=0)

    class Meta:
        verbose_name = "统计汇总进度"
        verbose_name_plural = "统计汇总进度"

    def __str__(self) -> str:
        return f"{self.through}"


class HotspotSnapshot(models.Model):
    """The hotspots of a whole-centre period (today, this week, this month, last week, last month), found by the
    worker so that the dashboard and the reports need not group thousands of texts while someone waits."""

    start = models.DateField("起始日期")
    end = models.DateField("截止日期")
    computed_at = models.DateTimeField("计算时间")
    rows = models.JSONField("热点", default=list)

    class Meta:
        verbose_name = "热点快照"
        verbose_name_plural = "热点快照"
        constraints = [models.UniqueConstraint(fields=["start", "end"], name="one_hotspot_snapshot_per_period")]

    def __str__(self) -> str:
        return f"{self.start}—{self.end}"

    @property
    def final(self) -> bool:
        """Found after the period ended: its hotspots will not change."""
        ended = datetime.combine(self.end + timedelta(days=1), time.min, SHANGHAI)
        return self.computed_at >= ended
