"""Filters for the call pages: a duration as 3分05秒, a call's state or event in Chinese."""

from __future__ import annotations

from django import template

from rexian.telephony.rules import STATE_LABELS, CallState, duration

register = template.Library()


@register.filter
def seconds(value: float | None) -> str:
    return duration(value)


@register.filter
def call_state(code: str) -> str:
    try:
        return STATE_LABELS[CallState(code)]
    except ValueError:
        return code
