from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from rexian.notify.templates import CHOICES, DEFAULTS, placeholders


class Notification(models.Model):
    """A message to a unit's inbox (or to the centre), written after the action's transaction commits.

    A notice comes from a ticket event (one per event and recipient) or from a caller such as the
    supervision sweep, which names it by a dedupe key so that a sweep run twice writes it once.
    """

    recipient_unit = models.ForeignKey(
        "directory.Unit",
        verbose_name="接收单位",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    for_centre = models.BooleanField("发给热线中心", default=False)
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name="工单", on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.ForeignKey(
        "tickets.TicketEvent",
        verbose_name="流转记录",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    # NULL, not "": the uniqueness must ignore the notices written for events.
    dedupe_key = models.CharField("去重键", max_length=200, null=True, blank=True, unique=True)
    message = models.CharField("内容", max_length=300)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["event", "recipient_unit", "for_centre"], name="one_notice_per_event")
        ]

    def __str__(self) -> str:
        return self.message


class MessageTemplate(models.Model):
    """A centre's own wording for one of the default templates (notify/templates.py)."""

    code = models.CharField("模板", max_length=32, choices=CHOICES, unique=True)
    subject = models.CharField("标题", max_length=200, help_text="邮件标题和站内通知的内容")
    body = models.TextField("正文", help_text="短信和邮件的正文；短信宜在 200 字以内")
    is_active = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "消息模板"
        verbose_name_plural = "消息模板"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.get_code_display()

    def clean(self) -> None:
        default = DEFAULTS.get(self.code)
        if default is None:
            return  # the choices validation reports it
        unknown = placeholders(self.subject) | placeholders(self.body)
        unknown -= default.fields
        if unknown:
            names = "、".join(f"{{{name}}}" for name in sorted(unknown))
            allowed = "、".join(f"{{{name}}}" for name in sorted(default.fields))
            raise ValidationError(f"未知的占位符：{names}。可用：{allowed}。")


class DeliveryChannel(models.TextChoices):
    LOG = "log", "日志"
    EMAIL = "email", "邮件"
    SMS = "sms", "短信"
    REPLY = "reply", "原渠道回复"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    RETRYING = "retrying", "重试中"
    DEAD = "dead", "失败"


class Delivery(models.Model):
    """One message to one address by one channel, and what became of it (the delivery log).

    Rows are written in the caller's transaction and sent after commit (by a task, or at once by a caller outside
    any transaction), or by retry_due_deliveries once `next_attempt_at` has passed. Dead rows are the dead-letter
    list.
    """

    channel = models.CharField("渠道", max_length=8, choices=DeliveryChannel.choices)
    recipient = models.CharField("接收地址", max_length=254)
    subject = models.CharField("标题", max_length=200, blank=True)
    body = models.TextField("正文")
    template = models.CharField("模板", max_length=32, choices=CHOICES)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name="工单",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    status = models.CharField("状态", max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    last_error = models.CharField("最近错误", max_length=500, blank=True)
    # NULL once sent or dead: the sweep's query reads only the index entries of open rows.
    next_attempt_at = models.DateTimeField("下次尝试", null=True, blank=True, db_index=True)
    created_at = models.DateTimeField("创建时间", db_index=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    dedupe_key = models.CharField("去重键", max_length=200)

    class Meta:
        verbose_name = "发送记录"
        verbose_name_plural = "发送记录"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["dedupe_key", "channel", "recipient"], name="one_delivery_per_message")
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient}：{self.subject}"


class PendingEvent(models.Model):
    """An event whose notices and messages are not yet written (the transactional outbox). The row is written in
    the action's own transaction and removed by `notify_event`; if the process dies between the commit and that
    task, the minute's sweep finds the row and runs it (`catch_up`), so no citizen's receipt is lost."""

    event = models.OneToOneField("tickets.TicketEvent", on_delete=models.CASCADE, primary_key=True, related_name="+")
    created_at = models.DateTimeField("登记时间", db_index=True)

    class Meta:
        verbose_name = "待发通知"
        verbose_name_plural = "待发通知"

    def __str__(self) -> str:
        return f"event {self.event_id}"
