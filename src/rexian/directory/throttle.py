"""Login throttling for the console and the API's token endpoint: guessing passwords gets slow.

Failures are counted per user name (whoever tries it, from wherever) and per client address (one address
trying many names) over a fixed window; past either limit, every attempt is refused, right or wrong, until the
window ends. A success clears its user name's count. The counters share core/ratelimit.py's cache.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_noop

from rexian.core import ratelimit

# One message for the console (translated) and the API (Chinese).
REFUSED_MESSAGE = gettext_noop("登录失败次数过多，请 %(minutes)s 分钟后再试。")


def _limits() -> tuple[int, int, int]:
    config = settings.REXIAN
    return config["LOGIN_FAILURES_PER_USER"], config["LOGIN_FAILURES_PER_ADDRESS"], config["LOGIN_WINDOW_SECONDS"]


def _name(username: str) -> str:
    return username.strip().lower()


def refused(username: str, address: str) -> bool:
    per_user, per_address, window = _limits()
    return (
        ratelimit.count("login-user", _name(username), window_seconds=window) >= per_user
        or ratelimit.count("login-address", address, window_seconds=window) >= per_address
    )


def failed(username: str, address: str) -> None:
    per_user, per_address, window = _limits()
    ratelimit.hit("login-user", _name(username), limit=per_user, window_seconds=window)
    ratelimit.hit("login-address", address, limit=per_address, window_seconds=window)


def succeeded(username: str) -> None:
    ratelimit.reset("login-user", _name(username), window_seconds=_limits()[2])


def window_minutes() -> int:
    return max(1, _limits()[2] // 60)


def refused_message() -> str:
    return REFUSED_MESSAGE % {"minutes": window_minutes()}
