"""The machinery every signed webhook shares (channel messages here, call events in telephony): find the
channel account, check the signature and the nonce, read the JSON body, answer errors as {code, message,
fields}. The signing rules themselves are pure, in intake/signing.py."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from datetime import timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from rexian.core import clock
from rexian.core.errors import DomainError
from rexian.core.inputs import NUL_MESSAGE, unsafe_fields
from rexian.core.ratelimit import hit
from rexian.intake import signing
from rexian.intake.models import ChannelAccount, WebhookNonce
from rexian.tickets.validation import FieldErrors, clean_text

BODY_LIMIT = 64 * 1024


class WebhookRefused(DomainError):
    """A request refused before anything is written; its status is chosen by the check that failed."""

    def __init__(self, status: int, code: str, message: str, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message, fields=fields, code=code)
        self.status = status


def answer(status: int, body: dict[str, Any]) -> JsonResponse:
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def webhook(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """POST only, no CSRF (gateways are not browsers: the signature stands in for it), every refusal as JSON."""

    @csrf_exempt
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method != "POST":
            return answer(405, {"code": "method_not_allowed", "message": "只接受 POST。", "fields": {}})
        try:
            return view(request, *args, **kwargs)
        except DomainError as refused:
            return answer(refused.status, refused.as_dict())

    return wrapped


def signed_account(request: HttpRequest, code: str, kinds: Collection[str]) -> ChannelAccount:
    """The active account `code` of one of `kinds`, when the request is signed with its secret within the window."""
    account = ChannelAccount.objects.filter(code=code, kind__in=kinds).first()
    if account is None:
        raise WebhookRefused(404, "unknown_channel", f"没有接入编码为 {code} 的渠道。")
    if not account.is_active:
        raise WebhookRefused(403, "channel_disabled", f"渠道 {account.name} 已停用。")
    if len(request.body) > BODY_LIMIT:
        raise WebhookRefused(413, "body_too_large", f"请求体超过 {BODY_LIMIT // 1024} KB。")
    refusal = signing.check(account.secret, request.headers, request.body, clock.now().timestamp())
    if refusal is not None:
        raise WebhookRefused(refusal.status, refusal.code, refusal.message)
    # Counted only once signed: a stranger without the secret cannot use up a gateway's allowance.
    if not hit("webhook", account.code, limit=settings.REXIAN["WEBHOOK_CALLS_PER_MINUTE"], window_seconds=60):
        raise WebhookRefused(429, "rate_limited", "调用过于频繁，请稍后重试。")
    return account


def remember_nonce(account: ChannelAccount, request: HttpRequest) -> None:
    """Call inside the transaction that does the request's work: a replay is refused, and a refused request
    leaves its nonce unspent with the rest of its work."""
    try:
        with transaction.atomic():
            WebhookNonce.objects.create(
                account=account, nonce=request.headers[signing.NONCE_HEADER], seen_at=clock.now()
            )
    except IntegrityError:
        refusal = signing.REPLAYED
        raise WebhookRefused(refusal.status, refusal.code, refusal.message) from None


def forget_old_nonces(now: Any) -> int:
    """Nonces older than twice the window can go: their timestamps are refused by the window already."""
    cutoff = now - timedelta(seconds=2 * signing.WINDOW_SECONDS)
    return WebhookNonce.objects.filter(seen_at__lt=cutoff).delete()[0]


def json_object(request: HttpRequest) -> dict[str, Any]:
    try:
        body = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise WebhookRefused(400, "malformed", f"请求体不是有效的 UTF-8 JSON：{error}") from None
    if not isinstance(body, dict):
        raise WebhookRefused(400, "malformed", "请求体应为 JSON 对象。")
    if names := unsafe_fields(body):  # a NUL would fail at the database, as a server error
        raise WebhookRefused(400, "malformed", "请求体含有无法保存的字符。", {name: [NUL_MESSAGE] for name in names})
    return body


def text_fields(body: dict[str, Any], limits: dict[str, int], required: Collection[str]) -> dict[str, str]:
    """The named string fields of a body, stripped (the create path's text rules); every missing, non-text or
    over-long one named in one 400."""
    errors = FieldErrors()
    values = {
        name: clean_text(errors, name, body.get(name), label=name, limit=limit, required=name in required)
        for name, limit in limits.items()
    }
    if errors.fields:
        raise WebhookRefused(400, "malformed", "请求体缺少字段或格式有误。", errors.fields)
    return values
