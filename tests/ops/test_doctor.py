"""`rexian doctor` and the readiness probe: each failing check fails, and the command exits non-zero."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client

from rexian.core import doctor, health
from rexian.core.clock import SHANGHAI
from rexian.core.doctor import Status
from rexian.core.models import Heartbeat
from rexian.supervision.periodic import every_minute
from rexian.workdays.models import ScheduleYear

DEV_KEY = "development-key"
GOOD_KEY = "k3Y-" + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMN"


def test_secret_key():
    assert doctor.check_secret_key(DEV_KEY, production=True, development_key=DEV_KEY).status is Status.FAIL
    assert doctor.check_secret_key(DEV_KEY, production=False, development_key=DEV_KEY).status is Status.WARN
    assert doctor.check_secret_key("short-key", production=True, development_key=DEV_KEY).status is Status.FAIL
    assert doctor.check_secret_key("a" * 60, production=True, development_key=DEV_KEY).status is Status.FAIL
    assert doctor.check_secret_key(GOOD_KEY, production=True, development_key=DEV_KEY).status is Status.OK


def test_debug_and_allowed_hosts_in_production():
    assert doctor.check_debug(True, production=True).status is Status.FAIL
    assert doctor.check_debug(True, production=False).status is Status.OK
    assert doctor.check_debug(False, production=True).status is Status.OK
    assert doctor.check_allowed_hosts(["*"], production=True).status is Status.FAIL
    assert doctor.check_allowed_hosts([], production=True).status is Status.FAIL
    assert doctor.check_allowed_hosts(["hotline.example.gov.cn"], production=True).status is Status.OK


def test_calendar_must_cover_this_year_and_from_december_the_next():
    assert doctor.check_calendar({2025}, date(2026, 3, 1)).status is Status.FAIL
    assert doctor.check_calendar({2026}, date(2026, 10, 31)).status is Status.OK
    assert doctor.check_calendar({2026}, date(2026, 11, 15)).status is Status.WARN
    assert doctor.check_calendar({2026}, date(2026, 12, 1)).status is Status.FAIL
    assert doctor.check_calendar({2026, 2027}, date(2026, 12, 31)).status is Status.OK


def test_worker_heartbeat_only_matters_with_a_database_queue():
    assert doctor.check_worker("immediate", None).status is Status.OK
    assert doctor.check_worker("database", None).status is Status.FAIL
    assert doctor.check_worker("database", timedelta(minutes=4)).status is Status.FAIL
    assert doctor.check_worker("database", timedelta(seconds=50)).status is Status.OK


def test_database_unreachable_or_not_migrated():
    assert doctor.check_database(False, lambda: []).status is Status.FAIL
    finding = doctor.check_database(True, lambda: ["tickets.0099_future"])
    assert finding.status is Status.FAIL and "0099_future" in finding.message
    assert doctor.check_database(True, lambda: []).status is Status.OK


def test_media_not_writable(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert doctor.check_media(blocker / "media").status is Status.FAIL
    assert doctor.check_media(tmp_path / "media").status is Status.OK


@pytest.mark.django_db(transaction=True)  # the minute's work refuses to run inside a test's transaction
def test_every_minute_beats_and_doctor_fails_when_the_worker_goes_quiet(settings, capsys):
    settings.TASK_MODE = "database"
    ScheduleYear.objects.get_or_create(year=2026)  # flushed by an earlier transactional test
    start = datetime(2026, 5, 6, 9, 0, tzinfo=SHANGHAI)
    with time_machine.travel(start, tick=False):
        every_minute()
        assert health.heartbeat_age() == timedelta(0)
        call_command("doctor")  # development settings: warnings at most
        assert "[通过] 后台 worker" in capsys.readouterr().out
    with time_machine.travel(start + timedelta(minutes=5), tick=False), pytest.raises(CommandError, match="1 项"):
        call_command("doctor")
    assert "[失败] 后台 worker" in capsys.readouterr().out


@pytest.mark.django_db
def test_old_heartbeats_are_forgotten():
    now = datetime(2026, 5, 6, 9, 0, tzinfo=SHANGHAI)
    Heartbeat.objects.create(name="gone:1", beat_at=now - timedelta(days=2))
    health.beat(now)
    assert list(Heartbeat.objects.values_list("beat_at", flat=True)) == [now]


@pytest.mark.django_db
def test_readiness_reports_database_migrations_and_worker(settings, monkeypatch):
    settings.TASK_MODE = "database"
    response = Client().get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok", "worker": "stale"}}
    monkeypatch.setattr(health, "unapplied_migrations", lambda: ["tickets.0099_future"])
    response = Client().get("/readyz")
    assert response.status_code == 503 and response.json()["checks"]["migrations"] == "fail"
    monkeypatch.setattr(health, "database_reachable", lambda: False)
    assert Client().get("/readyz").json() == {"status": "fail", "checks": {"database": "fail"}}


@pytest.mark.django_db
def test_channel_secrets_the_keys_cannot_open_fail_the_check(settings):
    from rexian.intake.models import ChannelAccount, ChannelKind

    ChannelAccount.objects.create(code="wx-city", name="公众号", kind=ChannelKind.WECHAT, secret="k-1")
    ChannelAccount.objects.create(code="sms", name="短信", kind=ChannelKind.SMS, secret="")
    assert doctor.unreadable_channels() == []
    assert doctor.check_sealed_secrets([]).status is Status.OK
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "a-rotated-secret-key-without-its-fallback-0123456789"
    assert doctor.unreadable_channels() == ["wx-city"]
    finding = doctor.check_sealed_secrets(doctor.unreadable_channels())
    assert finding.status is Status.FAIL and "wx-city" in finding.message
    settings.SECRET_KEY_FALLBACKS = [old]
    assert doctor.unreadable_channels() == []
