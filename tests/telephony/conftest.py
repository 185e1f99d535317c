"""A CTI account, a second agent, and helpers that post signed call events or record them directly."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from rexian.core import clock
from rexian.core.clock import SHANGHAI
from rexian.directory.roles import Role
from rexian.intake.models import ChannelAccount, ChannelKind
from rexian.intake.signing import signed_headers
from rexian.telephony.actions import record_call_event
from rexian.telephony.models import Call
from rexian.telephony.rules import EventFact, EventIn, EventKind
from tests.conftest import make_user

SECRET = "cti-secret-for-tests"
# A Monday morning in Asia/Shanghai: today, this week and this month all start before it.
START = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def cti(db) -> ChannelAccount:
    return ChannelAccount.objects.create(code="cti", name="呼叫中心", kind=ChannelKind.CTI, secret=SECRET)


@pytest.fixture
def agent2(city):
    return make_user("intake2", city.units["centre"], Role.INTAKE)


@pytest.fixture
def now(time_machine) -> datetime:
    time_machine.move_to(START, tick=False)
    return START


def post_event(
    account: ChannelAccount,
    body: dict[str, Any] | bytes,
    *,
    nonce: str | None = None,
    timestamp: int | None = None,
    secret: str = SECRET,
    headers: dict[str, str] | None = None,
):
    raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    ts = int(clock.now().timestamp()) if timestamp is None else timestamp
    signed = signed_headers(secret, ts, nonce or uuid.uuid4().hex, raw) if headers is None else headers
    return Client().post(f"/hooks/{account.code}/calls", data=raw, content_type="application/json", headers=signed)


def event(kind: str, at: datetime, call_id: str = "c1", event_id: str | None = None, **extra: Any) -> dict[str, Any]:
    body = {"event_id": event_id or uuid.uuid4().hex, "call_id": call_id, "event": kind, "at": at.isoformat()}
    return body | extra


def record(account: ChannelAccount, call_id: str, kind: EventKind, at: datetime, **fact: str) -> Call:
    """An event recorded without the HTTP layer (the metrics' fixed streams)."""
    fields = EventIn(uuid.uuid4().hex, call_id, EventFact(kind, at, **fact), {"call_id": call_id, **fact})
    call, created = record_call_event(account, fields)
    assert created
    return call


def call(
    account: ChannelAccount,
    call_id: str,
    rang: datetime,
    *,
    agent: str = "",
    wait: float | None = None,
    talk: float | None = None,
    gave_up_after: float | None = None,
    caller: str = "13800001111",
    dialled: str = "12345",
) -> Call:
    """A call: rings at `rang`; answered `wait` s later and ended `talk` s after that; or abandoned after
    `gave_up_after` s."""
    done = record(account, call_id, EventKind.RINGING, rang, agent=agent, caller=caller, dialled=dialled)
    if wait is not None:
        done = record(account, call_id, EventKind.ANSWERED, rang + timedelta(seconds=wait), agent=agent)
        if talk is not None:
            done = record(account, call_id, EventKind.ENDED, rang + timedelta(seconds=wait + talk), agent=agent)
    elif gave_up_after is not None:
        done = record(account, call_id, EventKind.ABANDONED, rang + timedelta(seconds=gave_up_after))
    return done
