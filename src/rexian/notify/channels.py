"""How a message leaves the house: the log (the default, for development), email, SMS.

A channel's `send` returns when the message is handed over and raises SendError, with the reason,
when it is not. It never retries: the delivery log (sending.py) decides when to try again.
"""

from __future__ import annotations

import http.client
import json
import logging
import secrets
import smtplib
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail

from rexian.core.masking import mask_phone
from rexian.intake.signing import signed_headers
from rexian.notify.rules import ALWAYS_ON, channel_names

logger = logging.getLogger("rexian.notify")


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str
    ref: str  # our id for the message, given to the gateway so that its logs can be matched with ours


class SendError(Exception):
    """The channel did not take the message."""


class Channel(Protocol):
    def send(self, message: Message) -> None: ...


class LogChannel:
    """Writes the message to the log instead of sending it (development, trials). The recipient is masked: logs
    travel further than the database, and a phone number is personal data."""

    def send(self, message: Message) -> None:
        to = message.to if "@" in message.to else mask_phone(message.to)
        logger.info("notify %s to=%s subject=%s body=%s", message.ref, to, message.subject, message.body)


class EmailChannel:
    """Django's send_mail: EMAIL_BACKEND, EMAIL_HOST and DEFAULT_FROM_EMAIL apply."""

    def send(self, message: Message) -> None:
        try:
            send_mail(message.subject, message.body, None, [message.to], fail_silently=False)
        except (smtplib.SMTPException, OSError) as error:
            raise SendError(f"邮件发送失败：{error}") from error


class SmsChannel:
    """POST {"to", "text", "ref"} as JSON to the gateway, with its bearer token; any 2xx is success."""

    def send(self, message: Message) -> None:
        config = settings.REXIAN
        if not config["SMS_GATEWAY_URL"]:
            raise SendError("未配置短信网关地址（REXIAN_SMS_GATEWAY_URL）")
        body = json.dumps({"to": message.to, "text": message.body, "ref": message.ref}).encode()
        _post(config["SMS_GATEWAY_URL"], body, {"Authorization": f"Bearer {config['SMS_GATEWAY_TOKEN']}"}, "短信网关")


class ReplyChannel:
    """Back through the channel the citizen wrote through: by e-mail for a mailbox, else a signed POST of
    {"to", "text", "in_reply_to", "ref"} to the gateway's reply address (intake/signing.py); any 2xx is success."""

    def send(self, message: Message) -> None:
        from rexian.intake.models import ChannelKind, InboundMessage  # intake's models import notify's outbox

        inbound = InboundMessage.objects.select_related("account").filter(pk=message.to).first()
        if inbound is None:
            raise SendError(f"来件 {message.to} 已不存在")
        account = inbound.account
        if account.kind == ChannelKind.EMAIL:
            EmailChannel().send(Message(inbound.sender, message.subject, message.body, message.ref))
            return
        if not account.reply_url:
            raise SendError(f"渠道“{account.name}”未配置回复地址")
        body = json.dumps(
            {"to": inbound.sender, "text": message.body, "in_reply_to": inbound.message_id, "ref": message.ref},
            ensure_ascii=False,
        ).encode()
        headers = signed_headers(account.secret, int(time.time()), secrets.token_hex(16), body)
        _post(account.reply_url, body, headers, f"渠道“{account.name}”")


def _post(url: str, body: bytes, headers: dict[str, str], who: str) -> None:
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json", **headers}, method="POST"
    )
    try:
        _OPENER.open(request, timeout=settings.REXIAN["SMS_GATEWAY_TIMEOUT"]).close()
    except urllib.error.HTTPError as error:  # any status outside 2xx
        raise SendError(f"{who}返回 HTTP {error.code}：{_excerpt(error)}") from error
    except urllib.error.URLError as error:
        raise SendError(f"无法连接{who}：{error.reason}") from error
    except (OSError, http.client.HTTPException) as error:  # a timeout, a reset, a garbled answer
        raise SendError(f"{who}无有效响应：{error!r}") from error


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """urllib would follow a redirect with a GET without the body: the message would be lost, yet "sent"."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect())


def _excerpt(error: urllib.error.HTTPError) -> str:
    try:
        return error.read(200).decode(errors="replace")
    except OSError:
        return ""


CHANNELS: dict[str, Channel] = {
    "log": LogChannel(),
    "email": EmailChannel(),
    "sms": SmsChannel(),
    "reply": ReplyChannel(),
}


def enabled_channels() -> list[str]:
    """The channels REXIAN["NOTIFY_CHANNELS"] names ("console" is the log), and the reply channel."""
    return channel_names([*settings.REXIAN["NOTIFY_CHANNELS"], *ALWAYS_ON])
