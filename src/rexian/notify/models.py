from __future__ import annotations

from django.conf import settings
from django.db import models


class Notification(models.Model):
    """A message to a unit's inbox (or to the centre), written after the action's transaction commits."""

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
        "tickets.TicketEvent", verbose_name="流转记录", on_delete=models.CASCADE, related_name="notifications"
    )
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
