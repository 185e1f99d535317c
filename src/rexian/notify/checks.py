"""`manage.py check` reports a channel setting that would make every message fail."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning

from rexian.notify.rules import CHANNEL_ALIASES, CHANNEL_MEDIA, channel_names


def check_channels(**_: Any) -> list[CheckMessage]:
    configured = settings.REXIAN["NOTIFY_CHANNELS"]
    problems: list[CheckMessage] = []
    unknown = [name for name in configured if name not in CHANNEL_MEDIA and name not in CHANNEL_ALIASES]
    if unknown:
        problems.append(
            Error(
                f"REXIAN_NOTIFY_CHANNELS names unknown channels: {', '.join(unknown)}",
                hint=f"Use {', '.join([*CHANNEL_MEDIA, *CHANNEL_ALIASES])}.",
                id="notify.E001",
            )
        )
    if "sms" in channel_names(configured) and not settings.REXIAN["SMS_GATEWAY_URL"]:
        problems.append(
            Warning(
                "The sms channel is enabled but REXIAN_SMS_GATEWAY_URL is empty: every SMS will fail.",
                id="notify.W001",
            )
        )
    return problems
