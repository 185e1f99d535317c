"""Who hears of which event, by which channel, and when a failed message is tried again
(pure Python, no Django import)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from rexian.tickets.workflow import Action, State

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


def citizen_template(action: Action, to_state: str) -> str | None:
    """The template of the message an event sends the citizen, if any."""
    if action is Action.CREATE:
        return "receipt"
    if action is Action.ANSWER_DIRECTLY or (action is Action.CALLBACK and to_state == State.CLOSED):
        return "closed"
    return None


# ---- channels ---------------------------------------------------------------------------------------


class Medium(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    # The channel the citizen wrote through (WeChat, an SMS gateway, a mailbox): the address is the message's id.
    INBOUND = "inbound"


@dataclass(frozen=True)
class Contact:
    medium: Medium
    address: str


# The log channel takes every address: it stands in for the real channels on a development machine.
CHANNEL_MEDIA: dict[str, frozenset[Medium]] = {
    "log": frozenset({Medium.PHONE, Medium.EMAIL}),
    "sms": frozenset({Medium.PHONE}),
    "email": frozenset({Medium.EMAIL}),
    "reply": frozenset({Medium.INBOUND}),
}
CHANNEL_ALIASES = {"console": "log"}
# Always on: a citizen who wrote to us through a channel is answered there, whatever NOTIFY_CHANNELS says.
ALWAYS_ON = ("reply",)


def channel_names(configured: Iterable[str]) -> list[str]:
    """The configured channel names, aliases resolved, unknown names dropped (the system check names them)."""
    names = (CHANNEL_ALIASES.get(name, name) for name in configured)
    return [name for name in dict.fromkeys(names) if name in CHANNEL_MEDIA]


def routes(contacts: Sequence[Contact], channels: Iterable[str]) -> list[tuple[str, str]]:
    """(channel, address) for every contact an enabled channel can reach, each once."""
    found = {
        (channel, contact.address)
        for channel in channel_names(channels)
        for contact in contacts
        if contact.address and contact.medium in CHANNEL_MEDIA[channel]
    }
    return sorted(found)


# ---- retries ----------------------------------------------------------------------------------------

# Waits after the 1st, 2nd, … failed attempt; the last one repeats.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))


def backoff(attempts: int) -> timedelta:
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


def gives_up(attempts: int, max_attempts: int) -> bool:
    return attempts >= max_attempts
