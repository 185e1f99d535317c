"""How a message leaves the house: the log (the default, for development), email, SMS.

A channel's `send` returns when the message is handed over and raises SendError, with the reason,
when it is not. It never retries: the delivery log (sending.py) decides when to try again.
"""

from __future__ import annotations

import http.client
import json
import logging
import smtplib
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail

from rexian.notify.rules import channel_names

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
    def send(self, message: Message) -> None:
        logger.info("notify %s to=%s subject=%s body=%s", message.ref, message.to, message.subject, message.body)


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
        request = urllib.request.Request(
            config["SMS_GATEWAY_URL"],
            data=json.dumps({"to": message.to, "text": message.body, "ref": message.ref}).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {config['SMS_GATEWAY_TOKEN']}"},
            method="POST",
        )
        try:
            _OPENER.open(request, timeout=config["SMS_GATEWAY_TIMEOUT"]).close()
        except urllib.error.HTTPError as error:  # any status outside 2xx
            raise SendError(f"短信网关返回 HTTP {error.code}：{_excerpt(error)}") from error
        except urllib.error.URLError as error:
            raise SendError(f"无法连接短信网关：{error.reason}") from error
        except (OSError, http.client.HTTPException) as error:  # a timeout, a reset, a garbled answer
            raise SendError(f"短信网关无有效响应：{error!r}") from error


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


CHANNELS: dict[str, Channel] = {"log": LogChannel(), "email": EmailChannel(), "sms": SmsChannel()}


def enabled_channels() -> list[str]:
    """The channels REXIAN["NOTIFY_CHANNELS"] names ("console" is the log)."""
    return channel_names(settings.REXIAN["NOTIFY_CHANNELS"])
