from __future__ import annotations

import copy
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from rexian.api.models import ApiToken, hash_token
from rexian.core import clock
from rexian.core.cache import TimedCache
from rexian.directory.models import User

# A token's holder, with their unit and roles, is read once per half minute per process rather than in two queries
# on every request (an intake desk makes three requests per appeal). A change to the user, their roles or their
# tokens forgets it at once in the process that made it; other processes see it within TOKEN_CACHE_SECONDS.
TOKEN_CACHE_SECONDS = 30
_holders = TimedCache(seconds=TOKEN_CACHE_SECONDS)


@dataclass(frozen=True)
class Holder:
    user: User
    expires_at: datetime


def forget_holders(**_: object) -> None:
    _holders.forget()


def _holder(key_hash: str) -> Holder | None:
    def load() -> Holder | None:
        row = ApiToken.objects.select_related("user", "user__unit").filter(key_hash=key_hash).first()
        if row is None:
            return None
        now = clock.now()
        if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5):
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)  # cheap: at most once in 5 minutes
        row.user.roles  # noqa: B018 -- read now, so that every request served from the cache has them
        return Holder(row.user, row.expires_at)

    return _holders.get(key_hash, load)


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        key_hash = hash_token(token)
        holder = _holder(key_hash)
        if holder is None:
            _holders.forget(key_hash)  # a stranger's guesses are not kept
            return None
        if holder.expires_at <= clock.now() or not holder.user.is_active:
            return None
        user = copy.copy(holder.user)  # each request its own instance: nothing one sets is seen by another
        request.user = user
        return user


class StaffSessionAuth(SessionAuth):
    """The logged-in browser session (the docs page's "try it out"); CSRF is checked by Ninja, and only when a
    session cookie comes with the request: without one there is no session to forge, and a program that forgot
    its token hears 401 "log in or give a token", not a CSRF failure."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


def issue_token(username: str, password: str) -> tuple[str, ApiToken] | None:
    user = authenticate(username=username, password=password)
    if user is None or not user.is_active:
        return None
    raw = secrets.token_urlsafe(32)
    now = clock.now()
    row = ApiToken.objects.create(
        user=user,
        key_hash=hash_token(raw),
        created_at=now,
        expires_at=now + timedelta(hours=settings.REXIAN["API_TOKEN_TTL_HOURS"]),
    )
    return raw, row


AUTH = [BearerTokenAuth(), StaffSessionAuth()]
