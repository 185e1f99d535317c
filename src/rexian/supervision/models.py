from __future__ import annotations

from django.conf import settings
from django.db import models

from rexian.directory.roles import ROLE_LABELS, Role
from rexian.supervision.clocks import Card, Light
from rexian.taxonomy.policy import Limit, LimitUnit, Stage

STAGE_CHOICES = [(s.value, s.label) for s in Stage]


class StageClock(models.Model):
    """The clock of one stage of one ticket (派单, 签收, 办理, 审核, 回访): when it started, its limit and
    deadline, and its warning light. Restarted in place; written with the ticket's actions and by the sweep."""

    ticket = models.ForeignKey("tickets.Ticket", verbose_name="工单", on_delete=models.CASCADE, related_name="clocks")
    stage = models.CharField("环节", max_length=16, choices=STAGE_CHOICES)
    unit = models.ForeignKey(
        "directory.Unit",
        verbose_name="责任单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="空：热线中心自己的环节",
    )
    started_at = models.DateTimeField("起算时间")
    limit_amount = models.PositiveIntegerField("时限")
    limit_unit = models.CharField("时限单位", max_length=8, choices=[("workdays", "工作日"), ("hours", "小时")])
    extra_workdays = models.PositiveIntegerField("延期工作日", default=0)
    due_at = models.DateTimeField("截止时间")
    warn_at = models.DateTimeField("预警时间")
    provisional = models.BooleanField("暂定", default=False, db_index=True, help_text="经过尚未导入放假安排的年份")
    running = models.BooleanField("计时中", default=True)
    light = models.PositiveSmallIntegerField("预警灯", choices=[(x.value, x.label) for x in Light], default=0)
    # Each (re)start opens a new cycle: a re-dispatched ticket can be warned and reminded again.
    cycle = models.PositiveIntegerField("轮次", default=1)
    warned_at = models.DateTimeField("预警时间（实际）", null=True, blank=True)
    overdue_at = models.DateTimeField("超期时间", null=True, blank=True)
    ladder_level = models.PositiveSmallIntegerField("已督办级别", default=0)
    stopped_at = models.DateTimeField("停止时间", null=True, blank=True)

    class Meta:
        verbose_name = "环节时限"
        verbose_name_plural = "环节时限"
        constraints = [models.UniqueConstraint(fields=["ticket", "stage"], name="one_clock_per_stage")]
        indexes = [
            models.Index(fields=["running", "light", "warn_at"], name="clock_warn_idx"),
            models.Index(fields=["running", "light", "due_at"], name="clock_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {Stage(self.stage).label}"

    @property
    def limit(self) -> Limit:
        return Limit(self.limit_amount, LimitUnit(self.limit_unit))

    @property
    def light_enum(self) -> Light:
        return Light(self.light)


class LadderLevel(models.Model):
    """A rung of the supervision ladder, editable by the centre (seeded with Tai'an's five levels)."""

    level = models.PositiveSmallIntegerField("级别", unique=True)
    name = models.CharField("名称", max_length=40)
    auto_after_workdays = models.PositiveSmallIntegerField(
        "超期几个工作日后自动升级", null=True, blank=True, help_text="空：只能人工签发"
    )
    explanation_workdays = models.PositiveSmallIntegerField("书面说明期限（工作日）", default=3)
    issuer_roles = models.JSONField(
        "可签发角色", default=list, help_text="角色代码列表，如 ['shift_lead', 'centre_admin']"
    )
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "督办级别"
        verbose_name_plural = "督办级别"
        ordering = ["level"]

    def __str__(self) -> str:
        return f"{self.level} {self.name}"

    @property
    def issuer_labels(self) -> str:
        return "、".join(ROLE_LABELS[Role(r)] for r in self.issuer_roles if r in Role.__members__.values())


REMINDER_LEVEL = 0  # the automatic 催办 on overdue, below the ladder
REMINDER_TITLE = "催办通知"


class Notice(models.Model):
    """A supervision document (催办通知, 工作提醒函, 热线督办单 …) to a unit about a ticket: printable, with a
    deadline for the unit's written explanation, which is recorded here."""

    level = models.PositiveSmallIntegerField("级别", default=REMINDER_LEVEL)
    title = models.CharField("文书名称", max_length=40)
    unit = models.ForeignKey(
        "directory.Unit", verbose_name="责任单位", on_delete=models.PROTECT, related_name="notices"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name="工单", on_delete=models.CASCADE, related_name="notices"
    )
    # Automatic notices name their clock and its cycle: the sweep issues each level once per cycle.
    # No index of its own: the unique constraint below starts with it. Every index slows the sweep's inserts.
    clock = models.ForeignKey(
        StageClock, null=True, blank=True, on_delete=models.SET_NULL, related_name="notices", db_index=False
    )
    clock_cycle = models.PositiveIntegerField(null=True, blank=True)
    text = models.TextField("内容")
    issued_at = models.DateTimeField("签发时间", db_index=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="签发人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_by_name = models.CharField("签发人姓名", max_length=150, default="系统")
    explanation_due_at = models.DateTimeField("书面说明期限", null=True, blank=True)
    explanation = models.TextField("书面说明", blank=True)
    explained_at = models.DateTimeField("说明时间", null=True, blank=True)
    explained_by_name = models.CharField("说明人", max_length=150, blank=True)

    class Meta:
        verbose_name = "督办文书"
        verbose_name_plural = "督办文书"
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["clock", "clock_cycle", "level"],
                condition=models.Q(clock__isnull=False),
                name="one_notice_per_clock_level",
            )
        ]
        indexes = [
            models.Index(fields=["unit", "explained_at"], name="notice_unit_open_idx"),
            models.Index(fields=["level", "issued_at"], name="notice_level_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        """The document number, as centres write it: 热督〔2026〕123号."""
        return f"热督〔{self.issued_at.year}〕{self.pk}号" if self.pk else ""


class UnitCard(models.Model):
    """A unit's yellow, orange or red card for a month, by its number of overdue tickets (thresholds in
    settings). The sweep only raises a card within its month, never lowers it."""

    unit = models.ForeignKey("directory.Unit", verbose_name="单位", on_delete=models.CASCADE, related_name="cards")
    period = models.CharField("月份", max_length=7, help_text="YYYY-MM")
    card = models.PositiveSmallIntegerField("亮牌", choices=[(c.value, c.label) for c in Card if c])
    overdue_tickets = models.PositiveIntegerField("超期工单数")
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "单位亮牌"
        verbose_name_plural = "单位亮牌"
        ordering = ["-period", "-card", "-overdue_tickets"]
        constraints = [models.UniqueConstraint(fields=["unit", "period"], name="one_card_per_unit_month")]

    def __str__(self) -> str:
        return f"{self.period} {self.unit_id} {Card(self.card).label}"

    @property
    def card_enum(self) -> Card:
        return Card(self.card)


class WatchKind(models.TextChoices):
    LISTED = "listed", "挂牌督办"
    DIFFICULT = "difficult", "重点疑难事项"


class Watch(models.Model):
    """A ticket on the 挂牌督办 list (the worst cases, shown publicly without personal data) or in the
    重点疑难事项库, until it is lifted."""

    kind = models.CharField("类别", max_length=12, choices=WatchKind.choices)
    ticket = models.ForeignKey("tickets.Ticket", verbose_name="工单", on_delete=models.CASCADE, related_name="watches")
    reason = models.CharField("原因", max_length=300)
    added_at = models.DateTimeField("列入时间")
    added_by_name = models.CharField("列入人", max_length=150)
    lifted_at = models.DateTimeField("解除时间", null=True, blank=True)
    lifted_by_name = models.CharField("解除人", max_length=150, blank=True)
    lift_note = models.CharField("解除说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "挂牌/重点事项"
        verbose_name_plural = "挂牌/重点事项"
        ordering = ["-added_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "ticket"], condition=models.Q(lifted_at__isnull=True), name="one_open_watch_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.ticket_id}"
