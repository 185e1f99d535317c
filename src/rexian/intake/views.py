"""The signed webhook through which WeChat (official account, mini-program) and SMS gateways hand us citizens'
messages. The body, the signature and the answers are documented in docs/integration.md."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from rexian.intake.actions import Incoming, receive_once
from rexian.intake.models import ChannelKind, InboundMessage
from rexian.intake.webhooks import answer, json_object, remember_nonce, signed_account, text_fields, webhook
from rexian.tickets.models import DESCRIPTION_MAX

MESSAGE_KINDS = (ChannelKind.WECHAT, ChannelKind.MINIPROGRAM, ChannelKind.SMS)
MESSAGE_FIELDS = {
    "message_id": 200,
    "sender": 254,
    "text": DESCRIPTION_MAX,
    "sender_name": 50,
    "phone": 32,
    "address": 200,
}
REQUIRED = ("message_id", "sender", "text")


@webhook
def message(request: HttpRequest, code: str) -> HttpResponse:
    """201 with the new ticket; 200 with the first ticket when the message id was delivered before."""
    account = signed_account(request, code, MESSAGE_KINDS)
    fields = text_fields(json_object(request), MESSAGE_FIELDS, REQUIRED)
    inbound, created = receive_once(account, Incoming(**fields), before=lambda: remember_nonce(account, request))
    return answer(201 if created else 200, _receipt(inbound, duplicate=not created))


def _receipt(inbound: InboundMessage, *, duplicate: bool) -> dict[str, object]:
    ticket = inbound.ticket
    return {
        "message_id": inbound.message_id,
        "ticket": ticket.number if ticket else None,
        "query_code": ticket.query_code if ticket else None,
        "duplicate": duplicate,
    }
