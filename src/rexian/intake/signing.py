"""Signed webhooks (pure Python, no Django import): how a gateway signs a request and how we check it.

A request carries three headers: the Unix time it was sent, a fresh random nonce, and
`sha256=<hex HMAC-SHA256(secret, "<timestamp>.<nonce>." + body)>`. The timestamp must be within
WINDOW of our clock, so that a captured request cannot be replayed later; within the window the
caller remembers each nonce once, so that it cannot be replayed sooner.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass

TIMESTAMP_HEADER = "X-Rexian-Timestamp"
NONCE_HEADER = "X-Rexian-Nonce"
SIGNATURE_HEADER = "X-Rexian-Signature"
WINDOW_SECONDS = 300
NONCE_MAX = 64
PREFIX = "sha256="


@dataclass(frozen=True)
class Refusal:
    status: int
    code: str
    message: str


UNSIGNED = Refusal(
    401, "signature_missing", "缺少签名：请求头须含 X-Rexian-Timestamp、X-Rexian-Nonce 和 X-Rexian-Signature。"
)
BAD_TIMESTAMP = Refusal(401, "timestamp_invalid", "X-Rexian-Timestamp 应为 Unix 秒数。")
STALE = Refusal(401, "timestamp_out_of_window", f"请求时间与服务器时间相差超过 {WINDOW_SECONDS} 秒，已拒收。")
BAD_NONCE = Refusal(401, "nonce_invalid", f"X-Rexian-Nonce 应为 1–{NONCE_MAX} 个字符。")
BAD_SIGNATURE = Refusal(401, "signature_invalid", "签名不正确。")
REPLAYED = Refusal(409, "replayed", "该请求已收到过（随机数重复），不再处理。")


def signature(secret: str, timestamp: str, nonce: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.{nonce}.".encode() + body, hashlib.sha256)
    return PREFIX + mac.hexdigest()


def signed_headers(secret: str, timestamp: int, nonce: str, body: bytes) -> dict[str, str]:
    """The headers a sender adds (our own replies to gateways, and the tests)."""
    return {
        TIMESTAMP_HEADER: str(timestamp),
        NONCE_HEADER: nonce,
        SIGNATURE_HEADER: signature(secret, str(timestamp), nonce, body),
    }


def check(secret: str, headers: Mapping[str, str], body: bytes, now: float) -> Refusal | None:
    """Why the request must be refused, or None when it is signed by the holder of `secret` within the window.
    The nonce's freshness is the caller's to check (it needs storage)."""
    timestamp, nonce, given = (headers.get(h, "") for h in (TIMESTAMP_HEADER, NONCE_HEADER, SIGNATURE_HEADER))
    if not (timestamp and nonce and given):
        return UNSIGNED
    if not timestamp.isdigit():
        return BAD_TIMESTAMP
    if abs(now - int(timestamp)) > WINDOW_SECONDS:
        return STALE
    if len(nonce) > NONCE_MAX:
        return BAD_NONCE
    if not hmac.compare_digest(signature(secret, timestamp, nonce, body), given):
        return BAD_SIGNATURE
    return None
