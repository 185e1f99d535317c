"""Choice sets with a code, a Chinese label and a colour (as NetBox's ChoiceSet)."""

from __future__ import annotations

from django.db import models


class AppealType(models.TextChoices):
    CONSULT = "consult", "咨询"
    HELP = "help", "求助"
    COMPLAINT = "complaint", "投诉"
    REPORT = "report", "举报"
    SUGGESTION = "suggestion", "建议"
    PRAISE = "praise", "表扬"
    OTHER = "other", "其他"


class Urgency(models.TextChoices):
    NORMAL = "normal", "一般"
    URGENT = "urgent", "紧急"


class Channel(models.TextChoices):
    PHONE = "phone", "电话"
    WEB = "web", "网站"
    WECHAT = "wechat", "微信"
    SMS = "sms", "短信"
    EMAIL = "email", "邮件"
    APP = "app", "小程序/APP"
    LETTER = "letter", "来信"
    OPEN311 = "open311", "Open311"
    IMPORT = "import", "导入"


COLOURS: dict[str, str] = {
    Urgency.NORMAL: "grey",
    Urgency.URGENT: "red",
    AppealType.COMPLAINT: "orange",
    AppealType.REPORT: "red",
    AppealType.CONSULT: "blue",
    AppealType.HELP: "cyan",
    AppealType.SUGGESTION: "green",
    AppealType.PRAISE: "green",
    AppealType.OTHER: "grey",
}
