from __future__ import annotations

from django.conf import settings
from django.db import models

from rexian.taxonomy.choices import AppealType, Channel, Urgency
from rexian.tickets.workflow import ACTION_LABELS, STATE_LABELS, Action, State

STATE_CHOICES = [(s.value, STATE_LABELS[s]) for s in State]
ACTION_CHOICES = [(a.value, ACTION_LABELS[a]) for a in Action]
DESCRIPTION_MAX = 4000


class Ticket(models.Model):
    """A work order (工单). Its state changes only in tickets/actions.py."""

    number = models.CharField("工单编号", max_length=20, unique=True)
    state = models.CharField("状态", max_length=20, choices=STATE_CHOICES, default=State.REGISTERED, db_index=True)
    version = models.PositiveIntegerField("版本", default=1)

    citizen_name = models.CharField("诉求人", max_length=50, blank=True)
    citizen_phone = models.CharField("联系电话", max_length=32, blank=True, db_index=True)
    is_anonymous = models.BooleanField("匿名", default=False)
    is_confidential = models.BooleanField("保密", default=False, help_text="保密件：承办单位看不到诉求人身份")

    address = models.CharField("地址", max_length=200, blank=True)
    district = models.ForeignKey(
        "directory.Unit", verbose_name="区县", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    street = models.ForeignKey(
        "directory.Unit", verbose_name="街道/镇", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject = models.CharField("标题", max_length=100)
    description = models.TextField("诉求内容", max_length=DESCRIPTION_MAX)
    appeal_type = models.CharField("诉求类型", max_length=16, choices=AppealType.choices)
    category = models.ForeignKey(
        "taxonomy.Category",
        verbose_name="分类",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    urgency = models.CharField("紧急程度", max_length=8, choices=Urgency.choices, default=Urgency.NORMAL)
    channel = models.CharField("渠道", max_length=16, choices=Channel.choices, default=Channel.PHONE)
    # Indexed: a legacy import asks which old numbers are in already; a channel traces its messages.
    source_ref = models.CharField("来源编号", max_length=100, blank=True, db_index=True)
    hotline = models.ForeignKey(
        "directory.MergedHotline",
        verbose_name="来源热线",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
        help_text="经双轨运行的原热线转来的诉求",
    )
    # Given to the citizen with the number: with it (or the phone) they follow the ticket on the portal.
    query_code = models.CharField("查询码", max_length=8, blank=True)

    lead_unit = models.ForeignKey(
        "directory.Unit",
        verbose_name="主办单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lead_tickets",
    )
    handling_unit = models.ForeignKey(
        "directory.Unit",
        verbose_name="当前承办单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handling_tickets",
    )
    co_units = models.ManyToManyField("directory.Unit", verbose_name="协办单位", blank=True, related_name="co_tickets")
    merged_into = models.ForeignKey(
        "self", verbose_name="并入工单", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_children"
    )

    created_at = models.DateTimeField("登记时间", db_index=True)
    updated_at = models.DateTimeField("更新时间")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    dispatched_at = models.DateTimeField("派单时间", null=True, blank=True)
    signed_at = models.DateTimeField("签收时间", null=True, blank=True)
    return_deadline = models.DateTimeField("退单时限", null=True, blank=True)
    due_at = models.DateTimeField("办理时限", null=True, blank=True, db_index=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    callback_due_at = models.DateTimeField("回访时限", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    # A pending extension request lives beside the state: the ticket stays in_progress meanwhile.
    extension_request = models.JSONField("待审延期申请", null=True, blank=True)
    extensions_granted = models.PositiveSmallIntegerField("已延期次数", default=0)
    needs_information = models.BooleanField("退回补充信息", default=False)
    rehandle_count = models.PositiveSmallIntegerField("重办次数", default=0)

    result_text = models.TextField("办理结果/答复", blank=True)
    citizen_contacted = models.BooleanField("已联系诉求人", null=True, blank=True)
    satisfaction = models.CharField("满意度", max_length=24, blank=True)
    resolved = models.BooleanField("已解决", null=True, blank=True)

    # NULL, not "": the uniqueness constraint must ignore tickets created without a key.
    idempotency_key = models.CharField(max_length=128, null=True, blank=True)  # noqa: DJ001
    idempotency_fingerprint = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = "工单"
        verbose_name_plural = "工单"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                name="unique_idempotency_key",
                condition=models.Q(idempotency_key__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["state", "created_at"]),
            models.Index(fields=["handling_unit", "state"]),
            models.Index(fields=["channel", "created_at"]),  # Open311 lists its own requests by date
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    @property
    def state_enum(self) -> State:
        return State(self.state)


class TicketEvent(models.Model):
    """One entry of the event log (流转记录): written by every action, in the same transaction."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField("序号")
    action = models.CharField("动作", max_length=32, choices=ACTION_CHOICES)
    from_state = models.CharField("原状态", max_length=20, choices=STATE_CHOICES, blank=True)
    to_state = models.CharField("新状态", max_length=20, choices=STATE_CHOICES)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField("操作人姓名", max_length=150, help_text="系统操作为“系统”")
    actor_unit = models.ForeignKey(
        "directory.Unit", verbose_name="操作单位", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    payload = models.JSONField("内容", default=dict, blank=True)
    version = models.PositiveIntegerField("版本")
    created_at = models.DateTimeField("时间", db_index=True)
    # What the statistics count (docs/metrics.md), as columns so that a report is an indexed aggregate.
    unit = models.ForeignKey(
        "directory.Unit",
        verbose_name="责任单位",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="此时负责该工单的主办单位（派单记录为新派往的单位）；热线中心自己的环节为空",
    )
    late = models.BooleanField(
        "超时", null=True, blank=True, help_text="完成某一环节（派单、签收、答复、审核、回访）的记录：是否已过时限"
    )

    class Meta:
        verbose_name = "流转记录"
        verbose_name_plural = "流转记录"
        ordering = ["ticket_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["ticket", "seq"], name="unique_event_seq")]
        indexes = [models.Index(fields=["action", "created_at"]), models.Index(fields=["unit", "created_at"])]

    def __str__(self) -> str:
        return f"{self.ticket_id}#{self.seq} {self.action}"


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("文件", upload_to="attachments/%Y/%m/")
    name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("类型", max_length=100)
    size = models.PositiveIntegerField("大小")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"

    def __str__(self) -> str:
        return self.name


class DailySequence(models.Model):
    """The last ticket number issued on a day (Asia/Shanghai): numbers are date + sequence."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class IdentityAccess(models.Model):
    """Who was shown which citizen's identity, when and through what (查阅记录): the seeds hold units to account
    for citizens' privacy, so reading a name and number leaves a trace, as acting on a ticket does."""

    class Via(models.TextChoices):
        PAGE = "page", "工单页面"
        API = "api", "接口"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="查阅人"
    )
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+", verbose_name="工单")
    via = models.CharField("途径", max_length=10, choices=Via.choices)
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "诉求人信息查阅记录"
        verbose_name_plural = "诉求人信息查阅记录"
        indexes = [models.Index(fields=["ticket", "at"]), models.Index(fields=["user", "at"])]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.ticket_id} ({self.via})"
