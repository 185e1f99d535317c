"""API shapes of tickets and of each action's payload (Pydantic via Django Ninja).

Text fields default to "" so that a missing field reaches the domain validation, which answers in
Chinese with the field's name.
"""

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema

from rexian.core.inputs import ApiDate
from rexian.tickets.workflow import Action


class UnitRef(Schema):
    id: int
    code: str
    name: str


class CategoryRef(Schema):
    id: int
    code: str
    name: str
    path_name: str


class TicketIn(Schema):
    citizen_name: str = ""
    citizen_phone: str = ""
    is_anonymous: bool = False
    is_confidential: bool = False
    address: str = ""
    district: str | None = Field(None, description="区县编码")
    street: str | None = Field(None, description="街道/镇编码")
    subject: str = ""
    description: str = ""
    appeal_type: str = Field("", description="consult/help/complaint/report/suggestion/praise/other")
    category: str | None = Field(None, description="分类编码")
    urgency: str = "normal"
    channel: str = "phone"
    source_ref: str = ""
    hotline: str | None = Field(None, description="经双轨运行的原热线转来时，该热线号码（整合热线登记表）")


class TicketOut(Schema):
    id: int
    number: str
    state: str
    state_label: str
    version: int
    subject: str
    description: str
    appeal_type: str
    category: CategoryRef | None
    urgency: str
    channel: str
    citizen_name: str
    citizen_phone: str
    is_anonymous: bool
    is_confidential: bool
    address: str
    district: UnitRef | None
    street: UnitRef | None
    lead_unit: UnitRef | None
    handling_unit: UnitRef | None
    co_units: list[UnitRef]
    merged_into: int | None
    needs_information: bool
    extension_request: dict[str, Any] | None
    extensions_granted: int
    rehandle_count: int
    result_text: str
    satisfaction: str
    resolved: bool | None
    created_at: datetime
    dispatched_at: datetime | None
    signed_at: datetime | None
    return_deadline: datetime | None
    due_at: datetime | None
    replied_at: datetime | None
    callback_due_at: datetime | None
    closed_at: datetime | None
    allowed_actions: list[str]


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    uploaded_at: datetime


class TicketPage(Schema):
    items: list[TicketOut]
    count: int
    page: int
    page_size: int
    pages: int


class TicketFilters(Schema):
    state: list[str] | None = None
    number: str | None = None
    phone: str | None = None
    q: str | None = Field(None, max_length=100, description="标题或内容包含的文字")
    unit: str | None = Field(None, description="单位编码（含下级单位）")
    category: str | None = Field(None, description="分类编码（含下级分类）")
    appeal_type: str | None = None
    urgency: str | None = None
    channel: str | None = None
    created_from: ApiDate | None = None
    created_to: ApiDate | None = None
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(50, ge=1, le=200)


class EventOut(Schema):
    seq: int
    action: str
    action_label: str
    from_state: str
    to_state: str
    actor_name: str
    actor_unit: UnitRef | None
    payload: dict[str, Any]
    version: int
    created_at: datetime


class Versioned(Schema):
    version: int = Field(..., ge=1, description="客户端看到的工单版本（乐观并发）")


class AmendIn(Versioned):
    citizen_name: str | None = None
    citizen_phone: str | None = None
    is_anonymous: bool | None = None
    is_confidential: bool | None = None
    address: str | None = None
    district: str | None = None
    street: str | None = None
    subject: str | None = None
    description: str | None = None
    appeal_type: str | None = None
    category: str | None = None
    urgency: str | None = None


class AnswerIn(Versioned):
    answer: str = ""
    knowledge_entry: str = ""


class RejectIn(Versioned):
    reason: str = ""
    redirect_to: str = Field("", description="建议的反映渠道，如 110、119、120、122、人民法院、信访")


class ReasonIn(Versioned):
    reason: str = ""


class NoteIn(Versioned):
    note: str = ""


class DispatchIn(Versioned):
    lead_unit: int | str = Field(..., description="主办单位 id 或编码")
    co_units: list[int | str] = Field(default_factory=list, max_length=20)
    note: str = ""


class SubDispatchIn(Versioned):
    unit: int | str = Field(..., description="下级单位 id 或编码")
    note: str = ""


class ExtensionIn(Versioned):
    days: int | None = None
    reason: str = ""


class ReplyIn(Versioned):
    result: str = ""
    citizen_contacted: bool | None = None


class CallbackIn(Versioned):
    reached: bool | None = None
    satisfaction: Literal["satisfied", "basically_satisfied", "unsatisfied"] | None = None
    resolved: bool | None = None
    comment: str = ""


class MergeIn(Versioned):
    target_id: int
    note: str = ""


class NoteTextIn(Versioned):
    text: str = ""


# The payload of each action, shared by the API and the console's forms.
ACTION_SCHEMAS: dict[Action, type[Schema]] = {
    Action.AMEND: AmendIn,
    Action.ANSWER_DIRECTLY: AnswerIn,
    Action.REJECT_OUT_OF_SCOPE: RejectIn,
    Action.RETURN_TO_INTAKE: ReasonIn,
    Action.DISPATCH: DispatchIn,
    Action.RECALL_DISPATCH: ReasonIn,
    Action.SIGN: NoteIn,
    Action.SUB_DISPATCH: SubDispatchIn,
    Action.REQUEST_RETURN: ReasonIn,
    Action.APPROVE_RETURN: NoteIn,
    Action.REJECT_RETURN: ReasonIn,
    Action.REQUEST_EXTENSION: ExtensionIn,
    Action.APPROVE_EXTENSION: NoteIn,
    Action.REJECT_EXTENSION: ReasonIn,
    Action.REPLY: ReplyIn,
    Action.APPROVE_REPLY: NoteIn,
    Action.SEND_BACK_REPLY: ReasonIn,
    Action.CALLBACK: CallbackIn,
    Action.MERGE_INTO: MergeIn,
    Action.MARK_URGENT: ReasonIn,
    Action.ADD_NOTE: NoteTextIn,
    Action.ARCHIVE: NoteIn,
}


def action_kwargs(action: Action, payload: Schema) -> dict[str, Any]:
    """The keyword arguments of the action function for a validated payload (API and pages alike)."""
    data = payload.dict(exclude_unset=action is Action.AMEND)
    version = data.pop("version")
    if action is Action.AMEND:
        return {"version": version, "data": data}
    return {"version": version, **data}
