"""The one source of "now" for domain code.

Tests move the clock with time-machine; the demo loader writes history by pinning the clock to a
past moment with `frozen_at`, so that events carry the time they describe.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")
_pinned: contextvars.ContextVar[datetime | None] = contextvars.ContextVar("rexian_pinned_now", default=None)


def now() -> datetime:
    return _pinned.get() or timezone.now()


def local_now() -> datetime:
    return now().astimezone(SHANGHAI)


@contextlib.contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    if timezone.is_naive(moment):
        raise ValueError("frozen_at needs an aware datetime")
    token = _pinned.set(moment)
    try:
        yield
    finally:
        _pinned.reset(token)
