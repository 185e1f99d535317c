"""The default message templates, in Chinese, and their rendering (pure Python, no Django import).

A placeholder is a name in braces, `{number}`. A name the context lacks renders empty: a citizen
would rather read a sentence with a gap than receive nothing. A centre overrides a default in the
admin (models.MessageTemplate); the overrides are checked against the names listed here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

PLACEHOLDER = re.compile(r"\{(\w+)\}")
# Every message names the ticket the same way.
TICKET_FIELDS = frozenset({"number", "subject", "query_code", "portal_url", "handling_limit", "due_at"})


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


@dataclass(frozen=True)
class Template:
    code: str
    label: str
    subject: str
    body: str
    fields: frozenset[str] = TICKET_FIELDS  # the names a centre may use in an override

    def render(self, context: Mapping[str, Any]) -> Rendered:
        return Rendered(fill(self.subject, context), fill(self.body, context))


def fill(text: str, context: Mapping[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        found = context.get(match.group(1))
        return "" if found is None else str(found)

    return PLACEHOLDER.sub(value, text)


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def chinese_date(moment: datetime) -> str:
    """A deadline as a citizen or a clerk reads it: 2026年11月28日 (the caller passes local time)."""
    return f"{moment.year}年{moment.month}月{moment.day}日"


def limit_text(amount: int, *, hours: bool) -> str:
    """A time limit as the receipt states it: 15个工作日, 当日, 2小时."""
    if hours:
        return f"{amount}小时"
    return "当日" if amount == 0 else f"{amount}个工作日"


def excerpt(text: str, limit: int) -> str:
    """`text` on one line, cut to `limit` characters with an ellipsis, without a full stop at the end (the
    template puts its own)."""
    plain = " ".join(text.split()).rstrip("。.；;，, ")
    return plain if len(plain) <= limit else plain[: limit - 1].rstrip("。.；;，, ") + "…"


def redact(text: str, name: str, phone: str) -> str:
    """Another citizen's name and number taken out of a text that is shown to someone else."""
    if len(name.strip()) >= 2:
        text = text.replace(name.strip(), "来电人")
    if len(phone.strip()) >= 5:
        text = text.replace(phone.strip(), "***")
    return text


# A merged appeal's citizen hears the result of the appeal it was merged into: this much of it, so that the
# message stays one long SMS; the rest is on the portal.
RESULT_EXCERPT = 60
UNIT_FIELDS = TICKET_FIELDS | {"unit"}
MERGED_FIELDS = TICKET_FIELDS | {"parent_number"}
DEFAULTS: dict[str, Template] = {
    t.code: t
    for t in (
        Template(
            "receipt",
            "受理回执",
            "受理回执：{number}",
            "【12345热线】您的诉求已受理，工单编号{number}，查询码{query_code}。"
            "可登录{portal_url}凭编号和查询码查询办理进度，办理时限为{handling_limit}。",
        ),
        Template(
            "closed",
            "办结通知",
            "办结通知：{number}",
            "【12345热线】您反映的诉求（工单编号{number}）已办结，可登录{portal_url}凭编号和查询码查看办理结果并评价。",
        ),
        Template(
            "merged",
            "并单通知",
            "并单通知：{number}",
            "【12345热线】您反映的诉求（工单编号{number}）已与同类诉求合并办理（主工单{parent_number}），"
            "办理结果将一并告知。",
            MERGED_FIELDS,
        ),
        Template(
            "merged_result",
            "并单办结通知",
            "办结通知：{number}",
            "【12345热线】您反映的诉求（工单编号{number}）已随主工单{parent_number}办结。办理结果：{result}。"
            "可登录{portal_url}凭编号和查询码查看。",
            MERGED_FIELDS | {"result"},
        ),
        Template(
            "new_ticket",
            "新工单",
            "新工单：{number} {subject}",
            "【12345热线】{unit}：新派工单{number}“{subject}”，请及时签收，{due_at}前办结。",
            UNIT_FIELDS,
        ),
        Template(
            "due_soon",
            "即将超期",
            "即将超期：{number} {subject}",
            "【12345热线】{unit}：工单{number}“{subject}”将于{due_at}到期，请抓紧办理并按时答复。",
            UNIT_FIELDS,
        ),
        Template(
            "reminder",
            "催办",
            "催办：{number} {subject}",
            "【12345热线】{unit}：工单{number}“{subject}”办理时限{due_at}，现予催办，请加快办理。",
            UNIT_FIELDS,
        ),
        Template(
            "supervision",
            "督办",
            "督办：{title} {number}",
            "【12345热线】{unit}：工单{number}“{subject}”已列入督办（{title}，{notice_number}），"
            "时限{due_at}，请于{explanation_due}前书面说明情况。",
            UNIT_FIELDS | {"title", "level", "notice_number", "explanation_due"},
        ),
        Template(
            "hotline_appeal",
            "原热线来件",
            "原热线来件：{number} {subject}",
            "【12345热线】{unit}：经{hotline}转来的诉求{number}“{subject}”已由12345登记办理，办理情况将同步告知。",
            UNIT_FIELDS | {"hotline"},
        ),
        Template(
            "hotline_closed",
            "原热线来件办结",
            "原热线来件办结：{number} {subject}",
            "【12345热线】{unit}：经{hotline}转来的诉求{number}“{subject}”已办结。",
            UNIT_FIELDS | {"hotline"},
        ),
        Template(
            "risk_alert",
            "风险预警",
            "风险预警：{theme} {count}件",
            "【12345热线】风险预警：{window}内新增“{theme}”诉求{count}件，最新一件为工单{number}“{subject}”，"
            "请值班长关注研判。",
            TICKET_FIELDS | {"theme", "count", "window"},
        ),
    )
}
CHOICES = [(t.code, t.label) for t in DEFAULTS.values()]
