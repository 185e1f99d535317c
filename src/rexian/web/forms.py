"""The console's forms for ticket actions, as data: which fields each action asks for, and how a posted
form becomes the action's keyword arguments.

Validation is not repeated here: the posted values go through the API's payload schema for the action
(tickets/schemas.py) and then the action itself, whose errors name the fields in Chinese.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pydantic
from django.http import QueryDict
from django.utils.translation import gettext, gettext_lazy

from rexian.core.errors import ValidationError
from rexian.tickets import schemas
from rexian.tickets.workflow import Action, CallbackOutcome

REDIRECT_CHANNELS = ("110 报警", "119 火警", "120 急救", "122 交通事故", "人民法院", "信访部门", "仲裁机构", "其他")


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: str = "text"  # text, textarea, unit, units, subunit, int, yesno, choice, file(s), ticket, datalist, category
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    hint: str = ""


@dataclass(frozen=True)
class ActionForm:
    fields: tuple[FormField, ...] = ()
    style: str = ""  # the submit button's class: primary, good, warn
    script: str = ""  # words for the agent to read out (the callback)
    multipart: bool = field(default=False)


NOTE = FormField("note", "说明")
REASON = FormField("reason", "理由", "textarea", required=True)
YES_NO = (("yes", "是"), ("no", "否"))
CALLBACK_SCRIPT = gettext_lazy(
    "您好，这里是12345政务服务便民热线。您于{date}反映的“{subject}”，{unit}已答复办理。"
    "请问：1. 承办单位是否与您联系过？2. 问题是否已解决？3. 您对办理结果满意、基本满意还是不满意？"
)

ACTION_FORMS: dict[Action, ActionForm] = {
    Action.AMEND: ActionForm(
        (
            FormField("subject", "标题"),
            FormField("description", "诉求内容", "textarea"),
            FormField("address", "地址"),
            FormField("category", "分类", "category"),
        )
    ),
    Action.ANSWER_DIRECTLY: ActionForm((FormField("answer", "答复内容", "textarea", required=True),), "good"),
    Action.REJECT_OUT_OF_SCOPE: ActionForm(
        (
            FormField("reason", "不予受理理由", "textarea", required=True),
            FormField("redirect_to", "建议反映渠道", "datalist", choices=tuple((c, c) for c in REDIRECT_CHANNELS)),
        ),
        "warn",
    ),
    Action.RETURN_TO_INTAKE: ActionForm((FormField("reason", "需补充的内容", "textarea", required=True),), "warn"),
    Action.DISPATCH: ActionForm(
        (
            FormField("lead_unit", "主办单位", "unit", required=True),
            FormField("co_units", "协办单位", "units", hint="可多选（按住 Ctrl）"),
            NOTE,
        ),
        "primary",
    ),
    Action.RECALL_DISPATCH: ActionForm((FormField("reason", "撤回原因", "textarea", required=True),), "warn"),
    Action.SIGN: ActionForm((NOTE,), "primary"),
    Action.SUB_DISPATCH: ActionForm((FormField("unit", "下级承办单位", "subunit", required=True), NOTE)),
    Action.REQUEST_RETURN: ActionForm((FormField("reason", "退单理由", "textarea", required=True),), "warn"),
    Action.APPROVE_RETURN: ActionForm((NOTE,), "good"),
    Action.REJECT_RETURN: ActionForm((REASON,), "warn"),
    Action.REQUEST_EXTENSION: ActionForm(
        (
            FormField("days", "延期工作日数", "int", required=True),
            FormField("reason", "延期理由", "textarea", required=True),
        )
    ),
    Action.APPROVE_EXTENSION: ActionForm((NOTE,), "good"),
    Action.REJECT_EXTENSION: ActionForm((REASON,), "warn"),
    Action.REPLY: ActionForm(
        (
            FormField("result", "办理结果", "textarea", required=True),
            FormField("citizen_contacted", "是否已联系诉求人", "yesno", required=True, choices=YES_NO),
            FormField("files", "附件", "files", hint="图片、PDF、Office 文档等，每个不超过 10 MB"),
        ),
        "primary",
        multipart=True,
    ),
    Action.APPROVE_REPLY: ActionForm((NOTE,), "good"),
    Action.SEND_BACK_REPLY: ActionForm((FormField("reason", "退回理由", "textarea", required=True),), "warn"),
    Action.CALLBACK: ActionForm(
        (
            FormField("reached", "是否联系上诉求人", "yesno", required=True, choices=YES_NO),
            FormField("satisfaction", "满意度", "choice", choices=tuple((o.value, o.label) for o in CallbackOutcome)),
            FormField("resolved", "问题是否解决", "yesno", choices=YES_NO),
            FormField("comment", "回访意见", "textarea"),
        ),
        "primary",
        script=CALLBACK_SCRIPT,
    ),
    Action.MERGE_INTO: ActionForm((FormField("target", "并入工单编号", "ticket", required=True), NOTE)),
    Action.MARK_URGENT: ActionForm((REASON,), "warn"),
    Action.ADD_NOTE: ActionForm(
        (FormField("text", "备注", "textarea"), FormField("file", "附件", "file", hint="可只上传文件，不超过 10 MB")),
        multipart=True,
    ),
    Action.ARCHIVE: ActionForm((NOTE,)),
}


def _yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def _form_value(spec: FormField, post: QueryDict) -> Any:
    if spec.kind == "units":
        return [v for v in post.getlist(spec.name) if v]
    if spec.kind == "yesno":
        return _yes_no(post.get(spec.name))
    if spec.kind == "int":
        raw = (post.get(spec.name) or "").strip()
        if not raw:
            return None
        if not raw.isdigit():
            raise ValidationError(gettext("请填写整数。"), fields={spec.name: [gettext("请填写整数。")]})
        return int(raw)
    value = post.get(spec.name)
    return value if value not in (None, "") else None


def action_kwargs(action: Action, post: QueryDict, *, resolve_ticket: Any = None) -> dict[str, Any]:
    """The action's keyword arguments from a posted form; a ValidationError names the bad fields."""
    form = ACTION_FORMS[action]
    data: dict[str, Any] = {"version": post.get("version")}
    values = {spec.name: _form_value(spec, post) for spec in form.fields if spec.kind not in ("file", "files")}
    if action is Action.AMEND:
        data.update({k: v for k, v in values.items() if v is not None})
    elif action is Action.MERGE_INTO:
        target = resolve_ticket(values.pop("target") or "") if resolve_ticket else None
        if target is None:
            raise ValidationError(gettext("找不到该工单编号。"), fields={"target": [gettext("找不到该工单编号。")]})
        data.update({"target_id": target, **{k: v for k, v in values.items() if v is not None}})
    else:
        data.update({k: v for k, v in values.items() if v is not None})
    try:
        payload = schemas.ACTION_SCHEMAS[action].model_validate(data)
    except pydantic.ValidationError as error:
        fields: dict[str, list[str]] = {}
        for problem in error.errors():
            name = str(problem["loc"][0]) if problem["loc"] else "__all__"
            message = gettext("格式不正确。") if name != "version" else gettext("页面已过期，请刷新。")
            fields.setdefault(name, []).append(message)
        raise ValidationError(gettext("提交的内容有误，请检查标注的字段。"), fields=fields) from error
    return schemas.action_kwargs(action, payload)
