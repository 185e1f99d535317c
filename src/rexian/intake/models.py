from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from rexian.core.fields import SealedTextField
from rexian.intake.screening import CONCERN_LABELS, SERVICE_LABELS, Concern, Rule, regex_error

SUMMARY_LIMIT = 2000


class EmergencyService(models.TextChoices):
    POLICE = "110", SERVICE_LABELS["110"]
    FIRE = "119", SERVICE_LABELS["119"]
    AMBULANCE = "120", SERVICE_LABELS["120"]
    TRAFFIC = "122", SERVICE_LABELS["122"]


class TransferDirection(models.TextChoices):
    OUT = "out", "转出"  # 12345 hands the caller to the emergency service
    IN = "in", "转入"  # the emergency service passes a non-emergency call to 12345


class ScreeningRule(models.Model):
    """A phrase or expression that marks an appeal as an emergency (转 110/119/120/122 at once) or as a matter
    the hotline does not take (不予受理), with the reason and where to send the caller. Seeded with
    screening.SEED_RULES; the centre edits them here."""

    concern = models.CharField("类别", max_length=16, choices=[(c.value, c.label) for c in Concern])
    pattern = models.CharField("关键词", max_length=200, help_text="按原文包含匹配；勾选“正则表达式”后按正则匹配")
    is_regex = models.BooleanField("正则表达式", default=False)
    transfer_to = models.CharField(
        "转接号码", max_length=3, choices=EmergencyService.choices, blank=True, help_text="紧急警情必填"
    )
    reason = models.CharField(
        "原因", max_length=300, blank=True, help_text="不予受理的原因（必填），或紧急警情的性质；提示给受理员"
    )
    redirect_to = models.CharField("建议反映渠道", max_length=100, blank=True, help_text="如：人民法院、仲裁机构")
    is_active = models.BooleanField("启用", default=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "筛查规则"
        verbose_name_plural = "筛查规则"
        ordering = ["concern", "pk"]

    def __str__(self) -> str:
        return f"{CONCERN_LABELS[Concern(self.concern)]}：{self.pattern}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.is_regex and (problem := regex_error(self.pattern)):
            errors["pattern"] = f"正则表达式有误：{problem}"
        if self.concern == Concern.EMERGENCY and not self.transfer_to:
            errors["transfer_to"] = "紧急警情须选择转接号码（110、119、120 或 122）。"
        if self.concern == Concern.OUT_OF_SCOPE:
            if not self.reason.strip():
                errors["reason"] = "请填写不予受理的原因，受理员要向来电人解释。"
            if self.transfer_to:
                errors["transfer_to"] = "不予受理情形不转接急警号码。"
        if errors:
            raise ValidationError(errors)

    def as_rule(self) -> Rule:
        return Rule(
            concern=Concern(self.concern),
            pattern=self.pattern,
            is_regex=self.is_regex,
            transfer_to=self.transfer_to,
            reason=self.reason,
            redirect_to=self.redirect_to,
        )


class EmergencyTransfer(models.Model):
    """A call handed to (or received from) 110/119/120/122 (急警联动): the record the centre keeps of it."""

    service = models.CharField("联动号码", max_length=3, choices=EmergencyService.choices)
    direction = models.CharField("方向", max_length=3, choices=TransferDirection.choices, default=TransferDirection.OUT)
    reason = models.TextField("转接原因")
    summary = models.TextField("来电内容", max_length=SUMMARY_LIMIT, blank=True)
    caller_phone = models.CharField("来电号码", max_length=32, blank=True)
    partner_reference = models.CharField("对方接警编号", max_length=64, blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name="关联工单",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="emergency_transfers",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="记录人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept beside the account, as events do: the record must still name the agent after the account goes.
    created_by_name = models.CharField("记录人姓名", max_length=150, blank=True)
    created_at = models.DateTimeField("时间", db_index=True)

    class Meta:
        verbose_name = "急警联动记录"
        verbose_name_plural = "急警联动记录"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.get_service_display()} {self.created_at:%Y-%m-%d %H:%M}"


class ChannelKind(models.TextChoices):
    WECHAT = "wechat", "微信公众号"
    MINIPROGRAM = "miniprogram", "微信小程序"
    SMS = "sms", "短信网关"
    EMAIL = "email", "电子邮箱"
    CTI = "cti", "呼叫中心（CTI）"


class ChannelAccount(models.Model):
    """One way appeals come in from outside: a WeChat account or mini-program, an SMS gateway, a mailbox, the call
    centre's CTI. Gateways sign their webhooks with `secret` (intake/signing.py); replies go back to `reply_url`
    (or, for a mailbox, by e-mail)."""

    code = models.SlugField("接入编码", max_length=32, unique=True, help_text="出现在回调地址中：/hooks/<编码>/…")
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=12, choices=ChannelKind.choices)
    # Checking an HMAC needs the key itself, so it cannot be hashed like a password: it is sealed (core/fields.py).
    secret = SealedTextField("签名密钥", max_length=128, blank=True, help_text="与网关约定的 HMAC-SHA256 密钥")
    reply_url = models.URLField("回复地址", blank=True, help_text="答复群众时，把消息签名后 POST 到此地址")
    hotline = models.ForeignKey(
        "directory.MergedHotline",
        verbose_name="所属原热线",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="channel_accounts",
        help_text="经双轨运行的原热线接入时选择：其诉求标注该热线并告知主管单位",
    )
    imap_host = models.CharField("IMAP 服务器", max_length=200, blank=True)
    imap_port = models.PositiveIntegerField("IMAP 端口", default=993)
    imap_ssl = models.BooleanField("IMAP 使用 SSL", default=True)
    imap_user = models.CharField("IMAP 用户名", max_length=200, blank=True)
    imap_password = SealedTextField("IMAP 密码", max_length=200, blank=True)
    imap_folder = models.CharField("IMAP 文件夹", max_length=100, default="INBOX")
    maildir = models.CharField("Maildir 目录", max_length=300, blank=True, help_text="不用 IMAP 时，从此目录读取邮件")
    is_active = models.BooleanField("启用", default=True)
    last_polled_at = models.DateTimeField("最近收取", null=True, blank=True)
    last_error = models.CharField("最近错误", max_length=500, blank=True)

    class Meta:
        verbose_name = "接入渠道"
        verbose_name_plural = "接入渠道"
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.name}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.kind == ChannelKind.EMAIL:
            if not (self.imap_host or self.maildir):
                errors["imap_host"] = "电子邮箱须填写 IMAP 服务器或 Maildir 目录。"
        elif not self.secret:
            errors["secret"] = "请填写签名密钥：网关用它签名回调请求。"
        if errors:
            raise ValidationError(errors)


class WebhookNonce(models.Model):
    """A nonce seen within the signing window: the same signed request a second time is a replay."""

    account = models.ForeignKey(ChannelAccount, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=64)
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "nonce"], name="unique_webhook_nonce")]

    def __str__(self) -> str:
        return self.nonce


class InboundMessage(models.Model):
    """A message a citizen sent through a channel, and the ticket it became. The gateway's message id makes a
    retried delivery return the first ticket instead of a second one."""

    account = models.ForeignKey(ChannelAccount, verbose_name="渠道", on_delete=models.PROTECT, related_name="messages")
    message_id = models.CharField("消息编号", max_length=200)
    sender = models.CharField("发送方", max_length=254, help_text="openid、手机号或邮箱")
    sender_name = models.CharField("发送人", max_length=100, blank=True)
    text = models.TextField("内容")
    received_at = models.DateTimeField("收到时间", db_index=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name="工单", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "渠道来件"
        verbose_name_plural = "渠道来件"
        ordering = ["-received_at"]
        constraints = [models.UniqueConstraint(fields=["account", "message_id"], name="unique_inbound_message")]

    def __str__(self) -> str:
        return f"{self.account.name} {self.message_id}"
