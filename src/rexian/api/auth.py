from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from rexian.api.models import ApiToken, hash_token
from rexian.core import clock
from rexian.directory.models import User


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        now = clock.now()
        row = (
            ApiToken.objects.select_related("user", "user__unit")
            .filter(key_hash=hash_token(token), expires_at__gt=now)
            .first()
        )
        if row is None or not row.user.is_active:
            return None
        if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5):
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)  # cheap: at most once in 5 minutes
        request.user = row.user
        return row.user


class StaffSessionAuth(SessionAuth):
    """The logged-in browser session (the docs page's "try it out"); CSRF is checked by Ninja."""

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
