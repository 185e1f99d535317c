from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models

from rexian.core import clock


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token. Only its hash is stored: a leaked database does not leak working tokens."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间")
    expires_at = models.DateTimeField("过期时间", db_index=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"


class Open311Client(models.Model):
    """An app that files appeals through Open311 GeoReport v2 (/open311/v2/). Only the key's hash is stored."""

    name = models.CharField("客户端名称", max_length=50, unique=True)
    key_hash = models.CharField("密钥摘要", max_length=64, unique=True, editable=False)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", default=clock.now, editable=False)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "Open311 客户端"
        verbose_name_plural = "Open311 客户端"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def new_key(self) -> str:
        """Give the client a fresh key (the caller saves); the raw key is shown once and never stored."""
        raw = secrets.token_urlsafe(32)
        self.key_hash = hash_token(raw)
        return raw

    @classmethod
    def issue(cls, name: str) -> tuple[Open311Client, str]:
        client = cls(name=name)
        raw = client.new_key()
        client.save()
        return client, raw

    @classmethod
    def by_key(cls, raw: str) -> Open311Client | None:
        """The active client holding this key, its use noted at most once in 5 minutes."""
        client = cls.objects.filter(key_hash=hash_token(raw), is_active=True).first() if raw else None
        now = clock.now()
        if client and (client.last_used_at is None or now - client.last_used_at > timedelta(minutes=5)):
            cls.objects.filter(pk=client.pk).update(last_used_at=now)
        return client
