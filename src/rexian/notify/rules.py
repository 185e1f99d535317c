"""Who hears of which event (pure Python, no Django import)."""

from __future__ import annotations

from rexian.tickets.workflow import Action

# Actions whose news goes to the unit now handling the ticket.
TO_HANDLING_UNIT: dict[Action, str] = {
    Action.DISPATCH: "新派工单待签收",
    Action.SUB_DISPATCH: "上级单位转来工单待签收",
    Action.REJECT_RETURN: "退单申请被驳回，请继续办理",
    Action.APPROVE_EXTENSION: "延期申请已同意",
    Action.REJECT_EXTENSION: "延期申请被驳回",
    Action.SEND_BACK_REPLY: "答复被审核退回，请重新办理",
    Action.CALLBACK: "群众回访不满意，工单重办",
    Action.MARK_URGENT: "工单已标记为紧急",
}
# Actions whose news goes to the centre (the review and dispatch desks).
TO_CENTRE: dict[Action, str] = {
    Action.REQUEST_RETURN: "承办单位申请退单",
    Action.REQUEST_EXTENSION: "承办单位申请延期",
    Action.REPLY: "承办单位已答复，待审核",
}


def message_for(action: Action, rehandle: bool) -> tuple[str | None, str | None]:
    """(message to the handling unit, message to the centre) for an event."""
    if action is Action.CALLBACK and not rehandle:
        return None, None
    return TO_HANDLING_UNIT.get(action), TO_CENTRE.get(action)
