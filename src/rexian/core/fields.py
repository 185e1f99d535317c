"""Secrets the platform must use, not just check (a gateway's HMAC key, a mailbox password), stored sealed.

A password is stored hashed; a key that signs requests cannot be. These fields encrypt with Fernet (AES-128-CBC
and HMAC-SHA256) under a key that lives outside the database: REXIAN_FIELD_KEY, or one derived from SECRET_KEY.
A database dump or backup alone then reveals no channel's secret. An old SECRET_KEY kept in SECRET_KEY_FALLBACKS
still opens what it sealed; a value is sealed again under the newest key when it is next saved.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django import forms
from django.conf import settings
from django.db import models

logger = logging.getLogger(__name__)

PREFIX = "sealed:"


def _derived(secret_key: str) -> bytes:
    return base64.urlsafe_b64encode(hashlib.sha256(f"rexian-field-key\0{secret_key}".encode()).digest())


def field_keys() -> list[bytes]:
    """The keys that open sealed values, the one that seals first: REXIAN_FIELD_KEY (a comma-separated list, newest
    first), then those derived from SECRET_KEY and SECRET_KEY_FALLBACKS, so that keys can be changed in steps."""
    configured = [k.strip().encode() for k in (settings.REXIAN.get("FIELD_KEY") or "").split(",") if k.strip()]
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return configured + [_derived(secret) for secret in secrets]


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in field_keys()])


def seal(plain: str) -> str:
    return PREFIX + _fernet().encrypt(plain.encode()).decode()


class UnreadableSecret(Exception):
    """A sealed value the current key cannot open."""


def unseal(stored: str) -> str:
    """The plain text of a stored value; a value from before sealing (no prefix) is returned as it is."""
    if not stored.startswith(PREFIX):
        return stored
    try:
        return _fernet().decrypt(stored[len(PREFIX):].encode()).decode()
    except (InvalidToken, ValueError) as error:
        raise UnreadableSecret("无法解密已保存的密钥：SECRET_KEY 或 REXIAN_FIELD_KEY 已更改。") from error


class SealedTextField(models.TextField):
    """Text kept encrypted in the database and plain in Python. `max_length` limits what is typed in, not the
    column (the sealed form is longer)."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if not value:
            return value
        try:
            return unseal(value)
        except UnreadableSecret as error:
            # A page listing channels must still open: the secret reads as empty, and signed calls fail (401).
            logger.error("%s (%s)", error, self.model.__name__)
            return ""

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return seal(value) if value and not value.startswith(PREFIX) else value

    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(**{"widget": forms.TextInput, **kwargs})
