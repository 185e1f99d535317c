"""The CTI's webhook: POST /hooks/<code>/calls, one call event per request, signed with the account's secret
(intake/signing.py). The body and the answers are in docs/telephony.md."""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse

from rexian.intake.models import ChannelKind
from rexian.intake.webhooks import (
    WebhookRefused,
    answer,
    json_object,
    remember_nonce,
    signed_account,
    text_fields,
    webhook,
)
from rexian.telephony.actions import record_call_event
from rexian.telephony.models import AGENT_LIMIT, ID_LIMIT, PHONE_LIMIT, TRANSFER_LIMIT, URL_LIMIT
from rexian.telephony.rules import EventFact, EventIn, parse_kind, parse_time, url_problem

LIMITS = {
    "event_id": ID_LIMIT,
    "call_id": ID_LIMIT,
    "caller": PHONE_LIMIT,
    "dialled": PHONE_LIMIT,
    "agent": AGENT_LIMIT,
    "recording_url": URL_LIMIT,
    "transferred_to": TRANSFER_LIMIT,
}
REQUIRED = ("event_id", "call_id")


@webhook
def call_event(request: HttpRequest, code: str) -> HttpResponse:
    account = signed_account(request, code, kinds=[ChannelKind.CTI])
    event = read_event(json_object(request))
    with transaction.atomic():
        remember_nonce(account, request)
        call, created = record_call_event(account, event)
    body = {"call_id": call.call_id, "state": call.state, "duplicate": not created}
    return answer(201 if created else 200, body)


def read_event(body: dict[str, Any]) -> EventIn:
    """The checked event, or one 400 naming every missing or malformed field."""
    errors: dict[str, list[str]] = {}
    try:
        texts = text_fields(body, LIMITS, REQUIRED)
    except WebhookRefused as refused:
        errors.update(refused.fields)
        texts = {}
    kind, kind_problem = parse_kind(body.get("event"))
    at, at_problem = parse_time(body.get("at"))
    if not _json_safe(body):
        errors["__all__"] = ["请求体不能含有 NaN 或 Infinity。"]
    for name, problem in (("event", kind_problem), ("at", at_problem),
                          ("recording_url", url_problem(texts.get("recording_url", "")))):  # fmt: skip
        if problem:
            errors[name] = [problem]
    if errors or kind is None or at is None:
        raise WebhookRefused(400, "malformed", "请求体缺少字段或格式有误。", errors)
    fact = EventFact(kind, at, **{name: texts[name] for name in LIMITS if name not in REQUIRED})
    return EventIn(texts["event_id"], texts["call_id"], fact, body)


def _json_safe(body: dict[str, Any]) -> bool:
    """Python's JSON reads NaN and Infinity; the stored payload (PostgreSQL's jsonb) must not hold them."""
    try:
        json.dumps(body, allow_nan=False)
    except ValueError:
        return False
    return True
