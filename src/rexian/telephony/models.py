"""Calls as the call centre's CTI reports them: the raw event log (CallEvent) and, per call, what the events
add up to (Call, derived by rules.derive each time an event arrives)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from rexian.telephony.rules import EVENT_LABELS, STATE_LABELS, CallState, EventKind, seconds_between

ID_LIMIT = 100
PHONE_LIMIT = 32
AGENT_LIMIT = 150
TRANSFER_LIMIT = 100
URL_LIMIT = 500
NOTE_LIMIT = 500


class CallStates(models.TextChoices):
    RINGING = CallState.RINGING.value, STATE_LABELS[CallState.RINGING]
    ANSWERED = CallState.ANSWERED.value, STATE_LABELS[CallState.ANSWERED]
    TRANSFERRED = CallState.TRANSFERRED.value, STATE_LABELS[CallState.TRANSFERRED]
    ENDED = CallState.ENDED.value, STATE_LABELS[CallState.ENDED]
    ABANDONED = CallState.ABANDONED.value, STATE_LABELS[CallState.ABANDONED]


class EventKinds(models.TextChoices):
    RINGING = EventKind.RINGING.value, EVENT_LABELS[EventKind.RINGING]
    ANSWERED = EventKind.ANSWERED.value, EVENT_LABELS[EventKind.ANSWERED]
    ENDED = EventKind.ENDED.value, EVENT_LABELS[EventKind.ENDED]
    ABANDONED = EventKind.ABANDONED.value, EVENT_LABELS[EventKind.ABANDONED]
    TRANSFERRED = EventKind.TRANSFERRED.value, EVENT_LABELS[EventKind.TRANSFERRED]


class Call(models.Model):
    """One call to the hotline. Its times and state are derived from its events (never typed); the call-back
    fields are the agents' record of calling an abandoned caller back."""

    account = models.ForeignKey(
        "intake.ChannelAccount", verbose_name="接入渠道", on_delete=models.PROTECT, related_name="calls"
    )
    call_id = models.CharField("通话编号", max_length=ID_LIMIT, unique=True, help_text="CTI 给出的通话标识")
    caller = models.CharField("主叫号码", max_length=PHONE_LIMIT, blank=True)
    dialled = models.CharField("被叫号码", max_length=PHONE_LIMIT, blank=True, help_text="所拨热线：12345 或原热线号码")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="坐席",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calls",
    )
    agent_code = models.CharField("坐席工号", max_length=AGENT_LIMIT, blank=True, help_text="CTI 送来的坐席用户名")
    state = models.CharField("状态", max_length=12, choices=CallStates.choices, default=CallStates.RINGING)
    rang_at = models.DateTimeField("振铃时间")
    answered_at = models.DateTimeField("接通时间", null=True, blank=True)
    ended_at = models.DateTimeField("挂机时间", null=True, blank=True)
    wait_seconds = models.FloatField("等待时长（秒）", null=True, blank=True, help_text="振铃至接通")
    handling_seconds = models.FloatField("通话时长（秒）", null=True, blank=True, help_text="接通至挂机")
    abandoned = models.BooleanField("放弃", default=False, help_text="未接通即挂机")
    transferred_to = models.CharField("转接至", max_length=TRANSFER_LIMIT, blank=True)
    recording_url = models.URLField("录音地址", max_length=URL_LIMIT, blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name="工单", null=True, blank=True, on_delete=models.SET_NULL, related_name="calls"
    )
    called_back_at = models.DateTimeField("回拨时间", null=True, blank=True)
    called_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="回拨人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept beside the account, as events do: the record must still name the agent after the account goes.
    called_back_by_name = models.CharField("回拨人姓名", max_length=150, blank=True)
    callback_note = models.CharField("回拨情况", max_length=NOTE_LIMIT, blank=True)
    updated_at = models.DateTimeField("最近事件到达")

    class Meta:
        verbose_name = "通话"
        verbose_name_plural = "通话"
        ordering = ["-rang_at", "-pk"]
        indexes = [
            models.Index(fields=["rang_at"], name="call_rang_at"),
            models.Index(fields=["agent_code", "rang_at"], name="call_agent_rang_at"),
            models.Index(
                fields=["-rang_at"],
                condition=Q(abandoned=True, called_back_at__isnull=True),
                name="call_open_callback",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.caller or '未知号码'} {self.call_id}"

    @property
    def waited_seconds(self) -> float | None:
        """How long the caller waited: until answered, or (abandoned) until they hung up."""
        return seconds_between(self.rang_at, self.answered_at or self.ended_at)


class CallEvent(models.Model):
    """An event as the CTI posted it: the raw log. A repeated event_id (per CTI account) changes nothing."""

    account = models.ForeignKey(
        "intake.ChannelAccount", verbose_name="接入渠道", on_delete=models.PROTECT, related_name="+"
    )
    call = models.ForeignKey(Call, verbose_name="通话", on_delete=models.CASCADE, related_name="events")
    event_id = models.CharField("事件编号", max_length=ID_LIMIT)
    kind = models.CharField("事件", max_length=12, choices=EventKinds.choices)
    occurred_at = models.DateTimeField("发生时间")
    received_at = models.DateTimeField("收到时间")
    payload = models.JSONField("原始内容", default=dict)

    class Meta:
        verbose_name = "通话事件"
        verbose_name_plural = "通话事件"
        ordering = ["occurred_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["account", "event_id"], name="unique_call_event")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d %H:%M:%S}"
