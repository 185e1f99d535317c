"""Channel secrets are sealed in the database: a dump or a backup alone does not give away a gateway's key."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import connection

from rexian.core.fields import PREFIX, UnreadableSecret, seal, unseal
from rexian.intake.models import ChannelAccount, ChannelKind

SECRET = "wx-gateway-key-0123456789"


def stored(column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM intake_channelaccount WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@pytest.fixture
def account(db) -> ChannelAccount:
    return ChannelAccount.objects.create(code="mail", name="信箱", kind=ChannelKind.EMAIL, secret=SECRET,
                                         imap_host="imap.example.cn", imap_user="12345", imap_password="imap-pw-1")


def test_the_database_holds_only_the_sealed_form(account):
    for column, plain in (("secret", SECRET), ("imap_password", "imap-pw-1")):
        raw = stored(column, account.pk)
        assert raw.startswith(PREFIX) and plain not in raw
    fresh = ChannelAccount.objects.get(pk=account.pk)
    assert (fresh.secret, fresh.imap_password) == (SECRET, "imap-pw-1")
    assert stored("secret", account.pk) != seal(SECRET)  # a fresh nonce each time: equal keys do not look equal


def test_secrets_saved_in_the_clear_before_are_sealed_by_the_migration(account):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE intake_channelaccount SET secret = %s WHERE id = %s", ["old-plain-key", account.pk])
    assert ChannelAccount.objects.get(pk=account.pk).secret == "old-plain-key"  # still readable meanwhile
    importlib.import_module("rexian.intake.migrations.0004_sealed_secrets").seal_existing(apps, None)
    assert stored("secret", account.pk).startswith(PREFIX)
    assert ChannelAccount.objects.get(pk=account.pk).secret == "old-plain-key"


def test_another_key_cannot_open_them(account, settings, caplog):
    settings.SECRET_KEY = "a-different-secret-key-for-this-test-only"
    with pytest.raises(UnreadableSecret):
        unseal(stored("secret", account.pk))
    assert ChannelAccount.objects.get(pk=account.pk).secret == ""  # the page lists it; signed calls will fail
    assert "无法解密" in caplog.text


def test_an_old_secret_key_kept_as_a_fallback_still_opens_them(account, settings):
    old = settings.SECRET_KEY
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "the-new-secret-key-after-rotation-2026", [old]
    fresh = ChannelAccount.objects.get(pk=account.pk)
    assert fresh.secret == SECRET
    fresh.save()  # saved again: sealed under the new key, which alone now opens it
    settings.SECRET_KEY_FALLBACKS = []
    assert ChannelAccount.objects.get(pk=account.pk).secret == SECRET


def test_an_explicit_field_key_is_used_when_set(settings):
    settings.REXIAN = {**settings.REXIAN, "FIELD_KEY": "Jx3qkN9pVtq0gJxXz6m1mYp2lS4bQ8cR7uW5eH0aBcE="}
    sealed = seal("k")
    assert unseal(sealed) == "k"
    settings.REXIAN = {**settings.REXIAN, "FIELD_KEY": ""}
    with pytest.raises(UnreadableSecret):
        unseal(sealed)
